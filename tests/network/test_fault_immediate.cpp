// ZMQ_IMMEDIATE=1 over the relay: while the only peer is not connected
// (the relay refuses connections, or it accepted one but forwards nothing
// so the handshake cannot complete) nothing is queued: a send gets EAGAIN
// (ZMQ_DONTWAIT) or times out (ZMQ_SNDTIMEO). Once the peer connects,
// messages flow and the first to arrive is the first sent after it
// connected. With two peers, one connected and one behind the relay, every
// message goes to the connected one; none waits for the other.
// Messages accepted on a connection that stays up all arrive, in order,
// with count (test_fault_hwm.cpp proves it with full queues, TornMessages
// and FaultProxy.* under fragmentation and delays).
#include "fault_patterns.hpp"

using namespace faulttest;

namespace {

enum class absent { refused, stalled_before_handshake };

struct immediate_case {
    const char *name;
    link_pattern pat;
    absent how;
};

class FaultImmediate : public fault_link, public ::testing::WithParamInterface<immediate_case> {
  protected:
    // The connecter (IMMEDIATE, SNDTIMEO 100 ms) dials a relay that is
    // already refusing or stalled.
    void start() {
        const immediate_case &c = GetParam();
        pat = c.pat;
        binder = make(c.pat.binder);
        connecter = make(c.pat.connecter);
        set_int(connecter, ZMQ_RECONNECT_IVL, 10);
        set_int(connecter, ZMQ_IMMEDIATE, 1);
        set_int(connecter, ZMQ_SNDTIMEO, 100);
        mon = monitor(connecter);
        const std::string target = bind_any(binder, transport::tcp4);
        ASSERT_FALSE(target.empty());
        proxy.reset(new fault::fault_proxy(target));
        if (c.how == absent::refused)
            proxy->refuse_for(std::chrono::seconds(60));
        else
            proxy->set_stall(true);
        ASSERT_EQ(0, zmq_connect(connecter, proxy->endpoint().c_str()));
        // The peer is really being tried: refused twice, or connected.
        if (c.how == absent::refused)
            ASSERT_TRUE(eventually([&] { return proxy->refused() >= 2; }));
        else
            ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_CONNECTED));
    }

    void *mon = nullptr;
};

std::string case_name(const ::testing::TestParamInfo<immediate_case> &i) { return i.param.name; }

} // namespace

TEST_P(FaultImmediate, NothingQueuedUntilThePeerConnects) {
    ASSERT_NO_FATAL_FAILURE(start());
    EXPECT_EQ(EAGAIN, send_err(connecter, "early-1", ZMQ_DONTWAIT));
    EXPECT_EQ(EAGAIN, send_err(connecter, "early-2")) << "a blocking send within SNDTIMEO";
    zmq_pollitem_t out{connecter, 0, ZMQ_POLLOUT, 0};
    EXPECT_EQ(0, zmq_poll(&out, 1, 0)) << "POLLOUT without a connected peer";

    if (GetParam().how == absent::refused)
        proxy->refuse_for(std::chrono::milliseconds(0));
    else
        proxy->set_stall(false);
    ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
    ASSERT_TRUE(send_retry(connecter, "after-1"));
    std::vector<std::string> first = recv_multipart(binder);
    if (pat.binder == ZMQ_ROUTER && !first.empty())
        first.erase(first.begin());
    EXPECT_EQ(std::vector<std::string>{"after-1"}, first) << "the first message to arrive";
    if (pat.binder == ZMQ_REP) { // the REQ waits for its answer
        ASSERT_EQ(0, send_parts(binder, {"re:after-1"}));
        ASSERT_EQ("re:after-1", recv_str(connecter));
    }
    EXPECT_TRUE(round_trip(next_tag()));
    EXPECT_FALSE(wait_readable(binder, 0)) << "an early message arrived after all";
}

INSTANTIATE_TEST_SUITE_P(
    Senders, FaultImmediate,
    ::testing::Values(immediate_case{"push_refused", patterns[0], absent::refused},
                      immediate_case{"push_stalled", patterns[0], absent::stalled_before_handshake},
                      immediate_case{"dealer_refused", patterns[1], absent::refused},
                      immediate_case{"dealer_stalled", patterns[1],
                                     absent::stalled_before_handshake},
                      immediate_case{"req_refused", patterns[2], absent::refused},
                      immediate_case{"req_stalled", patterns[2], absent::stalled_before_handshake}),
    case_name);

// A PUSH or DEALER with IMMEDIATE, one peer direct and one behind a relay
// that stalls before the handshake: all messages go to the direct peer, and
// the other gets only messages sent after it connected.
class FaultImmediateTwoPeers : public net_test, public ::testing::WithParamInterface<int> {};

TEST_P(FaultImmediateTwoPeers, OnlyTheConnectedPeerGetsMessages) {
    const int receiver_type = GetParam() == ZMQ_PUSH ? ZMQ_PULL : ZMQ_ROUTER;
    void *near = make(receiver_type), *far = make(receiver_type), *sender = make(GetParam());
    set_int(sender, ZMQ_IMMEDIATE, 1);
    set_int(sender, ZMQ_RECONNECT_IVL, 10);
    void *mon = monitor(sender);
    const std::string near_ep = bind_any(near, transport::tcp4);
    const std::string far_ep = bind_any(far, transport::tcp4);
    ASSERT_FALSE(near_ep.empty() || far_ep.empty());
    fault::fault_proxy relay(far_ep);
    relay.set_stall(true);
    ASSERT_EQ(0, zmq_connect(sender, relay.endpoint().c_str()));
    ASSERT_TRUE(relay.wait_accepted(1));
    ASSERT_EQ(0, zmq_connect(sender, near_ep.c_str()));
    ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED)); // the near one's
    const size_t strip = receiver_type == ZMQ_ROUTER ? 1 : 0;
    for (int i = 0; i < 20; ++i)
        ASSERT_TRUE(send_retry(sender, "m" + std::to_string(i))) << i;
    for (int i = 0; i < 20; ++i) {
        const std::vector<std::string> m = recv_multipart(near);
        ASSERT_EQ(strip + 1, m.size());
        ASSERT_EQ("m" + std::to_string(i), m[strip]);
    }

    relay.set_stall(false);
    ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED)); // the far one's
    // Round-robin now reaches the far peer too: it gets new messages only.
    bool far_got = false;
    for (int i = 20; i < 200 && !far_got; ++i) {
        ASSERT_TRUE(send_retry(sender, "m" + std::to_string(i))) << i;
        if (wait_readable(far, 10)) {
            const std::vector<std::string> m = recv_multipart(far);
            ASSERT_EQ(strip + 1, m.size());
            EXPECT_GE(std::atoi(m[strip].c_str() + 1), 20) << "queued before it connected";
            far_got = true;
        }
    }
    EXPECT_TRUE(far_got) << "the far peer never got a message";
    zmq_socket_monitor(sender, nullptr, 0);
}

INSTANTIATE_TEST_SUITE_P(Senders, FaultImmediateTwoPeers, ::testing::Values(ZMQ_PUSH, ZMQ_DEALER),
                         [](const ::testing::TestParamInfo<int> &i) {
                             return std::string(i.param == ZMQ_PUSH ? "push" : "dealer");
                         });
