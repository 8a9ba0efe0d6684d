// zmq_timers_* (public API) and zlink::timer_set (with a controlled clock).
// No timing assertions: only "fired" for 0 ms timers and "not fired" for
// timers an hour away.
#include <gtest/gtest.h>
#include <zmq.h>

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
#include "core/timer_set.hpp"
#endif

#include <cerrno>
#include <cstdint>
#include <vector>

namespace {
const std::size_t hour_ms = 3600u * 1000u;

// Records the ids of fired timers, in order.
struct recorder {
    std::vector<int> fired;
};

void record(int timer_id, void *arg) { static_cast<recorder *>(arg)->fired.push_back(timer_id); }

// ---- public API ----------------------------------------------------------

TEST(UtilTimers, NewAndDestroy) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    EXPECT_EQ(-1, zmq_timers_timeout(timers)); // no timers yet
    EXPECT_EQ(0, zmq_timers_execute(timers));  // nothing to run
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
    EXPECT_EQ(nullptr, timers);
    // The handle is now NULL, so a second destroy is a clean EFAULT.
    errno = 0;
    EXPECT_EQ(-1, zmq_timers_destroy(&timers));
    EXPECT_EQ(EFAULT, errno);
}

TEST(UtilTimers, InvalidHandleIsEfault) {
    void *timers = nullptr;
    recorder r;
    const int id = 1;
    // NULL, and a pointer that is not a timers object (as libzmq's own
    // test does: the address of the handle variable).
    for (void *bad : {static_cast<void *>(nullptr), static_cast<void *>(&timers)}) {
        errno = 0;
        EXPECT_EQ(-1, zmq_timers_add(bad, 100, record, &r));
        EXPECT_EQ(EFAULT, errno);
        errno = 0;
        EXPECT_EQ(-1, zmq_timers_cancel(bad, id));
        EXPECT_EQ(EFAULT, errno);
        errno = 0;
        EXPECT_EQ(-1, zmq_timers_set_interval(bad, id, 100));
        EXPECT_EQ(EFAULT, errno);
        errno = 0;
        EXPECT_EQ(-1, zmq_timers_reset(bad, id));
        EXPECT_EQ(EFAULT, errno);
        errno = 0;
        EXPECT_EQ(-1L, zmq_timers_timeout(bad));
        EXPECT_EQ(EFAULT, errno);
        errno = 0;
        EXPECT_EQ(-1, zmq_timers_execute(bad));
        EXPECT_EQ(EFAULT, errno);
    }
    errno = 0;
    EXPECT_EQ(-1, zmq_timers_destroy(&timers)); // *timers_p is NULL
    EXPECT_EQ(EFAULT, errno);
}

TEST(UtilTimers, NullHandlerIsEfault) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    errno = 0;
    EXPECT_EQ(-1, zmq_timers_add(timers, 100, nullptr, nullptr));
    EXPECT_EQ(EFAULT, errno);
    EXPECT_EQ(-1, zmq_timers_timeout(timers)); // nothing was added
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
}

TEST(UtilTimers, UnknownIdIsEinval) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    recorder r;
    const int id = zmq_timers_add(timers, hour_ms, record, &r);
    ASSERT_GT(id, 0);
    for (int bad : {id + 1, 0, -1}) {
        errno = 0;
        EXPECT_EQ(-1, zmq_timers_cancel(timers, bad));
        EXPECT_EQ(EINVAL, errno);
        errno = 0;
        EXPECT_EQ(-1, zmq_timers_set_interval(timers, bad, 10));
        EXPECT_EQ(EINVAL, errno);
        errno = 0;
        EXPECT_EQ(-1, zmq_timers_reset(timers, bad));
        EXPECT_EQ(EINVAL, errno);
    }
    // Cancelling twice: the second time the id no longer exists.
    EXPECT_EQ(0, zmq_timers_cancel(timers, id));
    errno = 0;
    EXPECT_EQ(-1, zmq_timers_cancel(timers, id));
    EXPECT_EQ(EINVAL, errno);
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
}

TEST(UtilTimers, IdsArePositiveAndDistinct) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    recorder r;
    std::vector<int> ids;
    for (int i = 0; i < 10; ++i) {
        const int id = zmq_timers_add(timers, hour_ms, record, &r);
        ASSERT_GT(id, 0);
        for (int other : ids)
            EXPECT_NE(other, id);
        ids.push_back(id);
    }
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
}

// libzmq 4.3.4 re-runs a 0 ms timer inside the same execute forever (it
// reschedules it at "now" and keeps walking its map); zlink runs each due
// timer once per execute. This is why these tests are not in the api area.
TEST(UtilTimers, ZeroIntervalFiresOnExecuteAndRepeats) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    recorder r;
    const int id = zmq_timers_add(timers, 0, record, &r);
    ASSERT_GT(id, 0);
    EXPECT_EQ(0, zmq_timers_timeout(timers));
    ASSERT_EQ(0, zmq_timers_execute(timers));
    ASSERT_EQ(std::vector<int>{id}, r.fired);
    // Repeats until cancelled, once per execute.
    ASSERT_EQ(0, zmq_timers_execute(timers));
    ASSERT_EQ(0, zmq_timers_execute(timers));
    EXPECT_EQ((std::vector<int>{id, id, id}), r.fired);
    ASSERT_EQ(0, zmq_timers_cancel(timers, id));
    ASSERT_EQ(0, zmq_timers_execute(timers));
    EXPECT_EQ(3u, r.fired.size());
    EXPECT_EQ(-1, zmq_timers_timeout(timers));
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
}

TEST(UtilTimers, HourTimerDoesNotFire) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    recorder r;
    ASSERT_GT(zmq_timers_add(timers, hour_ms, record, &r), 0);
    const long timeout = zmq_timers_timeout(timers);
    EXPECT_GT(timeout, 0);
    EXPECT_LE(timeout, static_cast<long>(hour_ms));
    ASSERT_EQ(0, zmq_timers_execute(timers));
    EXPECT_TRUE(r.fired.empty());
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
}

TEST(UtilTimers, OnlyDueTimersFire) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    recorder r;
    const int late = zmq_timers_add(timers, hour_ms, record, &r);
    const int now1 = zmq_timers_add(timers, 0, record, &r);
    const int now2 = zmq_timers_add(timers, 0, record, &r);
    ASSERT_GT(late, 0);
    ASSERT_GT(now1, 0);
    ASSERT_GT(now2, 0);
    EXPECT_EQ(0, zmq_timers_timeout(timers));
    ASSERT_EQ(0, zmq_timers_execute(timers));
    // Same deadline: in the order added.
    EXPECT_EQ((std::vector<int>{now1, now2}), r.fired);
    ASSERT_EQ(0, zmq_timers_cancel(timers, now1));
    ASSERT_EQ(0, zmq_timers_cancel(timers, now2));
    EXPECT_GT(zmq_timers_timeout(timers), 0); // only the hour timer left
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
}

TEST(UtilTimers, SetIntervalAndReset) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    recorder r;
    const int id = zmq_timers_add(timers, hour_ms, record, &r);
    ASSERT_GT(id, 0);
    // Shorten to 0 ms: due now.
    ASSERT_EQ(0, zmq_timers_set_interval(timers, id, 0));
    EXPECT_EQ(0, zmq_timers_timeout(timers));
    ASSERT_EQ(0, zmq_timers_execute(timers));
    EXPECT_EQ(std::vector<int>{id}, r.fired);
    // Back to an hour: not due; reset keeps it an hour away.
    ASSERT_EQ(0, zmq_timers_set_interval(timers, id, hour_ms));
    EXPECT_GT(zmq_timers_timeout(timers), 0);
    ASSERT_EQ(0, zmq_timers_reset(timers, id));
    EXPECT_GT(zmq_timers_timeout(timers), 0);
    ASSERT_EQ(0, zmq_timers_execute(timers));
    EXPECT_EQ(1u, r.fired.size());
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
}

// A handler that cancels another timer due in the same execute.
struct canceller {
    void *timers;
    int victim;
    recorder *r;
};

void cancel_other(int timer_id, void *arg) {
    auto *c = static_cast<canceller *>(arg);
    c->r->fired.push_back(timer_id);
    EXPECT_EQ(0, zmq_timers_cancel(c->timers, c->victim));
}

TEST(UtilTimers, TimerCancelledByHandlerDoesNotRun) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    recorder r;
    canceller c{timers, 0, &r};
    const int first = zmq_timers_add(timers, 0, cancel_other, &c);
    const int second = zmq_timers_add(timers, 0, record, &r);
    ASSERT_GT(first, 0);
    ASSERT_GT(second, 0);
    c.victim = second;
    ASSERT_EQ(0, zmq_timers_execute(timers));
    EXPECT_EQ(std::vector<int>{first}, r.fired);
    ASSERT_EQ(0, zmq_timers_cancel(timers, first));
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
}

struct self_canceller {
    void *timers;
    int runs;
};

void cancel_self(int timer_id, void *arg) {
    auto *s = static_cast<self_canceller *>(arg);
    ++s->runs;
    EXPECT_EQ(0, zmq_timers_cancel(s->timers, timer_id));
}

TEST(UtilTimers, HandlerMayCancelItself) {
    void *timers = zmq_timers_new();
    ASSERT_NE(nullptr, timers);
    self_canceller s{timers, 0};
    const int id = zmq_timers_add(timers, 0, cancel_self, &s);
    ASSERT_GT(id, 0);
    ASSERT_EQ(0, zmq_timers_execute(timers));
    ASSERT_EQ(0, zmq_timers_execute(timers));
    EXPECT_EQ(1, s.runs);
    EXPECT_EQ(-1, zmq_timers_timeout(timers));
    errno = 0;
    EXPECT_EQ(-1, zmq_timers_cancel(timers, id));
    EXPECT_EQ(EINVAL, errno);
    ASSERT_EQ(0, zmq_timers_destroy(&timers));
}

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
// ---- zlink::timer_set with explicit time -----------------------------------

TEST(UtilTimerSet, FiresInDeadlineOrderWithIds) {
    zlink::timer_set set;
    recorder r;
    const int t30 = set.add(1000, 30, record, &r);
    const int t10 = set.add(1000, 10, record, &r);
    const int t20 = set.add(1000, 20, record, &r);
    ASSERT_GT(t30, 0);
    ASSERT_GT(t10, 0);
    ASSERT_GT(t20, 0);
    EXPECT_EQ(3u, set.size());
    EXPECT_EQ(10, set.timeout(1000));
    EXPECT_EQ(0, set.execute(1009));
    EXPECT_TRUE(r.fired.empty());
    EXPECT_EQ(1, set.timeout(1009));
    EXPECT_EQ(2, set.execute(1020));
    EXPECT_EQ((std::vector<int>{t10, t20}), r.fired);
    // t10 rescheduled at 1030, t20 at 1040, t30 still at 1030 (added first).
    EXPECT_EQ(10, set.timeout(1020));
    r.fired.clear();
    EXPECT_EQ(2, set.execute(1030));
    EXPECT_EQ((std::vector<int>{t30, t10}), r.fired);
    EXPECT_EQ(0, set.timeout(5000)); // overdue
}

TEST(UtilTimerSet, OverdueTimerFiresOnceThenRepeatsFromNow) {
    zlink::timer_set set;
    recorder r;
    const int id = set.add(0, 10, record, &r);
    // Far past several periods: one call, not one per missed period.
    EXPECT_EQ(1, set.execute(95));
    EXPECT_EQ(std::vector<int>{id}, r.fired);
    EXPECT_EQ(10, set.timeout(95));
    EXPECT_EQ(0, set.execute(104));
    EXPECT_EQ(1, set.execute(105));
}

TEST(UtilTimerSet, ResetAndSetIntervalRestartFromNow) {
    zlink::timer_set set;
    recorder r;
    const int id = set.add(0, 100, record, &r);
    ASSERT_EQ(0, set.reset(50, id));
    EXPECT_EQ(100, set.timeout(50));
    EXPECT_EQ(0, set.execute(100));
    ASSERT_EQ(0, set.set_interval(60, id, 5));
    EXPECT_EQ(5, set.timeout(60));
    EXPECT_EQ(1, set.execute(65));
    EXPECT_EQ(5, set.timeout(65)); // new interval sticks
    errno = 0;
    EXPECT_EQ(-1, set.reset(0, id + 1));
    EXPECT_EQ(EINVAL, errno);
    errno = 0;
    EXPECT_EQ(-1, set.set_interval(0, id + 1, 1));
    EXPECT_EQ(EINVAL, errno);
}

TEST(UtilTimerSet, HugeIntervalDoesNotWrap) {
    zlink::timer_set set;
    recorder r;
    const std::uint64_t now = UINT64_MAX - 10;
    ASSERT_GT(set.add(now, SIZE_MAX, record, &r), 0);
    EXPECT_GT(set.timeout(now), 0);
    EXPECT_EQ(0, set.execute(now));
}

TEST(UtilTimerSet, TimerAddedByHandlerWaitsForNextExecute) {
    struct adder {
        zlink::timer_set *set = nullptr;
        recorder r;
        int added = 0;
    } a;
    zlink::timer_set set;
    a.set = &set;
    auto add_one = [](int timer_id, void *arg) {
        auto *self = static_cast<adder *>(arg);
        self->r.fired.push_back(timer_id);
        if (self->added == 0)
            self->added = self->set->add(0, 0, record, &self->r);
    };
    const int first = set.add(0, 0, add_one, &a);
    EXPECT_EQ(1, set.execute(0));
    ASSERT_GT(a.added, 0);
    EXPECT_EQ(std::vector<int>{first}, a.r.fired);
    EXPECT_EQ(2, set.execute(0));
    EXPECT_EQ((std::vector<int>{first, first, a.added}), a.r.fired);
}

TEST(UtilTimerSet, NullHandlerAndEmptySet) {
    zlink::timer_set set;
    EXPECT_TRUE(set.empty());
    EXPECT_EQ(-1, set.timeout(0));
    EXPECT_EQ(0, set.execute(0));
    errno = 0;
    EXPECT_EQ(-1, set.add(0, 1, nullptr, nullptr));
    EXPECT_EQ(EFAULT, errno);
    EXPECT_TRUE(set.empty());
}
#endif
} // namespace
