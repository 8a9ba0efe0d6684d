// tls:// (zlink only; libzmq has no such transport): ZMTP inside TLS 1.2/1.3
// with certificates made at test time (tls_certs.hpp). Good handshakes for
// the patterns, with NULL and PLAIN/ZAP inside; the peer's certificate
// subject as a message property; the options' defaults and validation.
// Refusals and load: test_asio_ssl_refusals.cpp.
#include "net_testutil.hpp"

using namespace testutil;

#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ

TEST(Tls, NotInLibzmq) { EXPECT_EQ(0, zmq_has("tls")); }

#else

#include "tls_testutil.hpp"

namespace {

class Tls : public net_test {
  protected:
    // A socket bound on tls://127.0.0.1:* with the server certificate.
    void *tls_bound(int type, std::string &ep, bool files = false) {
        void *s = make(type);
        tls_server(s, tls_certs::get().server, files);
        EXPECT_EQ(0, zmq_bind(s, "tls://127.0.0.1:*")) << zmq_strerror(zmq_errno());
        ep = last_endpoint(s);
        return s;
    }
    void *tls_connected(int type, const std::string &ep, bool files = false) {
        void *s = make(type);
        tls_client(s, files);
        EXPECT_EQ(0, zmq_connect(s, ep.c_str())) << ep;
        return s;
    }
};

} // namespace

TEST(TlsHas, Capability) { EXPECT_EQ(1, zmq_has("tls")); }

TEST_F(Tls, OptionDefaultsAndValidation) {
    void *s = make(ZMQ_DEALER);
    EXPECT_EQ(1, get_int(s, ZMQ_TLS_VERIFY));
    EXPECT_EQ(0, get_int(s, ZMQ_TLS_REQUIRE_CLIENT_CERT));
    EXPECT_EQ(1, get_int(s, ZMQ_TLS_TRUST_SYSTEM)); // no CA of its own yet
    tls_client(s);
    EXPECT_EQ(0, get_int(s, ZMQ_TLS_TRUST_SYSTEM));
    EXPECT_EQ(-1, set_int(s, ZMQ_TLS_VERIFY, 2));
    EXPECT_EQ(EINVAL, zmq_errno());
    char buf[64];
    size_t len = sizeof buf;
    set_tls_str(s, ZMQ_TLS_HOSTNAME, "example.org");
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_TLS_HOSTNAME, buf, &len));
    EXPECT_EQ(12u, len);
    EXPECT_STREQ("example.org", buf);
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_TLS_HOSTNAME, nullptr, 0)); // clears
    len = sizeof buf;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_TLS_HOSTNAME, buf, &len));
    EXPECT_EQ(1u, len);
}

TEST_F(Tls, BindNeedsALoadableCertificateAndKey) {
    const auto &c = tls_certs::get();
    void *s = make(ZMQ_PULL);
    EXPECT_EQ(-1, zmq_bind(s, "tls://127.0.0.1:*")); // none at all
    EXPECT_EQ(EINVAL, zmq_errno());
    set_tls_str(s, ZMQ_TLS_CERT, c.server.cert);
    set_tls_str(s, ZMQ_TLS_KEY, c.client.key); // not the certificate's key
    EXPECT_EQ(-1, zmq_bind(s, "tls://127.0.0.1:*"));
    EXPECT_EQ(EINVAL, zmq_errno());
    set_tls_str(s, ZMQ_TLS_KEY, c.dir + "/no-such-file.key");
    EXPECT_EQ(-1, zmq_bind(s, "tls://127.0.0.1:*"));
    EXPECT_EQ(EINVAL, zmq_errno());
    set_tls_str(s, ZMQ_TLS_CERT, c.encrypted.cert);
    set_tls_str(s, ZMQ_TLS_KEY, c.encrypted.key); // encrypted, no password
    EXPECT_EQ(-1, zmq_bind(s, "tls://127.0.0.1:*"));
    EXPECT_EQ(EINVAL, zmq_errno());
    set_tls_str(s, ZMQ_TLS_PASSWORD, c.password);
    EXPECT_EQ(0, zmq_bind(s, "tls://127.0.0.1:*")) << zmq_strerror(zmq_errno());
    EXPECT_EQ(0u, last_endpoint(s).rfind("tls://127.0.0.1:", 0)) << last_endpoint(s);
}

TEST_F(Tls, PushPullWithPemText) {
    std::string ep;
    void *server = tls_bound(ZMQ_PULL, ep);
    void *smon = monitor(server);
    void *client = tls_connected(ZMQ_PUSH, ep);
    ASSERT_EQ(0, send_parts(client, {"over tls"}));
    std::string body;
    // No client certificate: the property is there, and empty.
    EXPECT_EQ("", recv_property(server, "TLS-Subject", &body));
    EXPECT_EQ("over tls", body);
    EXPECT_TRUE(wait_event(smon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
}

TEST_F(Tls, ReqRepWithFilesAndServerSubject) {
    std::string ep;
    void *server = tls_bound(ZMQ_REP, ep, true);
    void *client = tls_connected(ZMQ_REQ, ep, true);
    send_ok(client, "ping");
    EXPECT_EQ("ping", recv_str(server));
    send_ok(server, "pong");
    EXPECT_EQ("CN=zlink test server,O=zlink tests", recv_property(client, "TLS-Subject"));
}

TEST_F(Tls, DealerRouter) {
    std::string ep;
    void *server = tls_bound(ZMQ_ROUTER, ep);
    void *client = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_setsockopt(client, ZMQ_ROUTING_ID, "d1", 2));
    tls_client(client);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    send_multipart_ok(client, {"a", "b"});
    EXPECT_EQ((std::vector<std::string>{"d1", "a", "b"}), recv_multipart(server));
    send_multipart_ok(server, {"d1", "back"});
    EXPECT_EQ("back", recv_str(client));
}

TEST_F(Tls, PubSub) {
    std::string ep;
    void *pub = tls_bound(ZMQ_PUB, ep);
    void *sub = tls_connected(ZMQ_SUB, ep);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "t", 1));
    sync_pub_sub(pub, sub, "t");
    send_ok(pub, "x-not-for-you");
    send_ok(pub, "t.news");
    EXPECT_EQ("t.news", recv_str(sub));
}

TEST_F(Tls, MutualTlsGivesTheClientSubject) {
    void *server = make(ZMQ_PULL);
    tls_server(server, tls_certs::get().server);
    tls_require_client(server);
    ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
    const std::string ep = last_endpoint(server);
    void *client = make(ZMQ_PUSH);
    tls_client(client);
    tls_client_cert(client);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    send_ok(client, "who am i");
    std::string body;
    EXPECT_EQ("CN=zlink test client,O=zlink tests", recv_property(server, "TLS-Subject", &body));
    EXPECT_EQ("who am i", body);
}

TEST_F(Tls, PairBothWays) {
    std::string ep;
    void *a = tls_bound(ZMQ_PAIR, ep);
    void *b = tls_connected(ZMQ_PAIR, ep);
    send_ok(b, "to a");
    EXPECT_EQ("to a", recv_str(a));
    send_ok(a, "to b");
    EXPECT_EQ("to b", recv_str(b));
}

// STREAM's raw engine over tls: the TLS handshake runs in its first read.
TEST_F(Tls, StreamSocketsExchangeRawBytes) {
    std::string ep;
    void *server = tls_bound(ZMQ_STREAM, ep);
    void *client = tls_connected(ZMQ_STREAM, ep);
    std::vector<std::string> hello = recv_multipart(client); // connect notification
    ASSERT_EQ(2u, hello.size());
    send_multipart_ok(client, {hello[0], "raw over tls"});
    std::vector<std::string> got = recv_multipart(server);
    if (got.size() == 2 && got[1].empty()) // the server's connect notification
        got = recv_multipart(server);
    ASSERT_EQ(2u, got.size());
    EXPECT_EQ("raw over tls", got[1]);
}

// STREAM over mutual tls: data carries the peer's TLS-Subject as ZMTP
// sockets' messages do (the connect notification comes before the TLS
// handshake, so only data has it).
TEST_F(Tls, StreamDataCarriesThePeerSubject) {
    void *server = make(ZMQ_STREAM);
    tls_server(server, tls_certs::get().server);
    tls_require_client(server);
    ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
    void *client = make(ZMQ_STREAM);
    tls_client(client);
    tls_client_cert(client);
    ASSERT_EQ(0, zmq_connect(client, last_endpoint(server).c_str()));
    std::vector<std::string> hello = recv_multipart(client); // connect notification
    ASSERT_EQ(2u, hello.size());
    send_multipart_ok(client, {hello[0], "from the client"});
    std::string id, body, subject;
    for (int i = 0; i < 2 && body.empty(); ++i) { // the notification may come first
        id = recv_str(server);
        subject = recv_property(server, "TLS-Subject", &body);
    }
    EXPECT_EQ("from the client", body);
    EXPECT_EQ("CN=zlink test client,O=zlink tests", subject);
    send_multipart_ok(server, {id, "from the server"});
    EXPECT_EQ(hello[0], recv_str(client)); // the routing id frame
    EXPECT_EQ("CN=zlink test server,O=zlink tests", recv_property(client, "TLS-Subject", &body));
    EXPECT_EQ("from the server", body);
}

// The application's X- properties are the peer's; TLS-Subject is this side's.
TEST_F(Tls, UserMetadataDoesNotSetTheSubject) {
    std::string ep;
    void *server = tls_bound(ZMQ_PULL, ep);
    void *client = tls_connected(ZMQ_PUSH, ep);
    // ZMQ_METADATA only takes X- names; a raw peer could send any, but the
    // transport's value is set after the peer's properties.
    ASSERT_EQ(0, zmq_setsockopt(client, ZMQ_METADATA, "X-TLS-Subject:CN=forged", 23));
    send_ok(client, "m");
    EXPECT_EQ("", recv_property(server, "TLS-Subject"));
}

TEST_F(Tls, PlainAndZapInsideTls) {
    start_zap({{"admin", "secret"}});
    void *server = make(ZMQ_PULL);
    tls_server(server, tls_certs::get().server);
    ASSERT_EQ(0, set_int(server, ZMQ_PLAIN_SERVER, 1));
    void *smon = monitor(server);
    ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
    const std::string ep = last_endpoint(server);
    void *good = make(ZMQ_PUSH);
    tls_client(good);
    ASSERT_EQ(0, zmq_setsockopt(good, ZMQ_PLAIN_USERNAME, "admin", 5));
    ASSERT_EQ(0, zmq_setsockopt(good, ZMQ_PLAIN_PASSWORD, "secret", 6));
    ASSERT_EQ(0, zmq_connect(good, ep.c_str()));
    send_ok(good, "authorised");
    std::string body;
    EXPECT_EQ("admin-id", recv_property(server, "User-Id", &body));
    EXPECT_EQ("authorised", body);
    EXPECT_EQ("PLAIN", zap_->last_mechanism());

    void *bad = make(ZMQ_PUSH);
    tls_client(bad);
    ASSERT_EQ(0, zmq_setsockopt(bad, ZMQ_PLAIN_USERNAME, "admin", 5));
    ASSERT_EQ(0, zmq_setsockopt(bad, ZMQ_PLAIN_PASSWORD, "wrong", 5));
    ASSERT_EQ(0, zmq_connect(bad, ep.c_str()));
    send_ok(bad, "denied", ZMQ_DONTWAIT);
    event ev;
    ASSERT_TRUE(wait_event(smon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, &ev));
    EXPECT_EQ(400u, ev.value); // ZAP's status, inside TLS as over tcp
    EXPECT_FALSE(wait_readable(server, 200));
}

TEST_F(Tls, HostnameOptionOverridesTheEndpointHost) {
    void *server = make(ZMQ_PULL);
    tls_server(server, tls_certs::get().wrong_host); // DNS:other.example
    ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
    void *client = make(ZMQ_PUSH);
    tls_client(client);
    set_tls_str(client, ZMQ_TLS_HOSTNAME, "other.example");
    ASSERT_EQ(0, zmq_connect(client, last_endpoint(server).c_str()));
    send_ok(client, "named");
    EXPECT_EQ("named", recv_str(server));
}

TEST_F(Tls, LocalhostNameAndEncryptedKey) {
    const auto &c = tls_certs::get();
    void *server = make(ZMQ_PULL);
    set_tls_str(server, ZMQ_TLS_CERT, c.encrypted.cert_file);
    set_tls_str(server, ZMQ_TLS_KEY, c.encrypted.key_file);
    set_tls_str(server, ZMQ_TLS_PASSWORD, c.password);
    ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
    const std::string ep = last_endpoint(server);
    void *client = make(ZMQ_PUSH);
    tls_client(client);
    const std::string named = "tls://localhost:" + ep.substr(ep.rfind(':') + 1);
    ASSERT_EQ(0, zmq_connect(client, named.c_str()));
    send_ok(client, "by name");
    EXPECT_EQ("by name", recv_str(server));
}

TEST_F(Tls, VerifyOffAcceptsAnUntrustedServer) {
    void *server = make(ZMQ_PULL);
    tls_server(server, tls_certs::get().untrusted);
    ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
    void *client = make(ZMQ_PUSH);
    tls_client(client);
    ASSERT_EQ(0, set_int(client, ZMQ_TLS_VERIFY, 0));
    ASSERT_EQ(0, zmq_connect(client, last_endpoint(server).c_str()));
    send_ok(client, "unverified");
    EXPECT_EQ("unverified", recv_str(server));
}

TEST_F(Tls, UnbindByTheReportedEndpoint) {
    std::string ep;
    void *server = tls_bound(ZMQ_PULL, ep);
    void *mon = monitor(server);
    EXPECT_EQ(0, zmq_unbind(server, ep.c_str()));
    EXPECT_TRUE(wait_event(mon, ZMQ_EVENT_CLOSED));
}

#endif
