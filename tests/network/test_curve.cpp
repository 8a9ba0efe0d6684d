// CURVE between two sockets of the library under test, over tcp and ipc:
// without ZAP (encryption only), with a ZAP handler (User-Id, domain,
// denial with no second request), a wrong server key, ZAP_ENFORCE_DOMAIN
// without a handler, subscriptions and heartbeats inside MESSAGE,
// 1 MiB / multipart / empty bodies, bodies shared by several messages,
// and hostile HELLOs from a raw peer.
#include "net_testutil.hpp"

using namespace testutil;

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93 // draft option in libzmq 4.3's header
#endif

namespace {

// The test key pairs from zmq_curve(7).
const char client_public[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const char client_secret[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
const char server_public[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const char server_secret[] = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

class Curve : public net_test, public ::testing::WithParamInterface<transport> {
  protected:
    void SetUp() override {
        net_test::SetUp();
        if (!zmq_has("curve"))
            GTEST_SKIP() << "built without CURVE";
    }
    void *server(int type) {
        void *s = make(type);
        set_int(s, ZMQ_CURVE_SERVER, 1);
        EXPECT_EQ(0, zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, server_secret, 40));
        set_int(s, ZMQ_RCVTIMEO, wait_ms);
        return s;
    }
    void *client(int type, const char *server_key = server_public, const char *pub = client_public,
                 const char *sec = client_secret) {
        void *c = make(type);
        EXPECT_EQ(0, zmq_setsockopt(c, ZMQ_CURVE_SERVERKEY, server_key, 40));
        EXPECT_EQ(0, zmq_setsockopt(c, ZMQ_CURVE_PUBLICKEY, pub, 40));
        EXPECT_EQ(0, zmq_setsockopt(c, ZMQ_CURVE_SECRETKEY, sec, 40));
        set_int(c, ZMQ_RCVTIMEO, wait_ms);
        return c;
    }
    void connect(void *c, const std::string &ep) {
        prepare(c, GetParam());
        ASSERT_EQ(0, zmq_connect(c, ep.c_str())) << ep;
    }
    std::string user_id_of_next(void *s, std::string *body) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s, 0) < 0)
            return "<timeout>";
        const char *u = zmq_msg_gets(&m, "User-Id");
        std::string out = u ? u : "<none>";
        body->assign(static_cast<char *>(zmq_msg_data(&m)), zmq_msg_size(&m));
        zmq_msg_close(&m);
        return out;
    }
};

} // namespace

TEST_P(Curve, EncryptionWithoutZapCarriesEveryShape) {
    SKIP_WITHOUT_NET(GetParam());
    void *pull = server(ZMQ_PULL);
    void *smon = monitor(pull);
    const std::string ep = bind_any(pull, GetParam());
    void *push = client(ZMQ_PUSH);
    void *cmon = monitor(push);
    connect(push, ep);
    const std::vector<std::vector<std::string>> sent = {
        {"hello"}, {""}, {"multi", "", "part"}, {pattern(1 << 20)}, {pattern(300), pattern(70000)}};
    for (const auto &m : sent)
        ASSERT_EQ(0, send_parts(push, m));
    for (const auto &m : sent)
        EXPECT_TRUE(recv_multipart(pull) == m) << m.size() << " parts";
    EXPECT_TRUE(wait_event(smon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
    EXPECT_TRUE(wait_event(cmon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
}

TEST_P(Curve, ZapAcceptsKeyWithUserIdAndDomain) {
    SKIP_WITHOUT_NET(GetParam());
    start_zap({{client_public, "client-one"}});
    void *router = server(ZMQ_ROUTER);
    ASSERT_EQ(0, zmq_setsockopt(router, ZMQ_ZAP_DOMAIN, "curve-domain", 12));
    const std::string ep = bind_any(router, GetParam());
    void *dealer = client(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "d1", 2));
    connect(dealer, ep);
    ASSERT_EQ(0, send_parts(dealer, {"ping"}));
    std::string id, body;
    EXPECT_EQ("client-one", user_id_of_next(router, &id));
    EXPECT_EQ("d1", id);
    EXPECT_EQ("client-one", user_id_of_next(router, &body));
    EXPECT_EQ("ping", body);
    ASSERT_EQ(0, send_parts(router, {"d1", "pong"}));
    EXPECT_EQ(std::vector<std::string>{"pong"}, recv_multipart(dealer));
    EXPECT_EQ(1, zap_->requests());
    EXPECT_EQ("CURVE", zap_->last_mechanism());
    EXPECT_EQ("curve-domain", zap_->last_domain());
}

TEST_P(Curve, ZapDenialFailsBothSidesOnce) {
    SKIP_WITHOUT_NET(GetParam());
    start_zap({{server_public, "someone-else"}}); // the client's key is unknown
    void *pull = server(ZMQ_PULL);
    void *smon = monitor(pull);
    const std::string ep = bind_any(pull, GetParam());
    void *push = client(ZMQ_PUSH);
    set_int(push, ZMQ_RECONNECT_IVL, 10);
    void *cmon = monitor(push);
    connect(push, ep);
    zmq_send(push, "x", 1, ZMQ_DONTWAIT);
    event ev;
    ASSERT_TRUE(wait_event(smon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, &ev));
    EXPECT_EQ(400u, ev.value);
    ASSERT_TRUE(wait_event(cmon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, &ev));
    EXPECT_EQ(400u, ev.value) << "the status code from the ERROR command";
    // A refused client does not reconnect and ask ZAP again (libzmq's rule):
    // within many reconnect intervals nothing new happens.
    EXPECT_FALSE(wait_event(cmon, ZMQ_EVENT_CONNECTED, nullptr, 300));
    EXPECT_EQ(1, zap_->requests());
    EXPECT_FALSE(wait_readable(pull, 0));
}

TEST_P(Curve, WrongServerKeyIsACryptographicFailure) {
    SKIP_WITHOUT_NET(GetParam());
    void *pull = server(ZMQ_PULL);
    void *smon = monitor(pull);
    const std::string ep = bind_any(pull, GetParam());
    // The client's own public key in place of the server's: HELLO's box
    // cannot be opened with the server's secret key.
    void *push = client(ZMQ_PUSH, client_public);
    connect(push, ep);
    zmq_send(push, "x", 1, ZMQ_DONTWAIT);
    event ev;
    ASSERT_TRUE(wait_event(smon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, &ev));
    EXPECT_EQ(uint32_t(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC), ev.value);
    EXPECT_FALSE(wait_readable(pull, 0));
}

TEST_P(Curve, EnforcedDomainWithoutHandlerFails) {
    SKIP_WITHOUT_NET(GetParam());
    void *pull = server(ZMQ_PULL);
    // A draft option: the system libzmq (built without drafts) refuses it.
    if (set_int(pull, ZMQ_ZAP_ENFORCE_DOMAIN, 1) != 0)
        GTEST_SKIP() << "ZMQ_ZAP_ENFORCE_DOMAIN not available: " << zmq_strerror(zmq_errno());
    // libzmq enforces only with a domain set; without one it stays Stonehouse.
    ASSERT_EQ(0, zmq_setsockopt(pull, ZMQ_ZAP_DOMAIN, "dom", 3));
    void *smon = monitor(pull);
    const std::string ep = bind_any(pull, GetParam());
    void *push = client(ZMQ_PUSH);
    connect(push, ep);
    zmq_send(push, "x", 1, ZMQ_DONTWAIT);
    event ev;
    std::string trace;
    ASSERT_TRUE(wait_event(smon, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, &ev, wait_ms, &trace))
        << trace;
    EXPECT_EQ(uint32_t(EFAULT), ev.value);
    EXPECT_FALSE(wait_readable(pull, 0));
}

TEST_P(Curve, SubscriptionsTravelEncrypted) {
    SKIP_WITHOUT_NET(GetParam());
    void *pub = server(ZMQ_PUB);
    const std::string ep = bind_any(pub, GetParam());
    void *sub = client(ZMQ_SUB);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "A", 1));
    connect(sub, ep);
    ASSERT_TRUE(pub_until_received(pub, sub, "A-1"));
    // Filtering happens at the publisher: B never arrives, A does.
    ASSERT_EQ(0, send_parts(pub, {"B-noise"}));
    ASSERT_EQ(0, send_parts(pub, {"A-2"}));
    std::string got;
    do
        got = recv_str(sub);
    while (got == "A-1");
    EXPECT_EQ("A-2", got);
}

// One body shared by several messages must reach every peer as it was and
// stay as it was in the sender's hands: a copy kept by the application
// (zmq_msg_copy), PUB's fan-out to two subscribers, small and large bodies,
// and application memory (an encryption in place would garble them).
TEST_P(Curve, SharedBodiesArriveIntactAndStayIntact) {
    SKIP_WITHOUT_NET(GetParam());
    void *pub = server(ZMQ_PUB);
    const std::string ep = bind_any(pub, GetParam());
    void *sub1 = client(ZMQ_SUB);
    void *sub2 = client(ZMQ_SUB);
    for (void *s : {sub1, sub2}) {
        ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0));
        connect(s, ep);
    }
    ASSERT_TRUE(pub_until_received(pub, sub1, "ready-1"));
    ASSERT_TRUE(pub_until_received(pub, sub2, "ready-2"));
    for (size_t size : {size_t(100), size_t(5000), size_t(70000)}) {
        const std::string body = pattern(size, unsigned(size));
        zmq_msg_t m, kept;
        ASSERT_EQ(0, zmq_msg_init_size(&m, size));
        std::memcpy(zmq_msg_data(&m), body.data(), size);
        ASSERT_EQ(0, zmq_msg_init(&kept));
        ASSERT_EQ(0, zmq_msg_copy(&kept, &m));
        ASSERT_EQ(int(size), zmq_msg_send(&m, pub, 0));
        for (void *s : {sub1, sub2}) {
            std::string got;
            do // "ready-*" repeats may still be queued
                got = recv_str(s);
            while (got.compare(0, 6, "ready-") == 0);
            EXPECT_TRUE(got == body) << size << " bytes arrived changed";
        }
        EXPECT_EQ(0, std::memcmp(zmq_msg_data(&kept), body.data(), size)) << size;
        zmq_msg_close(&kept);
    }
    // Application memory (zmq_msg_init_data with a free function that
    // keeps it) is the application's, also with one peer (no fan-out
    // sharing): sent twice, it goes out and stays as it was.
    void *pull = server(ZMQ_PULL);
    const std::string pull_ep = bind_any(pull, GetParam());
    void *push = client(ZMQ_PUSH);
    connect(push, pull_ep);
    static std::string user_body;
    user_body = pattern(20000, 3);
    for (int round = 0; round < 2; ++round) {
        zmq_msg_t m;
        zmq_free_fn *keep = [](void *, void *) {};
        ASSERT_EQ(0, zmq_msg_init_data(&m, &user_body[0], user_body.size(), keep, nullptr));
        ASSERT_EQ(int(user_body.size()), zmq_msg_send(&m, push, 0));
        EXPECT_TRUE(recv_str(pull) == pattern(20000, 3)) << "round " << round;
    }
    EXPECT_TRUE(user_body == pattern(20000, 3));
}

TEST_P(Curve, HeartbeatsKeepAnIdleConnection) {
    SKIP_WITHOUT_NET(GetParam());
    void *rep = server(ZMQ_REP);
    const std::string ep = bind_any(rep, GetParam());
    void *req = client(ZMQ_REQ);
    for (void *s : {rep, req}) {
        set_int(s, ZMQ_HEARTBEAT_IVL, 20);
        set_int(s, ZMQ_HEARTBEAT_TIMEOUT, 300);
        set_int(s, ZMQ_HEARTBEAT_TTL, 300);
    }
    void *cmon = monitor(req, ZMQ_EVENT_DISCONNECTED);
    connect(req, ep);
    ASSERT_EQ(0, send_parts(req, {"one"}));
    ASSERT_EQ(std::vector<std::string>{"one"}, recv_multipart(rep));
    ASSERT_EQ(0, send_parts(rep, {"one"}));
    ASSERT_EQ(std::vector<std::string>{"one"}, recv_multipart(req));
    // PINGs and PONGs go inside MESSAGE; an unanswered PING would drop us.
    EXPECT_FALSE(wait_event(cmon, ZMQ_EVENT_DISCONNECTED, nullptr, 800));
    ASSERT_EQ(0, send_parts(req, {"two"}));
    EXPECT_EQ(std::vector<std::string>{"two"}, recv_multipart(rep));
}

// Hand-made hostile clients: the server reports libzmq's protocol error and
// delivers nothing.
TEST_P(Curve, HostileHelloFromARawPeer) {
    SKIP_WITHOUT_NET(GetParam());
    void *pull = server(ZMQ_PULL);
    void *smon = monitor(pull, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
    const std::string ep = bind_any(pull, GetParam());
    std::string valid_size(194, '\0');
    valid_size[0] = 1; // version 1.0, then zero padding, key, nonce and a box of garbage
    const struct {
        std::string hello_body;
        int code;
    } cases[] = {
        {std::string("\1\0", 2) + std::string(100, '\0'),
         ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO},
        {valid_size, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC},
    };
    for (const auto &c : cases) {
        raw_peer raw;
        ASSERT_TRUE(raw.connect(ep));
        std::string hello = "\5HELLO" + c.hello_body;
        ASSERT_TRUE(raw.send(zmtp_greeting("CURVE") + zmtp_frame(hello, false, true)));
        event ev;
        ASSERT_TRUE(wait_event(smon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, &ev));
        EXPECT_EQ(uint32_t(c.code), ev.value);
        EXPECT_TRUE(raw.wait_closed()) << "connection left open";
    }
    {
        // INITIATE before any HELLO.
        raw_peer raw;
        ASSERT_TRUE(raw.connect(ep));
        ASSERT_TRUE(raw.send(zmtp_greeting("CURVE") +
                             zmtp_frame("\x08INITIATE" + std::string(300, 'i'), false, true)));
        event ev;
        ASSERT_TRUE(wait_event(smon, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, &ev));
        EXPECT_EQ(uint32_t(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND), ev.value);
    }
    EXPECT_FALSE(wait_readable(pull, 0));
}

INSTANTIATE_TEST_SUITE_P(Transports, Curve, ::testing::Values(transport::tcp4, transport::ipc_path),
                         [](const ::testing::TestParamInfo<transport> &i) {
                             return std::string(transport_name(i.param));
                         });
