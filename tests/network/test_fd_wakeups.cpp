// ZMQ_FD wakeups on connection activity, at the moments libzmq 4.3.4 posts
// a command to the socket: after zmq_bind/zmq_connect on tcp:// and ipc://
// (the listener or connecter is launched), when a peer's connection is
// accepted (its pipe arrives), and for SUB when a connection drops (it
// re-sends its subscriptions). Loops that wait on the raw fd (czmq's
// zpoller) rely on these; ZMQ_EVENTS drains the fd again.
#include "net_testutil.hpp"

using namespace testutil;

namespace {

class FdWakeups : public net_test {
  protected:
    // Reads ZMQ_EVENTS (which processes the socket's commands) and checks
    // the fd is quiet afterwards.
    void expect_drained(void *s) {
        get_int(s, ZMQ_EVENTS);
        EXPECT_FALSE(fd_readable(socket_fd(s), 0)) << "ZMQ_EVENTS drains the fd";
    }
};

} // namespace

TEST_F(FdWakeups, ConnectWakesTheFdBeforeAnyPeerOrMessage) {
    SKIP_WITHOUT_NET(transport::ipc_path);
    const std::string ep = bind_spec(transport::ipc_path); // nobody bound
    void *pull = make(ZMQ_PULL);
    const int fd = socket_fd(pull);
    expect_drained(pull);
    ASSERT_EQ(0, zmq_connect(pull, ep.c_str()));
    EXPECT_TRUE(fd_readable(fd, wait_ms));
    EXPECT_EQ(0, get_int(pull, ZMQ_EVENTS) & ZMQ_POLLIN) << "no message yet";
    EXPECT_FALSE(fd_readable(fd, 0));

    void *push = make(ZMQ_PUSH);
    ASSERT_EQ(0, zmq_bind(push, ep.c_str()));
    ASSERT_EQ(3, send_str(push, "msg"));
    EXPECT_TRUE(fd_readable(fd, wait_ms));
    EXPECT_TRUE(get_int(pull, ZMQ_EVENTS) & ZMQ_POLLIN);
    EXPECT_EQ("msg", recv_str(pull));
}

TEST_F(FdWakeups, TcpConnectToALivePeerWakesTheFd) {
    SKIP_WITHOUT_TCP();
    void *push = make(ZMQ_PUSH);
    const std::string ep = bind_any(push, transport::tcp4);
    void *pull = make(ZMQ_PULL);
    const int fd = socket_fd(pull);
    expect_drained(pull);
    ASSERT_EQ(0, zmq_connect(pull, ep.c_str()));
    EXPECT_TRUE(fd_readable(fd, wait_ms));
    EXPECT_EQ(0, get_int(pull, ZMQ_EVENTS) & ZMQ_POLLIN) << "no message yet";
}

TEST_F(FdWakeups, BindWakesTheFd) {
    SKIP_WITHOUT_TCP();
    for (transport t : {transport::tcp4, transport::ipc_path}) {
        void *pull = make(ZMQ_PULL);
        const int fd = socket_fd(pull);
        expect_drained(pull);
        ASSERT_FALSE(bind_any(pull, t).empty());
        EXPECT_TRUE(fd_readable(fd, wait_ms)) << transport_name(t);
        expect_drained(pull);
    }
}

TEST_F(FdWakeups, AcceptedConnectionWakesTheBinder) {
    SKIP_WITHOUT_TCP();
    void *pull = make(ZMQ_PULL);
    const std::string ep = bind_any(pull, transport::tcp4);
    const int fd = socket_fd(pull);
    expect_drained(pull);
    void *push = make(ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    EXPECT_TRUE(fd_readable(fd, wait_ms)) << "the accepted connection's pipe arrived";
    EXPECT_EQ(0, get_int(pull, ZMQ_EVENTS) & ZMQ_POLLIN) << "no message yet";
}

TEST_F(FdWakeups, SubFdWakesWhenItsConnectionDrops) {
    SKIP_WITHOUT_TCP();
    void *pub = make(ZMQ_PUB);
    const std::string ep = bind_any(pub, transport::tcp4);
    void *sub = make(ZMQ_SUB);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0));
    ASSERT_EQ(0, zmq_connect(sub, ep.c_str()));
    ASSERT_TRUE(pub_until_received(pub, sub, "up"));
    while (wait_readable(sub, 50))
        recv_str(sub);
    const int fd = socket_fd(sub);
    expect_drained(sub);
    close(pub);
    EXPECT_TRUE(fd_readable(fd, wait_ms)) << "libzmq's SUB is told at the disconnect";
}
