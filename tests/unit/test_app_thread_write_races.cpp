// Races of the application-thread write (ZLINK_APP_THREAD_WRITE) against
// what the io thread does to the same engine: heartbeat PING/PONG writes,
// a peer that restarts (reconnect, engine destroyed and replaced), the peer
// closing, and zmq_ctx_term while a thread sends. Meant for TSAN (the tsan
// lane runs them); elsewhere they check nothing is lost or reordered.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <unistd.h>

#include <zlink.h>
#include <zmq.h>

#include "testutil.hpp"
#include "zlink_testutil.hpp"

namespace {

using testutil::last_endpoint;
using testutil::set_int_ok;

std::string unique_ipc() {
    static std::atomic<int> seq{0};
    return "ipc:///tmp/zlink_atwr_" + std::to_string(getpid()) + "_" + std::to_string(seq++);
}

class AppThreadWriteRace : public ::testing::Test {
  protected:
    void SetUp() override {
        unsetenv("ZLINK_APP_THREAD_WRITE");
        ctx = zmq_ctx_new();
    }
    void *ctx = nullptr;
};

// Heartbeats every millisecond on both sides: the io thread queues and
// writes PING/PONG while the application thread writes data.
TEST_F(AppThreadWriteRace, SendsAgainstHeartbeatWrites) {
    void *a = zmq_socket(ctx, ZMQ_PAIR);
    void *b = zmq_socket(ctx, ZMQ_PAIR);
    for (void *s : {a, b}) {
        set_int_ok(s, ZMQ_HEARTBEAT_IVL, 1);
        set_int_ok(s, ZMQ_HEARTBEAT_TIMEOUT, 5000);
        set_int_ok(s, ZMQ_HEARTBEAT_TTL, 5000);
        set_int_ok(s, ZMQ_LINGER, 0);
    }
    ASSERT_EQ(0, zmq_bind(a, "tcp://127.0.0.1:*"));
    ASSERT_EQ(0, zmq_connect(b, last_endpoint(a).c_str()));
    const int n = 4000;
    std::thread peer([&] {
        char buf[32];
        for (int i = 0; i < n; ++i) {
            const int len = zmq_recv(b, buf, sizeof buf, 0);
            ASSERT_GT(len, 0);
            ASSERT_EQ(std::to_string(i), std::string(buf, size_t(len)));
            ASSERT_EQ(len, zmq_send(b, buf, size_t(len), 0)); // echo: b writes too
            if (i % 500 == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(3)); // let PINGs go
        }
    });
    char buf[32];
    for (int i = 0; i < n; ++i) {
        const std::string m = std::to_string(i);
        ASSERT_EQ(int(m.size()), zmq_send(a, m.data(), m.size(), 0));
        ASSERT_EQ(int(m.size()), zmq_recv(a, buf, sizeof buf, 0));
    }
    peer.join();
    EXPECT_GT(testutil::debug_counter("engine_app_thread_messages"), 0u) << "the race was run";
    EXPECT_GT(testutil::debug_counter("engine_io_thread_messages") +
                  testutil::debug_counter("engine_writes"),
              0u);
    zmq_close(a);
    zmq_close(b);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

// The peer goes away and comes back at the same address, twice, while a
// thread keeps sending: sends land on a closing engine, on no engine, and
// on the new one; messages after the restart arrive.
TEST_F(AppThreadWriteRace, SendsWhilePeerRestarts) {
    const std::string ep = unique_ipc();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    set_int_ok(push, ZMQ_LINGER, 0);
    set_int_ok(push, ZMQ_RECONNECT_IVL, 1);
    set_int_ok(push, ZMQ_SNDTIMEO, 2000);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    std::atomic<bool> stop{false};
    std::thread sender([&] {
        unsigned long i = 0;
        while (!stop.load()) {
            const std::string m = std::to_string(i++);
            zmq_send(push, m.data(), m.size(), ZMQ_DONTWAIT);
        }
    });
    for (int round = 0; round < 3; ++round) {
        void *pull = zmq_socket(ctx, ZMQ_PULL);
        set_int_ok(pull, ZMQ_LINGER, 0);
        set_int_ok(pull, ZMQ_RCVTIMEO, 5000);
        int rc = -1;
        for (int tries = 0; tries < 200 && rc != 0; ++tries) // the last one may still be closing
            if ((rc = zmq_bind(pull, ep.c_str())) != 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ASSERT_EQ(0, rc);
        char buf[32];
        for (int k = 0; k < 200; ++k)
            ASSERT_GT(zmq_recv(pull, buf, sizeof buf, 0), 0) << "round " << round;
        zmq_close(pull);
    }
    stop = true;
    sender.join();
    zmq_close(push);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

// The receiving side closes (its engines fail on the io thread) while the
// sending thread writes, then zmq_ctx_term runs while a thread still sends:
// its send fails with ETERM and it closes its socket.
TEST_F(AppThreadWriteRace, SendsAgainstPeerCloseAndCtxTerm) {
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    set_int_ok(pull, ZMQ_LINGER, 0);
    ASSERT_EQ(0, zmq_bind(pull, "tcp://127.0.0.1:*"));
    const std::string ep = last_endpoint(pull);
    std::atomic<int> sent{0};
    std::thread sender([&] {
        void *push = zmq_socket(ctx, ZMQ_PUSH);
        set_int_ok(push, ZMQ_LINGER, 0);
        ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
        for (unsigned long i = 0;; ++i) {
            const std::string m = std::to_string(i);
            if (zmq_send(push, m.data(), m.size(), 0) < 0) {
                EXPECT_EQ(ETERM, zmq_errno());
                break;
            }
            sent.fetch_add(1);
        }
        zmq_close(push);
    });
    char buf[32];
    for (int k = 0; k < 300; ++k)
        ASSERT_GT(zmq_recv(pull, buf, sizeof buf, 0), 0);
    zmq_close(pull);                 // the sender's engine fails while it writes (or waits at HWM)
    EXPECT_EQ(0, zmq_ctx_term(ctx)); // the sender's next or blocked send: ETERM
    sender.join();
}

} // namespace
