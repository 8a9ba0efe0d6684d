// The zmq_poller_* API (DRAFT in libzmq; Debian's libzmq does not export it,
// so these tests only build against zlink). Written from libzmq's
// zmq_poller(3) page: errors EFAULT/ENOTSOCK/EINVAL/EBADF/EAGAIN/ETERM.
#include "testutil.hpp"

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ

#include <future>

using namespace testutil;

namespace {

class Poller : public ctx_test {
  protected:
    void SetUp() override {
        ctx_test::SetUp();
        poller = zmq_poller_new();
        ASSERT_NE(nullptr, poller);
        ASSERT_EQ(0, ::pipe(fds));
    }
    void TearDown() override {
        if (poller) {
            EXPECT_EQ(0, zmq_poller_destroy(&poller));
        }
        ::close(fds[0]);
        ::close(fds[1]);
        ctx_test::TearDown();
    }
    void *poller = nullptr;
    int fds[2] = {-1, -1};
};

} // namespace

TEST_F(Poller, NewAndDestroy) {
    void *p = zmq_poller_new();
    ASSERT_NE(nullptr, p);
    EXPECT_EQ(0, zmq_poller_size(p));
    EXPECT_EQ(0, zmq_poller_destroy(&p));
    EXPECT_EQ(nullptr, p) << "destroy clears the pointer";
    EXPECT_ZMQ_ERR(zmq_poller_destroy(&p), EFAULT);
    EXPECT_ZMQ_ERR(zmq_poller_destroy(nullptr), EFAULT);
}

TEST_F(Poller, InvalidPollerIsEfault) {
    void *s = make(ZMQ_PAIR);
    zmq_poller_event_t ev;
    EXPECT_ZMQ_ERR(zmq_poller_size(nullptr), EFAULT);
    EXPECT_ZMQ_ERR(zmq_poller_add(nullptr, s, nullptr, ZMQ_POLLIN), EFAULT);
    EXPECT_ZMQ_ERR(zmq_poller_modify(nullptr, s, ZMQ_POLLIN), EFAULT);
    EXPECT_ZMQ_ERR(zmq_poller_remove(nullptr, s), EFAULT);
    EXPECT_ZMQ_ERR(zmq_poller_add_fd(nullptr, fds[0], nullptr, ZMQ_POLLIN), EFAULT);
    EXPECT_ZMQ_ERR(zmq_poller_wait(nullptr, &ev, 0), EFAULT);
    EXPECT_ZMQ_ERR(zmq_poller_wait_all(nullptr, &ev, 1, 0), EFAULT);
    zmq_fd_t fd;
    EXPECT_ZMQ_ERR(zmq_poller_fd(nullptr, &fd), EFAULT);
}

TEST_F(Poller, InvalidSocketIsEnotsock) {
    int junk[16] = {0};
    EXPECT_ZMQ_ERR(zmq_poller_add(poller, nullptr, nullptr, ZMQ_POLLIN), ENOTSOCK);
    EXPECT_ZMQ_ERR(zmq_poller_add(poller, junk, nullptr, ZMQ_POLLIN), ENOTSOCK);
    EXPECT_ZMQ_ERR(zmq_poller_modify(poller, junk, ZMQ_POLLIN), ENOTSOCK);
    EXPECT_ZMQ_ERR(zmq_poller_remove(poller, junk), ENOTSOCK);
}

TEST_F(Poller, RegistrationRules) {
    void *s = make(ZMQ_PAIR);
    ASSERT_EQ(0, zmq_poller_add(poller, s, nullptr, ZMQ_POLLIN));
    EXPECT_EQ(1, zmq_poller_size(poller));
    EXPECT_ZMQ_ERR(zmq_poller_add(poller, s, nullptr, ZMQ_POLLIN), EINVAL);
    EXPECT_EQ(0, zmq_poller_modify(poller, s, ZMQ_POLLOUT));
    EXPECT_EQ(0, zmq_poller_remove(poller, s));
    EXPECT_EQ(0, zmq_poller_size(poller));
    EXPECT_ZMQ_ERR(zmq_poller_remove(poller, s), EINVAL);
    EXPECT_ZMQ_ERR(zmq_poller_modify(poller, s, ZMQ_POLLIN), EINVAL);

    ASSERT_EQ(0, zmq_poller_add_fd(poller, fds[0], nullptr, ZMQ_POLLIN));
    EXPECT_EQ(1, zmq_poller_size(poller));
    EXPECT_ZMQ_ERR(zmq_poller_add_fd(poller, fds[0], nullptr, ZMQ_POLLIN), EINVAL);
    EXPECT_EQ(0, zmq_poller_modify_fd(poller, fds[0], ZMQ_POLLIN | ZMQ_POLLERR));
    EXPECT_EQ(0, zmq_poller_remove_fd(poller, fds[0]));
    EXPECT_ZMQ_ERR(zmq_poller_remove_fd(poller, fds[0]), EINVAL);
    EXPECT_ZMQ_ERR(zmq_poller_modify_fd(poller, fds[0], ZMQ_POLLIN), EINVAL);

    EXPECT_ZMQ_ERR(zmq_poller_add_fd(poller, -1, nullptr, ZMQ_POLLIN), EBADF);
    EXPECT_ZMQ_ERR(zmq_poller_modify_fd(poller, -1, ZMQ_POLLIN), EBADF);
    EXPECT_ZMQ_ERR(zmq_poller_remove_fd(poller, -1), EBADF);
}

TEST_F(Poller, EmptyPoller) {
    zmq_poller_event_t ev;
    EXPECT_ZMQ_ERR(zmq_poller_wait_all(poller, &ev, 1, 0), EAGAIN);
    EXPECT_ZMQ_ERR(zmq_poller_wait_all(poller, &ev, 1, 10), EAGAIN);
    // Waiting forever on nothing is an error.
    EXPECT_ZMQ_ERR(zmq_poller_wait_all(poller, &ev, 1, -1), EFAULT);
}

TEST_F(Poller, NullEventsIsEfault) {
    void *s = make(ZMQ_PAIR);
    ASSERT_EQ(0, zmq_poller_add(poller, s, nullptr, ZMQ_POLLIN));
    EXPECT_ZMQ_ERR(zmq_poller_wait_all(poller, nullptr, 1, 0), EFAULT);
}

TEST_F(Poller, TimeoutIsEagain) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    int tag = 0;
    ASSERT_EQ(0, zmq_poller_add(poller, b, &tag, ZMQ_POLLIN));
    zmq_poller_event_t ev;
    EXPECT_ZMQ_ERR(zmq_poller_wait(poller, &ev, 0), EAGAIN);
    EXPECT_ZMQ_ERR(zmq_poller_wait_all(poller, &ev, 1, 20), EAGAIN);
}

TEST_F(Poller, SocketEventCarriesUserData) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    int tag = 0;
    ASSERT_EQ(0, zmq_poller_add(poller, b, &tag, ZMQ_POLLIN));
    ASSERT_EQ(3, zmq_send(a, "msg", 3, 0));
    zmq_poller_event_t ev[2];
    ASSERT_EQ(1, zmq_poller_wait_all(poller, ev, 2, wait_ms));
    EXPECT_EQ(b, ev[0].socket);
    EXPECT_EQ(&tag, ev[0].user_data);
    EXPECT_EQ(ZMQ_POLLIN, ev[0].events);
    EXPECT_EQ(-1, ev[0].fd) << "socket events carry the invalid fd";
    // Level-triggered: still there until read.
    EXPECT_EQ(1, zmq_poller_wait_all(poller, ev, 2, 0));
    EXPECT_EQ("msg", recv_str(b));
    EXPECT_ZMQ_ERR(zmq_poller_wait_all(poller, ev, 2, 0), EAGAIN);
}

TEST_F(Poller, SingleWait) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    ASSERT_EQ(0, zmq_poller_add(poller, b, nullptr, ZMQ_POLLIN));
    ASSERT_EQ(1, zmq_send(a, "x", 1, 0));
    zmq_poller_event_t ev;
    ASSERT_GE(zmq_poller_wait(poller, &ev, wait_ms), 0);
    EXPECT_EQ(b, ev.socket);
    EXPECT_EQ(ZMQ_POLLIN, ev.events);
}

TEST_F(Poller, FdEvents) {
    int tag = 0;
    ASSERT_EQ(0, zmq_poller_add_fd(poller, fds[0], &tag, ZMQ_POLLIN));
    zmq_poller_event_t ev[1];
    EXPECT_ZMQ_ERR(zmq_poller_wait_all(poller, ev, 1, 0), EAGAIN);
    ASSERT_EQ(1, ::write(fds[1], "a", 1));
    ASSERT_EQ(1, zmq_poller_wait_all(poller, ev, 1, wait_ms));
    EXPECT_EQ(nullptr, ev[0].socket);
    EXPECT_EQ(fds[0], ev[0].fd);
    EXPECT_EQ(&tag, ev[0].user_data);
    EXPECT_EQ(ZMQ_POLLIN, ev[0].events);
}

TEST_F(Poller, MixedSocketsAndFds) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    ASSERT_EQ(0, zmq_poller_add(poller, b, nullptr, ZMQ_POLLIN));
    ASSERT_EQ(0, zmq_poller_add_fd(poller, fds[0], nullptr, ZMQ_POLLIN));
    EXPECT_EQ(2, zmq_poller_size(poller));
    ASSERT_EQ(1, zmq_send(a, "x", 1, 0));
    ASSERT_EQ(1, ::write(fds[1], "a", 1));
    zmq_poller_event_t ev[2];
    ASSERT_TRUE(eventually([&] { return zmq_poller_wait_all(poller, ev, 2, 100) == 2; }));
    bool saw_socket = false, saw_fd = false;
    for (const auto &e : ev) {
        saw_socket |= e.socket == b;
        saw_fd |= e.socket == nullptr && e.fd == fds[0];
    }
    EXPECT_TRUE(saw_socket);
    EXPECT_TRUE(saw_fd);
    // Fewer slots than ready objects: at most n_events come back.
    EXPECT_EQ(1, zmq_poller_wait_all(poller, ev, 1, 0));
}

TEST_F(Poller, PolloutAndModify) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    ASSERT_EQ(0, zmq_poller_add(poller, a, nullptr, ZMQ_POLLOUT));
    zmq_poller_event_t ev;
    ASSERT_EQ(1, zmq_poller_wait_all(poller, &ev, 1, wait_ms));
    EXPECT_EQ(ZMQ_POLLOUT, ev.events);
    // Disabled subscription: nothing is reported.
    ASSERT_EQ(0, zmq_poller_modify(poller, a, 0));
    EXPECT_ZMQ_ERR(zmq_poller_wait_all(poller, &ev, 1, 0), EAGAIN);
}

TEST_F(Poller, NoFdWithoutThreadSafeSockets) {
    void *s = make(ZMQ_PAIR);
    ASSERT_EQ(0, zmq_poller_add(poller, s, nullptr, ZMQ_POLLIN));
    zmq_fd_t fd;
    EXPECT_ZMQ_ERR(zmq_poller_fd(poller, &fd), EINVAL);
}

TEST_F(Poller, WakesOnMessageFromAnotherThread) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    ASSERT_EQ(0, zmq_poller_add(poller, b, nullptr, ZMQ_POLLIN));
    auto waiter = std::async(std::launch::async, [&] {
        zmq_poller_event_t ev;
        return zmq_poller_wait_all(poller, &ev, 1, -1);
    });
    ASSERT_EQ(1, zmq_send(a, "x", 1, 0));
    ASSERT_EQ(std::future_status::ready, waiter.wait_for(std::chrono::seconds(5)));
    EXPECT_EQ(1, waiter.get());
}

TEST(PollerCtx, EtermWhenContextShutsDown) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(s, inproc_ep("eterm").c_str()));
    void *poller = zmq_poller_new();
    ASSERT_EQ(0, zmq_poller_add(poller, s, nullptr, ZMQ_POLLIN));
    auto waiter = std::async(std::launch::async, [&] {
        zmq_poller_event_t ev;
        const int rc = zmq_poller_wait_all(poller, &ev, 1, -1);
        return std::make_pair(rc, errno);
    });
    ASSERT_EQ(0, zmq_ctx_shutdown(ctx));
    ASSERT_EQ(std::future_status::ready, waiter.wait_for(std::chrono::seconds(5)));
    const auto r = waiter.get();
    EXPECT_EQ(-1, r.first);
    EXPECT_EQ(ETERM, r.second);
    EXPECT_EQ(0, zmq_poller_destroy(&poller));
    EXPECT_EQ(0, zmq_close(s));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

#endif // ZLINK_TESTING_SYSTEM_LIBZMQ
