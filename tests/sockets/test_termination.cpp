// Context shutdown semantics: ETERM wakes blocked calls in other threads and
// fails later calls; zmq_ctx_term returns once all sockets are closed.
#include "testutil.hpp"

#include <atomic>
#include <thread>

using namespace testutil;

namespace {

// Runs `blocked` in a thread, waits until it is (very likely) blocked, then
// shuts the context down; returns the errno the blocked call ended with.
template <class F>
int errno_after_shutdown(void *ctx, F blocked) {
    std::atomic<int> result{-1};
    std::atomic<bool> started{false};
    std::thread t([&] {
        started = true;
        result = blocked();
    });
    while (!started) {
        std::this_thread::yield();
    }
    // Whether the call is already blocked or enters after shutdown, the
    // outcome must be ETERM; no sleep needed for correctness.
    EXPECT_EQ(0, zmq_ctx_shutdown(ctx));
    t.join();
    return result;
}

TEST(Termination, BlockedRecvGetsEterm) {
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(pull, inproc_ep().c_str()));
    const int err = errno_after_shutdown(ctx, [&] {
        char buf[8];
        return zmq_recv(pull, buf, sizeof buf, 0) < 0 ? zmq_errno() : 0;
    });
    EXPECT_EQ(ETERM, err);
    EXPECT_EQ(0, zmq_close(pull));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Termination, BlockedSendGetsEterm) {
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    int zero = 0;
    zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
    ASSERT_EQ(0, zmq_bind(push, inproc_ep().c_str())); // no peer: blocks
    const int err =
        errno_after_shutdown(ctx, [&] { return zmq_send(push, "x", 1, 0) < 0 ? zmq_errno() : 0; });
    EXPECT_EQ(ETERM, err);
    EXPECT_EQ(0, zmq_close(push));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Termination, BlockedPollReturnsEterm) {
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    ASSERT_EQ(0, zmq_bind(sub, inproc_ep().c_str()));
    const int err = errno_after_shutdown(ctx, [&] {
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        return zmq_poll(&item, 1, -1) < 0 ? zmq_errno() : 0;
    });
    EXPECT_EQ(ETERM, err);
    EXPECT_EQ(0, zmq_close(sub));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Termination, BlockedRecvOnReqAndRouterGetsEterm) {
    for (int type : {ZMQ_REP, ZMQ_ROUTER, ZMQ_DEALER, ZMQ_XPUB, ZMQ_PAIR}) {
        void *ctx = zmq_ctx_new();
        void *s = zmq_socket(ctx, type);
        ASSERT_EQ(0, zmq_bind(s, inproc_ep().c_str()));
        const int err = errno_after_shutdown(ctx, [&] {
            char buf[8];
            return zmq_recv(s, buf, sizeof buf, 0) < 0 ? zmq_errno() : 0;
        });
        EXPECT_EQ(ETERM, err) << "type " << type;
        EXPECT_EQ(0, zmq_close(s));
        EXPECT_EQ(0, zmq_ctx_term(ctx));
    }
}

TEST(Termination, CallsAfterShutdownFailWithEterm) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    ASSERT_NE(nullptr, s);
    ASSERT_EQ(0, zmq_ctx_shutdown(ctx));
    EXPECT_ZMQ_ERR(zmq_send(s, "x", 1, ZMQ_DONTWAIT), ETERM);
    char buf[8];
    EXPECT_ZMQ_ERR(zmq_recv(s, buf, sizeof buf, ZMQ_DONTWAIT), ETERM);
    EXPECT_ZMQ_ERR(zmq_bind(s, "inproc://after-shutdown"), ETERM);
    EXPECT_ZMQ_ERR(zmq_connect(s, "inproc://after-shutdown"), ETERM);
    errno = 0;
    EXPECT_EQ(nullptr, zmq_socket(ctx, ZMQ_PAIR));
    EXPECT_EQ(ETERM, zmq_errno());
    EXPECT_EQ(0, zmq_close(s));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Termination, ShutdownTwiceIsHarmless) {
    void *ctx = zmq_ctx_new();
    EXPECT_EQ(0, zmq_ctx_shutdown(ctx));
    EXPECT_EQ(0, zmq_ctx_shutdown(ctx));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Termination, CtxTermWaitsForSocketCloseInOtherThread) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(s, inproc_ep().c_str()));
    std::atomic<int> recv_err_seen{0};
    std::thread worker([&] {
        char buf[8];
        if (zmq_recv(s, buf, sizeof buf, 0) < 0)
            recv_err_seen = zmq_errno();
        zmq_close(s); // lets zmq_ctx_term in the main thread finish
    });
    // zmq_ctx_term itself interrupts the blocked recv with ETERM.
    EXPECT_EQ(0, zmq_ctx_term(ctx));
    worker.join();
    EXPECT_EQ(ETERM, recv_err_seen.load());
}

TEST(Termination, PendingMessagesWithLingerZeroDoNotBlockTerm) {
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    int zero = 0;
    zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
    ASSERT_EQ(0, zmq_connect(push, inproc_ep().c_str())); // never bound
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(1, zmq_send(push, "x", 1, ZMQ_DONTWAIT));
    EXPECT_EQ(0, zmq_close(push));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Termination, InprocMessagesSurviveSenderCloseWithDefaultLinger) {
    // Inproc pipes hand messages over directly: after the sender closes,
    // the receiver still gets everything that was sent.
    Ctx ctx;
    Sock pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    for (int i = 0; i < 10; ++i)
        ASSERT_EQ(0, send_err(push, std::to_string(i)));
    ASSERT_EQ(0, zmq_close(push));
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(std::to_string(i), recv_ok(pull));
}

} // namespace
