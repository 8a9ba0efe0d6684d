// Several ws:// (wss://) paths on one port (src/transports/ws/ws_ports.hpp):
// sockets of one context bind different paths of a port, the upgrade
// request's path picks the socket, an unknown path gets 404; a path bound
// twice, ws and wss mixed, other TLS options or another context get
// EADDRINUSE; the port stays open until its last path is unbound. zlink
// only (Debian's libzmq has no WebSocket transport).
#include "net_testutil.hpp"

using namespace testutil;

#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ

TEST(WsPaths, NotInLibzmq) { EXPECT_EQ(0, zmq_has("ws")); }

#else

#include "tls_testutil.hpp"

namespace {

class WsPaths : public net_test, public ::testing::WithParamInterface<bool> {
  protected:
    bool secure() const { return GetParam(); }
    std::string scheme() const { return secure() ? "wss" : "ws"; }
    // "ws://127.0.0.1:<port><path>"; port 0: "*".
    std::string at(int port, const std::string &path) const {
        return scheme() + "://127.0.0.1:" + (port ? std::to_string(port) : "*") + path;
    }
    void *server(int type, void *context = nullptr) {
        void *s = context ? zmq_socket(context, type) : make(type);
        if (secure())
            tls_server(s, tls_certs::get().server);
        return s;
    }
    int bind_at(void *s, int port, const std::string &path) {
        return zmq_bind(s, at(port, path).c_str());
    }
    void *client(int type, const std::string &to) {
        void *s = make(type);
        if (secure())
            tls_client(s);
        EXPECT_EQ(0, zmq_connect(s, to.c_str())) << to;
        return s;
    }
    // A round trip between a bound PAIR and a new client of `path`.
    void expect_exchange(void *bound, int port, const std::string &path) {
        void *c = client(ZMQ_PAIR, at(port, path));
        send_ok(c, "to " + path);
        EXPECT_EQ("to " + path, recv_str(bound));
        send_ok(bound, "from " + path);
        EXPECT_EQ("from " + path, recv_str(c));
        close(c);
    }
};

// "ws://127.0.0.1:5555/a" -> 5555.
int port_of(const std::string &endpoint) {
    const std::size_t host = endpoint.find("://") + 3;
    return std::atoi(endpoint.c_str() + endpoint.find(':', host) + 1);
}

// The upgrade request for `path`; the status line of the answer.
std::string status_line_for(int port, const std::string &path) {
    raw_peer p;
    if (!p.connect("tcp://127.0.0.1:" + std::to_string(port)))
        return "<no connection>";
    p.send("GET " + path +
           " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Protocol: ZWS2.0\r\n\r\n");
    std::string line;
    while (line.find("\r\n") == std::string::npos) {
        const std::string c = p.read_n(1);
        if (c.empty())
            break;
        line += c;
    }
    return line.substr(0, line.find("\r\n"));
}

TEST_P(WsPaths, TwoSocketsShareAPortByPath) {
    void *a = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(a, 0, "/a")) << zmq_strerror(zmq_errno());
    const int port = port_of(last_endpoint(a));
    void *b = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(b, port, "/b")) << zmq_strerror(zmq_errno());
    EXPECT_EQ(at(port, "/b"), last_endpoint(b));
    expect_exchange(a, port, "/a");
    expect_exchange(b, port, "/b");
    EXPECT_FALSE(wait_readable(a, 50)); // nothing for /b reached /a
}

// Sockets on different io threads: the connection moves to the path's one.
TEST_P(WsPaths, PathsOnDifferentIoThreads) {
    zmq_ctx_term(ctx);
    ctx = zmq_ctx_new();
    ASSERT_EQ(0, zmq_ctx_set(ctx, ZMQ_IO_THREADS, 3));
    void *a = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(a, 0, "/a"));
    const int port = port_of(last_endpoint(a));
    void *b = server(ZMQ_PAIR);
    void *c = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(b, port, "/b"));
    ASSERT_EQ(0, bind_at(c, port, "/c"));
    expect_exchange(a, port, "/a");
    expect_exchange(b, port, "/b");
    // With one path left, connections go to it at once (on its thread).
    // (A PAIR takes one peer: each bound socket gets one client.)
    ASSERT_EQ(0, zmq_unbind(a, at(port, "/a").c_str()));
    ASSERT_EQ(0, zmq_unbind(b, at(port, "/b").c_str()));
    expect_exchange(c, port, "/c");
}

TEST_P(WsPaths, PathBoundTwiceIsAddressInUse) {
    void *a = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(a, 0, "/a"));
    const int port = port_of(last_endpoint(a));
    void *other = server(ZMQ_PAIR);
    EXPECT_EQ(-1, bind_at(other, port, "/a"));
    EXPECT_EQ(EADDRINUSE, zmq_errno());
    EXPECT_EQ(-1, bind_at(a, port, "/a"));
    EXPECT_EQ(EADDRINUSE, zmq_errno());
    expect_exchange(a, port, "/a"); // the refused binds took nothing away
}

TEST_P(WsPaths, UnbindKeepsTheOtherPathsAndThePortUntilTheLast) {
    void *a = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(a, 0, "/a"));
    const int port = port_of(last_endpoint(a));
    void *b = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(b, port, "/b"));
    ASSERT_EQ(0, zmq_unbind(a, at(port, "/a").c_str()));
    expect_exchange(b, port, "/b");
    // The port is still ours: a plain tcp bind of it fails, /a can come back.
    void *tcp = make(ZMQ_PAIR);
    const std::string tcp_ep = "tcp://127.0.0.1:" + std::to_string(port);
    EXPECT_EQ(-1, zmq_bind(tcp, tcp_ep.c_str()));
    EXPECT_EQ(EADDRINUSE, zmq_errno());
    void *a2 = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(a2, port, "/a"));
    expect_exchange(a2, port, "/a");
    ASSERT_EQ(0, zmq_unbind(a2, at(port, "/a").c_str()));
    ASSERT_EQ(0, zmq_unbind(b, at(port, "/b").c_str()));
    // The last path gone, the port is free.
    EXPECT_EQ(0, zmq_bind(tcp, tcp_ep.c_str())) << zmq_strerror(zmq_errno());
}

TEST_P(WsPaths, OtherSchemeOrTlsOptionsOrContextIsAddressInUse) {
    void *a = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(a, 0, "/a"));
    const int port = port_of(last_endpoint(a));
    // The other scheme on the same port.
    void *mixed = make(ZMQ_PAIR);
    if (!secure())
        tls_server(mixed, tls_certs::get().server);
    const std::string other =
        std::string(secure() ? "ws" : "wss") + "://127.0.0.1:" + std::to_string(port) + "/m";
    EXPECT_EQ(-1, zmq_bind(mixed, other.c_str()));
    EXPECT_EQ(EADDRINUSE, zmq_errno());
    if (secure()) { // wss: one TLS configuration per port, the first binder's
        void *b = server(ZMQ_PAIR);
        tls_require_client(b);
        EXPECT_EQ(-1, bind_at(b, port, "/b"));
        EXPECT_EQ(EADDRINUSE, zmq_errno());
    }
    // Another context's io threads may end before this port: no sharing.
    void *ctx2 = zmq_ctx_new();
    void *foreign = server(ZMQ_PAIR, ctx2);
    EXPECT_EQ(-1, bind_at(foreign, port, "/f"));
    EXPECT_EQ(EADDRINUSE, zmq_errno());
    zmq_close(foreign);
    zmq_ctx_term(ctx2);
    expect_exchange(a, port, "/a");
}

TEST_P(WsPaths, WildcardPortThenJoin) {
    void *a = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(a, 0, "/first"));
    const int port = port_of(last_endpoint(a));
    void *b = server(ZMQ_PAIR);
    ASSERT_EQ(0, bind_at(b, 0, "/second")); // "*" always takes a new port
    EXPECT_NE(port, port_of(last_endpoint(b)));
}

// Plain ws: an upgrade for a path nobody bound is answered 404 and closed;
// the bound paths go on working.
TEST(WsPathsRaw, UnknownPathIsNotFound) {
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PULL);
    void *b = zmq_socket(ctx, ZMQ_PULL); // a PAIR might keep the raw peer
    ASSERT_EQ(0, zmq_bind(a, "ws://127.0.0.1:*/a"));
    const int port = port_of(last_endpoint(a));
    const std::string at_b = "ws://127.0.0.1:" + std::to_string(port) + "/b";
    ASSERT_EQ(0, zmq_bind(b, at_b.c_str()));
    EXPECT_EQ("HTTP/1.1 404 Not Found", status_line_for(port, "/nobody"));
    EXPECT_EQ("HTTP/1.1 101 Switching Protocols", status_line_for(port, "/b"));
    void *c = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(c, at_b.c_str()));
    send_ok(c, "still here");
    EXPECT_EQ("still here", recv_str(b));
    for (void *s : {a, b, c}) {
        int zero = 0;
        zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(s);
    }
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

} // namespace

INSTANTIATE_TEST_SUITE_P(Transports, WsPaths, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool> &info) {
                             return info.param ? "wss" : "ws";
                         });

#endif
