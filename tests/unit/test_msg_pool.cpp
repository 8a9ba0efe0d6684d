// The message-body pool: size classes, reuse of freed large blocks across
// threads, its bounds, the ZLINK_MSG_POOL switch, and its counters.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include <zlink.h>
#include <zmq.h>

#include "core/msg.hpp"
#include "core/msg_pool.hpp"
#include "msg_pool_fixture.hpp"

namespace {

using zlink::msg_pool_class_capacity;
using zlink::msg_pool_class_of;
using zlink::msg_pool_no_class;

struct MsgPool : msg_pool_fixture {};

void *body_of_new_msg(zlink::msg_t &m, size_t size) {
    EXPECT_EQ(0, m.init_size(size));
    return m.data();
}

TEST(MsgPoolClasses, SmallAndHugeBodiesAreNotPooled) {
    EXPECT_EQ(msg_pool_no_class, msg_pool_class_of(0));
    EXPECT_EQ(msg_pool_no_class, msg_pool_class_of(100));
    EXPECT_EQ(msg_pool_no_class, msg_pool_class_of(128));
    EXPECT_EQ(msg_pool_no_class, msg_pool_class_of((1u << 20) + 1));
    EXPECT_NE(msg_pool_no_class, msg_pool_class_of(129));
    EXPECT_NE(msg_pool_no_class, msg_pool_class_of(512));
    EXPECT_NE(msg_pool_no_class, msg_pool_class_of(8192));
    EXPECT_NE(msg_pool_no_class, msg_pool_class_of(1u << 20));
}

TEST(MsgPoolClasses, EveryClassHoldsItsBodiesAndWastesAtMostAQuarter) {
    for (size_t body = 129; body <= (1u << 20); body += 97) {
        const uint8_t cls = msg_pool_class_of(body);
        ASSERT_NE(msg_pool_no_class, cls) << body;
        const size_t cap = msg_pool_class_capacity(cls);
        ASSERT_GE(cap, body) << body;
        ASSERT_LE(cap - body, cap / 4) << body;
        if (cls > 0) // the class below is too small: the smallest fitting class
            ASSERT_LT(msg_pool_class_capacity(uint8_t(cls - 1)), body) << body;
    }
    // Powers of two (the common benchmark sizes) fit exactly.
    EXPECT_EQ(65536u, msg_pool_class_capacity(msg_pool_class_of(65536)));
    EXPECT_EQ(262144u, msg_pool_class_capacity(msg_pool_class_of(262144)));
}

TEST_F(MsgPool, FreedLargeBlockIsReusedForTheNextMessage) {
    zlink::msg_t a;
    void *first = body_of_new_msg(a, 65536);
    std::memset(first, 0xab, 65536); // the whole body is writable
    EXPECT_EQ(0, a.close());
    zlink::msg_t b;
    void *second = body_of_new_msg(b, 60000); // same class (48 KiB, 64 KiB]
    EXPECT_EQ(first, second);
    EXPECT_EQ(60000u, b.size());
    EXPECT_EQ(0, b.close());
    const auto c = zlink::msg_pool_counters();
    EXPECT_EQ(1u, c.misses);
    EXPECT_EQ(1u, c.hits);
    EXPECT_EQ(2u, c.kept);
}

TEST_F(MsgPool, SmallMessagesNeverTouchThePool) {
    for (int i = 0; i < 100; ++i) {
        zlink::msg_t m;
        ASSERT_EQ(0, m.init_size(128));
        ASSERT_EQ(0, m.close());
    }
    const auto c = zlink::msg_pool_counters();
    EXPECT_EQ(0u, c.hits + c.misses + c.kept + c.released);
}

TEST_F(MsgPool, DisabledPoolAllocatesEveryTime) {
    zlink::msg_pool_set_enabled(false);
    for (int i = 0; i < 10; ++i) {
        zlink::msg_t m;
        ASSERT_EQ(0, m.init_size(65536));
        ASSERT_EQ(0, m.close());
    }
    const auto c = zlink::msg_pool_counters();
    EXPECT_EQ(0u, c.hits);
    EXPECT_EQ(0u, c.kept);
}

TEST_F(MsgPool, BlocksFreedWhileThePoolWasOnGoBackCorrectlyWhenOff) {
    zlink::msg_t m;
    ASSERT_EQ(0, m.init_size(100000));
    zlink::msg_pool_set_enabled(false);
    EXPECT_EQ(0, m.close()); // a pooled block: kept, not leaked or double freed
    EXPECT_EQ(1u, zlink::msg_pool_counters().kept);
}

TEST_F(MsgPool, SmallClassesKeepAtMost64Blocks) {
    std::vector<zlink::msg_t> msgs(100);
    for (auto &m : msgs)
        ASSERT_EQ(0, m.init_size(1000));
    for (auto &m : msgs)
        ASSERT_EQ(0, m.close());
    EXPECT_EQ(64u, zlink::msg_pool_counters().kept);
}

TEST_F(MsgPool, PoolIsBoundedPerClass) {
    std::vector<zlink::msg_t> msgs(200);
    for (auto &m : msgs)
        ASSERT_EQ(0, m.init_size(65536));
    for (auto &m : msgs)
        ASSERT_EQ(0, m.close());
    const auto c = zlink::msg_pool_counters();
    EXPECT_EQ(200u, c.misses);
    EXPECT_EQ(32u, c.kept) << "64 KiB class keeps at most 32 blocks (2 MiB)";
    EXPECT_EQ(168u, c.released);
}

TEST_F(MsgPool, PoolIsBoundedInBytesForBigClasses) {
    std::vector<zlink::msg_t> msgs(20);
    for (auto &m : msgs)
        ASSERT_EQ(0, m.init_size(1u << 20));
    for (auto &m : msgs)
        ASSERT_EQ(0, m.close());
    EXPECT_EQ(2u, zlink::msg_pool_counters().kept) << "1 MiB class: 2 blocks";
}

TEST_F(MsgPool, SharedBodyGoesBackOnceWhenTheLastCopyCloses) {
    zlink::msg_t a, b;
    ASSERT_EQ(0, a.init_size(50000));
    b.init();
    ASSERT_EQ(0, b.copy(a));
    ASSERT_EQ(0, a.close());
    EXPECT_EQ(0u, zlink::msg_pool_counters().kept);
    ASSERT_EQ(0, b.close());
    EXPECT_EQ(1u, zlink::msg_pool_counters().kept);
}

// One thread allocates, another frees (the inproc pattern): the sender is
// served from blocks the receiver gave back.
TEST_F(MsgPool, CrossThreadAllocateAndFreeRecycles) {
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(0, zmq_bind(pull, "inproc://msg-pool-cross-thread"));
    ASSERT_EQ(0, zmq_connect(push, "inproc://msg-pool-cross-thread"));
    const int n = 2000;
    std::thread receiver([&] {
        std::vector<char> buf(70000);
        for (int i = 0; i < n; ++i)
            ASSERT_EQ(65536, zmq_recv(pull, buf.data(), buf.size(), 0));
    });
    std::vector<char> out(65536, 'x');
    for (int i = 0; i < n; ++i)
        ASSERT_EQ(65536, zmq_send(push, out.data(), out.size(), 0));
    receiver.join();
    const auto c = zlink::msg_pool_counters();
    EXPECT_EQ(uint64_t(n), c.hits + c.misses);
    EXPECT_GT(c.hits, 0u);
    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(ctx);
}

TEST_F(MsgPool, LastContextTermEmptiesThePool) {
    void *ctx = zmq_ctx_new();
    zlink::msg_t m;
    ASSERT_EQ(0, m.init_size(65536));
    ASSERT_EQ(0, m.close());
    zlink::msg_pool_counters_reset();
    zlink::msg_t again;
    ASSERT_EQ(0, again.init_size(65536));
    ASSERT_EQ(0, again.close());
    EXPECT_EQ(1u, zlink::msg_pool_counters().hits);
    ASSERT_EQ(0, zmq_ctx_term(ctx));
    zlink::msg_pool_counters_reset();
    zlink::msg_t after;
    ASSERT_EQ(0, after.init_size(65536));
    ASSERT_EQ(0, after.close());
    EXPECT_EQ(0u, zlink::msg_pool_counters().hits);
    EXPECT_EQ(1u, zlink::msg_pool_counters().misses);
}

TEST(MsgPoolEnv, OnlyALeadingZeroTurnsItOff) {
    EXPECT_TRUE(zlink::msg_pool_enabled_by_env(nullptr));
    EXPECT_TRUE(zlink::msg_pool_enabled_by_env(""));
    EXPECT_TRUE(zlink::msg_pool_enabled_by_env("1"));
    EXPECT_FALSE(zlink::msg_pool_enabled_by_env("0"));
}

TEST(MsgPoolCounters, ReportedThroughZmqDebugCounters) {
    zlink_debug_counter_t cs[64];
    const int n = zmq_debug_counters(cs, 64);
    int found = 0;
    for (int i = 0; i < n; ++i)
        found += std::strncmp(cs[i].name, "msg_pool_", 9) == 0;
    EXPECT_EQ(8, found) << "hits, misses, kept, released and the four small_depot_*";
}

} // namespace
