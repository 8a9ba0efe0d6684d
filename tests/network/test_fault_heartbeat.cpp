// A peer that stops answering (the relay stalls both directions, the TCP
// connection stays open) is found by ZMTP heartbeats: the pinging side
// times out (ZMQ_HEARTBEAT_TIMEOUT), or the side that gets PINGs gives up
// after the TTL they carry (ZMQ_HEARTBEAT_TTL). The connection is dropped,
// the connecter reconnects once the relay forwards again, traffic resumes,
// and the monitor events are libzmq 4.3.4's, in its order.
#include "fault_patterns.hpp"

using namespace faulttest;

namespace {

class FaultHeartbeat : public fault_link, public ::testing::WithParamInterface<link_pattern> {
  protected:
    void SetUp() override {
        fault_link::SetUp();
        binder_mon_wanted = connecter_mon_wanted = true;
    }

    // Links the pair, proves traffic, and reads both monitors up to the
    // first handshake.
    void start(const std::function<void(void *, void *)> &tune) {
        ASSERT_NO_FATAL_FAILURE(link(GetParam(), tune));
        ASSERT_TRUE(round_trip(next_tag())) << "no traffic at first";
        const trace c = events_until(connecter_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
        ASSERT_TRUE(c.reached) << c.str();
        const trace b = events_until(binder_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
        ASSERT_TRUE(b.reached) << b.str();
        ASSERT_FALSE(b.events.empty());
        first_accepted_fd = 0;
        for (const event &e : b.events)
            if (e.id == ZMQ_EVENT_ACCEPTED)
                first_accepted_fd = e.value;
        fds_before = open_fds();
    }

    // After the relay forwards again: both sides see the old connection go
    // and a new one complete its handshake; traffic flows; no descriptor is
    // left behind (sockets and relay are all in this process).
    void expect_recovered(const trace &connecter_drop, const trace &binder_drop) {
        // The connecter reconnects by itself; its CONNECTED may come while
        // the relay still stalls (the relay accepts), the handshake not.
        const trace c = events_until(connecter_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
        EXPECT_TRUE(c.reached) << "connecter: " << c.str();
        EXPECT_EQ(ids({ZMQ_EVENT_CONNECT_RETRIED, ZMQ_EVENT_CONNECT_DELAYED, ZMQ_EVENT_CONNECTED,
                       ZMQ_EVENT_HANDSHAKE_SUCCEEDED}),
                  c.ids())
            << "connecter after the drop (" << connecter_drop.str() << "): " << c.str();
        const trace b = events_until(binder_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
        EXPECT_TRUE(b.reached) << "binder: " << b.str();
        EXPECT_EQ(ids({ZMQ_EVENT_ACCEPTED, ZMQ_EVENT_HANDSHAKE_SUCCEEDED}), b.ids())
            << "binder after the drop (" << binder_drop.str() << "): " << b.str();
        EXPECT_TRUE(round_trip(next_tag())) << "no traffic after the reconnect";
        EXPECT_TRUE(eventually([&] { return open_fds() == fds_before; }))
            << open_fds() << " descriptors open, " << fds_before << " before";
        EXPECT_EQ(2, proxy->accepted());
        const trace extra_c = events_now(connecter_mon), extra_b = events_now(binder_mon);
        EXPECT_TRUE(extra_c.events.empty()) << extra_c.str();
        EXPECT_TRUE(extra_b.events.empty()) << extra_b.str();
    }

    uint32_t first_accepted_fd = 0;
    int fds_before = 0;
};

} // namespace

// The connecter pings every 50 ms and gives up 250 ms after a PING that
// got nothing back.
TEST_P(FaultHeartbeat, PingingConnecterDropsStalledPeerAndReconnects) {
    ASSERT_NO_FATAL_FAILURE(start([](void *, void *c) {
        set_int(c, ZMQ_HEARTBEAT_IVL, 50);
        set_int(c, ZMQ_HEARTBEAT_TIMEOUT, 250);
    }));
    proxy->set_stall(true);
    const trace c = events_until(connecter_mon, ZMQ_EVENT_DISCONNECTED);
    ASSERT_TRUE(c.reached) << "stalled peer not detected: " << c.str();
    EXPECT_EQ(ids({ZMQ_EVENT_DISCONNECTED}), c.ids()) << c.str();
    // The binder has no heartbeat: it learns of the end when the relay
    // passes the connecter's close on (a stalled relay still passes a close).
    proxy->set_stall(false);
    const trace b = events_until(binder_mon, ZMQ_EVENT_DISCONNECTED);
    ASSERT_TRUE(b.reached) << b.str();
    EXPECT_EQ(first_accepted_fd, b.events.back().value) << b.str();
    expect_recovered(c, b);
}

// The binder pings; the connecter has no heartbeat and learns of the drop
// when the relay passes the binder's close on.
TEST_P(FaultHeartbeat, PingingBinderDropsStalledPeer) {
    ASSERT_NO_FATAL_FAILURE(start([](void *b, void *) {
        set_int(b, ZMQ_HEARTBEAT_IVL, 50);
        set_int(b, ZMQ_HEARTBEAT_TIMEOUT, 250);
    }));
    proxy->set_stall(true);
    const trace b = events_until(binder_mon, ZMQ_EVENT_DISCONNECTED);
    ASSERT_TRUE(b.reached) << "stalled peer not detected: " << b.str();
    EXPECT_EQ(ids({ZMQ_EVENT_DISCONNECTED}), b.ids()) << b.str();
    EXPECT_EQ(first_accepted_fd, b.events.back().value);
    proxy->set_stall(false);
    const trace c = events_until(connecter_mon, ZMQ_EVENT_DISCONNECTED);
    ASSERT_TRUE(c.reached) << c.str();
    EXPECT_EQ(ids({ZMQ_EVENT_DISCONNECTED}), c.ids()) << c.str();
    expect_recovered(c, b);
}

// The connecter's PINGs carry a 500 ms TTL (its own timeout is far off):
// the binder, with no heartbeat options at all, drops the connection once
// nothing arrived for that long.
TEST_P(FaultHeartbeat, PeerTtlDropsStalledConnectionAtTheBinder) {
    ASSERT_NO_FATAL_FAILURE(start([](void *, void *c) {
        set_int(c, ZMQ_HEARTBEAT_IVL, 50);
        set_int(c, ZMQ_HEARTBEAT_TTL, 500);
        set_int(c, ZMQ_HEARTBEAT_TIMEOUT, 60000);
    }));
    // The TTL applies from the first PING the binder gets: let one through.
    const uint64_t up = proxy->forwarded(dir::up);
    ASSERT_TRUE(eventually([&] { return proxy->forwarded(dir::up) >= up + 9; })) << "no PING";
    proxy->set_stall(true);
    const trace b = events_until(binder_mon, ZMQ_EVENT_DISCONNECTED);
    ASSERT_TRUE(b.reached) << "TTL not applied: " << b.str();
    EXPECT_EQ(ids({ZMQ_EVENT_DISCONNECTED}), b.ids()) << b.str();
    EXPECT_EQ(first_accepted_fd, b.events.back().value);
    proxy->set_stall(false);
    const trace c = events_until(connecter_mon, ZMQ_EVENT_DISCONNECTED);
    ASSERT_TRUE(c.reached) << c.str();
    EXPECT_EQ(ids({ZMQ_EVENT_DISCONNECTED}), c.ids()) << c.str();
    expect_recovered(c, b);
}

// Heartbeats on both sides through a relay that only delays and fragments:
// a slow but live peer is never dropped (every PONG or message counts).
TEST_P(FaultHeartbeat, SlowLivePeerIsKept) {
    ASSERT_NO_FATAL_FAILURE(start([](void *b, void *c) {
        for (void *s : {b, c}) {
            set_int(s, ZMQ_HEARTBEAT_IVL, 50);
            set_int(s, ZMQ_HEARTBEAT_TIMEOUT, 1000);
            set_int(s, ZMQ_HEARTBEAT_TTL, 1000);
        }
    }));
    fault::shaping slow;
    slow.delay = std::chrono::milliseconds(50);
    slow.split = true;
    proxy->set_shaping(slow);
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(round_trip(next_tag())) << i;
    // A bounded window for "no drop" evidence (not synchronisation).
    const trace c = events_until(connecter_mon, ZMQ_EVENT_DISCONNECTED, 600);
    EXPECT_FALSE(c.reached) << c.str();
    EXPECT_EQ(1, proxy->accepted());
}

INSTANTIATE_TEST_SUITE_P(Patterns, FaultHeartbeat, ::testing::ValuesIn(patterns), pattern_name);
