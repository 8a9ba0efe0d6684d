// HWM backpressure through the network and ZMQ_MAXMSGSIZE. With a slow
// receiver PUSH/DEALER/PAIR block (EAGAIN with DONTWAIT) and lose nothing,
// PUB drops; oversized messages cost the connection and are never delivered.
#include "net_testutil.hpp"

using namespace testutil;

namespace {

struct flow_case {
    const char *name;
    int sender, receiver;
    transport t;
};

class NetFlow : public net_test, public ::testing::WithParamInterface<flow_case> {
  protected:
    void link(void **snd, void **rcv, int hwm) {
        const flow_case &c = GetParam();
        *snd = make(c.sender);
        *rcv = make(c.receiver);
        set_int(*snd, ZMQ_SNDHWM, hwm);
        set_int(*rcv, ZMQ_RCVHWM, hwm);
        // Small kernel buffers so the network holds little beyond the HWMs.
        set_int(*snd, ZMQ_SNDBUF, 16384);
        set_int(*rcv, ZMQ_RCVBUF, 16384);
        if (c.receiver == ZMQ_ROUTER)
            zmq_setsockopt(*snd, ZMQ_ROUTING_ID, "S", 1);
        const std::string ep = bind_any(*rcv, c.t);
        prepare(*snd, c.t);
        ASSERT_EQ(0, zmq_connect(*snd, ep.c_str()));
    }
    // The receiver's payload frame (ROUTER prefixes the routing id).
    std::string recv_payload(void *rcv) {
        auto m = recv_multipart(rcv);
        if (GetParam().receiver == ZMQ_ROUTER) {
            if (m.size() != 2 || m[0] != "S")
                return "<bad envelope>";
            return m[1];
        }
        return m.size() == 1 ? m[0] : "<bad parts>";
    }
};

std::string numbered(int i, size_t size) {
    std::string s = std::to_string(i);
    s.resize(std::max(size, s.size()), '.');
    return s;
}

} // namespace

TEST_P(NetFlow, SlowReceiverBlocksSenderAndLosesNothing) {
    SKIP_WITHOUT_NET(GetParam().t);
    void *snd, *rcv;
    link(&snd, &rcv, 10);
    // Make sure the connection is up, so EAGAIN below means "full".
    ASSERT_TRUE(send_retry(snd, numbered(0, 1000)));
    ASSERT_EQ(numbered(0, 1000), recv_payload(rcv));

    // Fill without reading: the sender must hit EAGAIN (bounded memory).
    int sent = 1;
    const int cap = 100000;
    while (sent < cap) {
        const std::string m = numbered(sent, 1000);
        if (zmq_send(snd, m.data(), m.size(), ZMQ_DONTWAIT) < 0) {
            ASSERT_EQ(EAGAIN, zmq_errno());
            break;
        }
        ++sent;
    }
    ASSERT_LT(sent, cap) << "sender never pushed back";
    // Everything accepted arrives, in order.
    for (int i = 1; i < sent; ++i)
        ASSERT_EQ(numbered(i, 1000), recv_payload(rcv)) << i;
    EXPECT_FALSE(wait_readable(rcv, 20));
}

TEST_P(NetFlow, ManyMessagesWithRetryArriveInOrder) {
    SKIP_WITHOUT_NET(GetParam().t);
    void *snd, *rcv;
    link(&snd, &rcv, 5);
    const int n = 5000;
    std::atomic<int> failed_at{-1};
    std::thread sender([&] {
        for (int i = 0; i < n; ++i)
            if (!send_retry(snd, numbered(i, i % 3 ? 10 : 3000))) {
                failed_at = i;
                return;
            }
    });
    int i = 0;
    for (; i < n; ++i) {
        const std::string got = recv_payload(rcv);
        if (got != numbered(i, i % 3 ? 10 : 3000)) {
            ADD_FAILURE() << "message " << i << ": " << got.substr(0, 20);
            break;
        }
    }
    sender.join();
    EXPECT_EQ(-1, failed_at.load());
    EXPECT_EQ(n, i);
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, NetFlow,
    ::testing::Values(flow_case{"push_pull_tcp", ZMQ_PUSH, ZMQ_PULL, transport::tcp4},
                      flow_case{"push_pull_ipc", ZMQ_PUSH, ZMQ_PULL, transport::ipc_path},
                      flow_case{"dealer_router_tcp", ZMQ_DEALER, ZMQ_ROUTER, transport::tcp4},
                      flow_case{"dealer_dealer_ipc", ZMQ_DEALER, ZMQ_DEALER,
                                transport::ipc_abstract},
                      flow_case{"pair_tcp", ZMQ_PAIR, ZMQ_PAIR, transport::tcp4},
                      flow_case{"pair_ipc", ZMQ_PAIR, ZMQ_PAIR, transport::ipc_path}),
    [](const ::testing::TestParamInfo<flow_case> &i) { return std::string(i.param.name); });

class NetLimits : public net_test {};

TEST_F(NetLimits, PubDropsForSlowSubscriber) {
    SKIP_WITHOUT_TCP();
    void *pub = make(ZMQ_PUB);
    void *sub = make(ZMQ_SUB);
    set_int(pub, ZMQ_SNDHWM, 10);
    set_int(sub, ZMQ_RCVHWM, 10);
    set_int(pub, ZMQ_SNDBUF, 16384);
    set_int(sub, ZMQ_RCVBUF, 16384);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0));
    const std::string ep = bind_any(pub, transport::tcp4);
    ASSERT_EQ(0, zmq_connect(sub, ep.c_str()));
    ASSERT_TRUE(pub_until_received(pub, sub, "probe"));
    while (wait_readable(sub, 20))
        recv_str(sub);

    // PUB never blocks: every send succeeds even with DONTWAIT.
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const std::string m = numbered(i, 1000);
        ASSERT_EQ(1000, zmq_send(pub, m.data(), m.size(), ZMQ_DONTWAIT)) << i;
    }
    // What arrives is an in-order subsequence, and some were dropped.
    int received = 0, last = -1;
    while (wait_readable(sub, 200)) {
        const std::string s = recv_str(sub);
        const int k = std::atoi(s.c_str());
        EXPECT_GT(k, last);
        last = k;
        ++received;
    }
    EXPECT_GT(received, 0);
    EXPECT_LT(received, n) << "nothing was dropped despite HWM 10";
}

TEST_F(NetLimits, MaxMsgSizeDropsConnectionAndMessage) {
    SKIP_WITHOUT_TCP();
    void *pull = make(ZMQ_PULL);
    const int64_t max = 1000;
    ASSERT_EQ(0, zmq_setsockopt(pull, ZMQ_MAXMSGSIZE, &max, sizeof max));
    void *mon = monitor(pull);
    const std::string ep = bind_any(pull, transport::tcp4);
    void *push = make(ZMQ_PUSH);
    set_int(push, ZMQ_RECONNECT_IVL, 20);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(0, send_parts(push, {std::string(1000, 'k')})); // exactly at the limit
    EXPECT_EQ(std::string(1000, 'k'), recv_str(pull));

    ASSERT_EQ(0, send_parts(push, {std::string(1001, 'x')}));
    EXPECT_TRUE(wait_event(mon, ZMQ_EVENT_DISCONNECTED));
    // The connecter reconnects; small messages flow again and the oversized
    // one never shows up.
    bool got = false;
    for (int i = 0; i < 250 && !got; ++i) {
        send_retry(push, "small", 0, 20);
        if (wait_readable(pull, 20)) {
            const std::string s = recv_str(pull);
            ASSERT_EQ("small", s) << "oversized message delivered";
            got = true;
        }
    }
    EXPECT_TRUE(got);
}
