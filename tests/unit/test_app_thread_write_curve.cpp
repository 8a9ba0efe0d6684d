// CURVE on the application-thread write path (ZLINK_APP_THREAD_WRITE): the
// sending thread wraps (send nonce, send key) under the engine's output lock
// while the io thread wraps PING/PONG under the same lock and unwraps what
// arrives (receive nonce, receive key). Meant for TSAN (the tsan lane runs
// it); elsewhere it checks every body arrives intact and in order, which a
// nonce taken out of wire order would break (the peer drops the connection).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include <zlink.h>
#include <zmq.h>

#include "testutil.hpp"
#include "zlink_testutil.hpp"

namespace {

using testutil::last_endpoint;
using testutil::set_int_ok;

// Small bodies are sealed into the encoder's batch, large ones in place.
std::string body_for(int i) {
    static const size_t sizes[] = {10, 2000, 100, 40000};
    return std::string(sizes[i % 4], char('a' + i % 26)) + std::to_string(i);
}

} // namespace

TEST(AppThreadWriteCurve, SendsAgainstHeartbeatsAndReceives) {
    if (!zmq_has("curve"))
        GTEST_SKIP() << "built without CURVE";
    unsetenv("ZLINK_APP_THREAD_WRITE");
    char server_pub[41], server_sec[41], client_pub[41], client_sec[41];
    ASSERT_EQ(0, zmq_curve_keypair(server_pub, server_sec));
    ASSERT_EQ(0, zmq_curve_keypair(client_pub, client_sec));
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR);
    void *b = zmq_socket(ctx, ZMQ_PAIR);
    set_int_ok(a, ZMQ_CURVE_SERVER, 1);
    ASSERT_EQ(0, zmq_setsockopt(a, ZMQ_CURVE_SECRETKEY, server_sec, 40));
    ASSERT_EQ(0, zmq_setsockopt(b, ZMQ_CURVE_SERVERKEY, server_pub, 40));
    ASSERT_EQ(0, zmq_setsockopt(b, ZMQ_CURVE_PUBLICKEY, client_pub, 40));
    ASSERT_EQ(0, zmq_setsockopt(b, ZMQ_CURVE_SECRETKEY, client_sec, 40));
    for (void *s : {a, b}) {
        set_int_ok(s, ZMQ_HEARTBEAT_IVL, 1); // PING/PONG wrapped on the io threads all along
        set_int_ok(s, ZMQ_HEARTBEAT_TIMEOUT, 5000);
        set_int_ok(s, ZMQ_HEARTBEAT_TTL, 5000);
        set_int_ok(s, ZMQ_LINGER, 0);
        set_int_ok(s, ZMQ_RCVTIMEO, 5000);
    }
    ASSERT_EQ(0, zmq_bind(a, "tcp://127.0.0.1:*"));
    ASSERT_EQ(0, zmq_connect(b, last_endpoint(a).c_str()));
    const unsigned long long app_before = testutil::debug_counter("engine_app_thread_messages");
    const int n = 2000;
    std::thread peer([&] {
        char buf[65536];
        for (int i = 0; i < n; ++i) {
            const int len = zmq_recv(b, buf, sizeof buf, 0);
            ASSERT_GT(len, 0) << i;
            ASSERT_EQ(body_for(i), std::string(buf, size_t(len))) << i;
            ASSERT_EQ(len, zmq_send(b, buf, size_t(len), 0)); // echo: b's thread wraps too
        }
    });
    char buf[65536];
    for (int i = 0; i < n; ++i) {
        const std::string m = body_for(i);
        ASSERT_EQ(int(m.size()), zmq_send(a, m.data(), m.size(), 0));
        const int len = zmq_recv(a, buf, sizeof buf, 0);
        ASSERT_EQ(m, std::string(buf, size_t(len > 0 ? len : 0))) << i;
    }
    peer.join();
    EXPECT_GT(testutil::debug_counter("engine_app_thread_messages"), app_before)
        << "the sending threads wrapped";
    zmq_close(a);
    zmq_close(b);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}
