// ws:// against an independent ZWS 2.0 implementation: jszmq (npm) in a
// Node.js process (tests/interop/js/jszmq_peer.js), both directions, for
// DEALER/ROUTER, REQ/REP and PUB/SUB (js_util.hpp installs jszmq). The
// system libzmq reports zmq_has("ws") = 0 (its ws:// works nonetheless:
// test_interop.cpp's WebSocket cases).
#include "interop_util.hpp"

using namespace interop;

#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ

TEST(Jszmq, NoWsInLibzmq) { EXPECT_EQ(0, zmq_has("ws")); }

#else

#include "js_util.hpp"

namespace {

class Jszmq : public net_test {
  protected:
    void SetUp() override {
        net_test::SetUp();
        const std::string why = ensure_js_module("jszmq");
        if (!why.empty())
            GTEST_SKIP() << why;
    }
    void start_node(const std::string &role, const std::string &ep = "") {
        std::vector<std::string> args = {role};
        if (!ep.empty())
            args.push_back(ep);
        ASSERT_TRUE(start_node_script(node, "jszmq_peer.js", args));
    }
    // The node peer's verdict: "OK" and exit status 0.
    void expect_node_ok() {
        EXPECT_EQ("OK", node.read_line(10000));
        EXPECT_EQ(0, node.wait_exit(5000));
    }
    void *bound(int type) {
        void *s = make(type);
        EXPECT_EQ(0, zmq_bind(s, "ws://127.0.0.1:*/jszmq"));
        return s;
    }
    peer_process node;
};

} // namespace

TEST_F(Jszmq, DealerToZlinkRouter) {
    void *router = bound(ZMQ_ROUTER);
    start_node("dealer", last_endpoint(router));
    for (int i = 0; i < 5; ++i) {
        std::vector<std::string> m = recv_multipart(router);
        ASSERT_EQ(3u, m.size()) << "message " << i;
        EXPECT_EQ("hello", m[1]);
        EXPECT_EQ(std::to_string(i), m[2]);
        ASSERT_EQ(0, send_parts(router, m)); // echo
    }
    expect_node_ok();
}

// Two paths on one port (ws_ports.hpp): jszmq reaches the second one.
TEST_F(Jszmq, DealerReachesTheSecondPathOfAPort) {
    void *first = bound(ZMQ_ROUTER);
    const std::string ep = last_endpoint(first);
    const std::string second_ep = ep.substr(0, ep.rfind('/')) + "/second";
    void *second = make(ZMQ_ROUTER);
    ASSERT_EQ(0, zmq_bind(second, second_ep.c_str())) << zmq_strerror(zmq_errno());
    start_node("dealer", second_ep);
    for (int i = 0; i < 5; ++i) {
        std::vector<std::string> m = recv_multipart(second);
        ASSERT_EQ(3u, m.size()) << "message " << i;
        EXPECT_EQ(std::to_string(i), m[2]);
        ASSERT_EQ(0, send_parts(second, m)); // echo
    }
    expect_node_ok();
    EXPECT_FALSE(wait_readable(first, 50));
}

TEST_F(Jszmq, ReqToZlinkRep) {
    void *rep = bound(ZMQ_REP);
    start_node("req", last_endpoint(rep));
    for (int i = 0; i < 5; ++i) {
        const std::string req = recv_str(rep);
        ASSERT_EQ("req " + std::to_string(i), req);
        send_ok(rep, "rep " + req);
    }
    expect_node_ok();
}

TEST_F(Jszmq, SubToZlinkPub) {
    void *pub = bound(ZMQ_PUB);
    start_node("sub", last_endpoint(pub));
    // Publish until jszmq's subscription is in and it has its 3 messages.
    std::string verdict;
    for (int i = 0; i < 400 && verdict.empty(); ++i) {
        send_ok(pub, "other " + std::to_string(i));
        send_ok(pub, "topic " + std::to_string(i));
        verdict = node.read_line(20);
    }
    EXPECT_EQ("OK", verdict);
    EXPECT_EQ(0, node.wait_exit(5000));
}

TEST_F(Jszmq, ZlinkDealerToRouter) {
    start_node("router-bind");
    const std::string ep = node.endpoint();
    ASSERT_EQ(0u, ep.find("ws://127.0.0.1:")) << ep;
    void *dealer = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_connect(dealer, ep.c_str()));
    ASSERT_EQ(0, send_parts(dealer, {"a", "", "multi"}));
    EXPECT_EQ((std::vector<std::string>{"a", "", "multi"}), recv_multipart(dealer));
    ASSERT_EQ(0, send_parts(dealer, {"END"}));
    EXPECT_EQ("END", recv_str(dealer));
    expect_node_ok();
}

TEST_F(Jszmq, ZlinkReqToRep) {
    start_node("rep-bind");
    const std::string ep = node.endpoint();
    void *req = make(ZMQ_REQ);
    ASSERT_EQ(0, zmq_connect(req, ep.c_str()));
    for (const std::string q : {"one", "two", "END"}) {
        send_ok(req, q);
        EXPECT_EQ("rep " + q, recv_str(req));
    }
    expect_node_ok();
}

TEST_F(Jszmq, ZlinkSubToPub) {
    start_node("pub-bind");
    const std::string ep = node.endpoint();
    void *sub = make(ZMQ_SUB);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "topic", 5));
    ASSERT_EQ(0, zmq_connect(sub, ep.c_str()));
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(0u, recv_str(sub).find("topic ")); // never "other"
    node.close_stdin();
    expect_node_ok();
}

#endif
