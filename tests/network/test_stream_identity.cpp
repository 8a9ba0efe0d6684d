// ZMQ_STREAM identities and properties as libzmq 4.3.4 has them: the
// connect/disconnect notifications carry Peer-Address like data does, and
// ZMQ_ROUTING_ID reads the id the socket last generated for a connection
// (ZMQ_CONNECT_ROUTING_ID ids are not generated, so they leave it alone).
#include "net_testutil.hpp"

using namespace testutil;

namespace {

struct frame {
    std::string data;
    std::string peer_address; // "" when the property is absent
};

// One whole message with each frame's Peer-Address.
std::vector<frame> recv_frames(void *s) {
    std::vector<frame> out;
    if (!wait_readable(s))
        return out;
    zmq_msg_t m;
    zmq_msg_init(&m);
    do {
        if (zmq_msg_recv(&m, s, 0) < 0)
            break;
        frame f;
        f.data.assign(static_cast<char *>(zmq_msg_data(&m)), zmq_msg_size(&m));
        const char *pa = zmq_msg_gets(&m, "Peer-Address");
        f.peer_address = pa ? pa : "";
        out.push_back(f);
    } while (zmq_msg_more(&m));
    zmq_msg_close(&m);
    return out;
}

std::string routing_id(void *s) {
    char buf[256];
    size_t len = sizeof buf;
    EXPECT_EQ(0, zmq_getsockopt(s, ZMQ_ROUTING_ID, buf, &len));
    return std::string(buf, len);
}

class StreamIdentity : public net_test {
  protected:
    void SetUp() override {
        net_test::SetUp();
        SKIP_WITHOUT_TCP();
    }
};

} // namespace

TEST_F(StreamIdentity, NotificationsCarryPeerAddress) {
    void *server = make(ZMQ_STREAM);
    const std::string ep = bind_any(server, transport::tcp4);
    raw_peer client;
    ASSERT_TRUE(client.connect(ep));
    const auto hello = recv_frames(server);
    ASSERT_EQ(2u, hello.size());
    EXPECT_EQ("", hello[1].data);
    EXPECT_EQ("127.0.0.1", hello[0].peer_address);
    EXPECT_EQ("127.0.0.1", hello[1].peer_address);

    client.close();
    const auto bye = recv_frames(server);
    ASSERT_EQ(2u, bye.size());
    EXPECT_EQ(hello[0].data, bye[0].data);
    EXPECT_EQ("", bye[1].data);
    EXPECT_EQ("127.0.0.1", bye[1].peer_address);
}

TEST_F(StreamIdentity, RoutingIdReadsTheIdGeneratedAtConnect) {
    void *client = make(ZMQ_STREAM);
    void *server = make(ZMQ_STREAM);
    EXPECT_EQ("", routing_id(client));
    const std::string ep = bind_any(server, transport::tcp4);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    const std::string id = routing_id(client);
    ASSERT_EQ(5u, id.size()) << "a zero byte and a 32-bit counter";
    EXPECT_EQ('\0', id[0]);
    const auto hello = recv_frames(client);
    ASSERT_EQ(2u, hello.size());
    EXPECT_EQ(id, hello[0].data) << "the notification names the same connection";
}

TEST_F(StreamIdentity, ServerRoutingIdIsTheLastAcceptedPeer) {
    void *server = make(ZMQ_STREAM);
    const std::string ep = bind_any(server, transport::tcp4);
    raw_peer first, second;
    ASSERT_TRUE(first.connect(ep));
    const auto n1 = recv_frames(server);
    ASSERT_EQ(2u, n1.size());
    EXPECT_EQ(n1[0].data, routing_id(server));
    ASSERT_TRUE(second.connect(ep));
    const auto n2 = recv_frames(server);
    ASSERT_EQ(2u, n2.size());
    EXPECT_EQ(n2[0].data, routing_id(server));
}

TEST_F(StreamIdentity, ConnectRoutingIdLeavesRoutingIdAlone) {
    void *server = make(ZMQ_STREAM);
    void *client = make(ZMQ_STREAM);
    const std::string ep = bind_any(server, transport::tcp4);
    ASSERT_EQ(0, zmq_setsockopt(client, ZMQ_CONNECT_ROUTING_ID, "conn-1", 6));
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    EXPECT_EQ("", routing_id(client));
    const auto hello = recv_frames(client);
    ASSERT_EQ(2u, hello.size());
    EXPECT_EQ("conn-1", hello[0].data);
    EXPECT_EQ("", routing_id(client));
}

// STREAM to STREAM: the connecting side addresses its one connection by
// the id it reads back, without waiting for the notification.
TEST_F(StreamIdentity, StreamToStreamUsesTheReadBackId) {
    void *server = make(ZMQ_STREAM);
    void *client = make(ZMQ_STREAM);
    const std::string ep = bind_any(server, transport::tcp4);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    const std::string id = routing_id(client);
    ASSERT_EQ(0, send_parts(client, {id, "hello"}));
    const auto note = recv_frames(server);
    ASSERT_EQ(2u, note.size());
    EXPECT_EQ("", note[1].data) << "connect notification first";
    std::string got;
    while (got.size() < 5) {
        const auto m = recv_frames(server);
        ASSERT_EQ(2u, m.size());
        EXPECT_EQ(note[0].data, m[0].data);
        got += m[1].data;
    }
    EXPECT_EQ("hello", got);
}
