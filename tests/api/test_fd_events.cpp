// ZMQ_FD and ZMQ_EVENTS: the notification fd for integrating a socket into
// a foreign event loop. The fd is edge-triggered: it signals that the
// socket's state may have changed; ZMQ_EVENTS tells what the state is.
#include "testutil.hpp"

#include <poll.h>

using namespace testutil;

namespace {

class FdEvents : public ctx_test {
  protected:
    // A connected PAIR whose handshake is complete and whose pending
    // notifications are consumed, so the fd is quiet.
    void quiet_pair(void **a, void **b) {
        pair(ZMQ_PAIR, ZMQ_PAIR, a, b);
        ASSERT_EQ(1, zmq_send(*a, "s", 1, 0));
        ASSERT_EQ("s", recv_str(*b));
        ASSERT_EQ(1, zmq_send(*b, "s", 1, 0));
        ASSERT_EQ("s", recv_str(*a));
        get_int(*a, ZMQ_EVENTS);
        get_int(*b, ZMQ_EVENTS);
    }
};

} // namespace

TEST_F(FdEvents, EventsReportsPollout) {
    void *a, *b;
    quiet_pair(&a, &b);
    EXPECT_EQ(ZMQ_POLLOUT, get_int(b, ZMQ_EVENTS));
}

TEST_F(FdEvents, FdReadableWhenMessageArrives) {
    void *a, *b;
    quiet_pair(&a, &b);
    const int fd = socket_fd(b);
    ASSERT_GE(fd, 0);
    EXPECT_FALSE(fd_readable(fd, 0));
    ASSERT_EQ(3, zmq_send(a, "msg", 3, 0));
    ASSERT_TRUE(fd_readable(fd, wait_ms));
    EXPECT_TRUE(get_int(b, ZMQ_EVENTS) & ZMQ_POLLIN);
    char buf[8];
    EXPECT_EQ(3, zmq_recv(b, buf, sizeof buf, ZMQ_DONTWAIT));
    EXPECT_FALSE(get_int(b, ZMQ_EVENTS) & ZMQ_POLLIN);
}

// Edge-triggered: once ZMQ_EVENTS has been read, the fd no longer signals
// even though a message is still waiting. Applications must keep reading
// while ZMQ_EVENTS says POLLIN.
TEST_F(FdEvents, ReadingEventsDrainsTheFd) {
    void *a, *b;
    quiet_pair(&a, &b);
    const int fd = socket_fd(b);
    ASSERT_EQ(1, zmq_send(a, "1", 1, 0));
    ASSERT_EQ(1, zmq_send(a, "2", 1, 0));
    ASSERT_TRUE(fd_readable(fd, wait_ms));
    ASSERT_TRUE(get_int(b, ZMQ_EVENTS) & ZMQ_POLLIN);
    EXPECT_FALSE(fd_readable(fd, 0)) << "fd is drained after ZMQ_EVENTS";
    // Both messages are still there.
    char buf[2];
    EXPECT_EQ(1, zmq_recv(b, buf, sizeof buf, ZMQ_DONTWAIT));
    EXPECT_TRUE(get_int(b, ZMQ_EVENTS) & ZMQ_POLLIN);
    EXPECT_EQ(1, zmq_recv(b, buf, sizeof buf, ZMQ_DONTWAIT));
    EXPECT_FALSE(get_int(b, ZMQ_EVENTS) & ZMQ_POLLIN);
}

// The event-loop pattern: wait on the fd, then read until ZMQ_EVENTS says no.
TEST_F(FdEvents, EventLoopReceivesEverything) {
    void *a, *b;
    quiet_pair(&a, &b);
    const int fd = socket_fd(b);
    const int total = 200;
    std::thread sender([&] {
        for (int i = 0; i < total; ++i)
            zmq_send(a, &i, sizeof i, 0);
    });
    int received = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (received < total && std::chrono::steady_clock::now() < deadline) {
        while (get_int(b, ZMQ_EVENTS) & ZMQ_POLLIN) {
            int v;
            ASSERT_EQ(int(sizeof v), zmq_recv(b, &v, sizeof v, ZMQ_DONTWAIT));
            EXPECT_EQ(received, v);
            ++received;
        }
        fd_readable(fd, 100);
    }
    sender.join();
    EXPECT_EQ(total, received);
}

TEST_F(FdEvents, FdSignalsWhenSendBecomesPossible) {
    void *push = make(ZMQ_PUSH);
    void *pull = make(ZMQ_PULL);
    ASSERT_EQ(0, set_int(push, ZMQ_SNDHWM, 1));
    ASSERT_EQ(0, set_int(pull, ZMQ_RCVHWM, 1));
    const std::string ep = inproc_ep("out");
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    while (zmq_send(push, "x", 1, ZMQ_DONTWAIT) == 1) {
    }
    EXPECT_FALSE(get_int(push, ZMQ_EVENTS) & ZMQ_POLLOUT);
    const int fd = socket_fd(push);
    EXPECT_EQ("x", recv_str(pull));
    EXPECT_EQ("x", recv_str(pull));
    // The writer is told (through its fd) that the pipe has room again.
    EXPECT_TRUE(eventually([&] {
        fd_readable(fd, 100);
        return (get_int(push, ZMQ_EVENTS) & ZMQ_POLLOUT) != 0;
    }));
}

TEST_F(FdEvents, EventsOnPipeReadableByZmqPoll) {
    // zmq_poll must agree with ZMQ_EVENTS after the fd was drained.
    void *a, *b;
    quiet_pair(&a, &b);
    ASSERT_EQ(1, zmq_send(a, "x", 1, 0));
    ASSERT_TRUE(fd_readable(socket_fd(b), wait_ms));
    ASSERT_TRUE(get_int(b, ZMQ_EVENTS) & ZMQ_POLLIN);
    zmq_pollitem_t item = {b, 0, ZMQ_POLLIN, 0};
    EXPECT_EQ(1, zmq_poll(&item, 1, 0)) << "level-triggered zmq_poll still sees it";
}

// Unlike the int options kept in the option set (which need exactly
// sizeof(int)), the socket-state options RCVMORE, EVENTS, FD and THREAD_SAFE
// accept a larger buffer and correct the length.
TEST_F(FdEvents, EventsLengthRules) {
    void *s = make(ZMQ_PAIR);
    for (int opt : {ZMQ_EVENTS, ZMQ_RCVMORE, ZMQ_THREAD_SAFE, ZMQ_FD}) {
        int64_t wide = 0;
        size_t len = sizeof wide;
        EXPECT_EQ(0, zmq_getsockopt(s, opt, &wide, &len)) << "opt " << opt;
        EXPECT_EQ(sizeof(int), len) << "opt " << opt;
    }
    size_t len;
    char narrow;
    len = 1;
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZMQ_EVENTS, &narrow, &len), EINVAL);
}

TEST_F(FdEvents, EventsAfterShutdownIsEterm) {
    void *s = make(ZMQ_PAIR);
    ASSERT_EQ(0, zmq_ctx_shutdown(ctx));
    int v;
    size_t len = sizeof v;
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZMQ_EVENTS, &v, &len), ETERM);
}
