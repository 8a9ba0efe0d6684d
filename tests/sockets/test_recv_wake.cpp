// Waking a receiver that waits in zmq_recv, zmq_poll, zmq_poller_wait or
// on ZMQ_FD: ping-pong between two threads never loses a wake-up (each wait
// is bounded, so a lost one fails instead of hanging), whichever of zlink's
// receive spin settings is in force (the spin ends most waits, or none);
// a context shut down while the receiver spins or sleeps ends its wait.
#include "testutil.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <tuple>

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
#include <zlink.h>
#endif

using namespace testutil;

namespace {

enum class waiter { recv, poll, poller, user_fd };

// Waits (bounded) until `s` has a message, the way `how` says.
bool wait_in(void *s, waiter how) {
    switch (how) {
    case waiter::recv:
        return true; // the blocking recv itself waits (ZMQ_RCVTIMEO bounds it)
    case waiter::poll:
        return wait_readable(s);
    case waiter::poller: {
#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ // Debian's libzmq does not export the draft poller
        void *poller = zmq_poller_new();
        zmq_poller_add(poller, s, nullptr, ZMQ_POLLIN);
        zmq_poller_event_t ev;
        const int rc = zmq_poller_wait_all(poller, &ev, 1, wait_ms);
        zmq_poller_destroy(&poller);
        return rc == 1;
#else
        return false;
#endif
    }
    case waiter::user_fd: {
        // libzmq's ZMQ_FD contract: the fd signals an edge; ZMQ_EVENTS says
        // what is there now.
        const int fd = socket_fd(s);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
        while (std::chrono::steady_clock::now() < deadline) {
            if (get_int(s, ZMQ_EVENTS) & ZMQ_POLLIN)
                return true;
            fd_readable(fd, 100);
        }
        return false;
    }
    }
    return false;
}

std::string recv_after(void *s, waiter how) {
    if (!wait_in(s, how))
        return "<timeout>";
    char buf[64];
    const int n = zmq_recv(s, buf, sizeof buf, how == waiter::recv ? 0 : ZMQ_DONTWAIT);
    return n < 0 ? "<error>" : std::string(buf, size_t(n));
}

void set_spin(void *s, int spin_us) {
#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
    if (spin_us >= 0)
        ASSERT_EQ(0, set_int(s, ZLINK_RECV_SPIN_US, spin_us));
#else
    (void)s;
    (void)spin_us;
#endif
}

// (transport, waiter, spin in µs; -1 = the default)
class RecvWake : public ::testing::TestWithParam<std::tuple<std::string, waiter, int>> {};

TEST_P(RecvWake, PingPongBetweenThreadsNeverLosesAWakeUp) {
    const std::string transport = std::get<0>(GetParam());
    const waiter how = std::get<1>(GetParam());
    const int spin = std::get<2>(GetParam());
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    for (void *s : {a, b}) {
        set_spin(s, spin);
        ASSERT_EQ(0, set_int(s, ZMQ_RCVTIMEO, wait_ms));
        ASSERT_EQ(0, set_int(s, ZMQ_LINGER, 0));
    }
    const std::string where = transport == "inproc" ? inproc_ep("recvwake") : "tcp://127.0.0.1:*";
    ASSERT_EQ(0, zmq_bind(a, where.c_str()));
    ASSERT_EQ(0, zmq_connect(b, last_endpoint(a).c_str()));
    constexpr int rounds = 300;
    std::thread echo([&] {
        for (int i = 0; i < rounds; ++i) {
            const std::string m = recv_after(b, how);
            if (send_str(b, m) < 0)
                return;
        }
    });
    for (int i = 0; i < rounds; ++i) {
        const std::string m = std::to_string(i);
        ASSERT_EQ(int(m.size()), send_str(a, m));
        ASSERT_EQ(m, recv_after(a, how)) << "round " << i;
        if (i % 50 == 49) // a pause: the echo side's spin runs out and it sleeps
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    echo.join();
    zmq_close(a);
    zmq_close(b);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

std::string name_of(const ::testing::TestParamInfo<RecvWake::ParamType> &info) {
    static const char *const waiters[] = {"recv", "poll", "poller", "user_fd"};
    const int spin = std::get<2>(info.param);
    return std::get<0>(info.param) + "_" + waiters[int(std::get<1>(info.param))] + "_" +
           (spin < 0 ? std::string("default") : "spin" + std::to_string(spin));
}

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
#define RECV_WAKE_WAITERS waiter::recv, waiter::poll, waiter::poller, waiter::user_fd
#define RECV_WAKE_TERM_WAITERS waiter::recv, waiter::poll, waiter::poller
#else // no draft poller in the system libzmq
#define RECV_WAKE_WAITERS waiter::recv, waiter::poll, waiter::user_fd
#define RECV_WAKE_TERM_WAITERS waiter::recv, waiter::poll
#endif

INSTANTIATE_TEST_SUITE_P(All, RecvWake,
                         ::testing::Combine(::testing::Values("inproc", "tcp"),
                                            ::testing::Values(RECV_WAKE_WAITERS),
                                            ::testing::Values(-1, 0, 10000)),
                         name_of);

// ctx shutdown reaches a receiver whether it is still spinning (the call
// came just before) or already asleep.
class RecvWakeTerm : public ::testing::TestWithParam<std::tuple<waiter, int>> {};

TEST_P(RecvWakeTerm, ShutdownEndsTheWaitWithEterm) {
    const waiter how = std::get<0>(GetParam());
    const int spin = std::get<1>(GetParam());
    for (int round = 0; round < 20; ++round) {
        void *ctx = zmq_ctx_new();
        void *pull = zmq_socket(ctx, ZMQ_PULL);
        set_spin(pull, spin);
        ASSERT_EQ(0, zmq_bind(pull, inproc_ep("recvwake_term").c_str()));
        std::atomic<bool> started{false};
        std::atomic<int> err{0};
        std::thread t([&] {
            started = true;
            char buf[8];
            int rc;
            if (how == waiter::recv) {
                rc = zmq_recv(pull, buf, sizeof buf, 0);
            } else if (how == waiter::poll) {
                zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
                rc = zmq_poll(&item, 1, -1);
            } else {
#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
                void *poller = zmq_poller_new();
                zmq_poller_add(poller, pull, nullptr, ZMQ_POLLIN);
                zmq_poller_event_t ev;
                rc = zmq_poller_wait(poller, &ev, -1);
                const int e = zmq_errno();
                zmq_poller_destroy(&poller);
                errno = e;
#else
                rc = -1;
#endif
            }
            err = rc < 0 ? zmq_errno() : 0;
        });
        while (!started)
            std::this_thread::yield();
        if (round % 2) // half the rounds: let it reach its sleep first
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        EXPECT_EQ(0, zmq_ctx_shutdown(ctx));
        t.join();
        EXPECT_EQ(ETERM, err.load()) << "round " << round;
        zmq_close(pull);
        EXPECT_EQ(0, zmq_ctx_term(ctx));
    }
}

std::string term_name_of(const ::testing::TestParamInfo<RecvWakeTerm::ParamType> &info) {
    static const char *const waiters[] = {"recv", "poll", "poller"};
    return std::string(waiters[int(std::get<0>(info.param))]) + "_spin" +
           std::to_string(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(All, RecvWakeTerm,
                         ::testing::Combine(::testing::Values(RECV_WAKE_TERM_WAITERS),
                                            ::testing::Values(0, 10000)),
                         term_name_of);

// ZMQ_FD read after a message is already queued: the fd must show it (the
// application may wait on the fd before it asks ZMQ_EVENTS).
TEST(RecvWakeFd, FdReadAfterAMessageArrivedIsReadable) {
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL), *push = zmq_socket(ctx, ZMQ_PUSH);
    const std::string ep = inproc_ep("recvwake_fd");
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(1, send_str(push, "x"));
    EXPECT_TRUE(fd_readable(socket_fd(pull), wait_ms));
    EXPECT_TRUE(get_int(pull, ZMQ_EVENTS) & ZMQ_POLLIN);
    EXPECT_EQ("x", recv_ok(pull));
    zmq_close(push);
    zmq_close(pull);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

} // namespace
