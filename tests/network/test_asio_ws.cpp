// ws:// and wss:// (zlink only; Debian's libzmq has no WebSocket transport):
// ZMTP over WebSocket with the ZWS 2.0 subprotocols. Good exchanges for the
// patterns over both; bare "ZWS2.0" spoken by hand as jszmq and browsers
// speak it; refusals (a plain ZMTP peer, a wrong subprotocol, path or
// mechanism) with a HANDSHAKE_FAILED event; 16 MiB and multipart; 200
// connections; reconnecting after the server restarts. jszmq itself:
// tests/interop/test_jszmq.cpp.
#include "net_testutil.hpp"

using namespace testutil;

#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ

TEST(Ws, NotInLibzmq) { EXPECT_EQ(0, zmq_has("ws")); }

#else

#include <set>

#include "tls_testutil.hpp"

namespace {

// GTest parameter: wss (over tls with the test certificates) or ws.
class Ws : public net_test, public ::testing::WithParamInterface<bool> {
  protected:
    bool secure() const { return GetParam(); }
    std::string scheme() const { return secure() ? "wss" : "ws"; }
    void *bound(int type, const std::string &path = "/zmq") {
        void *s = make(type);
        if (secure())
            tls_server(s, tls_certs::get().server);
        EXPECT_EQ(0, zmq_bind(s, (scheme() + "://127.0.0.1:*" + path).c_str()))
            << zmq_strerror(zmq_errno());
        ep = last_endpoint(s);
        return s;
    }
    void *connected(int type, const std::string &to) {
        void *s = make(type);
        if (secure())
            tls_client(s);
        EXPECT_EQ(0, zmq_connect(s, to.c_str())) << to;
        return s;
    }
    std::string ep;
};

std::string tcp_of(const std::string &ws_endpoint) {
    const std::size_t start = ws_endpoint.find("://") + 3;
    const std::size_t slash = ws_endpoint.find('/', start);
    return "tcp://" + ws_endpoint.substr(start, slash - start);
}

// A client frame: FIN, binary, masked (RFC 6455 5.3) with a fixed key.
std::string masked_frame(const std::string &payload, unsigned opcode = 0x2) {
    std::string f;
    f += char(0x80 | opcode);
    f += char(0x80 | payload.size()); // < 126 here
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        f += char(payload[i] ^ key[i & 3]);
    return f;
}

// A server frame's payload (unmasked, short); "<none>" on timeout.
std::string read_frame(raw_peer &p, unsigned *opcode = nullptr) {
    const std::string h = p.read_n(2);
    if (h.size() != 2 || (h[1] & 0x80) || (h[1] & 0x7f) >= 126)
        return "<none>";
    if (opcode)
        *opcode = unsigned(h[0] & 0x0f);
    return p.read_n(std::size_t(h[1] & 0x7f));
}

// The upgrade request; the response header comes back.
std::string upgrade(raw_peer &p, const std::string &path, const std::string &protocols) {
    p.send("GET " + path +
           " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Protocol: " +
           protocols + "\r\n\r\n");
    std::string header;
    while (header.find("\r\n\r\n") == std::string::npos) {
        const std::string c = p.read_n(1);
        if (c.empty())
            break;
        header += c;
    }
    return header;
}

} // namespace

TEST(WsHas, Capability) {
    EXPECT_EQ(1, zmq_has("ws"));
    EXPECT_EQ(1, zmq_has("wss"));
}

TEST_P(Ws, LastEndpointCarriesThePath) {
    bound(ZMQ_PULL, "/some/path");
    EXPECT_EQ(0u, ep.find(scheme() + "://127.0.0.1:")) << ep;
    EXPECT_EQ(ep.size() - 10, ep.find("/some/path")) << ep;
    void *s = make(ZMQ_PULL);
    if (secure())
        tls_server(s, tls_certs::get().server);
    EXPECT_EQ(0, zmq_bind(s, (scheme() + "://127.0.0.1:*").c_str())); // no path: "/"
    EXPECT_EQ('/', last_endpoint(s).back());
    EXPECT_EQ(-1, zmq_connect(s, (scheme() + "://127.0.0.1:1/a b").c_str()));
    EXPECT_EQ(EINVAL, zmq_errno());
}

TEST_P(Ws, PushPull) {
    void *pull = bound(ZMQ_PULL);
    void *push = connected(ZMQ_PUSH, ep);
    send_ok(push, "hello");
    EXPECT_EQ("hello", recv_str(pull));
}

TEST_P(Ws, ReqRep) {
    void *rep = bound(ZMQ_REP);
    void *req = connected(ZMQ_REQ, ep);
    for (int i = 0; i < 3; ++i) {
        send_ok(req, "ping " + std::to_string(i));
        EXPECT_EQ("ping " + std::to_string(i), recv_str(rep));
        send_ok(rep, "pong");
        EXPECT_EQ("pong", recv_str(req));
    }
}

TEST_P(Ws, DealerRouterWithRoutingId) {
    void *router = bound(ZMQ_ROUTER);
    void *dealer = make(ZMQ_DEALER);
    if (secure())
        tls_client(dealer);
    ASSERT_EQ(0, zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "dealer-1", 8));
    ASSERT_EQ(0, zmq_connect(dealer, ep.c_str()));
    ASSERT_EQ(0, send_parts(dealer, {"a", "b"}));
    EXPECT_EQ((std::vector<std::string>{"dealer-1", "a", "b"}), recv_multipart(router));
    ASSERT_EQ(0, send_parts(router, {"dealer-1", "back"}));
    EXPECT_EQ("back", recv_str(dealer));
}

TEST_P(Ws, PubSub) {
    void *pub = bound(ZMQ_PUB);
    void *sub = connected(ZMQ_SUB, ep);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "news", 4));
    // The subscription travels as a message: publish until it has arrived.
    ASSERT_TRUE(eventually([&] {
        send_ok(pub, "other");
        send_ok(pub, "news 1");
        return wait_readable(sub, 20);
    }));
    EXPECT_EQ("news 1", recv_str(sub));
}

TEST_P(Ws, PlainWithZapInside) {
    start_zap({{"admin", "secret"}});
    void *pull = make(ZMQ_PULL);
    if (secure())
        tls_server(pull, tls_certs::get().server);
    ASSERT_EQ(0, set_int(pull, ZMQ_PLAIN_SERVER, 1));
    ASSERT_EQ(0, zmq_bind(pull, (scheme() + "://127.0.0.1:*/plain").c_str()));
    void *push = make(ZMQ_PUSH);
    if (secure())
        tls_client(push);
    ASSERT_EQ(0, zmq_setsockopt(push, ZMQ_PLAIN_USERNAME, "admin", 5));
    ASSERT_EQ(0, zmq_setsockopt(push, ZMQ_PLAIN_PASSWORD, "secret", 6));
    ASSERT_EQ(0, zmq_connect(push, last_endpoint(pull).c_str()));
    send_ok(push, "authenticated");
    EXPECT_EQ("authenticated", recv_str(pull));
}

TEST_P(Ws, CurveInside) {
    if (!zmq_has("curve"))
        GTEST_SKIP() << "CURVE not built (no libsodium)";
    char server_public[41], server_secret[41], client_public[41], client_secret[41];
    ASSERT_EQ(0, zmq_curve_keypair(server_public, server_secret));
    ASSERT_EQ(0, zmq_curve_keypair(client_public, client_secret));
    void *rep = make(ZMQ_REP);
    if (secure())
        tls_server(rep, tls_certs::get().server);
    ASSERT_EQ(0, set_int(rep, ZMQ_CURVE_SERVER, 1));
    ASSERT_EQ(0, zmq_setsockopt(rep, ZMQ_CURVE_SECRETKEY, server_secret, 40));
    ASSERT_EQ(0, zmq_bind(rep, (scheme() + "://127.0.0.1:*/curve").c_str()));
    void *req = make(ZMQ_REQ);
    if (secure())
        tls_client(req);
    ASSERT_EQ(0, zmq_setsockopt(req, ZMQ_CURVE_SERVERKEY, server_public, 40));
    ASSERT_EQ(0, zmq_setsockopt(req, ZMQ_CURVE_PUBLICKEY, client_public, 40));
    ASSERT_EQ(0, zmq_setsockopt(req, ZMQ_CURVE_SECRETKEY, client_secret, 40));
    ASSERT_EQ(0, zmq_connect(req, last_endpoint(rep).c_str()));
    send_ok(req, "sealed");
    EXPECT_EQ("sealed", recv_str(rep));
    send_ok(rep, "opened");
    EXPECT_EQ("opened", recv_str(req));
}

TEST_P(Ws, SixteenMebibytesAndMultipartBothWays) {
    void *server = bound(ZMQ_DEALER);
    void *client = connected(ZMQ_DEALER, ep);
    const std::string big = pattern(16u << 20, 11);
    const std::vector<std::string> parts = {"", "head", pattern(100000, 3), pattern(17000, 5)};
    // Client to server (masked frames), then back (unmasked).
    for (void *from : {client, server}) {
        void *to = from == client ? server : client;
        ASSERT_EQ(0, send_parts(from, {big}));
        ASSERT_EQ(0, send_parts(from, parts));
        std::vector<std::string> got = recv_multipart(to, 20000);
        ASSERT_EQ(1u, got.size());
        EXPECT_TRUE(got[0] == big) << "16 MiB body differs (size " << got[0].size() << ")";
        EXPECT_EQ(parts, recv_multipart(to));
    }
}

TEST_P(Ws, TwoHundredConnectionsAtOnce) {
    void *router = bound(ZMQ_ROUTER);
    ASSERT_EQ(0, set_int(router, ZMQ_BACKLOG, 256));
    constexpr int clients = 200;
    std::vector<void *> dealers;
    for (int i = 0; i < clients; ++i)
        dealers.push_back(connected(ZMQ_DEALER, ep));
    for (int i = 0; i < clients; ++i)
        ASSERT_EQ(0, send_parts(dealers[size_t(i)], {std::to_string(i)}));
    std::set<std::string> seen;
    for (int i = 0; i < clients; ++i) {
        std::vector<std::string> m = recv_multipart(router, 20000);
        ASSERT_EQ(2u, m.size()) << "after " << i << " messages";
        seen.insert(m[1]);
        ASSERT_EQ(0, send_parts(router, {m[0], "ack " + m[1]}));
    }
    EXPECT_EQ(size_t(clients), seen.size());
    for (int i = 0; i < clients; ++i)
        EXPECT_EQ("ack " + std::to_string(i), recv_str(dealers[size_t(i)]));
}

TEST_P(Ws, ReconnectsAfterTheServerRestarts) {
    void *pull = bound(ZMQ_PULL);
    void *push = connected(ZMQ_PUSH, ep);
    void *cmon = monitor(push);
    send_ok(push, "first");
    EXPECT_EQ("first", recv_str(pull));
    close(pull);
    ASSERT_TRUE(wait_event(cmon, ZMQ_EVENT_DISCONNECTED));
    pull = make(ZMQ_PULL);
    if (secure())
        tls_server(pull, tls_certs::get().server);
    ASSERT_TRUE(eventually([&] { return zmq_bind(pull, ep.c_str()) == 0; }))
        << "rebinding " << ep << ": " << zmq_strerror(zmq_errno());
    ASSERT_TRUE(wait_event(cmon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
    send_ok(push, "second");
    EXPECT_EQ("second", recv_str(pull));
}

// A ZMTP client (tcp://) on a ws port: not HTTP, refused.
TEST_P(Ws, PlainZmtpPeerRefused) {
    void *pull = bound(ZMQ_PULL);
    void *smon = monitor(pull);
    void *push = connected(ZMQ_PUSH, (secure() ? "tls" : "tcp") + tcp_of(ep).substr(3));
    void *cmon = monitor(push);
    // Not checked: once the refused session is gone the PUSH has no pipe.
    zmq_send(push, "secret", 6, ZMQ_DONTWAIT);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, first_handshake_failure(smon).id);
    // The server closes without a word: the client sees its greeting cut.
    std::string trace;
    EXPECT_TRUE(wait_event(cmon, ZMQ_EVENT_DISCONNECTED, nullptr, wait_ms, &trace)) << trace;
    EXPECT_FALSE(wait_readable(pull, 100));
}

// PLAIN offers only "ZWS2.0/PLAIN"; a NULL server takes none of it.
TEST_P(Ws, MechanismWithoutCommonSubprotocolRefused) {
    void *pull = bound(ZMQ_PULL);
    void *smon = monitor(pull);
    void *push = make(ZMQ_PUSH);
    if (secure())
        tls_client(push);
    ASSERT_EQ(0, zmq_setsockopt(push, ZMQ_PLAIN_USERNAME, "u", 1));
    ASSERT_EQ(0, zmq_setsockopt(push, ZMQ_PLAIN_PASSWORD, "p", 1));
    void *cmon = monitor(push);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    // Not checked: once the refused session is gone the PUSH has no pipe.
    zmq_send(push, "secret", 6, ZMQ_DONTWAIT);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, first_handshake_failure(smon).id);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, first_handshake_failure(cmon).id);
    EXPECT_FALSE(wait_readable(pull, 100));
}

TEST_P(Ws, OtherPathRefused) {
    void *pull = bound(ZMQ_PULL, "/right");
    void *smon = monitor(pull);
    std::string wrong = ep.substr(0, ep.rfind('/')) + "/wrong";
    void *push = connected(ZMQ_PUSH, wrong);
    void *cmon = monitor(push);
    // Not checked: once the refused session is gone the PUSH has no pipe.
    zmq_send(push, "secret", 6, ZMQ_DONTWAIT);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, first_handshake_failure(smon).id);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, first_handshake_failure(cmon).id);
    EXPECT_FALSE(wait_readable(pull, 100));
}

INSTANTIATE_TEST_SUITE_P(Transports, Ws, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool> &info) {
                             return info.param ? "wss" : "ws";
                         });

// By hand over plain ws, as a browser would: the upgrade and its answer.
class WsRaw : public net_test {};

TEST_F(WsRaw, WrongSubprotocolGets400AndAnEvent) {
    void *pull = make(ZMQ_PULL);
    void *smon = monitor(pull);
    ASSERT_EQ(0, zmq_bind(pull, "ws://127.0.0.1:*/zmq"));
    raw_peer p;
    ASSERT_TRUE(p.connect(tcp_of(last_endpoint(pull))));
    const std::string answer = upgrade(p, "/zmq", "chat, ZWS2.0/CURVE");
    EXPECT_EQ(0u, answer.find("HTTP/1.1 400")) << answer;
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, first_handshake_failure(smon).id);
    EXPECT_TRUE(p.read_n(1, 2000).empty()); // closed
}

TEST_F(WsRaw, HttpWithoutUpgradeRefused) {
    void *pull = make(ZMQ_PULL);
    void *smon = monitor(pull);
    ASSERT_EQ(0, zmq_bind(pull, "ws://127.0.0.1:*/zmq"));
    raw_peer p;
    ASSERT_TRUE(p.connect(tcp_of(last_endpoint(pull))));
    p.send("GET /zmq HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(0u, p.read_n(12).find("HTTP/1.1 400"));
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, first_handshake_failure(smon).id);
}

// Bare "ZWS2.0" (jszmq, browsers): no READY; each side's first message is
// its routing id, then messages of flags-byte-prefixed frames.
TEST_F(WsRaw, BareZws20AsJszmqSpeaksIt) {
    void *router = make(ZMQ_ROUTER);
    ASSERT_EQ(0, zmq_bind(router, "ws://127.0.0.1:*/zmq"));
    raw_peer p;
    ASSERT_TRUE(p.connect(tcp_of(last_endpoint(router))));
    const std::string answer = upgrade(p, "/zmq", "ZWS2.0");
    ASSERT_EQ(0u, answer.find("HTTP/1.1 101")) << answer;
    // RFC 6455's sample key and its accept value.
    EXPECT_NE(std::string::npos, answer.find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")) << answer;
    EXPECT_NE(std::string::npos, answer.find("Sec-WebSocket-Protocol: ZWS2.0\r\n")) << answer;
    ASSERT_TRUE(p.send(masked_frame(std::string("\0browser", 8)))); // routing id
    ASSERT_TRUE(p.send(masked_frame(std::string("\1a", 2)) + masked_frame(std::string("\0b", 2))));
    EXPECT_EQ((std::vector<std::string>{"browser", "a", "b"}), recv_multipart(router));
    ASSERT_EQ(0, send_parts(router, {"browser", "x", "yz"}));
    EXPECT_EQ(std::string("\0", 1), read_frame(p)); // the router's (empty) routing id
    EXPECT_EQ(std::string("\1x", 2), read_frame(p));
    EXPECT_EQ(std::string("\0yz", 3), read_frame(p));
    // A ping is answered; a close is echoed and ends the connection.
    ASSERT_TRUE(p.send(masked_frame("hb", 0x9)));
    unsigned opcode = 0;
    EXPECT_EQ("hb", read_frame(p, &opcode));
    EXPECT_EQ(0xAu, opcode);
    ASSERT_TRUE(p.send(masked_frame("\x03\xe8", 0x8)));
    EXPECT_EQ("\x03\xe8", read_frame(p, &opcode));
    EXPECT_EQ(0x8u, opcode);
}

// A fragmented message is collected whole: ZMQ_MAXMSGSIZE bounds it.
TEST_F(WsRaw, FragmentedMessageOverMaxMsgSizeDropsTheConnection) {
    void *pull = make(ZMQ_PULL);
    const int64_t max_size = 64; // room for the READY made of the routing id
    ASSERT_EQ(0, zmq_setsockopt(pull, ZMQ_MAXMSGSIZE, &max_size, sizeof max_size));
    ASSERT_EQ(0, zmq_bind(pull, "ws://127.0.0.1:*/"));
    raw_peer p;
    ASSERT_TRUE(p.connect(tcp_of(last_endpoint(pull))));
    ASSERT_EQ(0u, upgrade(p, "/", "ZWS2.0").find("HTTP/1.1 101"));
    ASSERT_TRUE(p.send(masked_frame(std::string("\0", 1))));
    // Flags + 30 + 30 bytes in two fragments: within the limit.
    const std::string half(30, 'x');
    std::string first = masked_frame(std::string("\0", 1) + half);
    first[0] = 0x02; // binary, not final
    ASSERT_TRUE(p.send(first + masked_frame(half, 0x0)));
    EXPECT_EQ(half + half, recv_str(pull));
    // Fragments past 64 bytes: dropped before the message is whole.
    std::string more = masked_frame(half + half, 0x0);
    more[0] = 0x00; // continuation, not final
    ASSERT_TRUE(p.send(first + more));
    EXPECT_TRUE(p.wait_closed());
    EXPECT_FALSE(wait_readable(pull, 100));
}

// A text frame is not ZWS: the connection is dropped, nothing delivered.
TEST_F(WsRaw, TextFrameDropsTheConnection) {
    void *pull = make(ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(pull, "ws://127.0.0.1:*/"));
    raw_peer p;
    ASSERT_TRUE(p.connect(tcp_of(last_endpoint(pull))));
    ASSERT_EQ(0u, upgrade(p, "/", "ZWS2.0").find("HTTP/1.1 101"));
    ASSERT_TRUE(p.send(masked_frame(std::string("\0", 1))));
    ASSERT_TRUE(p.send(masked_frame("hello", 0x1)));
    EXPECT_FALSE(wait_readable(pull, 200));
    EXPECT_TRUE(p.wait_closed());
}

// A bare routing id is collected whole: more than 255 bytes is refused
// instead of held (the peer could claim any length).
TEST_F(WsRaw, OversizedBareRoutingIdDropsTheConnection) {
    void *router = make(ZMQ_ROUTER);
    ASSERT_EQ(0, zmq_bind(router, "ws://127.0.0.1:*/"));
    raw_peer p;
    ASSERT_TRUE(p.connect(tcp_of(last_endpoint(router))));
    ASSERT_EQ(0u, upgrade(p, "/", "ZWS2.0").find("HTTP/1.1 101"));
    std::string frame = "\x82\xfe\x01\x2d"; // binary, masked, 16-bit length 301
    frame += std::string(4, '\0');          // a zero mask key
    frame += std::string(1, '\0') + std::string(300, 'r');
    ASSERT_TRUE(p.send(frame));
    EXPECT_TRUE(p.wait_closed());
    EXPECT_FALSE(wait_readable(router, 100));
}

// A close frame's body is empty or starts with a 2-byte code (RFC 6455
// 5.5.1): a 1-byte body is a protocol error, answered by closing.
TEST_F(WsRaw, CloseFrameWithAOneByteBodyDropsTheConnection) {
    void *pull = make(ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(pull, "ws://127.0.0.1:*/"));
    raw_peer p;
    ASSERT_TRUE(p.connect(tcp_of(last_endpoint(pull))));
    ASSERT_EQ(0u, upgrade(p, "/", "ZWS2.0").find("HTTP/1.1 101"));
    ASSERT_TRUE(p.send(masked_frame(std::string("\0", 1))));
    ASSERT_TRUE(p.send(masked_frame("x", 0x8)));
    std::string sink; // the PULL's routing id, and no close echoed
    EXPECT_TRUE(p.wait_closed(wait_ms, &sink));
    EXPECT_EQ(std::string::npos, sink.find('\x88')) << sink.size();
}

#endif
