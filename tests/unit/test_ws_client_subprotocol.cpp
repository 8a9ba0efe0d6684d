// A NULL ws:// client against hand-driven servers that take the first
// subprotocol offered, as libzmq's and jszmq's do (issue 13).
//
// libzmq's server in bare "ZWS2.0" sends without reading our routing id; its
// close with that unread is a TCP reset, which drops what it had not sent
// yet (a 1 MiB message from a closing libzmq PUSH was lost). So the client
// offers "ZWS2.0/NULL" first, and libzmq reads our READY before any data. A
// jszmq server answers "ZWS2.0/NULL" too (the first offer) but speaks bare:
// the client learns that from the server's first message, and speaks bare.
// (A unit test: the raw server needs the Sec-WebSocket-Accept of src/.)
#include <gtest/gtest.h>

#include <algorithm>
#include <poll.h>
#include <string>
#include <vector>

#include "net_testutil.hpp"
#include "transports/ws/ws_frame_parser.hpp"
#include "transports/ws/ws_handshake.hpp"

namespace {

using namespace testutil;

constexpr unsigned char zws_command = 2;

// One accepted connection, driven by hand as a ZWS 2.0 server.
class raw_ws_server {
  public:
    raw_ws_server() { listen_fd_ = listen_loopback(&port_); }
    ~raw_ws_server() {
        if (listen_fd_ >= 0)
            ::close(listen_fd_);
    }
    std::string endpoint() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/zmq"; }

    // Accepts, reads the upgrade request, answers 101 with `answer` (empty:
    // the first subprotocol offered). The offers, in order, in *offered.
    bool upgrade(std::string answer, std::vector<std::string> *offered) {
        const int fd = accept_within(listen_fd_);
        if (fd < 0)
            return false;
        conn_.adopt(fd);
        std::string request;
        while (request.find("\r\n\r\n") == std::string::npos) {
            const std::string c = conn_.read_n(1);
            if (c.empty())
                return false;
            request += c;
        }
        const std::string protocols = header(request, "Sec-WebSocket-Protocol");
        offered->clear();
        for (std::size_t at = 0; at <= protocols.size();) {
            std::size_t end = protocols.find(',', at);
            if (end == std::string::npos)
                end = protocols.size();
            std::string p = protocols.substr(at, end - at);
            p.erase(0, p.find_first_not_of(' '));
            offered->push_back(p);
            at = end + 1;
        }
        if (answer.empty())
            answer = offered->front();
        return conn_.send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                          zlink::ws_accept_for(header(request, "Sec-WebSocket-Key")) +
                          "\r\nSec-WebSocket-Protocol: " + answer + "\r\n\r\n");
    }

    // One binary message (unmasked: server to client): ZWS flags + body.
    bool send_message(unsigned char flags, const std::string &body) {
        std::vector<unsigned char> frame;
        zlink::ws_append_header(frame, 0x2, body.size() + 1, true, nullptr);
        frame.push_back(flags);
        frame.insert(frame.end(), body.begin(), body.end());
        return conn_.send(std::string(frame.begin(), frame.end()));
    }

    // The client's next message (masked), flags byte included; "" on timeout.
    std::string read_message() {
        const std::string h = conn_.read_n(2);
        if (h.size() != 2)
            return "";
        uint64_t size = static_cast<unsigned char>(h[1]) & 0x7f;
        const std::size_t extra = size == 126 ? 2 : size == 127 ? 8 : 0;
        if (extra) {
            const std::string s = conn_.read_n(extra);
            size = 0;
            for (unsigned char b : s)
                size = (size << 8) | b;
        }
        const std::string key = (h[1] & 0x80) ? conn_.read_n(4) : std::string();
        std::string body = conn_.read_n(std::size_t(size));
        for (std::size_t i = 0; i < body.size() && key.size() == 4; ++i)
            body[i] = static_cast<char>(body[i] ^ key[i % 4]);
        return body;
    }

    raw_peer &conn() { return conn_; }

  private:
    static std::string header(const std::string &request, const std::string &name) {
        const std::size_t at = request.find("\r\n" + name + ": ");
        if (at == std::string::npos)
            return "";
        const std::size_t from = at + name.size() + 4;
        return request.substr(from, request.find("\r\n", from) - from);
    }

    int listen_fd_ = -1;
    int port_ = 0;
    raw_peer conn_;
};

// The READY body (after the flags byte) of a NULL peer of this type.
std::string ready_body(const std::string &socket_type) { return zmtp_ready(socket_type).substr(2); }

class WsClientSubprotocol : public net_test {};

// A server that takes the first offer (libzmq) runs READY: it has read all
// the client sent before its data, so closing right after a big message is
// an orderly close and the message arrives whole.
TEST_F(WsClientSubprotocol, FirstOfferIsNullSoAClosingServerLosesNothing) {
    raw_ws_server server;
    void *pull = make(ZMQ_PULL);
    set_int(pull, ZMQ_RCVTIMEO, wait_ms);
    ASSERT_EQ(0, zmq_connect(pull, server.endpoint().c_str()));
    std::vector<std::string> offered;
    ASSERT_TRUE(server.upgrade("", &offered));
    ASSERT_FALSE(offered.empty());
    EXPECT_EQ("ZWS2.0/NULL", offered.front());
    EXPECT_NE(offered.end(), std::find(offered.begin(), offered.end(), "ZWS2.0"));

    ASSERT_TRUE(server.send_message(zws_command, ready_body("PUSH")));
    const std::string ready = server.read_message();
    ASSERT_FALSE(ready.empty());
    EXPECT_EQ(zws_command, static_cast<unsigned char>(ready[0])) << "a READY command";
    EXPECT_EQ(ready_body("PULL"), ready.substr(1));

    const std::string big(1 << 20, 'b');
    ASSERT_TRUE(server.send_message(0, big));
    ASSERT_TRUE(server.send_message(0, "END"));
    server.conn().close(); // nothing unread: an orderly close, no reset
    const std::string got = recv_str(pull);
    EXPECT_TRUE(got == big) << got.size() << " bytes: " << got.substr(0, 16);
    EXPECT_EQ("END", recv_str(pull));
}

// A jszmq server answers "ZWS2.0/NULL" (our first offer) and speaks bare
// ZWS2.0: the client says nothing before the server's first message, then
// sends its routing id (not a READY command) and exchanges data.
TEST_F(WsClientSubprotocol, BareServerAnsweringNullGetsARoutingId) {
    raw_ws_server server;
    void *dealer = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "me", 2));
    set_int(dealer, ZMQ_RCVTIMEO, wait_ms);
    ASSERT_EQ(0, zmq_connect(dealer, server.endpoint().c_str()));
    std::vector<std::string> offered;
    ASSERT_TRUE(server.upgrade("", &offered));
    ASSERT_EQ("ZWS2.0/NULL", offered.front());
    // Until the client knows which ZWS2.0 it is, its first message waits.
    pollfd p{server.conn().fd(), POLLIN, 0};
    EXPECT_EQ(0, ::poll(&p, 1, 100)) << "the client spoke first";

    ASSERT_TRUE(server.send_message(0, "")); // a bare routing id (empty)
    EXPECT_EQ(std::string("\0me", 3), server.read_message()) << "the client's routing id";
    ASSERT_TRUE(server.send_message(0, "hello"));
    EXPECT_EQ("hello", recv_str(dealer));
    ASSERT_LE(0, send_str(dealer, "up"));
    EXPECT_EQ(std::string("\0up", 3), server.read_message());
}

// Bare from the start ("ZWS2.0" answered, a browser-style server) is unchanged.
TEST_F(WsClientSubprotocol, BareAnswerStillSpeaksBare) {
    raw_ws_server server;
    void *dealer = make(ZMQ_DEALER);
    set_int(dealer, ZMQ_RCVTIMEO, wait_ms);
    ASSERT_EQ(0, zmq_connect(dealer, server.endpoint().c_str()));
    std::vector<std::string> offered;
    ASSERT_TRUE(server.upgrade("ZWS2.0", &offered));
    EXPECT_EQ(std::string("\0", 1), server.read_message()) << "an empty routing id";
    ASSERT_TRUE(server.send_message(0, ""));
    ASSERT_TRUE(server.send_message(0, "hello"));
    EXPECT_EQ("hello", recv_str(dealer));
}

} // namespace
