// Socket-type-specific options (accepted only by some types, write-only) and
// string/binary options (ZMQ_ROUTING_ID, ZMQ_LAST_ENDPOINT, credentials).
#include "testutil.hpp"

#include <set>

using namespace testutil;

namespace {

struct typed_option {
    int option;
    const char *name;
    bool is_string;
    std::set<int> accepted;    // types whose setsockopt takes it
    std::set<int> unspecified; // types where libzmq's answer is an accident
};

#define OPT(o) o, #o

// REP is built on ROUTER in libzmq and accepts ROUTER's options; we don't
// require that. Everything not listed must answer EINVAL.
const typed_option typed_options[] = {
    {OPT(ZMQ_SUBSCRIBE), true, {ZMQ_SUB}, {ZMQ_XSUB}},
    {OPT(ZMQ_UNSUBSCRIBE), true, {ZMQ_SUB}, {ZMQ_XSUB}},
    {OPT(ZMQ_ROUTER_MANDATORY), false, {ZMQ_ROUTER}, {ZMQ_REP}},
    {OPT(ZMQ_ROUTER_HANDOVER), false, {ZMQ_ROUTER}, {ZMQ_REP}},
    {OPT(ZMQ_PROBE_ROUTER), false, {ZMQ_ROUTER, ZMQ_DEALER, ZMQ_REQ}, {ZMQ_REP}},
    {OPT(ZMQ_CONNECT_ROUTING_ID), true, {ZMQ_ROUTER, ZMQ_STREAM}, {ZMQ_REP, ZMQ_DEALER}},
    {OPT(ZMQ_REQ_CORRELATE), false, {ZMQ_REQ}, {}},
    {OPT(ZMQ_REQ_RELAXED), false, {ZMQ_REQ}, {}},
    {OPT(ZMQ_XPUB_VERBOSE), false, {ZMQ_XPUB, ZMQ_PUB}, {}},
    {OPT(ZMQ_XPUB_VERBOSER), false, {ZMQ_XPUB, ZMQ_PUB}, {}},
    {OPT(ZMQ_XPUB_NODROP), false, {ZMQ_XPUB, ZMQ_PUB}, {}},
    {OPT(ZMQ_XPUB_MANUAL), false, {ZMQ_XPUB, ZMQ_PUB}, {}},
    {OPT(ZMQ_XPUB_WELCOME_MSG), true, {ZMQ_XPUB, ZMQ_PUB}, {}},
    {OPT(ZMQ_STREAM_NOTIFY), false, {ZMQ_STREAM}, {}},
};

class SockoptTypes : public ctx_test {};

} // namespace

TEST_F(SockoptTypes, TypeSpecificOptionsOnWrongTypeAreEinval) {
    for (const auto &o : typed_options) {
        for (int t = ZMQ_PAIR; t <= ZMQ_STREAM; ++t) {
            if (o.unspecified.count(t))
                continue;
            void *s = make(t);
            int one = 1;
            errno = 0;
            const int rc = o.is_string ? zmq_setsockopt(s, o.option, "ab", 2)
                                       : zmq_setsockopt(s, o.option, &one, sizeof one);
            if (o.accepted.count(t)) {
                EXPECT_EQ(0, rc) << o.name << " on type " << t << ": " << zmq_strerror(zmq_errno());
            } else {
                EXPECT_EQ(-1, rc) << o.name << " on type " << t;
                EXPECT_EQ(EINVAL, errno) << o.name << " on type " << t;
            }
            close(s);
        }
    }
}

// These options can be set but never read back.
TEST_F(SockoptTypes, WriteOnlyOptionsRejectGet) {
    for (const auto &o : typed_options) {
        void *s = make(*o.accepted.begin());
        char buf[256];
        size_t len = sizeof buf;
        EXPECT_ZMQ_ERR(zmq_getsockopt(s, o.option, buf, &len), EINVAL);
        int v;
        len = sizeof v;
        EXPECT_ZMQ_ERR(zmq_getsockopt(s, o.option, &v, &len), EINVAL);
        close(s);
    }
}

TEST_F(SockoptTypes, SubscribeAcceptsEmptyAndBinaryTopics) {
    void *sub = make(ZMQ_SUB);
    EXPECT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0));
    EXPECT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, nullptr, 0));
    EXPECT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "\0\1\2", 3));
    // Unsubscribing from a topic never subscribed is not an error.
    EXPECT_EQ(0, zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "never", 5));
    EXPECT_EQ(0, zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "", 0));
}

TEST_F(SockoptTypes, RoutingIdLimits) {
    void *s = make(ZMQ_DEALER);
    // Default: empty.
    char buf[300];
    size_t len = sizeof buf;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_ROUTING_ID, buf, &len));
    EXPECT_EQ(0u, len);

    EXPECT_EQ(0, zmq_setsockopt(s, ZMQ_ROUTING_ID, "A", 1));
    std::string big(255, 'x');
    EXPECT_EQ(0, zmq_setsockopt(s, ZMQ_ROUTING_ID, big.data(), big.size()));
    std::string too_big(256, 'x');
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZMQ_ROUTING_ID, too_big.data(), too_big.size()), EINVAL);
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZMQ_ROUTING_ID, "", 0), EINVAL);
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZMQ_ROUTING_ID, nullptr, 0), EINVAL);

    // The rejected values did not replace the last good one.
    len = sizeof buf;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_ROUTING_ID, buf, &len));
    EXPECT_EQ(255u, len);
    EXPECT_EQ(big, std::string(buf, len));
}

TEST_F(SockoptTypes, RoutingIdIsBinaryWithoutTerminator) {
    void *s = make(ZMQ_DEALER);
    const char id[] = {'a', '\0', 'b', '\xff'};
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_ROUTING_ID, id, sizeof id));
    char buf[16];
    size_t len = sizeof buf;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_ROUTING_ID, buf, &len));
    ASSERT_EQ(sizeof id, len);
    EXPECT_EQ(0, memcmp(id, buf, len));
    // An exactly sized buffer is enough; a smaller one is EINVAL.
    len = sizeof id;
    EXPECT_EQ(0, zmq_getsockopt(s, ZMQ_ROUTING_ID, buf, &len));
    len = sizeof id - 1;
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZMQ_ROUTING_ID, buf, &len), EINVAL);
}

TEST_F(SockoptTypes, RoutingIdReachesRouter) {
    void *router, *dealer;
    const std::string ep = inproc_ep("rid");
    router = make(ZMQ_ROUTER);
    dealer = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "peer-1", 6));
    ASSERT_EQ(0, zmq_bind(router, ep.c_str()));
    ASSERT_EQ(0, zmq_connect(dealer, ep.c_str()));
    ASSERT_EQ(5, zmq_send(dealer, "hello", 5, 0));
    const auto parts = recv_multipart(router);
    ASSERT_EQ(2u, parts.size());
    EXPECT_EQ("peer-1", parts[0]);
    EXPECT_EQ("hello", parts[1]);
}

// Credentials and other text options come back NUL-terminated, and their
// reported length includes the NUL.
TEST_F(SockoptTypes, StringOptionsIncludeTerminator) {
    for (int opt : {ZMQ_PLAIN_USERNAME, ZMQ_PLAIN_PASSWORD, ZMQ_ZAP_DOMAIN, ZMQ_SOCKS_PROXY,
                    ZMQ_BINDTODEVICE}) {
        void *s = make(ZMQ_DEALER);
        char buf[64];
        size_t len = sizeof buf;
        ASSERT_EQ(0, zmq_getsockopt(s, opt, buf, &len)) << "opt " << opt;
        EXPECT_EQ(1u, len) << "opt " << opt << ": empty string plus NUL";
        EXPECT_EQ('\0', buf[0]);

        ASSERT_EQ(0, zmq_setsockopt(s, opt, "user", 4)) << "opt " << opt;
        memset(buf, '#', sizeof buf);
        len = sizeof buf;
        ASSERT_EQ(0, zmq_getsockopt(s, opt, buf, &len));
        EXPECT_EQ(5u, len) << "opt " << opt;
        EXPECT_STREQ("user", buf);

        len = 4; // no room for the NUL
        EXPECT_ZMQ_ERR(zmq_getsockopt(s, opt, buf, &len), EINVAL);
        len = 0;
        EXPECT_ZMQ_ERR(zmq_getsockopt(s, opt, buf, &len), EINVAL);
        close(s);
    }
}

// NULL/0 clears SOCKS_PROXY and BINDTODEVICE. For PLAIN_USERNAME/PASSWORD it
// is accepted but only resets the mechanism (libzmq keeps the old text).
TEST_F(SockoptTypes, StringOptionsClearWithNull) {
    for (int opt : {ZMQ_PLAIN_USERNAME, ZMQ_PLAIN_PASSWORD}) {
        void *s = make(ZMQ_DEALER);
        ASSERT_EQ(0, zmq_setsockopt(s, opt, "value", 5));
        EXPECT_EQ(0, zmq_setsockopt(s, opt, nullptr, 0)) << "opt " << opt;
        EXPECT_EQ(ZMQ_NULL, get_int(s, ZMQ_MECHANISM));
        close(s);
    }
    for (int opt : {ZMQ_SOCKS_PROXY, ZMQ_BINDTODEVICE}) {
        void *s = make(ZMQ_DEALER);
        ASSERT_EQ(0, zmq_setsockopt(s, opt, "value", 5));
        ASSERT_EQ(0, zmq_setsockopt(s, opt, nullptr, 0)) << "opt " << opt;
        char buf[64];
        size_t len = sizeof buf;
        ASSERT_EQ(0, zmq_getsockopt(s, opt, buf, &len));
        EXPECT_EQ(1u, len) << "opt " << opt;
        close(s);
    }
}

TEST_F(SockoptTypes, CredentialsRejectEmptyAndOverlong) {
    void *s = make(ZMQ_DEALER);
    std::string long_name(256, 'u');
    for (int opt : {ZMQ_PLAIN_USERNAME, ZMQ_PLAIN_PASSWORD, ZMQ_ZAP_DOMAIN}) {
        EXPECT_ZMQ_ERR(zmq_setsockopt(s, opt, "", 0), EINVAL);
        EXPECT_ZMQ_ERR(zmq_setsockopt(s, opt, long_name.data(), long_name.size()), EINVAL);
        EXPECT_EQ(0, zmq_setsockopt(s, opt, long_name.data(), 255)) << "opt " << opt;
    }
}

TEST_F(SockoptTypes, LastEndpointDefaultIsEmptyString) {
    void *s = make(ZMQ_PAIR);
    char buf[64];
    size_t len = sizeof buf;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &len));
    EXPECT_EQ(1u, len);
    EXPECT_EQ('\0', buf[0]);
}

TEST_F(SockoptTypes, LastEndpointAfterInprocBind) {
    void *s = make(ZMQ_PAIR);
    const std::string ep = inproc_ep("last");
    ASSERT_EQ(0, zmq_bind(s, ep.c_str()));
    char buf[512];
    size_t len = sizeof buf;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &len));
    EXPECT_EQ(ep.size() + 1, len) << "length includes the NUL";
    EXPECT_EQ(ep, std::string(buf));

    len = ep.size(); // one short
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &len), EINVAL);
    len = ep.size() + 1;
    EXPECT_EQ(0, zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &len));
}

TEST_F(SockoptTypes, LastEndpointFollowsConnect) {
    void *s = make(ZMQ_PAIR);
    const std::string b = inproc_ep("bound");
    const std::string c = inproc_ep("connected");
    ASSERT_EQ(0, zmq_bind(s, b.c_str()));
    ASSERT_EQ(0, zmq_connect(s, c.c_str()));
    EXPECT_EQ(c, last_endpoint(s));
}

TEST_F(SockoptTypes, LastEndpointResolvesTcpWildcard) {
    SKIP_WITHOUT_TCP();
    void *s = make(ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(s, "tcp://127.0.0.1:*"));
    const std::string ep = last_endpoint(s);
    ASSERT_EQ(0u, ep.rfind("tcp://127.0.0.1:", 0)) << ep;
    const int port = std::stoi(ep.substr(strlen("tcp://127.0.0.1:")));
    EXPECT_GT(port, 0);
    EXPECT_LT(port, 65536);
    // A second socket can connect to what was reported.
    void *push = make(ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(2, zmq_send(push, "hi", 2, 0));
    EXPECT_EQ("hi", recv_str(s));
}

TEST_F(SockoptTypes, ConflateKeepsOnlyLastMessage) {
    const std::string ep = inproc_ep("conflate");
    void *pull = make(ZMQ_PULL);
    ASSERT_EQ(0, set_int(pull, ZMQ_CONFLATE, 1));
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    void *push = make(ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    for (int i = 0; i < 10; ++i) {
        const std::string m = std::to_string(i);
        ASSERT_EQ(static_cast<int>(m.size()), zmq_send(push, m.data(), m.size(), 0));
    }
    // The last one always arrives; earlier ones are replaced.
    std::string last;
    ASSERT_TRUE(eventually([&] {
        std::string got = recv_str(pull, 100);
        if (got != "<timeout>")
            last = got;
        return last == "9";
    }));
    char buf[4];
    EXPECT_ZMQ_ERR(zmq_recv(pull, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
}

TEST_F(SockoptTypes, InvertMatchingOnSub) {
    void *pub, *sub;
    pair(ZMQ_PUB, ZMQ_SUB, &pub, &sub);
    ASSERT_EQ(0, set_int(pub, ZMQ_INVERT_MATCHING, 1));
    ASSERT_EQ(0, set_int(sub, ZMQ_INVERT_MATCHING, 1));
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "skip", 4));
    // Wait until the subscription has reached the publisher: keep publishing
    // a matching-by-inversion probe until it is seen.
    ASSERT_TRUE(eventually([&] {
        send_str(pub, "probe");
        return recv_str(sub, 20) == "probe";
    }));
    while (recv_str(sub, 0) != "<timeout>") {
    }
    send_str(pub, "skip-me");
    send_str(pub, "keep-me");
    EXPECT_EQ("keep-me", recv_str(sub));
}

// libzmq clears the caller's whole buffer past what it returns: socket-level
// ints (ZMQ_RCVMORE, ZMQ_EVENTS, ZMQ_FD, ZMQ_THREAD_SAFE) take any buffer of
// at least an int, and binary/string options are followed by zeros.
TEST_F(SockoptTypes, LargerBuffersAreZeroedPastTheValue) {
    void *s = make(ZMQ_DEALER);
    for (int opt : {ZMQ_RCVMORE, ZMQ_EVENTS, ZMQ_FD, ZMQ_THREAD_SAFE}) {
        unsigned char buf[16];
        memset(buf, 0xAA, sizeof buf);
        size_t len = sizeof buf;
        ASSERT_EQ(0, zmq_getsockopt(s, opt, buf, &len)) << "opt " << opt;
        EXPECT_EQ(sizeof(int), len) << "opt " << opt;
        for (size_t i = sizeof(int); i < sizeof buf; ++i)
            EXPECT_EQ(0, buf[i]) << "opt " << opt << " byte " << i;
        len = sizeof(int) - 1;
        EXPECT_ZMQ_ERR(zmq_getsockopt(s, opt, buf, &len), EINVAL);
    }
    // Options of the option table want their exact size.
    int64_t big[2];
    size_t len = sizeof big;
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZMQ_SNDHWM, big, &len), EINVAL);
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZMQ_MAXMSGSIZE, big, &len), EINVAL);
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZMQ_AFFINITY, big, &len), EINVAL);

    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_ROUTING_ID, "id", 2));
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "dom", 3));
    ASSERT_EQ(0, zmq_bind(s, inproc_ep("tail").c_str()));
    for (int opt : {ZMQ_ROUTING_ID, ZMQ_ZAP_DOMAIN, ZMQ_LAST_ENDPOINT}) {
        unsigned char buf[128];
        memset(buf, 0xAA, sizeof buf);
        len = sizeof buf;
        ASSERT_EQ(0, zmq_getsockopt(s, opt, buf, &len)) << "opt " << opt;
        for (size_t i = len; i < sizeof buf; ++i)
            EXPECT_EQ(0, buf[i]) << "opt " << opt << " byte " << i;
    }
}

// String options keep exactly the bytes given: a NUL passed in is part of
// the value and comes back before the terminator.
TEST_F(SockoptTypes, StringOptionsKeepTheBytesGiven) {
    void *s = make(ZMQ_DEALER);
    for (int opt : {ZMQ_ZAP_DOMAIN, ZMQ_PLAIN_USERNAME, ZMQ_SOCKS_PROXY, ZMQ_BINDTODEVICE}) {
        ASSERT_EQ(0, zmq_setsockopt(s, opt, "abc", 4)) << "opt " << opt; // with its NUL
        char buf[16];
        size_t len = sizeof buf;
        ASSERT_EQ(0, zmq_getsockopt(s, opt, buf, &len));
        EXPECT_EQ(5u, len) << "opt " << opt;
        EXPECT_EQ(0, memcmp("abc\0", buf, 5)) << "opt " << opt;
    }
}

// ZMQ_SOCKS_PROXY and ZMQ_BINDTODEVICE: NULL/0 clears, an empty non-NULL
// value is EINVAL, a lone NUL is a one-byte value.
TEST_F(SockoptTypes, EmptyValuesOfClearableStrings) {
    for (int opt : {ZMQ_SOCKS_PROXY, ZMQ_BINDTODEVICE}) {
        void *s = make(ZMQ_DEALER);
        EXPECT_ZMQ_ERR(zmq_setsockopt(s, opt, "", 0), EINVAL);
        ASSERT_EQ(0, zmq_setsockopt(s, opt, "", 1)) << "opt " << opt;
        char buf[8];
        size_t len = sizeof buf;
        ASSERT_EQ(0, zmq_getsockopt(s, opt, buf, &len));
        EXPECT_EQ(2u, len) << "opt " << opt;
        ASSERT_EQ(0, zmq_setsockopt(s, opt, nullptr, 0));
        len = sizeof buf;
        ASSERT_EQ(0, zmq_getsockopt(s, opt, buf, &len));
        EXPECT_EQ(1u, len) << "opt " << opt;
        close(s);
    }
    // A device name is at most 16 bytes (IFNAMSIZ).
    void *s = make(ZMQ_DEALER);
    EXPECT_EQ(0, zmq_setsockopt(s, ZMQ_BINDTODEVICE, "abcdefghijklmnop", 16));
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZMQ_BINDTODEVICE, "abcdefghijklmnopq", 17), EINVAL);
}
