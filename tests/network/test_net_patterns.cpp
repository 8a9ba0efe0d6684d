// Every socket pattern over tcp (IPv4, IPv6) and ipc (path, abstract,
// wildcard) with the same semantics as inproc: PAIR, PUB/SUB filtering,
// XPUB/XSUB subscription messages, DEALER/ROUTER routing ids, REQ/REP,
// PUSH/PULL; multipart, 0-byte and 1 MiB messages.
#include "net_testutil.hpp"

using namespace testutil;

namespace {

class NetPattern : public net_test, public ::testing::WithParamInterface<transport> {
  protected:
    // Bind `b` on the parameter's transport and connect `c` to it.
    std::string link(void *b, void *c) {
        const std::string ep = bind_any(b, GetParam());
        prepare(c, GetParam());
        EXPECT_EQ(0, zmq_connect(c, ep.c_str())) << ep;
        return ep;
    }
};

std::string big(size_t n, int seed) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>((i * 7 + seed) & 0xFF);
    return s;
}

} // namespace

TEST_P(NetPattern, PairBothWaysAndSizes) {
    SKIP_WITHOUT_NET(GetParam());
    void *a = make(ZMQ_PAIR);
    void *b = make(ZMQ_PAIR);
    link(a, b);
    ASSERT_EQ(0, send_parts(b, {"ping"}));
    EXPECT_EQ("ping", recv_str(a));
    ASSERT_EQ(0, send_parts(a, {"pong"}));
    EXPECT_EQ("pong", recv_str(b));

    ASSERT_EQ(0, send_parts(a, {""}));
    EXPECT_EQ(std::vector<std::string>{""}, recv_multipart(b));
    const std::vector<std::string> multi = {"a", "", "ccc", big(300, 1)};
    ASSERT_EQ(0, send_parts(b, multi));
    EXPECT_EQ(multi, recv_multipart(a));
    const std::string mib = big(1 << 20, 3);
    ASSERT_EQ(0, send_parts(a, {mib}));
    const auto got = recv_multipart(b);
    ASSERT_EQ(1u, got.size());
    EXPECT_TRUE(got[0] == mib) << "1 MiB payload differs, size " << got[0].size();
}

TEST_P(NetPattern, PubSubFiltering) {
    SKIP_WITHOUT_NET(GetParam());
    void *pub = make(ZMQ_PUB);
    void *sub = make(ZMQ_SUB);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "A", 1));
    link(pub, sub);
    std::string first;
    ASSERT_TRUE(pub_until_received(pub, sub, "A-probe", &first));
    EXPECT_EQ("A-probe", first);
    while (wait_readable(sub, 0))
        recv_str(sub);
    ASSERT_EQ(0, send_parts(pub, {"B-no"}));
    ASSERT_EQ(0, send_parts(pub, {"A-1", "tail"}));
    ASSERT_EQ(0, send_parts(pub, {"B-no"}));
    ASSERT_EQ(0, send_parts(pub, {"A-2"}));
    EXPECT_EQ((std::vector<std::string>{"A-1", "tail"}), recv_multipart(sub));
    EXPECT_EQ("A-2", recv_str(sub));
    EXPECT_FALSE(wait_readable(sub, 50)) << "unsubscribed topic delivered";

    // Unsubscribing travels upstream too: eventually A is filtered out.
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "A", 1));
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "C", 1));
    ASSERT_TRUE(pub_until_received(pub, sub, "C-probe"));
    ASSERT_EQ(0, send_parts(pub, {"A-3"}));
    ASSERT_EQ(0, send_parts(pub, {"C-end"}));
    std::string s;
    do
        s = recv_str(sub);
    while (s == "C-probe");
    EXPECT_EQ("C-end", s);
}

TEST_P(NetPattern, XpubXsubSubscriptionMessages) {
    SKIP_WITHOUT_NET(GetParam());
    void *xpub = make(ZMQ_XPUB);
    void *xsub = make(ZMQ_XSUB);
    link(xpub, xsub);
    ASSERT_EQ(0, send_parts(xsub, {std::string("\1topic")}));
    EXPECT_EQ(std::string("\1topic"), recv_str(xpub));
    ASSERT_EQ(0, send_parts(xpub, {"other"}));
    ASSERT_EQ(0, send_parts(xpub, {"topic-1", "x"}));
    EXPECT_EQ((std::vector<std::string>{"topic-1", "x"}), recv_multipart(xsub));
    ASSERT_EQ(0, send_parts(xsub, {std::string("\0topic", 6)}));
    EXPECT_EQ(std::string("\0topic", 6), recv_str(xpub));
}

TEST_P(NetPattern, DealerRouterRoutingIds) {
    SKIP_WITHOUT_NET(GetParam());
    void *router = make(ZMQ_ROUTER);
    void *d1 = make(ZMQ_DEALER);
    void *d2 = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_setsockopt(d1, ZMQ_ROUTING_ID, "dealer-1", 8));
    ASSERT_EQ(0, zmq_setsockopt(d2, ZMQ_ROUTING_ID, "dealer-2", 8));
    const std::string ep = link(router, d1);
    prepare(d2, GetParam());
    ASSERT_EQ(0, zmq_connect(d2, ep.c_str()));
    ASSERT_EQ(0, send_parts(d1, {"from-1", ""}));
    ASSERT_EQ(0, send_parts(d2, {"from-2"}));
    std::map<std::string, std::vector<std::string>> got;
    for (int i = 0; i < 2; ++i) {
        auto m = recv_multipart(router);
        ASSERT_GE(m.size(), 2u);
        got[m[0]] = std::vector<std::string>(m.begin() + 1, m.end());
    }
    EXPECT_EQ((std::vector<std::string>{"from-1", ""}), got["dealer-1"]);
    EXPECT_EQ((std::vector<std::string>{"from-2"}), got["dealer-2"]);
    ASSERT_EQ(0, send_parts(router, {"dealer-2", "to-2"}));
    ASSERT_EQ(0, send_parts(router, {"dealer-1", "to-1", big(1 << 20, 5)}));
    EXPECT_EQ("to-2", recv_str(d2));
    const auto m1 = recv_multipart(d1);
    ASSERT_EQ(2u, m1.size());
    EXPECT_EQ("to-1", m1[0]);
    EXPECT_TRUE(m1[1] == big(1 << 20, 5));
    EXPECT_FALSE(wait_readable(d2, 20));
}

TEST_P(NetPattern, ReqRepRounds) {
    SKIP_WITHOUT_NET(GetParam());
    void *rep = make(ZMQ_REP);
    void *req = make(ZMQ_REQ);
    link(rep, req);
    for (int i = 0; i < 5; ++i) {
        const std::string q = "q" + std::to_string(i);
        ASSERT_EQ(0, send_parts(req, {q, ""}));
        EXPECT_EQ((std::vector<std::string>{q, ""}), recv_multipart(rep));
        ASSERT_EQ(0, send_parts(rep, {"r" + std::to_string(i)}));
        EXPECT_EQ("r" + std::to_string(i), recv_str(req));
    }
}

TEST_P(NetPattern, PushPullOrderAndFanIn) {
    SKIP_WITHOUT_NET(GetParam());
    void *pull = make(ZMQ_PULL);
    void *p1 = make(ZMQ_PUSH);
    void *p2 = make(ZMQ_PUSH);
    const std::string ep = link(pull, p1);
    prepare(p2, GetParam());
    ASSERT_EQ(0, zmq_connect(p2, ep.c_str()));
    for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(0, send_parts(p1, {"1:" + std::to_string(i)}));
        ASSERT_EQ(0, send_parts(p2, {"2:" + std::to_string(i)}));
    }
    int next1 = 0, next2 = 0;
    for (int i = 0; i < 400; ++i) {
        const std::string s = recv_str(pull);
        ASSERT_NE("<timeout>", s);
        if (s[0] == '1')
            EXPECT_EQ("1:" + std::to_string(next1++), s);
        else
            EXPECT_EQ("2:" + std::to_string(next2++), s);
    }
    EXPECT_EQ(200, next1);
    EXPECT_EQ(200, next2);
}

TEST_P(NetPattern, ConnectSideBindsReversed) {
    // The roles of binder and connecter are independent of the pattern.
    SKIP_WITHOUT_NET(GetParam());
    void *push = make(ZMQ_PUSH);
    void *pull = make(ZMQ_PULL);
    link(push, pull);
    ASSERT_EQ(0, send_parts(push, {"x", "y"}));
    EXPECT_EQ((std::vector<std::string>{"x", "y"}), recv_multipart(pull));
    void *req = make(ZMQ_REQ);
    void *rep = make(ZMQ_REP);
    link(req, rep);
    ASSERT_EQ(0, send_parts(req, {"q"}));
    EXPECT_EQ("q", recv_str(rep));
    ASSERT_EQ(0, send_parts(rep, {"r"}));
    EXPECT_EQ("r", recv_str(req));
}

INSTANTIATE_TEST_SUITE_P(Transports, NetPattern,
                         ::testing::Values(transport::tcp4, transport::tcp6, transport::ipc_path,
                                           transport::ipc_abstract, transport::ipc_wild),
                         [](const ::testing::TestParamInfo<transport> &i) {
                             return std::string(transport_name(i.param));
                         });
