// Utility entry points: version, errors, capabilities, Z85, atomic counters,
// stopwatch, sleep, threads, timers (CURVE keys: test_curve_keys.cpp).
#include "testutil.hpp"

#include <cstdlib>

using namespace testutil;

TEST(Util, VersionMatchesHeader) {
    int major = -1, minor = -1, patch = -1;
    zmq_version(&major, &minor, &patch);
    EXPECT_EQ(ZMQ_VERSION_MAJOR, major);
    EXPECT_EQ(ZMQ_VERSION_MINOR, minor);
    EXPECT_EQ(ZMQ_VERSION_PATCH, patch);
    EXPECT_EQ(4, major);
    EXPECT_EQ(3, minor);
    EXPECT_EQ(ZMQ_MAKE_VERSION(4, 3, patch), ZMQ_VERSION);
}

TEST(Util, StrerrorCoversZmqErrors) {
    for (int err :
         {EFSM,     ENOCOMPATPROTO, ETERM,        EMTHREAD,      ENOTSUP,      EPROTONOSUPPORT,
          ENOBUFS,  ENETDOWN,       EADDRINUSE,   EADDRNOTAVAIL, ECONNREFUSED, EINPROGRESS,
          ENOTSOCK, EMSGSIZE,       EAFNOSUPPORT, ENETUNREACH,   ECONNABORTED, ECONNRESET,
          ENOTCONN, ETIMEDOUT,      EHOSTUNREACH, ENETRESET,     EINVAL,       EAGAIN,
          EFAULT}) {
        const char *text = zmq_strerror(err);
        ASSERT_NE(nullptr, text) << err;
        EXPECT_GT(strlen(text), 0u) << err;
    }
    EXPECT_STRNE(zmq_strerror(EFSM), zmq_strerror(ETERM));
    EXPECT_STREQ(strerror(EINVAL), zmq_strerror(EINVAL)) << "system errors use strerror";
}

TEST(Util, ErrnoConstants) {
    EXPECT_EQ(156384712, ZMQ_HAUSNUMERO);
    EXPECT_EQ(ZMQ_HAUSNUMERO + 51, EFSM);
    EXPECT_EQ(ZMQ_HAUSNUMERO + 52, ENOCOMPATPROTO);
    EXPECT_EQ(ZMQ_HAUSNUMERO + 53, ETERM);
    EXPECT_EQ(ZMQ_HAUSNUMERO + 54, EMTHREAD);
}

TEST(Util, ZmqErrnoReflectsLastError) {
    EXPECT_EQ(-1, zmq_close(nullptr));
    EXPECT_EQ(ENOTSOCK, zmq_errno());
}

TEST(Util, HasCapabilities) {
    EXPECT_TRUE(zmq_has("ipc"));
    EXPECT_FALSE(zmq_has("nonsense"));
    EXPECT_FALSE(zmq_has(""));
    EXPECT_FALSE(zmq_has("IPC")) << "names are case-sensitive";
    // Debian's libzmq 4.3.4 answers 0 too (its draft API is not enabled).
    EXPECT_FALSE(zmq_has("draft"));
    for (const char *later : {"vmci", "udp"})
        EXPECT_FALSE(zmq_has(later)) << later;
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    for (const char *zlink_only : {"tls", "ws", "wss"})
        EXPECT_FALSE(zmq_has(zlink_only)) << zlink_only;
#else
    EXPECT_TRUE(zmq_has("tls")) << "zlink's tls:// transport (zlink.h)";
    EXPECT_TRUE(zmq_has("ws")) << "zlink's ws:// transport";
    EXPECT_TRUE(zmq_has("wss")) << "zlink's wss:// transport";
#endif
}

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
// "draft" would promise ZMQ_SERVER, ZMQ_CLIENT, ZMQ_RADIO...; zlink has none
// of them, nor PGM, TIPC, NORM or GSSAPI (libzmq 4.3.4 has all four).
TEST(Util, HasNoDraftSocketsAndNoUnbuiltTransports) {
    EXPECT_FALSE(zmq_has("draft"));
    void *ctx = zmq_ctx_new();
    for (int type = 12; type <= 20; ++type) {
        errno = 0;
        EXPECT_EQ(nullptr, zmq_socket(ctx, type)) << type;
        EXPECT_EQ(EINVAL, errno) << type;
    }
    EXPECT_EQ(0, zmq_ctx_term(ctx));
    for (const char *absent : {"pgm", "tipc", "norm", "gssapi"})
        EXPECT_FALSE(zmq_has(absent)) << absent;
}
#endif

TEST(Util, Z85SpecVector) {
    const uint8_t bytes[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    ASSERT_EQ(text, zmq_z85_encode(text, bytes, sizeof bytes));
    EXPECT_STREQ("HelloWorld", text);
    uint8_t decoded[8] = {0};
    ASSERT_EQ(decoded, zmq_z85_decode(decoded, "HelloWorld"));
    EXPECT_EQ(0, memcmp(bytes, decoded, sizeof bytes));
}

TEST(Util, Z85RoundTrip) {
    uint8_t data[32];
    for (int i = 0; i < 32; ++i)
        data[i] = static_cast<uint8_t>(i * 37 + 11);
    char text[41];
    ASSERT_NE(nullptr, zmq_z85_encode(text, data, sizeof data));
    EXPECT_EQ(40u, strlen(text));
    uint8_t back[32];
    ASSERT_NE(nullptr, zmq_z85_decode(back, text));
    EXPECT_EQ(0, memcmp(data, back, sizeof data));
}

TEST(Util, Z85Extremes) {
    const uint8_t ff[4] = {0xff, 0xff, 0xff, 0xff};
    const uint8_t zero[4] = {0, 0, 0, 0};
    char text[6];
    ASSERT_NE(nullptr, zmq_z85_encode(text, ff, 4));
    EXPECT_STREQ("%nSc0", text);
    ASSERT_NE(nullptr, zmq_z85_encode(text, zero, 4));
    EXPECT_STREQ("00000", text);
    uint8_t back[4];
    ASSERT_NE(nullptr, zmq_z85_decode(back, "%nSc0"));
    EXPECT_EQ(0, memcmp(ff, back, 4));
}

TEST(Util, Z85InvalidInput) {
    char text[16];
    uint8_t out[16];
    EXPECT_EQ(nullptr, zmq_z85_encode(text, reinterpret_cast<const uint8_t *>("abc"), 3));
    EXPECT_EQ(nullptr, zmq_z85_encode(text, reinterpret_cast<const uint8_t *>("abcde"), 5));
    EXPECT_EQ(nullptr, zmq_z85_decode(out, "abcd"));   // not a multiple of 5
    EXPECT_EQ(nullptr, zmq_z85_decode(out, "abcdef")); // not a multiple of 5
    EXPECT_EQ(nullptr, zmq_z85_decode(out, "abc d"));  // space is not in the alphabet
    EXPECT_EQ(nullptr, zmq_z85_decode(out, "abc~d"));  // neither is ~
    EXPECT_EQ(nullptr, zmq_z85_decode(out, "%%%%%"));  // exceeds 2^32 - 1
}

TEST(Util, AtomicCounter) {
    void *c = zmq_atomic_counter_new();
    ASSERT_NE(nullptr, c);
    EXPECT_EQ(0, zmq_atomic_counter_value(c));
    EXPECT_EQ(0, zmq_atomic_counter_inc(c)) << "inc returns the previous value";
    EXPECT_EQ(1, zmq_atomic_counter_inc(c));
    EXPECT_EQ(2, zmq_atomic_counter_value(c));
    EXPECT_EQ(1, zmq_atomic_counter_dec(c)) << "dec returns 1 while non-zero";
    EXPECT_EQ(0, zmq_atomic_counter_dec(c)) << "dec returns 0 on reaching zero";
    EXPECT_EQ(0, zmq_atomic_counter_value(c));
    zmq_atomic_counter_set(c, 42);
    EXPECT_EQ(42, zmq_atomic_counter_value(c));
    zmq_atomic_counter_destroy(&c);
    EXPECT_EQ(nullptr, c);
}

TEST(Util, AtomicCounterAcrossThreads) {
    void *c = zmq_atomic_counter_new();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([c] {
            for (int i = 0; i < 10000; ++i)
                zmq_atomic_counter_inc(c);
        });
    for (auto &t : threads)
        t.join();
    EXPECT_EQ(40000, zmq_atomic_counter_value(c));
    zmq_atomic_counter_destroy(&c);
}

TEST(Util, StopwatchIsMonotonic) {
    void *w = zmq_stopwatch_start();
    ASSERT_NE(nullptr, w);
    unsigned long prev = zmq_stopwatch_intermediate(w);
    for (int i = 0; i < 100; ++i) {
        const unsigned long now = zmq_stopwatch_intermediate(w);
        EXPECT_GE(now, prev);
        prev = now;
    }
    EXPECT_GE(zmq_stopwatch_stop(w), prev);
}

TEST(Util, SleepZeroReturns) {
    zmq_sleep(0);
    SUCCEED();
}

namespace {
void set_flag(void *arg) { static_cast<std::atomic<int> *>(arg)->store(7); }
} // namespace

TEST(Util, ThreadStartAndClose) {
    std::atomic<int> flag{0};
    void *t = zmq_threadstart(&set_flag, &flag);
    ASSERT_NE(nullptr, t);
    zmq_threadclose(t); // joins
    EXPECT_EQ(7, flag.load());
}

namespace {
struct timer_log {
    std::vector<int> fired;
};
void on_timer(int id, void *arg) { static_cast<timer_log *>(arg)->fired.push_back(id); }
} // namespace

TEST(Timers, EmptySetHasNoTimeout) {
    void *t = zmq_timers_new();
    ASSERT_NE(nullptr, t);
    EXPECT_EQ(-1, zmq_timers_timeout(t));
    EXPECT_EQ(0, zmq_timers_execute(t));
    EXPECT_EQ(0, zmq_timers_destroy(&t));
    EXPECT_EQ(nullptr, t);
}

TEST(Timers, AddCancelAndTimeout) {
    void *t = zmq_timers_new();
    timer_log log;
    const int a = zmq_timers_add(t, 100000, on_timer, &log);
    const int b = zmq_timers_add(t, 200000, on_timer, &log);
    ASSERT_GT(a, 0);
    ASSERT_GT(b, 0);
    EXPECT_NE(a, b);
    const long timeout = zmq_timers_timeout(t);
    EXPECT_GT(timeout, 0);
    EXPECT_LE(timeout, 100000);
    EXPECT_EQ(0, zmq_timers_execute(t));
    EXPECT_TRUE(log.fired.empty()) << "nothing due yet";
    EXPECT_EQ(0, zmq_timers_cancel(t, a));
    EXPECT_ZMQ_ERR(zmq_timers_cancel(t, a), EINVAL);
    EXPECT_GT(zmq_timers_timeout(t), 100000) << "b is the next one now";
    EXPECT_EQ(0, zmq_timers_cancel(t, b));
    EXPECT_EQ(-1, zmq_timers_timeout(t));
    EXPECT_EQ(0, zmq_timers_destroy(&t));
}

TEST(Timers, ExecuteRunsDueTimersAndRearms) {
    void *t = zmq_timers_new();
    timer_log log;
    const int id = zmq_timers_add(t, 1, on_timer, &log);
    ASSERT_GT(id, 0);
    // Wait (bounded) until it is due, then execute.
    ASSERT_TRUE(eventually([&] { return zmq_timers_timeout(t) == 0; }));
    EXPECT_EQ(0, zmq_timers_execute(t));
    ASSERT_EQ(1u, log.fired.size());
    EXPECT_EQ(id, log.fired[0]);
    // Timers repeat until cancelled.
    EXPECT_GE(zmq_timers_timeout(t), 0);
    ASSERT_TRUE(eventually([&] {
        zmq_timers_execute(t);
        return log.fired.size() >= 2;
    }));
    EXPECT_EQ(0, zmq_timers_cancel(t, id));
    EXPECT_EQ(0, zmq_timers_destroy(&t));
}

TEST(Timers, SetIntervalAndReset) {
    void *t = zmq_timers_new();
    timer_log log;
    const int id = zmq_timers_add(t, 100000, on_timer, &log);
    EXPECT_EQ(0, zmq_timers_set_interval(t, id, 50));
    EXPECT_LE(zmq_timers_timeout(t), 50);
    EXPECT_EQ(0, zmq_timers_set_interval(t, id, 300000));
    EXPECT_GT(zmq_timers_timeout(t), 100000);
    EXPECT_EQ(0, zmq_timers_reset(t, id));
    EXPECT_GT(zmq_timers_timeout(t), 100000);
    EXPECT_ZMQ_ERR(zmq_timers_set_interval(t, id + 100, 5), EINVAL);
    EXPECT_ZMQ_ERR(zmq_timers_reset(t, id + 100), EINVAL);
    EXPECT_ZMQ_ERR(zmq_timers_cancel(t, id + 100), EINVAL);
    EXPECT_EQ(0, zmq_timers_destroy(&t));
}

TEST(Timers, CancelFromInsideHandler) {
    struct ctx_t {
        void *timers;
        int id;
        int calls;
    } c{zmq_timers_new(), 0, 0};
    c.id = zmq_timers_add(
        c.timers, 1,
        [](int id, void *arg) {
            auto *self = static_cast<ctx_t *>(arg);
            ++self->calls;
            zmq_timers_cancel(self->timers, id);
        },
        &c);
    ASSERT_TRUE(eventually([&] {
        zmq_timers_execute(c.timers);
        return c.calls > 0;
    }));
    EXPECT_EQ(1, c.calls);
    EXPECT_EQ(-1, zmq_timers_timeout(c.timers));
    EXPECT_EQ(0, zmq_timers_destroy(&c.timers));
}

TEST(Timers, InvalidArguments) {
    timer_log log;
    EXPECT_ZMQ_ERR(zmq_timers_add(nullptr, 10, on_timer, &log), EFAULT);
    void *t = zmq_timers_new();
    EXPECT_ZMQ_ERR(zmq_timers_add(t, 10, nullptr, &log), EFAULT);
    EXPECT_ZMQ_ERR(zmq_timers_cancel(nullptr, 1), EFAULT);
    EXPECT_ZMQ_ERR(zmq_timers_set_interval(nullptr, 1, 5), EFAULT);
    EXPECT_ZMQ_ERR(zmq_timers_reset(nullptr, 1), EFAULT);
    EXPECT_ZMQ_ERR(zmq_timers_timeout(nullptr), EFAULT);
    EXPECT_ZMQ_ERR(zmq_timers_execute(nullptr), EFAULT);
    EXPECT_EQ(0, zmq_timers_destroy(&t));
    EXPECT_ZMQ_ERR(zmq_timers_destroy(&t), EFAULT); // already destroyed: *p is NULL
}
