// zlink feature flags: the resolver's order (environment > socket option >
// default) and the two engine behaviours they switch, checked through the
// engine's debug counters over tcp between two zlink sockets.
//
// The counters are process-global; gtest runs these tests one after another
// in this executable, and each test unsets the variables it set.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

#include <zlink.h>
#include <zmq.h>

#include "testutil.hpp"
#include "zlink_testutil.hpp"

#include "core/feature_flags.hpp"

using zlink::parse_flag_int;
using zlink::resolve_flag;

namespace {

using testutil::scoped_env;

constexpr const char *test_env = "ZLINK_TEST_FEATURE_FLAG_RESOLVER";

// The sender counts a write after the kernel took the bytes, so the receiver
// can see the last message first: wait (bounded) for the count to catch up.
std::map<std::string, unsigned long long> counters_after(unsigned long long messages_out) {
    for (int i = 0; i < 500; ++i) {
        auto c = testutil::debug_counters();
        if (c["engine_messages_out"] >= messages_out)
            return c;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return testutil::debug_counters();
}

using testutil::set_int;

int get_int(void *s, int option) {
    int v = -12345;
    size_t len = sizeof v;
    EXPECT_EQ(0, zmq_getsockopt(s, option, &v, &len));
    return v;
}

// PUSH -> PULL over tcp on 127.0.0.1. configure() runs on the PUSH before it
// connects (flags are resolved when the connection starts). After start()
// the handshake is over and the counters are zero.
struct tcp_link {
    void *ctx = nullptr;
    void *push = nullptr;
    void *pull = nullptr;

    tcp_link() {
        ctx = zmq_ctx_new();
        push = zmq_socket(ctx, ZMQ_PUSH);
        pull = zmq_socket(ctx, ZMQ_PULL);
        set_int(pull, ZMQ_RCVTIMEO, 5000);
        set_int(push, ZMQ_SNDTIMEO, 5000);
    }
    ~tcp_link() {
        if (push) {
            set_int(push, ZMQ_LINGER, 0);
            zmq_close(push);
        }
        set_int(pull, ZMQ_LINGER, 0);
        zmq_close(pull);
        zmq_ctx_term(ctx);
    }

    void start() {
        ASSERT_EQ(0, zmq_bind(pull, "tcp://127.0.0.1:*"));
        char ep[256];
        size_t len = sizeof ep;
        ASSERT_EQ(0, zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, ep, &len));
        ASSERT_EQ(0, zmq_connect(push, ep));
        ASSERT_EQ(4, zmq_send(push, "warm", 4, 0));
        char buf[8];
        ASSERT_EQ(4, zmq_recv(pull, buf, sizeof buf, 0));
        zmq_debug_counters_reset();
    }

    void send_n(int n) {
        for (int i = 0; i < n; ++i) {
            const std::string m = "msg-" + std::to_string(i);
            ASSERT_EQ(int(m.size()), zmq_send(push, m.data(), m.size(), 0));
        }
    }
    void recv_n(int n) {
        char buf[64];
        for (int i = 0; i < n; ++i) {
            const std::string want = "msg-" + std::to_string(i);
            const int rc = zmq_recv(pull, buf, sizeof buf, 0);
            ASSERT_EQ(int(want.size()), rc) << "message " << i << " errno " << zmq_errno();
            ASSERT_EQ(want, std::string(buf, size_t(rc)));
        }
    }
};

} // namespace

// ---- resolver ----

TEST(FeatureFlags, ParsesWholeIntegersOnly) {
    int v = 0;
    EXPECT_TRUE(parse_flag_int("42", &v));
    EXPECT_EQ(42, v);
    EXPECT_TRUE(parse_flag_int(" -3 ", &v));
    EXPECT_EQ(-3, v);
    EXPECT_TRUE(parse_flag_int("0", &v));
    EXPECT_EQ(0, v);
    v = 7;
    EXPECT_FALSE(parse_flag_int(nullptr, &v));
    EXPECT_FALSE(parse_flag_int("", &v));
    EXPECT_FALSE(parse_flag_int("  ", &v));
    EXPECT_FALSE(parse_flag_int("yes", &v));
    EXPECT_FALSE(parse_flag_int("12x", &v));
    EXPECT_FALSE(parse_flag_int("1.5", &v));
    EXPECT_FALSE(parse_flag_int("99999999999", &v));
    EXPECT_EQ(7, v) << "a failed parse leaves the output alone";
}

TEST(FeatureFlags, DefaultWhenNothingIsSet) {
    ::unsetenv(test_env);
    EXPECT_EQ(5, resolve_flag(test_env, -1, 5));
}

TEST(FeatureFlags, SocketOptionBeatsDefault) {
    ::unsetenv(test_env);
    EXPECT_EQ(3, resolve_flag(test_env, 3, 5));
    EXPECT_EQ(0, resolve_flag(test_env, 0, 5)) << "0 is a set value; only -1 means unset";
}

TEST(FeatureFlags, EnvironmentBeatsSocketOptionAndDefault) {
    scoped_env env(test_env, "9");
    EXPECT_EQ(9, resolve_flag(test_env, 3, 5));
    EXPECT_EQ(9, resolve_flag(test_env, -1, 5));
}

TEST(FeatureFlags, UnusableEnvironmentIsIgnored) {
    {
        scoped_env env(test_env, "garbage");
        EXPECT_EQ(3, resolve_flag(test_env, 3, 5));
        EXPECT_EQ(5, resolve_flag(test_env, -1, 5));
    }
    {
        scoped_env env(test_env, "");
        EXPECT_EQ(3, resolve_flag(test_env, 3, 5));
    }
    {
        scoped_env env(test_env, "7"); // outside the flag's range [0, 1]
        EXPECT_EQ(1, resolve_flag(test_env, 1, 0, 0, 1));
        EXPECT_EQ(0, resolve_flag(test_env, -1, 0, 0, 1));
    }
}

TEST(FeatureFlags, ResolvingKeepsErrno) {
    scoped_env env(test_env, "99999999999999");
    errno = EAGAIN;
    resolve_flag(test_env, -1, 5);
    EXPECT_EQ(EAGAIN, errno);
}

TEST(FeatureFlags, EnvironmentIsReadOnEveryCall) {
    ::unsetenv(test_env);
    EXPECT_EQ(5, resolve_flag(test_env, -1, 5));
    scoped_env env(test_env, "6");
    EXPECT_EQ(6, resolve_flag(test_env, -1, 5)) << "no per-process cache";
}

// ---- socket options ----

TEST(FeatureFlags, SocketOptionsRoundTrip) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    EXPECT_EQ(1, get_int(s, ZLINK_SPECULATIVE_WRITE));
    EXPECT_EQ(32768, get_int(s, ZLINK_WRITE_BATCH_BYTES));
    EXPECT_EQ(0, set_int(s, ZLINK_SPECULATIVE_WRITE, 0));
    EXPECT_EQ(0, get_int(s, ZLINK_SPECULATIVE_WRITE));
    EXPECT_EQ(0, set_int(s, ZLINK_WRITE_BATCH_BYTES, 1));
    EXPECT_EQ(1, get_int(s, ZLINK_WRITE_BATCH_BYTES));
    errno = 0;
    EXPECT_EQ(-1, set_int(s, ZLINK_SPECULATIVE_WRITE, 2));
    EXPECT_EQ(EINVAL, errno);
    errno = 0;
    EXPECT_EQ(-1, set_int(s, ZLINK_WRITE_BATCH_BYTES, 0));
    EXPECT_EQ(EINVAL, errno);
    EXPECT_EQ(1, get_int(s, ZLINK_WRITE_BATCH_BYTES)) << "a refused value changes nothing";
    zmq_close(s);
    zmq_ctx_term(ctx);
}

// ---- ZLINK_WRITE_BATCH_BYTES ----

// With a batch limit of 1 byte every message leaves in its own write.
static void expect_one_message_per_write(tcp_link &l) {
    l.start();
    const int n = 300;
    l.send_n(n);
    l.recv_n(n);
    auto c = counters_after(n);
    EXPECT_EQ(unsigned(n), c["engine_messages_out"]);
    EXPECT_GE(c["engine_writes"], unsigned(n));
    EXPECT_EQ(0u, c["engine_batched_messages"]) << "no write carried two messages";
}

TEST(FeatureFlags, BatchBytesOneBySocketOptionWritesEachMessage) {
    ::unsetenv("ZLINK_WRITE_BATCH_BYTES");
    tcp_link l;
    ASSERT_EQ(0, set_int(l.push, ZLINK_WRITE_BATCH_BYTES, 1));
    expect_one_message_per_write(l);
}

TEST(FeatureFlags, BatchBytesEnvironmentBeatsSocketOption) {
    scoped_env env("ZLINK_WRITE_BATCH_BYTES", "1");
    tcp_link l;
    ASSERT_EQ(0, set_int(l.push, ZLINK_WRITE_BATCH_BYTES, 65536));
    EXPECT_EQ(65536, get_int(l.push, ZLINK_WRITE_BATCH_BYTES)) << "getsockopt: own value";
    expect_one_message_per_write(l);
}

TEST(FeatureFlags, DefaultBatchesABurstTheReceiverDoesNotRead) {
    ::unsetenv("ZLINK_WRITE_BATCH_BYTES");
    ::unsetenv("ZLINK_SPECULATIVE_WRITE");
    tcp_link l;
    // Small kernel buffers and a short receive queue: the burst fills them,
    // the sender meets a full socket and its queue grows into large batches.
    ASSERT_EQ(0, set_int(l.push, ZMQ_SNDHWM, 0));
    ASSERT_EQ(0, set_int(l.push, ZMQ_SNDBUF, 4096));
    ASSERT_EQ(0, set_int(l.pull, ZMQ_RCVBUF, 4096));
    ASSERT_EQ(0, set_int(l.pull, ZMQ_RCVHWM, 10));
    l.start();
    const int n = 5000;
    l.send_n(n); // never blocks: unlimited send queue
    l.recv_n(n);
    auto c = counters_after(n);
    EXPECT_EQ(unsigned(n), c["engine_messages_out"]);
    EXPECT_LT(c["engine_writes"], unsigned(n));
    EXPECT_GT(c["engine_batched_messages"], 0u);
}

// ---- ZLINK_SPECULATIVE_WRITE ----

TEST(FeatureFlags, SpeculativeWriteOffStillDeliversEverything) {
    ::unsetenv("ZLINK_SPECULATIVE_WRITE");
    tcp_link l;
    ASSERT_EQ(0, set_int(l.push, ZLINK_SPECULATIVE_WRITE, 0));
    l.start();
    const int n = 2000;
    l.send_n(n);
    l.recv_n(n);
    auto c = counters_after(n);
    EXPECT_EQ(unsigned(n), c["engine_messages_out"]);
    EXPECT_GT(c["engine_deferred_writes"], 0u);
    // Only the sender writes after the handshake, and it always waits first.
    EXPECT_EQ(c["engine_writes"], c["engine_deferred_writes"]);
}

TEST(FeatureFlags, SpeculativeWriteOffByEnvironmentFlushesOnLinger) {
    scoped_env env("ZLINK_SPECULATIVE_WRITE", "0");
    tcp_link l;
    ASSERT_EQ(0, set_int(l.push, ZLINK_SPECULATIVE_WRITE, 1)); // the environment wins
    ASSERT_EQ(0, set_int(l.push, ZMQ_SNDHWM, 0));
    l.start();
    const int n = 3000;
    l.send_n(n);
    // Closed at once: linger must still push every queued message out.
    ASSERT_EQ(0, set_int(l.push, ZMQ_LINGER, 5000));
    ASSERT_EQ(0, zmq_close(l.push));
    l.push = nullptr;
    l.recv_n(n);
    auto c = counters_after(n);
    EXPECT_EQ(unsigned(n), c["engine_messages_out"]);
    EXPECT_GT(c["engine_deferred_writes"], 0u);
}

TEST(FeatureFlags, BothFlagsOffTogether) {
    scoped_env batch("ZLINK_WRITE_BATCH_BYTES", "1");
    scoped_env spec("ZLINK_SPECULATIVE_WRITE", "0");
    tcp_link l;
    l.start();
    const int n = 200;
    l.send_n(n);
    l.recv_n(n);
    auto c = counters_after(n);
    EXPECT_EQ(unsigned(n), c["engine_messages_out"]);
    EXPECT_GE(c["engine_deferred_writes"], unsigned(n)) << "one notification per message";
    EXPECT_EQ(0u, c["engine_batched_messages"]);
}
