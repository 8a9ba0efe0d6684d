// tls:// refusals and load (zlink only). Each refused handshake must close
// the connection with a HANDSHAKE_FAILED monitor event, deliver nothing and
// crash nothing: an untrusted, expired or wrong-host server certificate, a
// missing client certificate when one is required, a plaintext ZMTP peer on
// a tls port, a TLS client on a tcp port. Then 16 MiB and multipart
// messages, 200 connections at once, and reconnecting after the server
// restarts.
#include "net_testutil.hpp"

using namespace testutil;

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ

#include <set>
#include <thread>

#include "tls_testutil.hpp"

namespace {

class TlsRefused : public net_test {
  protected:
    // Server PULL on tls with `cert`; client PUSH trusting the test CA,
    // connecting to the server by `host`. Both monitored.
    void start(const tls_certs::pem_pair &cert, const std::string &host = "127.0.0.1") {
        server = make(ZMQ_PULL);
        tls_server(server, cert);
        smon = monitor(server);
        ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
        const std::string ep = last_endpoint(server);
        target = "tls://" + host + ep.substr(ep.rfind(':'));
        client = make(ZMQ_PUSH);
        tls_client(client);
        cmon = monitor(client);
    }
    void connect_and_send() {
        ASSERT_EQ(0, zmq_connect(client, target.c_str()));
        // PUSH queues it until a peer completes its handshake: never here.
        EXPECT_EQ(6, zmq_send(client, "secret", 6, ZMQ_DONTWAIT));
    }
    // Both sides report the refusal; nothing arrives.
    void expect_refused(int client_event, int64_t client_value, int server_event) {
        const event c = first_handshake_failure(cmon);
        EXPECT_EQ(client_event, c.id) << "client value " << c.value;
        if (client_value >= 0)
            EXPECT_EQ(uint32_t(client_value), c.value);
        const event s = first_handshake_failure(smon);
        EXPECT_EQ(server_event, s.id) << "server value " << s.value;
        EXPECT_FALSE(wait_readable(server, 100));
    }
    void *server = nullptr, *client = nullptr, *smon = nullptr, *cmon = nullptr;
    std::string target;
};

// X509_V_ERR_* values (the client's AUTH event value).
constexpr int unable_to_get_issuer_locally = 20, cert_has_expired = 10, hostname_mismatch = 62,
              ip_address_mismatch = 64;

} // namespace

TEST_F(TlsRefused, UntrustedCa) {
    start(tls_certs::get().untrusted);
    connect_and_send();
    expect_refused(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, unable_to_get_issuer_locally,
                   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
}

TEST_F(TlsRefused, Expired) {
    start(tls_certs::get().expired);
    connect_and_send();
    expect_refused(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, cert_has_expired,
                   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
}

TEST_F(TlsRefused, WrongHost) {
    start(tls_certs::get().wrong_host); // names other.example; connected by IP
    connect_and_send();
    expect_refused(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, ip_address_mismatch,
                   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
}

TEST_F(TlsRefused, WrongHostByName) {
    start(tls_certs::get().server, "localhost");
    set_tls_str(client, ZMQ_TLS_HOSTNAME, "not-localhost.example");
    connect_and_send();
    expect_refused(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, hostname_mismatch,
                   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
}

TEST_F(TlsRefused, MissingClientCertificate) {
    server = make(ZMQ_PULL);
    tls_server(server, tls_certs::get().server);
    tls_require_client(server);
    smon = monitor(server);
    ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
    target = last_endpoint(server);
    client = make(ZMQ_PUSH);
    tls_client(client);
    cmon = monitor(client);
    connect_and_send();
    // Server: no certificate came (value 0); client: the server's alert
    // (116 certificate_required in TLS 1.3).
    const event s = first_handshake_failure(smon);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, s.id);
    EXPECT_EQ(0u, s.value);
    const event c = first_handshake_failure(cmon);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, c.id);
    EXPECT_EQ(116u, c.value);
    EXPECT_FALSE(wait_readable(server, 100));
}

TEST_F(TlsRefused, ClientCertificateFromAnotherCa) {
    server = make(ZMQ_PULL);
    tls_server(server, tls_certs::get().server);
    tls_require_client(server);
    smon = monitor(server);
    ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
    target = last_endpoint(server);
    client = make(ZMQ_PUSH);
    tls_client(client);
    tls_server(client, tls_certs::get().untrusted); // a certificate of the other CA
    cmon = monitor(client);
    connect_and_send();
    const event s = first_handshake_failure(smon);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, s.id);
    EXPECT_EQ(uint32_t(unable_to_get_issuer_locally), s.value);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, first_handshake_failure(cmon).id);
    EXPECT_FALSE(wait_readable(server, 100));
}

TEST_F(TlsRefused, PlaintextZmtpPeerOnATlsPort) {
    start(tls_certs::get().server);
    target = "tcp" + target.substr(3);
    connect_and_send();
    const event s = first_handshake_failure(smon);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, s.id);
    EXPECT_EQ(uint32_t(ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED), s.value);
    EXPECT_TRUE(is_handshake_failure(first_handshake_failure(cmon).id));
    EXPECT_FALSE(wait_readable(server, 100));
}

TEST_F(TlsRefused, TlsClientOnATcpPort) {
    server = make(ZMQ_PULL);
    smon = monitor(server);
    ASSERT_EQ(0, zmq_bind(server, "tcp://127.0.0.1:*"));
    target = "tls" + last_endpoint(server).substr(3);
    client = make(ZMQ_PUSH);
    tls_client(client);
    cmon = monitor(client);
    connect_and_send();
    EXPECT_TRUE(is_handshake_failure(first_handshake_failure(cmon).id));
    EXPECT_TRUE(is_handshake_failure(first_handshake_failure(smon).id));
    EXPECT_FALSE(wait_readable(server, 100));
}

// A peer that connects and says nothing: ZMQ_HANDSHAKE_IVL covers TLS too.
TEST_F(TlsRefused, SilentPeerTimesOut) {
    server = make(ZMQ_PULL);
    tls_server(server, tls_certs::get().server);
    ASSERT_EQ(0, set_int(server, ZMQ_HANDSHAKE_IVL, 200));
    smon = monitor(server);
    ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
    raw_peer peer;
    ASSERT_TRUE(peer.connect("tcp" + last_endpoint(server).substr(3)));
    const event s = first_handshake_failure(smon);
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, s.id);
}

class TlsLoad : public net_test {
  protected:
    void pair(int server_type, int client_type) {
        server = make(server_type);
        tls_server(server, tls_certs::get().server);
        ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
        ep = last_endpoint(server);
        client = make(client_type);
        tls_client(client);
        ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    }
    void *server = nullptr, *client = nullptr;
    std::string ep;
};

TEST_F(TlsLoad, SixteenMebibytesAndMultipart) {
    pair(ZMQ_PULL, ZMQ_PUSH);
    const std::string big = pattern(16u << 20, 11);
    ASSERT_EQ(0, send_parts(client, {big}));
    const std::vector<std::string> parts = {"", "head", pattern(100000, 3), pattern(17000, 5)};
    ASSERT_EQ(0, send_parts(client, parts));
    std::vector<std::string> got = recv_multipart(server, 20000);
    ASSERT_EQ(1u, got.size());
    EXPECT_TRUE(got[0] == big) << "16 MiB body differs (size " << got[0].size() << ")";
    EXPECT_EQ(parts, recv_multipart(server));
}

TEST_F(TlsLoad, ManySmallMessagesInOrder) {
    pair(ZMQ_DEALER, ZMQ_DEALER);
    constexpr int n = 20000;
    std::thread sender([&] {
        for (int i = 0; i < n; ++i)
            ASSERT_TRUE(send_retry(client, std::to_string(i)));
    });
    for (int i = 0; i < n; ++i)
        ASSERT_EQ(std::to_string(i), recv_str(server));
    sender.join();
}

TEST_F(TlsLoad, TwoHundredConnectionsAtOnce) {
    void *router = make(ZMQ_ROUTER);
    tls_server(router, tls_certs::get().server);
    ASSERT_EQ(0, set_int(router, ZMQ_BACKLOG, 256));
    ASSERT_EQ(0, zmq_bind(router, "tls://127.0.0.1:*"));
    const std::string endpoint = last_endpoint(router);
    constexpr int clients = 200;
    std::vector<void *> dealers;
    for (int i = 0; i < clients; ++i) {
        void *d = make(ZMQ_DEALER);
        tls_client(d);
        ASSERT_EQ(0, zmq_connect(d, endpoint.c_str()));
        dealers.push_back(d);
    }
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

TEST_F(TlsLoad, ReconnectsAfterTheServerRestarts) {
    pair(ZMQ_PULL, ZMQ_PUSH);
    void *cmon = monitor(client);
    send_ok(client, "first");
    EXPECT_EQ("first", recv_str(server));
    close(server);
    ASSERT_TRUE(wait_event(cmon, ZMQ_EVENT_DISCONNECTED));
    server = make(ZMQ_PULL);
    tls_server(server, tls_certs::get().server);
    ASSERT_TRUE(eventually([&] { return zmq_bind(server, ep.c_str()) == 0; }))
        << "rebinding " << ep << ": " << zmq_strerror(zmq_errno());
    ASSERT_TRUE(wait_event(cmon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
    send_ok(client, "second");
    EXPECT_EQ("second", recv_str(server));
}

#else

TEST(TlsRefusals, NotInLibzmq) { EXPECT_EQ(0, zmq_has("tls")); }

#endif
