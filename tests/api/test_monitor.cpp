// zmq_socket_monitor over inproc: endpoint rules, start/stop and the event
// frame layout. TCP connection events are in test_monitor_tcp.cpp.
#include "net_testutil.hpp"

using namespace testutil;

namespace {

// Events are read with next_event (net_testutil.hpp), which checks the
// layout: [uint16 id | uint32 value] (native byte order), then the endpoint.
class Monitor : public net_test {};

} // namespace

TEST_F(Monitor, NonInprocEndpointIsEprotonosupport) {
    void *s = make(ZMQ_DEALER);
    EXPECT_ZMQ_ERR(zmq_socket_monitor(s, "tcp://127.0.0.1:5555", ZMQ_EVENT_ALL), EPROTONOSUPPORT);
    EXPECT_ZMQ_ERR(zmq_socket_monitor(s, "ipc:///tmp/zlink-monitor", ZMQ_EVENT_ALL),
                   EPROTONOSUPPORT);
    EXPECT_ZMQ_ERR(zmq_socket_monitor(s, "bogus://x", ZMQ_EVENT_ALL), EPROTONOSUPPORT);
}

TEST_F(Monitor, MalformedEndpointIsEinval) {
    void *s = make(ZMQ_DEALER);
    EXPECT_ZMQ_ERR(zmq_socket_monitor(s, "no-scheme", ZMQ_EVENT_ALL), EINVAL);
    EXPECT_ZMQ_ERR(zmq_socket_monitor(s, "", ZMQ_EVENT_ALL), EINVAL);
}

TEST_F(Monitor, NullSocketIsEnotsock) {
    EXPECT_ZMQ_ERR(zmq_socket_monitor(nullptr, "inproc://x", ZMQ_EVENT_ALL), ENOTSOCK);
}

TEST_F(Monitor, StopWithoutMonitorIsHarmless) {
    void *s = make(ZMQ_DEALER);
    EXPECT_EQ(0, zmq_socket_monitor(s, nullptr, 0));
    EXPECT_EQ(0, zmq_socket_monitor(s, nullptr, 0));
}

TEST_F(Monitor, StoppedEventLayout) {
    void *s = make(ZMQ_DEALER);
    void *m = monitor(s, ZMQ_EVENT_ALL);
    ASSERT_EQ(0, zmq_socket_monitor(s, nullptr, 0));
    const event ev = next_event(m);
    ASSERT_NE(-1, ev.id) << "no event";
    EXPECT_EQ(ZMQ_EVENT_MONITOR_STOPPED, ev.id);
    EXPECT_EQ(0u, ev.value);
    EXPECT_EQ("", ev.endpoint);
    // Nothing after the stop event.
    EXPECT_FALSE(wait_readable(m, 50));
}

TEST_F(Monitor, StoppedEventRespectsMask) {
    void *s = make(ZMQ_DEALER);
    void *m = monitor(s, ZMQ_EVENT_CONNECTED);
    ASSERT_EQ(0, zmq_socket_monitor(s, nullptr, 0));
    EXPECT_FALSE(wait_readable(m, 100)) << "MONITOR_STOPPED was not requested";
}

TEST_F(Monitor, RestartOnAnotherEndpoint) {
    void *s = make(ZMQ_DEALER);
    void *m1 = monitor(s, ZMQ_EVENT_ALL);
    ASSERT_EQ(0, zmq_socket_monitor(s, nullptr, 0));
    const event ev1 = next_event(m1);
    ASSERT_NE(-1, ev1.id) << "no event";
    EXPECT_EQ(ZMQ_EVENT_MONITOR_STOPPED, ev1.id);

    void *m2 = monitor(s, ZMQ_EVENT_ALL);
    ASSERT_EQ(0, zmq_socket_monitor(s, nullptr, 0));
    const event ev2 = next_event(m2);
    ASSERT_NE(-1, ev2.id) << "no event";
    EXPECT_EQ(ZMQ_EVENT_MONITOR_STOPPED, ev2.id);
    EXPECT_FALSE(wait_readable(m1, 50));
}

TEST_F(Monitor, EventConstants) {
    // Values are part of the ABI.
    EXPECT_EQ(0x0001, ZMQ_EVENT_CONNECTED);
    EXPECT_EQ(0x0002, ZMQ_EVENT_CONNECT_DELAYED);
    EXPECT_EQ(0x0004, ZMQ_EVENT_CONNECT_RETRIED);
    EXPECT_EQ(0x0008, ZMQ_EVENT_LISTENING);
    EXPECT_EQ(0x0010, ZMQ_EVENT_BIND_FAILED);
    EXPECT_EQ(0x0020, ZMQ_EVENT_ACCEPTED);
    EXPECT_EQ(0x0040, ZMQ_EVENT_ACCEPT_FAILED);
    EXPECT_EQ(0x0080, ZMQ_EVENT_CLOSED);
    EXPECT_EQ(0x0100, ZMQ_EVENT_CLOSE_FAILED);
    EXPECT_EQ(0x0200, ZMQ_EVENT_DISCONNECTED);
    EXPECT_EQ(0x0400, ZMQ_EVENT_MONITOR_STOPPED);
    EXPECT_EQ(0xFFFF, ZMQ_EVENT_ALL);
    EXPECT_EQ(0x0800, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    EXPECT_EQ(0x1000, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    EXPECT_EQ(0x2000, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
    EXPECT_EQ(0x4000, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
}

TEST_F(Monitor, InprocTrafficStillFlowsWhileMonitored) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    void *m = monitor(a, ZMQ_EVENT_ALL);
    ASSERT_EQ(2, zmq_send(a, "hi", 2, 0));
    EXPECT_EQ("hi", recv_str(b));
    ASSERT_EQ(0, zmq_socket_monitor(a, nullptr, 0));
    // Whatever came before, the last event is MONITOR_STOPPED.
    event ev;
    for (int i = 0; i < 10; ++i) {
        ev = next_event(m);
        if (ev.id == -1 || ev.id == ZMQ_EVENT_MONITOR_STOPPED)
            break;
    }
    EXPECT_EQ(ZMQ_EVENT_MONITOR_STOPPED, ev.id);
}

TEST_F(Monitor, MonitoredSocketClosesCleanly) {
    void *s = make(ZMQ_DEALER);
    void *m = monitor(s, ZMQ_EVENT_ALL);
    close(s); // the monitor socket must not keep the context alive
    // libzmq 4.3 announces the end of monitoring on close too.
    const event ev = next_event(m);
    ASSERT_NE(-1, ev.id) << "no event";
    EXPECT_EQ(ZMQ_EVENT_MONITOR_STOPPED, ev.id);
    EXPECT_FALSE(wait_readable(m, 50));
}

TEST_F(Monitor, CloseRespectsMask) {
    void *s = make(ZMQ_DEALER);
    void *m = monitor(s, ZMQ_EVENT_CONNECTED);
    close(s);
    EXPECT_FALSE(wait_readable(m, 100)) << "MONITOR_STOPPED was not requested";
}
