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
        // Nothing cached yet: the depot is looked at once per magazine's
        // worth of allocations (the 1st, 33rd, 65th and 97th), not 100 times.
        EXPECT_EQ(4u, zlink::msg_pool_counters().small_depot_empty);
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

// A producer far ahead of its consumer (a PUB with no high-water mark)
// finds the depot empty at every allocation; taking its lock each time cost
// PUB/SUB tcp 64 B 10-15% of its throughput. After a miss the next 31
// allocations go straight to malloc.
TEST_F(MsgPoolSmall, AnEmptyDepotIsLookedAtOncePerMagazine) {
    on_fresh_thread([] {
        auto v = make_msgs(64, 64);
        EXPECT_EQ(2u, zlink::msg_pool_counters().small_depot_empty);
        close_all(v);
    });
    // A magazine freed meanwhile is still found once the skips are used up.
    std::vector<zlink::msg_t> freed_elsewhere;
    on_fresh_thread([&] { freed_elsewhere = make_msgs(33, 64); });
    const auto freed_bodies = bodies_of(freed_elsewhere);
    on_fresh_thread([&] {
        auto first = make_msgs(1, 64); // a miss: 31 allocations skip the depot
        on_fresh_thread([&] { close_all(freed_elsewhere); }); // 32 of them reach the depot
        auto skipped = make_msgs(31, 64);
        const auto before = zlink::msg_pool_counters().small_depot_gets;
        auto next = make_msgs(1, 64);
        EXPECT_EQ(before + 1, zlink::msg_pool_counters().small_depot_gets);
        EXPECT_EQ(1u, freed_bodies.count(next[0].data()));
        close_all(first);
        close_all(skipped);
        close_all(next);
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
