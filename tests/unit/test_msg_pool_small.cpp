// Small message bodies (49..128 B): per-thread magazines of 32 blocks and the
// shared depot they move through (msg_pool.cpp). Each case runs its body on a
// fresh thread, so the thread's cache starts empty and the counts are exact.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "core/msg.hpp"
#include "core/msg_pool.hpp"
#include "msg_pool_fixture.hpp"

namespace {

struct MsgPoolSmall : msg_pool_fixture {};

template <typename F>
void on_fresh_thread(F f) {
    std::thread t(f);
    t.join();
}

std::vector<zlink::msg_t> make_msgs(size_t n, size_t size) {
    std::vector<zlink::msg_t> v(n);
    for (auto &m : v) {
        EXPECT_EQ(0, m.init_size(size));
        std::memset(m.data(), 0x5a, size); // the whole body is ours (ASAN checks)
    }
    return v;
}

std::set<void *> bodies_of(std::vector<zlink::msg_t> &v) {
    std::set<void *> out;
    for (auto &m : v)
        out.insert(m.data());
    return out;
}

void close_all(std::vector<zlink::msg_t> &v) {
    for (auto &m : v)
        ASSERT_EQ(0, m.close());
}

TEST_F(MsgPoolSmall, FreedBlocksComeBackToTheSameThread) {
    on_fresh_thread([] {
        auto first = make_msgs(100, 64);
        EXPECT_EQ(100u, zlink::msg_pool_counters().small_depot_empty) << "nothing cached yet";
        const auto first_bodies = bodies_of(first);
        close_all(first);
        // 100 frees: the 33rd, 65th and 97th find the thread's array full.
        EXPECT_EQ(3u, zlink::msg_pool_counters().small_depot_puts);
        auto second = make_msgs(100, 64);
        for (void *body : bodies_of(second))
            EXPECT_EQ(1u, first_bodies.count(body)) << "a new block, not a recycled one";
        EXPECT_EQ(3u, zlink::msg_pool_counters().small_depot_gets);
        close_all(second);
    });
}

// The stream pattern: one thread allocates, another frees, a third (here)
// allocates again and is served whole magazines the freeing thread gave up.
TEST_F(MsgPoolSmall, BlocksFreedOnAnotherThreadReachTheAllocatingThread) {
    std::vector<zlink::msg_t> sent;
    on_fresh_thread([&] { sent = make_msgs(64, 100); });
    const auto sent_bodies = bodies_of(sent);
    on_fresh_thread([&] { close_all(sent); }); // its last 32 go to free() at exit
    EXPECT_EQ(1u, zlink::msg_pool_counters().small_depot_puts);
    on_fresh_thread([&] {
        auto again = make_msgs(32, 100);
        for (void *body : bodies_of(again))
            EXPECT_EQ(1u, sent_bodies.count(body));
        EXPECT_EQ(1u, zlink::msg_pool_counters().small_depot_gets);
        close_all(again);
    });
}

TEST_F(MsgPoolSmall, DepotIsBoundedAndOverflowGoesToFree) {
    on_fresh_thread([] {
        auto v = make_msgs(64 * 32 + 64, 64); // one magazine more than the depot holds
        close_all(v);
        const auto c = zlink::msg_pool_counters();
        EXPECT_EQ(64u, c.small_depot_puts);
        EXPECT_EQ(1u, c.small_depot_full);
    });
}

TEST_F(MsgPoolSmall, ClassesDoNotMix) {
    on_fresh_thread([] {
        auto small = make_msgs(40, 64);
        close_all(small);
        // 128 B bodies must not be served 64 B blocks (ASAN would see the memset).
        auto large = make_msgs(40, 128);
        EXPECT_EQ(0u, zlink::msg_pool_counters().small_depot_gets);
        close_all(large);
    });
}

TEST_F(MsgPoolSmall, InlineAndLargerBodiesBypassTheMagazines) {
    on_fresh_thread([] {
        auto tiny = make_msgs(100, zlink::msg_t::max_inline);
        close_all(tiny);
        auto big = make_msgs(100, 129);
        close_all(big);
        EXPECT_EQ(0u, zlink::msg_pool_counters().small_depot_puts);
    });
}

TEST_F(MsgPoolSmall, DisabledPoolUsesMallocForSmallBodies) {
    zlink::msg_pool_set_enabled(false);
    on_fresh_thread([] {
        auto v = make_msgs(100, 64);
        close_all(v);
        EXPECT_EQ(0u, zlink::msg_pool_counters().small_depot_puts);
    });
}

TEST_F(MsgPoolSmall, TrimEmptiesTheDepot) {
    on_fresh_thread([] {
        auto v = make_msgs(100, 64);
        close_all(v);
    });
    EXPECT_EQ(3u, zlink::msg_pool_counters().small_depot_puts);
    zlink::msg_pool_trim();
    on_fresh_thread([] {
        auto v = make_msgs(32, 64);
        EXPECT_EQ(0u, zlink::msg_pool_counters().small_depot_gets);
        close_all(v);
    });
}

} // namespace
