// ZMQ_STREAM sockets: raw TCP with a plain POSIX socket on the other end.
// Every message is [routing id, data]; an empty data frame announces a
// connect/disconnect (ZMQ_STREAM_NOTIFY, on by default) and, when sent,
// closes the connection.
#include "net_testutil.hpp"

using namespace testutil;

namespace {

class Stream : public net_test {
  protected:
    void SetUp() override {
        net_test::SetUp();
        SKIP_WITHOUT_TCP();
    }
    // Send [id, data] on a STREAM socket.
    void send_to(void *s, const std::string &id, const std::string &data) {
        ASSERT_EQ(static_cast<int>(id.size()), zmq_send(s, id.data(), id.size(), ZMQ_SNDMORE));
        ASSERT_EQ(static_cast<int>(data.size()), zmq_send(s, data.data(), data.size(), 0));
    }
};

// A listening plain socket on 127.0.0.1:<ephemeral>.
struct raw_listener {
    int fd = -1;
    int port = 0;
    raw_listener() {
        fd = listen_loopback(&port);
        EXPECT_GE(fd, 0) << strerror(errno);
    }
    ~raw_listener() {
        if (fd >= 0)
            ::close(fd);
    }
};

std::string read_some(int fd, size_t n) {
    std::string out;
    while (out.size() < n) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, wait_ms) != 1)
            break;
        char buf[4096];
        const ssize_t r = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
        if (r <= 0)
            break;
        out.append(buf, static_cast<size_t>(r));
    }
    return out;
}

} // namespace

TEST_F(Stream, ServerExchangesWithRawClient) {
    void *server = make(ZMQ_STREAM);
    const std::string ep = bind_any(server, transport::tcp4);
    raw_peer client;
    ASSERT_TRUE(client.connect(ep));

    // Connect notification: [id, ""].
    auto note = recv_multipart(server);
    ASSERT_EQ(2u, note.size());
    const std::string id = note[0];
    EXPECT_FALSE(id.empty());
    EXPECT_EQ("", note[1]);

    ASSERT_TRUE(client.send("hello raw"));
    // TCP may split the bytes; collect until all arrived.
    std::string got;
    while (got.size() < 9) {
        auto m = recv_multipart(server);
        ASSERT_EQ(2u, m.size());
        ASSERT_EQ(id, m[0]);
        got += m[1];
    }
    EXPECT_EQ("hello raw", got);

    send_to(server, id, "world");
    EXPECT_EQ("world", client.read_n(5));
    const std::string big(200000, 'b');
    send_to(server, id, big);
    EXPECT_TRUE(client.read_n(big.size()) == big);

    // Empty data frame from our side closes the connection. The pipe's
    // termination handshake needs the socket to process its commands, so
    // keep the application side polling while waiting.
    send_to(server, id, "");
    bool closed = false;
    for (int i = 0; i < 250 && !closed; ++i) {
        wait_readable(server, 0);
        closed = client.wait_closed(20);
    }
    EXPECT_TRUE(closed);
}

TEST_F(Stream, DisconnectNotification) {
    void *server = make(ZMQ_STREAM);
    const std::string ep = bind_any(server, transport::tcp4);
    raw_peer client;
    ASSERT_TRUE(client.connect(ep));
    auto note = recv_multipart(server);
    ASSERT_EQ(2u, note.size());
    client.close();
    auto bye = recv_multipart(server);
    ASSERT_EQ(2u, bye.size());
    EXPECT_EQ(note[0], bye[0]);
    EXPECT_EQ("", bye[1]);
}

TEST_F(Stream, NotifyOffSuppressesNotifications) {
    void *server = make(ZMQ_STREAM);
    set_int(server, ZMQ_STREAM_NOTIFY, 0);
    const std::string ep = bind_any(server, transport::tcp4);
    raw_peer client;
    ASSERT_TRUE(client.connect(ep));
    ASSERT_TRUE(client.send("x"));
    auto m = recv_multipart(server);
    ASSERT_EQ(2u, m.size());
    EXPECT_EQ("x", m[1]) << "first message is data, not a notification";
    client.close();
    EXPECT_FALSE(wait_readable(server, 100)) << "disconnect notified despite NOTIFY=0";
}

TEST_F(Stream, TwoRawClientsHaveDistinctIds) {
    void *server = make(ZMQ_STREAM);
    const std::string ep = bind_any(server, transport::tcp4);
    raw_peer c1, c2;
    ASSERT_TRUE(c1.connect(ep));
    auto n1 = recv_multipart(server);
    ASSERT_TRUE(c2.connect(ep));
    auto n2 = recv_multipart(server);
    ASSERT_EQ(2u, n1.size());
    ASSERT_EQ(2u, n2.size());
    EXPECT_NE(n1[0], n2[0]);
    send_to(server, n2[0], "two");
    send_to(server, n1[0], "one");
    EXPECT_EQ("one", c1.read_n(3));
    EXPECT_EQ("two", c2.read_n(3));
}

TEST_F(Stream, ClientConnectsToRawServer) {
    raw_listener listener;
    void *client = make(ZMQ_STREAM);
    ASSERT_EQ(0, zmq_setsockopt(client, ZMQ_CONNECT_ROUTING_ID, "conn-1", 6));
    const std::string ep = "tcp://127.0.0.1:" + std::to_string(listener.port);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    const int fd = accept_within(listener.fd);
    ASSERT_GE(fd, 0);
    auto note = recv_multipart(client);
    ASSERT_EQ(2u, note.size());
    EXPECT_EQ("conn-1", note[0]);
    EXPECT_EQ("", note[1]);
    send_to(client, "conn-1", "ping");
    EXPECT_EQ("ping", read_some(fd, 4));
    ASSERT_EQ(4, ::send(fd, "pong", 4, MSG_NOSIGNAL));
    auto m = recv_multipart(client);
    ASSERT_EQ(2u, m.size());
    EXPECT_EQ("conn-1", m[0]);
    EXPECT_EQ("pong", m[1]);
    ::close(fd);
    auto bye = recv_multipart(client);
    ASSERT_EQ(2u, bye.size());
    EXPECT_EQ("", bye[1]);
}

TEST_F(Stream, UnknownRoutingIdIsRejected) {
    void *server = make(ZMQ_STREAM);
    bind_any(server, transport::tcp4);
    // Unlike ROUTER, STREAM always refuses an unknown id, on the id frame.
    EXPECT_ZMQ_ERR(zmq_send(server, "nobody", 6, ZMQ_SNDMORE), EHOSTUNREACH);
}

// ZMQ_LINGER also covers bytes the STREAM engine already took from the
// queue but the kernel has not accepted: a peer that starts reading only
// after the close still gets every byte, in order.
TEST_F(Stream, LingerDeliversEverythingToLateReader) {
    void *server = zmq_socket(ctx, ZMQ_STREAM);
    ASSERT_NE(nullptr, server);
    // Small kernel buffers on both sides, so most of the payload is still in
    // the library (pipe and engine) when the socket closes.
    ASSERT_EQ(0, set_int(server, ZMQ_SNDBUF, 64 * 1024));
    const std::string ep = bind_any(server, transport::tcp4);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    const int rcvbuf = 64 * 1024;
    ASSERT_EQ(0, ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(tcp_port(ep)));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(0, ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a));

    auto note = recv_multipart(server);
    ASSERT_EQ(2u, note.size());
    const std::string id = note[0];

    constexpr size_t chunk = 64 * 1024;
    constexpr size_t chunks = 128; // 8 MiB
    std::string expected;
    expected.reserve(chunk * chunks);
    for (size_t i = 0; i < chunks; ++i) {
        const std::string data(chunk, static_cast<char>('A' + i % 26));
        send_to(server, id, data);
        expected += data;
    }
    ASSERT_EQ(0, set_int(server, ZMQ_LINGER, 5000));
    ASSERT_EQ(0, zmq_close(server));

    std::string got;
    got.reserve(expected.size());
    std::vector<char> buf(chunk);
    while (got.size() < expected.size()) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, wait_ms) != 1)
            break;
        const ssize_t r = ::recv(fd, buf.data(), buf.size(), 0);
        if (r <= 0)
            break; // closed before everything came
        got.append(buf.data(), static_cast<size_t>(r));
    }
    ::close(fd);
    EXPECT_EQ(expected.size(), got.size());
    EXPECT_TRUE(got == expected) << "payload corrupted or reordered";
}
