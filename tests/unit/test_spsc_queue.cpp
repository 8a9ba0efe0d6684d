// The lock-free queue under the pipes: ordering, the "reader asleep" signal
// that drives wake-ups, multipart visibility, unwrite, and a two-thread run
// (the TSAN lane runs this file).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/spsc_queue.hpp"

using zlink::spsc_queue;

TEST(spsc_queue, fifo_across_chunks) {
    spsc_queue<int, 4> q;
    for (int i = 0; i < 37; ++i)
        q.write(int(i), false);
    q.flush();
    for (int i = 0; i < 37; ++i) {
        int v = -1;
        ASSERT_TRUE(q.read(v));
        EXPECT_EQ(v, i);
    }
    int v;
    EXPECT_FALSE(q.read(v));
}

TEST(spsc_queue, flush_reports_sleeping_reader_once) {
    spsc_queue<int, 8> q;
    q.write(1, false);
    EXPECT_TRUE(q.flush()) << "a fresh reader has not parked yet";
    int v;
    ASSERT_TRUE(q.read(v));
    EXPECT_FALSE(q.check_read()) << "empty: the reader parks";
    q.write(2, false);
    EXPECT_FALSE(q.flush()) << "the writer must wake the parked reader";
    q.write(3, false);
    EXPECT_TRUE(q.flush()) << "the reader is awake now: no second wake-up";
    ASSERT_TRUE(q.read(v));
    EXPECT_EQ(v, 2);
    ASSERT_TRUE(q.read(v));
    EXPECT_EQ(v, 3);
}

TEST(spsc_queue, incomplete_items_stay_invisible) {
    spsc_queue<int, 4> q;
    q.write(1, true);
    q.write(2, true);
    q.flush();
    EXPECT_FALSE(q.check_read()) << "half a multipart message must not be visible";
    q.write(3, false);
    q.flush();
    int v;
    for (int want = 1; want <= 3; ++want) {
        ASSERT_TRUE(q.read(v));
        EXPECT_EQ(v, want);
    }
}

TEST(spsc_queue, unwrite_takes_back_unflushed_parts_across_chunks) {
    spsc_queue<int, 2> q;
    q.write(10, false);
    for (int i = 0; i < 5; ++i)
        q.write(int(i), true);
    int v;
    int taken = 0;
    while (q.unwrite(v))
        ++taken;
    EXPECT_EQ(taken, 5);
    q.write(11, false);
    q.flush();
    ASSERT_TRUE(q.read(v));
    EXPECT_EQ(v, 10);
    ASSERT_TRUE(q.read(v));
    EXPECT_EQ(v, 11);
    EXPECT_FALSE(q.read(v));
}

TEST(spsc_queue, two_threads_keep_order) {
    spsc_queue<uint64_t, 64> q;
    const uint64_t n = 200000;
    std::atomic<bool> sleeping_seen{false};
    std::thread writer([&] {
        for (uint64_t i = 0; i < n; ++i) {
            q.write(uint64_t(i), (i % 3) == 0);
            if (!q.flush())
                sleeping_seen = true;
        }
        q.write(uint64_t(n), false);
        q.flush();
    });
    uint64_t expect = 0;
    while (expect <= n) {
        uint64_t v;
        if (q.read(v)) {
            ASSERT_EQ(v, expect);
            ++expect;
        } else {
            std::this_thread::yield();
        }
    }
    writer.join();
    (void)sleeping_seen;
}

// The application-thread write takes what was written since the reader
// parked, instead of publishing it; the queue then works on as before.
TEST(spsc_queue, take_unpublished_only_from_a_parked_reader) {
    spsc_queue<int, 4> q;
    int out[8] = {};
    q.write(1, false);
    EXPECT_EQ(0, q.take_unpublished(out, 8)) << "a fresh reader is awake";
    q.flush();
    int v = 0;
    ASSERT_TRUE(q.read(v));
    EXPECT_FALSE(q.read(v)); // parks
    EXPECT_EQ(0, q.take_unpublished(out, 8)) << "nothing written";
    for (int i = 10; i < 16; ++i) // across a chunk boundary
        q.write(int(i), false);
    EXPECT_EQ(-1, q.take_unpublished(out, 5)) << "more than max: left alone";
    ASSERT_EQ(6, q.take_unpublished(out, 8));
    for (int i = 0; i < 6; ++i)
        EXPECT_EQ(10 + i, out[i]);
    q.write(20, true); // an unfinished multipart message stays
    EXPECT_EQ(0, q.take_unpublished(out, 8));
    q.write(21, false);
    EXPECT_FALSE(q.flush()) << "the reader is still parked";
    ASSERT_TRUE(q.read(v));
    EXPECT_EQ(20, v);
    ASSERT_TRUE(q.read(v));
    EXPECT_EQ(21, v);
    EXPECT_FALSE(q.read(v));
}
