// zmq_unbind and zmq_disconnect on tcp:// and ipc:// as libzmq 4.3.4 does
// them: unbind ends the connections accepted through the endpoint whatever
// ZMQ_LINGER (messages already received stay readable), only the resolved
// endpoint (ZMQ_LAST_ENDPOINT) can be unbound, and a connecter that does not
// reconnect (ZMQ_RECONNECT_IVL -1) drops its endpoint when the peer goes.
#include "net_testutil.hpp"

#include <sys/stat.h>

using namespace testutil;

namespace {

class Unbind : public net_test, public ::testing::WithParamInterface<std::tuple<transport, int>> {};

// A send on `s` fails with EAGAIN within the bound (the socket has to see
// its pipe end first; libzmq's unbind is asynchronous too).
bool send_gets_eagain(void *s) {
    return eventually([s] {
        const int rc = zmq_send(s, "late", 4, ZMQ_DONTWAIT);
        return rc == -1 && zmq_errno() == EAGAIN;
    });
}

// Wait for `id` on `mon` while `s` processes its commands: libzmq closes
// an unbound connection once the socket has read past what it received.
bool wait_event_polling(void *mon, int id, void *s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        get_int(s, ZMQ_EVENTS);
        if (wait_event(mon, id, nullptr, 50))
            return true;
    }
    return false;
}

} // namespace

TEST_P(Unbind, EndsAcceptedConnectionsWhateverLinger) {
    const transport t = std::get<0>(GetParam());
    SKIP_WITHOUT_NET(t);
    void *server = make(ZMQ_DEALER);
    ASSERT_EQ(0, set_int(server, ZMQ_LINGER, std::get<1>(GetParam())));
    void *client = make(ZMQ_DEALER);
    prepare(client, t);
    void *cmon = monitor(client, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED);
    const std::string ep = bind_any(server, t);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    ASSERT_EQ(4, send_str(client, "ping"));
    ASSERT_EQ("ping", recv_str(server));
    ASSERT_TRUE(wait_event(cmon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));

    ASSERT_EQ(0, zmq_unbind(server, ep.c_str()));
    // The server's only peer came through that endpoint: nothing takes a
    // message any more, and the client sees its connection dropped.
    EXPECT_TRUE(send_gets_eagain(server));
    EXPECT_TRUE(wait_event_polling(cmon, ZMQ_EVENT_DISCONNECTED, server));
}

INSTANTIATE_TEST_SUITE_P(Transports, Unbind,
                         ::testing::Combine(::testing::Values(transport::tcp4, transport::ipc_path,
                                                              transport::ipc_wild),
                                            ::testing::Values(-1, 0, 1000)),
                         [](const ::testing::TestParamInfo<std::tuple<transport, int>> &info) {
                             const int linger = std::get<1>(info.param);
                             return std::string(transport_name(std::get<0>(info.param))) +
                                    "_linger_" + (linger < 0 ? "infinite" : std::to_string(linger));
                         });

class UnbindRules : public net_test {};

TEST_F(UnbindRules, MessageReceivedBeforeUnbindStaysReadable) {
    SKIP_WITHOUT_TCP();
    void *server = make(ZMQ_DEALER);
    void *client = make(ZMQ_DEALER);
    const std::string ep = bind_any(server, transport::tcp4);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    ASSERT_EQ(5, send_str(client, "early"));
    ASSERT_TRUE(wait_readable(server)); // queued on the server's side
    ASSERT_EQ(0, zmq_unbind(server, ep.c_str()));
    EXPECT_EQ("early", recv_str(server));
}

TEST_F(UnbindRules, TcpWildcardIsEnoentResolvedWorks) {
    SKIP_WITHOUT_TCP();
    void *server = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_bind(server, "tcp://127.0.0.1:*"));
    const std::string ep = last_endpoint(server);
    EXPECT_ZMQ_ERR(zmq_unbind(server, "tcp://127.0.0.1:*"), ENOENT);
    EXPECT_EQ(0, zmq_unbind(server, ep.c_str()));
    EXPECT_ZMQ_ERR(zmq_unbind(server, ep.c_str()), ENOENT);
}

TEST_F(UnbindRules, AnyInterfaceWildcardIsEnoentResolvedWorks) {
    SKIP_WITHOUT_TCP();
    void *server = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_bind(server, "tcp://*:*"));
    const std::string ep = last_endpoint(server); // tcp://0.0.0.0:<port>
    EXPECT_ZMQ_ERR(zmq_unbind(server, "tcp://*:*"), ENOENT);
    const std::string star_port = "tcp://*:" + std::to_string(tcp_port(ep));
    EXPECT_ZMQ_ERR(zmq_unbind(server, star_port.c_str()), ENOENT);
    EXPECT_EQ(0, zmq_unbind(server, ep.c_str()));
}

TEST_F(UnbindRules, IpcWildcardIsEnoentResolvedWorks) {
    SKIP_WITHOUT_NET(transport::ipc_wild);
    void *server = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_bind(server, "ipc://*"));
    const std::string ep = last_endpoint(server);
    remember_ipc(ep);
    EXPECT_ZMQ_ERR(zmq_unbind(server, "ipc://*"), ENOENT);
    EXPECT_EQ(0, zmq_unbind(server, ep.c_str()));
}

// ZMQ_RECONNECT_IVL -1: when the peer goes, libzmq's session tells the
// socket to forget the endpoint, so the pipe ends with it.
TEST_F(UnbindRules, ConnecterThatDoesNotReconnectDropsItsEndpoint) {
    SKIP_WITHOUT_TCP();
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    // Observed by hand: libzmq 4.3.4 gives EAGAIN and ENOENT here as well,
    // but its zmq_ctx_term then hangs in about a third of the runs.
    GTEST_SKIP() << "libzmq 4.3.4 can hang zmq_ctx_term after this sequence";
#endif
    void *pull = make(ZMQ_PULL);
    void *push = make(ZMQ_PUSH);
    ASSERT_EQ(0, set_int(push, ZMQ_RECONNECT_IVL, -1));
    void *mon = monitor(push, ZMQ_EVENT_DISCONNECTED);
    const std::string ep = bind_any(pull, transport::tcp4);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(2, send_str(push, "hi"));
    ASSERT_EQ("hi", recv_str(pull));
    close(pull);
    ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_DISCONNECTED));
    EXPECT_TRUE(send_gets_eagain(push));
    EXPECT_ZMQ_ERR(zmq_disconnect(push, ep.c_str()), ENOENT);
}

// zmq_disconnect of a live tcp connection: the socket's pipe ends at once in
// both (a send gets EAGAIN). zlink also closes the TCP connection; libzmq
// 4.3.4 leaves it open, idle, until the socket closes (deliberate difference:
// zlink does not keep a connection nobody can use).
TEST_F(UnbindRules, DisconnectEndsThePipeAndZlinkAlsoTheConnection) {
    SKIP_WITHOUT_TCP();
    void *server = make(ZMQ_DEALER);
    void *client = make(ZMQ_DEALER);
    void *smon = monitor(server, ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED);
    const std::string ep = bind_any(server, transport::tcp4);
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    ASSERT_EQ(4, send_str(client, "ping"));
    ASSERT_EQ("ping", recv_str(server));
    ASSERT_TRUE(wait_event(smon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
    ASSERT_EQ(0, zmq_disconnect(client, ep.c_str()));
    EXPECT_ZMQ_ERR(zmq_send(client, "x", 1, ZMQ_DONTWAIT), EAGAIN);
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    event ev;
    EXPECT_FALSE(read_event(smon, ev, 300)) << "libzmq keeps the connection until close";
    close(client);
    EXPECT_TRUE(wait_event(smon, ZMQ_EVENT_DISCONNECTED));
#else
    EXPECT_TRUE(wait_event(smon, ZMQ_EVENT_DISCONNECTED));
#endif
}

// Binding an ipc path again right after unbinding it: the old listener's
// cleanup (zlink removes the socket file it made) must never take the new
// bind's file. It used to, about once in 500 rebinds: the check that the
// file was still its own and the unlink ran on the io thread, after zmq_unbind
// had returned and while the new bind made its file. libzmq 4.3.4 leaves
// named ipc files in place.
TEST_F(UnbindRules, IpcRebindRightAfterUnbindKeepsItsSocketFile) {
    SKIP_WITHOUT_NET(transport::ipc_path);
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    // libzmq 4.3.4 releases the old listener on its io thread after
    // zmq_unbind returns; about once in a few thousand rebinds the rebind or
    // the old listener's CLOSED event does not come within the wait
    // (observed at rebind 1190 of 2000). zlink releases it before returning.
    GTEST_SKIP() << "libzmq 4.3.4 unbinds asynchronously (see README)";
#endif
    void *server = make(ZMQ_PULL);
    void *mon = monitor(server, ZMQ_EVENT_CLOSED);
    const std::string ep = bind_spec(transport::ipc_path);
    const std::string path = ep.substr(6);
    ASSERT_EQ(0, zmq_bind(server, ep.c_str()));
    for (int i = 0; i < 2000; ++i) {
        ASSERT_EQ(0, zmq_unbind(server, ep.c_str()));
        ASSERT_TRUE(eventually([&] { return zmq_bind(server, ep.c_str()) == 0; })) << i;
        // The old listener is closed and cleaned up (the event follows that).
        ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_CLOSED)) << i;
        struct stat st {};
        ASSERT_EQ(0, ::stat(path.c_str(), &st)) << "rebind " << i << " lost " << path;
    }
    void *push = make(ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(0, send_parts(push, {"still there"}));
    EXPECT_EQ("still there", recv_str(server));
}
