// Connection management over tcp and ipc: ZMQ_LAST_ENDPOINT forms,
// bind/connect/unbind/disconnect at any time, connect before bind, reconnect
// after the binder restarts, ZMQ_IMMEDIATE, ZMQ_LINGER flushing on close.
#include "net_testutil.hpp"

#include <sys/stat.h>

using namespace testutil;

namespace {

class NetConn : public net_test, public ::testing::WithParamInterface<transport> {};

// An endpoint nobody listens on yet. For tcp the kernel picks a port for a
// plain socket that is bound but never listens, then closed synchronously
// (a zmq listener would close asynchronously and might still accept).
// Someone else could take the port in between; that only makes the test
// fail, never pass wrongly.
std::string free_endpoint(transport t) {
    if (!is_tcp(t))
        return bind_spec(t == transport::ipc_wild ? transport::ipc_path : t);
    const bool v6 = t == transport::tcp6;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    sockaddr_storage ss{};
    socklen_t len;
    if (v6) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&ss);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    EXPECT_EQ(0, ::bind(fd, reinterpret_cast<sockaddr *>(&ss), len));
    EXPECT_EQ(0, ::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len));
    const int port = ntohs(v6 ? reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port
                              : reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
    ::close(fd);
    return std::string(v6 ? "tcp://[::1]:" : "tcp://127.0.0.1:") + std::to_string(port);
}

} // namespace

TEST_F(NetConn, LastEndpointForms) {
    SKIP_WITHOUT_TCP();
    void *s = make(ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(s, "tcp://127.0.0.1:*"));
    std::string ep = last_endpoint(s);
    EXPECT_EQ(0u, ep.find("tcp://127.0.0.1:")) << ep;
    EXPECT_GT(tcp_port(ep), 0) << ep;

    ASSERT_EQ(0, zmq_bind(s, "tcp://127.0.0.1:0"));
    EXPECT_GT(tcp_port(last_endpoint(s)), 0) << "port 0 is ephemeral too";

    ASSERT_EQ(0, zmq_bind(s, "tcp://*:*"));
    ep = last_endpoint(s);
    EXPECT_EQ(0u, ep.find("tcp://0.0.0.0:")) << ep;
    EXPECT_GT(tcp_port(ep), 0);

    if (ipv6_works()) {
        void *s6 = make(ZMQ_PULL);
        set_int(s6, ZMQ_IPV6, 1);
        ASSERT_EQ(0, zmq_bind(s6, "tcp://[::1]:*"));
        ep = last_endpoint(s6);
        EXPECT_EQ(0u, ep.find("tcp://[::1]:")) << ep;
        EXPECT_GT(tcp_port(ep), 0);
    }

    const std::string path = bind_spec(transport::ipc_path);
    ASSERT_EQ(0, zmq_bind(s, path.c_str()));
    EXPECT_EQ(path, last_endpoint(s));
    const std::string abs = bind_spec(transport::ipc_abstract);
    ASSERT_EQ(0, zmq_bind(s, abs.c_str()));
    EXPECT_EQ(abs, last_endpoint(s));
    ASSERT_EQ(0, zmq_bind(s, "ipc://*"));
    ep = last_endpoint(s);
    remember_ipc(ep);
    EXPECT_EQ(0u, ep.find("ipc://")) << ep;
    EXPECT_EQ(std::string::npos, ep.find('*')) << "wildcard resolved: " << ep;

    // After a connect, LAST_ENDPOINT is the connect endpoint as given.
    void *c = make(ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(c, path.c_str()));
    EXPECT_EQ(path, last_endpoint(c));
}

TEST_F(NetConn, IpcFileRemovedOnUnbindAndClose) {
    SKIP_WITHOUT_NET(transport::ipc_path);
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    GTEST_SKIP() << "libzmq 4.3.4 leaves the socket file behind; zlink removes it";
#endif
    void *s = make(ZMQ_PULL);
    const std::string ep = bind_any(s, transport::ipc_path);
    const std::string path = ep.substr(6);
    struct stat st;
    ASSERT_EQ(0, ::stat(path.c_str(), &st));
    ASSERT_EQ(0, zmq_unbind(s, ep.c_str()));
    EXPECT_TRUE(eventually([&] { return ::stat(path.c_str(), &st) != 0; }));

    const std::string ep2 = bind_any(s, transport::ipc_path);
    ASSERT_EQ(0, ::stat(ep2.substr(6).c_str(), &st));
    close(s);
    EXPECT_TRUE(eventually([&] { return ::stat(ep2.substr(6).c_str(), &st) != 0; }));
}

TEST_P(NetConn, UnbindStopsAccepting) {
    SKIP_WITHOUT_NET(GetParam());
    void *pull = make(ZMQ_PULL);
    const std::string ep = bind_any(pull, GetParam());
    ASSERT_EQ(0, zmq_unbind(pull, ep.c_str()));
    EXPECT_ZMQ_ERR(zmq_unbind(pull, ep.c_str()), ENOENT);
    raw_peer p;
    EXPECT_TRUE(eventually([&] {
        raw_peer q;
        return !q.connect(ep);
    })) << "still accepting after unbind";
    // Binding again at once to the same address works.
    prepare(pull, GetParam());
    // The throwaway listener is closed asynchronously by its io thread.
    ASSERT_TRUE(eventually([&] { return zmq_bind(pull, ep.c_str()) == 0; }))
        << ep << ": " << zmq_strerror(zmq_errno());
    void *push = make(ZMQ_PUSH);
    prepare(push, GetParam());
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(0, send_parts(push, {"again"}));
    EXPECT_EQ("again", recv_str(pull));
}

TEST_P(NetConn, DisconnectDropsThePipe) {
    SKIP_WITHOUT_NET(GetParam());
    void *pull = make(ZMQ_PULL);
    void *push = make(ZMQ_PUSH);
    const std::string ep = bind_any(pull, GetParam());
    prepare(push, GetParam());
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(0, send_parts(push, {"one"}));
    ASSERT_EQ("one", recv_str(pull));
    ASSERT_EQ(0, zmq_disconnect(push, ep.c_str()));
    EXPECT_ZMQ_ERR(zmq_disconnect(push, ep.c_str()), ENOENT);
    // No pipe left: a non-blocking send has nowhere to go.
    EXPECT_ZMQ_ERR(zmq_send(push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    // Reconnecting at any time works.
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(0, send_parts(push, {"two"}));
    EXPECT_EQ("two", recv_str(pull));
}

TEST_P(NetConn, ConnectBeforeBind) {
    SKIP_WITHOUT_NET(GetParam());
    const std::string ep = free_endpoint(GetParam());
    void *push = make(ZMQ_PUSH);
    prepare(push, GetParam());
    set_int(push, ZMQ_RECONNECT_IVL, 20);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    // Without IMMEDIATE the message is queued for the future peer.
    ASSERT_EQ(0, send_parts(push, {"early"}));
    void *pull = make(ZMQ_PULL);
    prepare(pull, GetParam());
    // The throwaway listener is closed asynchronously by its io thread.
    ASSERT_TRUE(eventually([&] { return zmq_bind(pull, ep.c_str()) == 0; }))
        << ep << ": " << zmq_strerror(zmq_errno());
    EXPECT_EQ("early", recv_str(pull));
}

TEST_P(NetConn, ReconnectAfterBinderRestarts) {
    SKIP_WITHOUT_NET(GetParam());
    void *pull = make(ZMQ_PULL);
    const std::string ep = bind_any(pull, GetParam());
    void *push = make(ZMQ_PUSH);
    prepare(push, GetParam());
    set_int(push, ZMQ_RECONNECT_IVL, 20);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(0, send_parts(push, {"before"}));
    ASSERT_EQ("before", recv_str(pull));
    close(pull);

    void *pull2 = make(ZMQ_PULL);
    prepare(pull2, GetParam());
    ASSERT_TRUE(eventually([&] { return zmq_bind(pull2, ep.c_str()) == 0; }));
    // Messages sent while the old connection was dying may be lost; a new
    // one gets through once the connecter has reconnected.
    bool got = false;
    for (int i = 0; i < 250 && !got; ++i) {
        send_retry(push, "after", 0, 20);
        got = wait_readable(pull2, 20) && recv_str(pull2) == "after";
    }
    EXPECT_TRUE(got);
}

TEST_P(NetConn, ImmediateQueuesOnlyOnLiveConnections) {
    SKIP_WITHOUT_NET(GetParam());
    const std::string ep = free_endpoint(GetParam());
    void *push = make(ZMQ_PUSH);
    prepare(push, GetParam());
    set_int(push, ZMQ_IMMEDIATE, 1);
    set_int(push, ZMQ_RECONNECT_IVL, 20);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    EXPECT_ZMQ_ERR(zmq_send(push, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    void *pull = make(ZMQ_PULL);
    prepare(pull, GetParam());
    // The throwaway listener is closed asynchronously by its io thread.
    ASSERT_TRUE(eventually([&] { return zmq_bind(pull, ep.c_str()) == 0; }))
        << ep << ": " << zmq_strerror(zmq_errno());
    ASSERT_TRUE(send_retry(push, "live"));
    EXPECT_EQ("live", recv_str(pull));
}

TEST_P(NetConn, LingerFlushesQueuedMessagesOnClose) {
    SKIP_WITHOUT_NET(GetParam());
    void *pull = make(ZMQ_PULL);
    const std::string ep = bind_any(pull, GetParam());
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    prepare(push, GetParam());
    set_int(push, ZMQ_LINGER, 5000);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    const int n = 500;
    const std::string payload(10000, 'l');
    for (int i = 0; i < n; ++i)
        ASSERT_EQ(0, send_parts(push, {std::to_string(i), payload}));
    ASSERT_EQ(0, zmq_close(push)); // returns at once; the io thread flushes
    for (int i = 0; i < n; ++i) {
        const auto m = recv_multipart(pull);
        ASSERT_EQ(2u, m.size()) << i;
        ASSERT_EQ(std::to_string(i), m[0]);
    }
}

TEST_P(NetConn, LingerZeroDiscardsWhenNoPeer) {
    SKIP_WITHOUT_NET(GetParam());
    const std::string ep = free_endpoint(GetParam());
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    prepare(push, GetParam());
    set_int(push, ZMQ_LINGER, 0);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(0, send_parts(push, {"lost"}));
    ASSERT_EQ(0, zmq_close(push)); // zmq_ctx_term in TearDown must not hang
}

INSTANTIATE_TEST_SUITE_P(Transports, NetConn,
                         ::testing::Values(transport::tcp4, transport::tcp6, transport::ipc_path,
                                           transport::ipc_abstract),
                         [](const ::testing::TestParamInfo<transport> &i) {
                             return std::string(transport_name(i.param));
                         });
