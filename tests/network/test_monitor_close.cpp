// The monitor events of a socket's close, as libzmq 4.3.4 sends them: CLOSED
// for each listener, events of connections still lingering, and last
// MONITOR_STOPPED. Live connections end without DISCONNECTED (that event is
// for connections the peer or the network dropped).
#include "net_testutil.hpp"

#include <algorithm>

using namespace testutil;

namespace {

class MonitorClose : public net_test, public ::testing::WithParamInterface<int> {
  protected:
    // Close `s` with ZMQ_LINGER `linger`, and forget it.
    void close_with_linger(void *s, int linger) {
        sockets.erase(std::remove(sockets.begin(), sockets.end(), s), sockets.end());
        ASSERT_EQ(0, set_int(s, ZMQ_LINGER, linger));
        ASSERT_EQ(0, zmq_close(s));
    }
};

} // namespace

TEST_P(MonitorClose, BoundSocketSendsClosedThenMonitorStopped) {
    SKIP_WITHOUT_TCP();
    void *server = zmq_socket(ctx, ZMQ_DEALER);
    ASSERT_NE(nullptr, server);
    sockets.push_back(server);
    void *client = make(ZMQ_DEALER);
    void *mon = monitor(server);
    const std::string ep = bind_any(server, transport::tcp4);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    ASSERT_EQ(4, send_str(client, "ping"));
    ASSERT_EQ("ping", recv_str(server));
    ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));

    close_with_linger(server, GetParam());
    const event closed = next_event(mon);
    EXPECT_EQ(ZMQ_EVENT_CLOSED, closed.id) << "the listener closes; no DISCONNECTED";
    EXPECT_EQ(ep, closed.endpoint);
    EXPECT_GT(closed.value, 0u) << "the listener's fd";
    const event stopped = next_event(mon);
    EXPECT_EQ(ZMQ_EVENT_MONITOR_STOPPED, stopped.id);
    EXPECT_EQ("", stopped.endpoint);
    EXPECT_FALSE(wait_readable(mon, 50)) << "nothing after MONITOR_STOPPED";
}

TEST_P(MonitorClose, ConnectedSocketSendsOnlyMonitorStopped) {
    SKIP_WITHOUT_TCP();
    void *server = make(ZMQ_DEALER);
    void *client = zmq_socket(ctx, ZMQ_DEALER);
    ASSERT_NE(nullptr, client);
    sockets.push_back(client);
    void *mon = monitor(client);
    const std::string ep = bind_any(server, transport::tcp4);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));

    close_with_linger(client, GetParam());
    EXPECT_EQ(ZMQ_EVENT_MONITOR_STOPPED, next_event(mon).id);
    EXPECT_FALSE(wait_readable(mon, 50)) << "nothing after MONITOR_STOPPED";
}

INSTANTIATE_TEST_SUITE_P(Linger, MonitorClose, ::testing::Values(0, -1),
                         [](const ::testing::TestParamInfo<int> &info) {
                             return info.param < 0 ? std::string("infinite") : std::string("zero");
                         });

class MonitorCloseLinger : public MonitorClose {};

// The monitor outlives the close while ZMQ_LINGER keeps the connecter
// going: the late connection's events arrive, then MONITOR_STOPPED.
TEST_F(MonitorCloseLinger, LingeringConnecterReportsUntilDoneThenStops) {
    SKIP_WITHOUT_NET(transport::ipc_path);
    const std::string ep = bind_spec(transport::ipc_path); // nobody bound yet
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_NE(nullptr, push);
    sockets.push_back(push);
    ASSERT_EQ(0, set_int(push, ZMQ_RECONNECT_IVL, 20));
    void *mon = monitor(push, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_MONITOR_STOPPED);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(3, send_str(push, "one", ZMQ_DONTWAIT));
    close_with_linger(push, -1); // keeps trying until "one" is delivered

    void *pull = make(ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    EXPECT_EQ("one", recv_str(pull));
    EXPECT_EQ(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, next_event(mon).id) << "reported after the close";
    EXPECT_EQ(ZMQ_EVENT_MONITOR_STOPPED, next_event(mon).id);
}

TEST_F(MonitorCloseLinger, ExplicitStopWithLiveConnectionsSendsOnlyMonitorStopped) {
    SKIP_WITHOUT_TCP();
    void *server = make(ZMQ_DEALER);
    void *client = make(ZMQ_DEALER);
    void *mon = monitor(server);
    const std::string ep = bind_any(server, transport::tcp4);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
    ASSERT_EQ(0, zmq_socket_monitor(server, nullptr, 0));
    EXPECT_EQ(ZMQ_EVENT_MONITOR_STOPPED, next_event(mon).id);
    close(server);
    EXPECT_FALSE(wait_readable(mon, 50)) << "the monitor was already stopped";
}
