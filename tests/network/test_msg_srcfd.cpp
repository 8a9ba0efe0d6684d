// zmq_msg_get(ZMQ_SRCFD) (deprecated but present in libzmq 4.3): a message
// received over tcp/ipc names the descriptor of its connection; one built
// locally, received over inproc, or sent on, has none (-1, EINVAL).
#include "net_testutil.hpp"

using namespace testutil;

namespace {

class Srcfd : public net_test {
  protected:
    void SetUp() override {
        net_test::SetUp();
        SKIP_WITHOUT_TCP();
    }
    // Receive one part; the caller closes it.
    bool recv_part(void *s, zmq_msg_t *m) {
        if (!wait_readable(s))
            return false;
        zmq_msg_init(m);
        return zmq_msg_recv(m, s, ZMQ_DONTWAIT) >= 0;
    }
};

int local_port(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0 || a.sin_family != AF_INET)
        return -1;
    return ntohs(a.sin_port);
}

int peer_port(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0 || a.sin_family != AF_INET)
        return -1;
    return ntohs(a.sin_port);
}

TEST_F(Srcfd, TcpMessagesNameTheirConnection) {
    void *router = make(ZMQ_ROUTER);
    const std::string ep = bind_any(router, transport::tcp4);
    const int port = tcp_port(ep);
    void *dealer = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_connect(dealer, ep.c_str()));
    ASSERT_EQ(5, zmq_send(dealer, "hello", 5, 0));

    zmq_msg_t id, body;
    ASSERT_TRUE(recv_part(router, &id));
    ASSERT_TRUE(recv_part(router, &body));
    const int fd = zmq_msg_get(&body, ZMQ_SRCFD);
    ASSERT_GE(fd, 0) << zmq_strerror(zmq_errno());
    // The accepted connection: our end is the listening port.
    EXPECT_EQ(port, local_port(fd));
    // (libzmq 4.3.4 puts it on the routing id part only when the message
    // was not prefetched by a poll first, so that part is not checked.)
    zmq_msg_t copy;
    zmq_msg_init(&copy);
    ASSERT_EQ(0, zmq_msg_copy(&copy, &body));
    EXPECT_EQ(fd, zmq_msg_get(&copy, ZMQ_SRCFD)) << "copies keep it";
    zmq_msg_close(&copy);

    // The reply, seen by the connecting side: its peer is the listener's port.
    const int id_size = static_cast<int>(zmq_msg_size(&id));
    ASSERT_EQ(id_size, zmq_msg_send(&id, router, ZMQ_SNDMORE));
    ASSERT_EQ(5, zmq_msg_send(&body, router, 0));
    zmq_msg_t reply;
    ASSERT_TRUE(recv_part(dealer, &reply));
    const int dealer_fd = zmq_msg_get(&reply, ZMQ_SRCFD);
    ASSERT_GE(dealer_fd, 0);
    EXPECT_EQ(port, peer_port(dealer_fd));
    zmq_msg_close(&reply);
    zmq_msg_close(&id);
    zmq_msg_close(&body);
}

// Sending a received message drops its connection properties (libzmq resets
// the metadata on send), so a forwarded copy has no source fd.
TEST_F(Srcfd, ForwardedMessageHasNone) {
    void *pull = make(ZMQ_PULL);
    const std::string ep = bind_any(pull, transport::tcp4);
    void *push = make(ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(3, zmq_send(push, "abc", 3, 0));
    zmq_msg_t m;
    ASSERT_TRUE(recv_part(pull, &m));
    ASSERT_GE(zmq_msg_get(&m, ZMQ_SRCFD), 0);
    ASSERT_NE(nullptr, zmq_msg_gets(&m, "Peer-Address"));

    void *in, *out;
    pair(ZMQ_PAIR, ZMQ_PAIR, &in, &out);
    ASSERT_EQ(3, zmq_msg_send(&m, out, 0));
    zmq_msg_t fwd;
    ASSERT_TRUE(recv_part(in, &fwd));
    EXPECT_ZMQ_ERR(zmq_msg_get(&fwd, ZMQ_SRCFD), EINVAL);
    EXPECT_EQ(nullptr, zmq_msg_gets(&fwd, "Peer-Address"));
    zmq_msg_close(&fwd);
    zmq_msg_close(&m);
}

TEST_F(Srcfd, IpcMessagesNameTheirConnection) {
    void *pull = make(ZMQ_PULL);
    const std::string ep = bind_any(pull, transport::ipc_path);
    void *push = make(ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(1, zmq_send(push, "x", 1, 0));
    zmq_msg_t m;
    ASSERT_TRUE(recv_part(pull, &m));
    const int fd = zmq_msg_get(&m, ZMQ_SRCFD);
    ASSERT_GE(fd, 0);
    sockaddr_un a{};
    socklen_t len = sizeof a;
    ASSERT_EQ(0, ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len));
    EXPECT_EQ(AF_UNIX, a.sun_family);
    zmq_msg_close(&m);
}

// ZMQ_STREAM: the connect notice and the data both carry the connection's fd.
TEST_F(Srcfd, StreamNoticeAndDataNameTheirConnection) {
    void *stream = make(ZMQ_STREAM);
    const std::string ep = bind_any(stream, transport::tcp4);
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(client, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(tcp_port(ep)));
    ASSERT_EQ(0, ::connect(client, reinterpret_cast<sockaddr *>(&a), sizeof a));
    const int client_port = local_port(client);

    zmq_msg_t id, notice;
    ASSERT_TRUE(recv_part(stream, &id));
    ASSERT_TRUE(recv_part(stream, &notice));
    EXPECT_EQ(0u, zmq_msg_size(&notice));
    const int fd = zmq_msg_get(&notice, ZMQ_SRCFD);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(client_port, peer_port(fd));

    ASSERT_EQ(4, ::send(client, "data", 4, 0));
    zmq_msg_t data;
    zmq_msg_close(&id);
    ASSERT_TRUE(recv_part(stream, &id));
    ASSERT_TRUE(recv_part(stream, &data));
    EXPECT_EQ(fd, zmq_msg_get(&data, ZMQ_SRCFD));
    ::close(client);
    zmq_msg_close(&id);
    zmq_msg_close(&notice);
    zmq_msg_close(&data);
}

} // namespace
