// zmq_debug_counters reports what the wire engine did: after sending over tcp
// the counters show the messages and the write system calls.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include <zlink.h>
#include <zmq.h>

#include "zlink_testutil.hpp"

namespace {} // namespace

TEST(DebugCounters, CountEngineTraffic) {
    EXPECT_EQ(45, zmq_debug_counters(nullptr, 0));
    zmq_debug_counters_reset();
    EXPECT_EQ(0u, testutil::debug_counters()["engine_messages_out"]);

    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(0, zmq_bind(pull, "tcp://127.0.0.1:*"));
    char ep[256];
    size_t len = sizeof ep;
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, ep, &len);
    ASSERT_EQ(0, zmq_connect(push, ep));
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(5, zmq_send(push, "hello", 5, 0));
    char buf[8];
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(5, zmq_recv(pull, buf, sizeof buf, 0));

    auto c = testutil::debug_counters();
    EXPECT_GE(c["engine_messages_out"], 100u);
    EXPECT_GE(c["engine_messages_in"], 100u);
    EXPECT_GT(c["engine_writes"], 0u);
    EXPECT_GE(c["engine_write_bytes"], 100u * 7u) << "2-byte header + 5-byte body each";
    EXPECT_EQ(1u, c.count("io_thread_escaped_exceptions"));
    EXPECT_EQ(1u, c.count("recv_wakeups"));
    EXPECT_EQ(1u, c.count("recv_spin_one_cpu"));
    EXPECT_EQ(1u, c.count("io_polls_found"));
    EXPECT_EQ(0u, c["io_thread_escaped_exceptions"]);

    int zero = 0;
    zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(ctx);
}
