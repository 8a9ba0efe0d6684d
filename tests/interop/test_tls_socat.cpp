// tls:// is plain ZMTP inside standard TLS: a zlink tls:// socket talks to
// a libzmq tcp:// socket (interop_peer, on the system libzmq) through socat,
// a TLS terminator that knows nothing of ZMTP, in both directions:
//   zlink tls client -> socat OPENSSL-LISTEN -> TCP -> libzmq tcp server
//   libzmq tcp client -> socat TCP-LISTEN -> OPENSSL -> zlink tls server
// The second also does mutual TLS (socat presents the client certificate).
// Skips when socat (Debian's socat; scripts/install-deps.sh installs it) or
// the libzmq peer is missing. zlink only: libzmq has no tls transport.
#include "interop_util.hpp"

using namespace testutil;

#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ

TEST(TlsSocat, NotInLibzmq) { EXPECT_EQ(0, zmq_has("tls")); }

#else

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "tls_testutil.hpp"

namespace {

constexpr const char *socat_path = "/usr/bin/socat";
constexpr int kCount = 20; // "seq-<i>" messages after the peer's 4 special ones

// A port nobody listens on now, for socat (which cannot report one it picked).
int unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

class TlsSocat : public net_test {
  protected:
    void SetUp() override {
        net_test::SetUp();
        if (::access(socat_path, X_OK) != 0)
            GTEST_SKIP() << "socat not installed (apt-get install socat): the tls:// "
                            "interop through a standard TLS terminator is not tested";
        if (!*interop::peer_path())
            GTEST_SKIP() << "interop peer not built (no system libzmq)";
    }
    interop::peer_process peer, socat;
};

} // namespace

// The libzmq REP echoes; zlink's REQ speaks tls:// to socat.
TEST_F(TlsSocat, ZlinkTlsClientToLibzmqTcpServer) {
    const auto &c = tls_certs::get();
    ASSERT_TRUE(peer.start({interop::peer_path(), "--type", "REP", "--bind", "tcp://127.0.0.1:*"}));
    const std::string peer_ep = peer.endpoint();
    ASSERT_FALSE(peer_ep.empty());
    const int port = unused_port();
    ASSERT_GT(port, 0);
    ASSERT_TRUE(socat.start({socat_path,
                             "OPENSSL-LISTEN:" + std::to_string(port) +
                                 ",bind=127.0.0.1,reuseaddr,fork,verify=0,cert=" +
                                 c.server.cert_file + ",key=" + c.server.key_file,
                             "TCP:127.0.0.1:" + std::to_string(tcp_port(peer_ep))}));
    void *req = make(ZMQ_REQ);
    tls_client(req, true);
    ASSERT_EQ(0, set_int(req, ZMQ_RCVTIMEO, wait_ms));
    // socat may not listen yet: zlink reconnects until it does.
    ASSERT_EQ(0, zmq_connect(req, ("tls://127.0.0.1:" + std::to_string(port)).c_str()));
    const std::string big = pattern(1 << 20, 9);
    const std::vector<std::vector<std::string>> messages = {
        {"hello"}, {"multi", "", "part"}, {big}, {"last before END"}};
    for (const auto &m : messages) {
        ASSERT_EQ(0, send_parts(req, m));
        EXPECT_EQ(m, recv_multipart(req));
    }
    ASSERT_EQ(0, send_parts(req, {"END"}));
    EXPECT_EQ(std::vector<std::string>{"END"}, recv_multipart(req));
    EXPECT_EQ(0, peer.wait_exit());
}

// libzmq's REQ sends its standard set over tcp to socat, which speaks TLS to
// zlink's REP and presents the client certificate the server requires.
TEST_F(TlsSocat, LibzmqTcpClientToZlinkTlsServerWithClientCertificate) {
    const auto &c = tls_certs::get();
    void *rep = make(ZMQ_REP);
    tls_server(rep, c.server, true);
    tls_require_client(rep);
    ASSERT_EQ(0, set_int(rep, ZMQ_RCVTIMEO, wait_ms));
    ASSERT_EQ(0, zmq_bind(rep, "tls://127.0.0.1:*"));
    const int port = unused_port();
    ASSERT_GT(port, 0);
    ASSERT_TRUE(socat.start(
        {socat_path, "TCP-LISTEN:" + std::to_string(port) + ",bind=127.0.0.1,reuseaddr,fork",
         "OPENSSL:127.0.0.1:" + std::to_string(tcp_port("tcp" + last_endpoint(rep).substr(3))) +
             ",verify=1,cafile=" + c.ca_file + ",cert=" + c.client.cert_file +
             ",key=" + c.client.key_file}));
    ASSERT_TRUE(
        peer.start({interop::peer_path(), "--type", "REQ", "--count", std::to_string(kCount),
                    "--connect", "tcp://127.0.0.1:" + std::to_string(port)}));
    ASSERT_FALSE(peer.endpoint().empty());
    // Echo until "END"; every message says who the TLS client was.
    for (;;) {
        std::vector<std::string> parts;
        std::string subject;
        do {
            zmq_msg_t m;
            zmq_msg_init(&m);
            ASSERT_GE(zmq_msg_recv(&m, rep, 0), 0) << zmq_strerror(zmq_errno());
            parts.emplace_back(static_cast<char *>(zmq_msg_data(&m)), zmq_msg_size(&m));
            const char *s = zmq_msg_gets(&m, "TLS-Subject");
            subject = s ? s : "<none>";
            zmq_msg_close(&m);
        } while (rcvmore(rep));
        EXPECT_EQ("CN=zlink test client,O=zlink tests", subject);
        ASSERT_EQ(0, send_parts(rep, parts));
        if (parts == std::vector<std::string>{"END"})
            break;
    }
    EXPECT_EQ(0, peer.wait_exit()) << "the libzmq peer saw wrong echoes";
}

#endif
