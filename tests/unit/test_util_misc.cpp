// Versions, errno/strerror, CURVE stubs, stopwatch, sleep, threads.
#include <gtest/gtest.h>
#include <zmq.h>
#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
#include <zlink.h>
#endif

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace {
TEST(UtilVersion, ZmqVersionMatchesHeader) {
    int major = -1, minor = -1, patch = -1;
    zmq_version(&major, &minor, &patch);
    EXPECT_EQ(ZMQ_VERSION_MAJOR, major);
    EXPECT_EQ(ZMQ_VERSION_MINOR, minor);
    EXPECT_EQ(ZMQ_VERSION_PATCH, patch);
    // The API level applications test for.
    EXPECT_EQ(4, major);
    EXPECT_EQ(3, minor);
}

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
TEST(UtilVersion, ZlinkVersionMatchesHeader) {
    int major = -1, minor = -1, patch = -1;
    EXPECT_EQ(ZLINK_VERSION, zlink_version(&major, &minor, &patch));
    EXPECT_EQ(ZLINK_VERSION_MAJOR, major);
    EXPECT_EQ(ZLINK_VERSION_MINOR, minor);
    EXPECT_EQ(ZLINK_VERSION_PATCH, patch);
    // NULL components are skipped.
    EXPECT_EQ(ZLINK_VERSION, zlink_version(nullptr, nullptr, nullptr));
    zmq_version(nullptr, nullptr, nullptr);
}
#endif

TEST(UtilErrors, ZmqErrnoReadsErrno) {
    errno = EAGAIN;
    EXPECT_EQ(EAGAIN, zmq_errno());
    errno = ETERM;
    EXPECT_EQ(ETERM, zmq_errno());
    errno = 0;
    EXPECT_EQ(0, zmq_errno());
}

TEST(UtilErrors, OwnCodesHaveOwnText) {
    EXPECT_STREQ("Operation cannot be accomplished in current state", zmq_strerror(EFSM));
    EXPECT_STREQ("The protocol is not compatible with the socket type",
                 zmq_strerror(ENOCOMPATPROTO));
    EXPECT_STREQ("Context was terminated", zmq_strerror(ETERM));
    EXPECT_STREQ("No thread available", zmq_strerror(EMTHREAD));
}

TEST(UtilErrors, SystemCodesUseStrerror) {
    for (int e : {EINVAL, EAGAIN, EFAULT, EINTR, ENOTSUP, EADDRINUSE, ECONNREFUSED, ENOMEM}) {
        const std::string expected = std::strerror(e);
        EXPECT_EQ(expected, zmq_strerror(e)) << e;
    }
}

// libzmq words this one itself on every platform.
TEST(UtilErrors, HostUnreachableHasLibzmqText) {
    EXPECT_STREQ("Host unreachable", zmq_strerror(EHOSTUNREACH));
}

TEST(UtilErrors, FallbackCodesHaveText) {
    // Whether native or HAUSNUMERO-based, each has a non-empty message.
    for (int e : {ENOTSUP, EPROTONOSUPPORT, ENOBUFS, ENETDOWN, EADDRINUSE, EADDRNOTAVAIL,
                  ECONNREFUSED, EINPROGRESS, ENOTSOCK, EMSGSIZE, EAFNOSUPPORT, ENETUNREACH,
                  ECONNABORTED, ECONNRESET, ENOTCONN, ETIMEDOUT, EHOSTUNREACH, ENETRESET}) {
        const char *text = zmq_strerror(e);
        ASSERT_NE(nullptr, text) << e;
        EXPECT_GT(std::strlen(text), 0u) << e;
    }
}

TEST(UtilCurve, NotBuiltReportsEnotsup) {
    if (zmq_has("curve"))
        GTEST_SKIP() << "library built with CURVE";
    char pub[41] = "unchanged";
    char sec[41] = "unchanged";
    errno = 0;
    EXPECT_EQ(-1, zmq_curve_keypair(pub, sec));
    EXPECT_EQ(ENOTSUP, errno);
    EXPECT_STREQ("unchanged", pub);
    EXPECT_STREQ("unchanged", sec);
    errno = 0;
    EXPECT_EQ(-1, zmq_curve_public(pub, "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"));
    EXPECT_EQ(ENOTSUP, errno);
    EXPECT_STREQ("unchanged", pub);
}

TEST(UtilStopwatch, CountsUpAndStops) {
    void *watch = zmq_stopwatch_start();
    ASSERT_NE(nullptr, watch);
    const unsigned long a = zmq_stopwatch_intermediate(watch);
    const unsigned long b = zmq_stopwatch_intermediate(watch);
    EXPECT_LE(a, b); // steady clock never goes back
    const unsigned long c = zmq_stopwatch_stop(watch);
    EXPECT_LE(b, c);
}

TEST(UtilSleep, SleepsAtLeastTheGivenSeconds) {
    zmq_sleep(0); // returns at once
    void *watch = zmq_stopwatch_start();
    ASSERT_NE(nullptr, watch);
    zmq_sleep(1);
    // A lower bound only: sleeping may overshoot, never undershoot.
    EXPECT_GE(zmq_stopwatch_stop(watch), 1000000ul);
}

void bump(void *arg) { static_cast<std::atomic<int> *>(arg)->fetch_add(1); }

TEST(UtilThread, StartRunsFunctionAndCloseJoins) {
    std::atomic<int> runs{0};
    void *threads[4];
    for (auto &t : threads) {
        t = zmq_threadstart(bump, &runs);
        ASSERT_NE(nullptr, t);
    }
    for (auto &t : threads)
        zmq_threadclose(t);
    // After close returns the function has completed.
    EXPECT_EQ(4, runs.load());
}

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
TEST(UtilThread, NullArguments) {
    errno = 0;
    EXPECT_EQ(nullptr, zmq_threadstart(nullptr, nullptr));
    EXPECT_EQ(EINVAL, errno);
    zmq_threadclose(nullptr); // no-op
    errno = 0;
    EXPECT_EQ(0ul, zmq_stopwatch_intermediate(nullptr));
    EXPECT_EQ(EFAULT, errno);
    errno = 0;
    EXPECT_EQ(0ul, zmq_stopwatch_stop(nullptr));
    EXPECT_EQ(EFAULT, errno);
}
#endif
} // namespace
