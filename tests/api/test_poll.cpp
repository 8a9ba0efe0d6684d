// zmq_poll over 0MQ sockets and raw file descriptors.
#include "testutil.hpp"

#include <future>

#include <fcntl.h>

using namespace testutil;

namespace {

class Poll : public ctx_test {
  protected:
    void SetUp() override {
        ctx_test::SetUp();
        ASSERT_EQ(0, ::pipe(fds));
    }
    void TearDown() override {
        ::close(fds[0]);
        ::close(fds[1]);
        ctx_test::TearDown();
    }
    int fds[2] = {-1, -1};
};

} // namespace

TEST_F(Poll, NothingReadyTimeoutZero) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    zmq_pollitem_t item = {b, 0, ZMQ_POLLIN, 0};
    EXPECT_EQ(0, zmq_poll(&item, 1, 0));
    EXPECT_EQ(0, item.revents);
}

TEST_F(Poll, NothingReadyTimeoutExpires) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    zmq_pollitem_t item = {b, 0, ZMQ_POLLIN, 0};
    EXPECT_EQ(0, zmq_poll(&item, 1, 30));
    EXPECT_EQ(0, item.revents);
}

TEST_F(Poll, SocketPollinWhenMessageQueued) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    ASSERT_EQ(1, zmq_send(a, "x", 1, 0));
    zmq_pollitem_t item = {b, 0, ZMQ_POLLIN, 0};
    ASSERT_EQ(1, zmq_poll(&item, 1, wait_ms));
    EXPECT_EQ(ZMQ_POLLIN, item.revents);
    // Still readable: poll does not consume.
    item.revents = 0;
    EXPECT_EQ(1, zmq_poll(&item, 1, 0));
    EXPECT_EQ("x", recv_str(b));
    item.revents = 0;
    EXPECT_EQ(0, zmq_poll(&item, 1, 0));
}

TEST_F(Poll, SocketPolloutOnlyWhenPeerAttached) {
    void *push = make(ZMQ_PUSH);
    zmq_pollitem_t item = {push, 0, ZMQ_POLLOUT, 0};
    EXPECT_EQ(0, zmq_poll(&item, 1, 0)) << "no peer, cannot send";
    void *pull = make(ZMQ_PULL);
    const std::string ep = inproc_ep("pollout");
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(1, zmq_poll(&item, 1, wait_ms));
    EXPECT_EQ(ZMQ_POLLOUT, item.revents);
}

TEST_F(Poll, PolloutStopsAtHwm) {
    void *push = make(ZMQ_PUSH);
    void *pull = make(ZMQ_PULL);
    ASSERT_EQ(0, set_int(push, ZMQ_SNDHWM, 1));
    ASSERT_EQ(0, set_int(pull, ZMQ_RCVHWM, 1));
    const std::string ep = inproc_ep("hwm");
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    while (zmq_send(push, "x", 1, ZMQ_DONTWAIT) == 1) {
    }
    zmq_pollitem_t item = {push, 0, ZMQ_POLLOUT, 0};
    EXPECT_EQ(0, zmq_poll(&item, 1, 0));
    // Draining the receiver makes room again.
    EXPECT_EQ("x", recv_str(pull));
    EXPECT_EQ("x", recv_str(pull));
    EXPECT_EQ(1, zmq_poll(&item, 1, wait_ms));
    EXPECT_EQ(ZMQ_POLLOUT, item.revents);
}

TEST_F(Poll, BothDirections) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    ASSERT_EQ(1, zmq_send(a, "x", 1, 0));
    zmq_pollitem_t item = {b, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0};
    ASSERT_TRUE(eventually([&] {
        return zmq_poll(&item, 1, 100) == 1 && item.revents == (ZMQ_POLLIN | ZMQ_POLLOUT);
    }));
}

TEST_F(Poll, RawFdReadable) {
    zmq_pollitem_t item = {nullptr, fds[0], ZMQ_POLLIN, 0};
    EXPECT_EQ(0, zmq_poll(&item, 1, 0));
    ASSERT_EQ(1, ::write(fds[1], "a", 1));
    ASSERT_EQ(1, zmq_poll(&item, 1, wait_ms));
    EXPECT_EQ(ZMQ_POLLIN, item.revents);
}

TEST_F(Poll, RawFdWritable) {
    zmq_pollitem_t item = {nullptr, fds[1], ZMQ_POLLOUT, 0};
    ASSERT_EQ(1, zmq_poll(&item, 1, 0));
    EXPECT_EQ(ZMQ_POLLOUT, item.revents);
}

TEST_F(Poll, RawFdEofIsReadable) {
    // The read end of a pipe whose writer is gone reports readable (EOF).
    ::close(fds[1]);
    fds[1] = ::open("/dev/null", O_WRONLY); // keep TearDown's close valid
    zmq_pollitem_t item = {nullptr, fds[0], ZMQ_POLLIN, 0};
    ASSERT_EQ(1, zmq_poll(&item, 1, wait_ms));
    EXPECT_NE(0, item.revents);
}

TEST_F(Poll, MixedSocketsAndFds) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    zmq_pollitem_t items[3] = {
        {b, 0, ZMQ_POLLIN, 0},
        {nullptr, fds[0], ZMQ_POLLIN, 0},
        {a, 0, ZMQ_POLLIN, 0},
    };
    EXPECT_EQ(0, zmq_poll(items, 3, 0));
    ASSERT_EQ(1, ::write(fds[1], "a", 1));
    ASSERT_EQ(1, zmq_poll(items, 3, wait_ms));
    EXPECT_EQ(0, items[0].revents);
    EXPECT_EQ(ZMQ_POLLIN, items[1].revents);
    EXPECT_EQ(0, items[2].revents);

    ASSERT_EQ(1, zmq_send(a, "m", 1, 0));
    ASSERT_TRUE(eventually([&] { return zmq_poll(items, 3, 100) == 2; }));
    EXPECT_EQ(ZMQ_POLLIN, items[0].revents);
    EXPECT_EQ(ZMQ_POLLIN, items[1].revents);
    EXPECT_EQ(0, items[2].revents);
}

TEST_F(Poll, InfiniteTimeoutWakesOnMessage) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    auto poller = std::async(std::launch::async, [&] {
        zmq_pollitem_t item = {b, 0, ZMQ_POLLIN, 0};
        const int rc = zmq_poll(&item, 1, -1);
        return std::make_pair(rc, item.revents);
    });
    ASSERT_EQ(4, zmq_send(a, "wake", 4, 0));
    ASSERT_EQ(std::future_status::ready, poller.wait_for(std::chrono::seconds(5)));
    const auto r = poller.get();
    EXPECT_EQ(1, r.first);
    EXPECT_EQ(ZMQ_POLLIN, r.second);
}

TEST_F(Poll, InfiniteTimeoutWakesOnFd) {
    auto poller = std::async(std::launch::async, [&] {
        zmq_pollitem_t item = {nullptr, fds[0], ZMQ_POLLIN, 0};
        return zmq_poll(&item, 1, -1);
    });
    ASSERT_EQ(1, ::write(fds[1], "a", 1));
    ASSERT_EQ(std::future_status::ready, poller.wait_for(std::chrono::seconds(5)));
    EXPECT_EQ(1, poller.get());
}

TEST_F(Poll, NoItemsActsAsSleep) {
    EXPECT_EQ(0, zmq_poll(nullptr, 0, 0));
    EXPECT_EQ(0, zmq_poll(nullptr, 0, 20));
}

TEST_F(Poll, NullItemsWithCountIsEfault) { EXPECT_ZMQ_ERR(zmq_poll(nullptr, 1, 0), EFAULT); }

TEST_F(Poll, InvalidSocketIsEnotsock) {
    int junk[16] = {0};
    zmq_pollitem_t item = {junk, 0, ZMQ_POLLIN, 0};
    EXPECT_ZMQ_ERR(zmq_poll(&item, 1, 0), ENOTSOCK);
}

TEST_F(Poll, ZeroEventsNeverReady) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    ASSERT_EQ(1, zmq_send(a, "x", 1, 0));
    ASSERT_TRUE(wait_readable(b));
    zmq_pollitem_t item = {b, 0, 0, 0};
    EXPECT_EQ(0, zmq_poll(&item, 1, 0));
    EXPECT_EQ(0, item.revents);
}

TEST_F(Poll, ReventsResetEachCall) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    zmq_pollitem_t item = {b, 0, ZMQ_POLLIN, static_cast<short>(0x7f)};
    EXPECT_EQ(0, zmq_poll(&item, 1, 0));
    EXPECT_EQ(0, item.revents) << "stale revents are cleared";
}

TEST(PollCtx, EtermWhenContextTerminates) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_SUB);
    ASSERT_EQ(0, zmq_bind(s, inproc_ep("eterm").c_str()));
    auto poller = std::async(std::launch::async, [&] {
        zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
        const int rc = zmq_poll(&item, 1, -1);
        const int err = errno;
        zmq_close(s);
        return std::make_pair(rc, err);
    });
    EXPECT_EQ(0, zmq_ctx_term(ctx)); // returns once the poller closed s
    ASSERT_EQ(std::future_status::ready, poller.wait_for(std::chrono::seconds(5)));
    const auto r = poller.get();
    EXPECT_EQ(-1, r.first);
    EXPECT_EQ(ETERM, r.second);
}
