// zmq_atomic_counter_*: values, return conventions, and concurrent use.
#include <gtest/gtest.h>
#include <zmq.h>

#include <cerrno>
#include <thread>
#include <vector>

namespace {
TEST(UtilAtomicCounter, StartsAtZero) {
    void *counter = zmq_atomic_counter_new();
    ASSERT_NE(nullptr, counter);
    EXPECT_EQ(0, zmq_atomic_counter_value(counter));
    zmq_atomic_counter_destroy(&counter);
}

TEST(UtilAtomicCounter, IncReturnsOldValue) {
    void *counter = zmq_atomic_counter_new();
    ASSERT_NE(nullptr, counter);
    EXPECT_EQ(0, zmq_atomic_counter_inc(counter));
    EXPECT_EQ(1, zmq_atomic_counter_inc(counter));
    EXPECT_EQ(2, zmq_atomic_counter_inc(counter));
    EXPECT_EQ(3, zmq_atomic_counter_value(counter));
    zmq_atomic_counter_destroy(&counter);
}

TEST(UtilAtomicCounter, DecReportsWhetherStillNonZero) {
    void *counter = zmq_atomic_counter_new();
    ASSERT_NE(nullptr, counter);
    zmq_atomic_counter_set(counter, 2);
    EXPECT_EQ(2, zmq_atomic_counter_value(counter));
    EXPECT_EQ(1, zmq_atomic_counter_dec(counter)); // 2 -> 1
    EXPECT_EQ(0, zmq_atomic_counter_dec(counter)); // 1 -> 0
    EXPECT_EQ(0, zmq_atomic_counter_value(counter));
    EXPECT_EQ(1, zmq_atomic_counter_dec(counter)); // 0 -> -1 is non-zero
    EXPECT_EQ(-1, zmq_atomic_counter_value(counter));
    zmq_atomic_counter_destroy(&counter);
}

TEST(UtilAtomicCounter, SetOverwrites) {
    void *counter = zmq_atomic_counter_new();
    ASSERT_NE(nullptr, counter);
    zmq_atomic_counter_set(counter, 42);
    EXPECT_EQ(42, zmq_atomic_counter_value(counter));
    zmq_atomic_counter_set(counter, -7);
    EXPECT_EQ(-7, zmq_atomic_counter_value(counter));
    zmq_atomic_counter_destroy(&counter);
}

TEST(UtilAtomicCounter, DestroySetsHandleToNull) {
    void *counter = zmq_atomic_counter_new();
    ASSERT_NE(nullptr, counter);
    zmq_atomic_counter_destroy(&counter);
    EXPECT_EQ(nullptr, counter);
}

TEST(UtilAtomicCounter, ConcurrentIncrementsAreNotLost) {
    void *counter = zmq_atomic_counter_new();
    ASSERT_NE(nullptr, counter);
    const int threads = 4;
    const int per_thread = 20000;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([counter] {
            for (int i = 0; i < per_thread; ++i)
                zmq_atomic_counter_inc(counter);
        });
    for (auto &w : workers)
        w.join();
    EXPECT_EQ(threads * per_thread, zmq_atomic_counter_value(counter));

    // Exactly one decrement observes the transition to zero.
    std::atomic<int> reached_zero{0};
    workers.clear();
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([counter, &reached_zero] {
            for (int i = 0; i < per_thread; ++i)
                if (zmq_atomic_counter_dec(counter) == 0)
                    ++reached_zero;
        });
    for (auto &w : workers)
        w.join();
    EXPECT_EQ(0, zmq_atomic_counter_value(counter));
    EXPECT_EQ(1, reached_zero.load());
    zmq_atomic_counter_destroy(&counter);
}

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
// zlink answers a NULL handle with EFAULT instead of crashing.
TEST(UtilAtomicCounter, NullHandle) {
    errno = 0;
    zmq_atomic_counter_set(nullptr, 1);
    EXPECT_EQ(EFAULT, errno);
    errno = 0;
    EXPECT_EQ(-1, zmq_atomic_counter_inc(nullptr));
    EXPECT_EQ(EFAULT, errno);
    errno = 0;
    EXPECT_EQ(-1, zmq_atomic_counter_dec(nullptr));
    EXPECT_EQ(EFAULT, errno);
    errno = 0;
    EXPECT_EQ(-1, zmq_atomic_counter_value(nullptr));
    EXPECT_EQ(EFAULT, errno);
    void *none = nullptr;
    zmq_atomic_counter_destroy(&none); // no-op
    EXPECT_EQ(nullptr, none);
    zmq_atomic_counter_destroy(nullptr); // no-op
}
#endif
} // namespace
