// A clean, enabled message pool for each test (unit tests of core/msg_pool).
#pragma once

#include <gtest/gtest.h>

#include "core/msg_pool.hpp"

struct msg_pool_fixture : ::testing::Test {
    void SetUp() override {
        zlink::msg_pool_set_enabled(true);
        zlink::msg_pool_trim();
        zlink::msg_pool_counters_reset();
    }
    void TearDown() override {
        zlink::msg_pool_set_enabled(true);
        zlink::msg_pool_trim();
    }
};
