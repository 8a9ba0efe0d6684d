// Context limits as libzmq 4.3.4 applies them: ZMQ_MAX_SOCKETS (EMFILE
// beyond it, fixed when the first socket starts the context), ZMQ_IO_THREADS
// 0 (EMTHREAD for tcp and ipc), and one connection per endpoint for the
// socket types libzmq connects only once.
#include "net_testutil.hpp"
#include "proc_testutil.hpp"

#include <sys/resource.h>

using namespace testutil;

namespace {

// libzmq gives every socket a descriptor (its mailbox's eventfd).
#define REQUIRE_FDS_FOR_SOCKETS(n)                                                                 \
    do {                                                                                           \
        const long need_ = (n) + 100L;                                                             \
        if (raise_fd_limit(need_) < need_)                                                         \
            GTEST_SKIP() << "RLIMIT_NOFILE cannot be raised to " << need_;                         \
    } while (0)

// Closes `s` and makes a new socket in its place: libzmq frees a closed
// socket's slot a little later, on its reaper thread.
void *replace_socket(void *ctx, void *s) {
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    EXPECT_EQ(0, zmq_close(s));
    return socket_when_possible(ctx, ZMQ_PAIR);
}

// The socket one past the limit: expected to fail with EMFILE (kept in
// `sockets` if it did not, so the context can still terminate).
void expect_emfile(void *ctx, std::vector<void *> &sockets) {
    errno = 0;
    void *extra = zmq_socket(ctx, ZMQ_PAIR);
    EXPECT_EQ(nullptr, extra);
    EXPECT_EQ(EMFILE, errno);
    if (extra)
        sockets.push_back(extra);
}

void close_all(std::vector<void *> &sockets) {
    for (void *s : sockets)
        zmq_close(s);
    sockets.clear();
}

} // namespace

TEST(SocketLimits, DefaultMaxSocketsIs1023ThenEmfile) {
    REQUIRE_FDS_FOR_SOCKETS(1023);
    void *ctx = zmq_ctx_new();
    EXPECT_EQ(1023, zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS));
    std::vector<void *> sockets;
    for (int i = 0; i < 1023; ++i) {
        void *s = zmq_socket(ctx, ZMQ_PAIR);
        ASSERT_NE(nullptr, s) << i << ": " << zmq_strerror(zmq_errno());
        sockets.push_back(s);
    }
    expect_emfile(ctx, sockets);
    // A closed socket's slot can be used again.
    sockets.back() = replace_socket(ctx, sockets.back());
    EXPECT_NE(nullptr, sockets.back()) << zmq_strerror(zmq_errno());
    if (!sockets.back())
        sockets.pop_back();
    close_all(sockets);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

// Raised before the first socket, the limit holds exactly; libzmq 4.3.4
// takes any positive count, also above ZMQ_SOCKET_LIMIT.
TEST(SocketLimits, RaisedMaxSocketsAllowsThatManySockets) {
    constexpr int limit = 3000;
    REQUIRE_FDS_FOR_SOCKETS(limit);
    void *ctx = zmq_ctx_new();
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 70000));
    EXPECT_EQ(70000, zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS));
    EXPECT_EQ(65535, zmq_ctx_get(ctx, ZMQ_SOCKET_LIMIT));
    ASSERT_EQ(0, zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, limit));
    std::vector<void *> sockets;
    for (int i = 0; i < limit; ++i) {
        void *s = zmq_socket(ctx, i % 2 ? ZMQ_DEALER : ZMQ_ROUTER);
        ASSERT_NE(nullptr, s) << i << ": " << zmq_strerror(zmq_errno());
        sockets.push_back(s);
    }
    expect_emfile(ctx, sockets);
    close_all(sockets);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

// libzmq sizes its socket table when the first socket starts the context:
// ZMQ_MAX_SOCKETS and ZMQ_IO_THREADS set later are stored (zmq_ctx_get
// reads them back) but change nothing.
TEST(SocketLimits, CountsAreFixedByTheFirstSocket) {
    void *ctx = zmq_ctx_new();
    ASSERT_EQ(0, zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 3));
    ASSERT_EQ(0, zmq_ctx_set(ctx, ZMQ_IO_THREADS, 0));
    std::vector<void *> sockets;
    sockets.push_back(zmq_socket(ctx, ZMQ_PAIR));
    ASSERT_NE(nullptr, sockets[0]);
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 10));
    EXPECT_EQ(10, zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_IO_THREADS, 1));
    EXPECT_EQ(1, zmq_ctx_get(ctx, ZMQ_IO_THREADS));
    for (int i = 0; i < 2; ++i) {
        sockets.push_back(zmq_socket(ctx, ZMQ_PAIR));
        ASSERT_NE(nullptr, sockets.back());
    }
    expect_emfile(ctx, sockets);
    EXPECT_ZMQ_ERR(zmq_bind(sockets[0], "tcp://127.0.0.1:*"), EMTHREAD);
    for (void *s : sockets)
        set_int(s, ZMQ_LINGER, 0);
    close_all(sockets);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

// Not one descriptor to spare: zmq_socket is EMFILE on both. libzmq 4.3.4
// cannot even make a context (it opens its reaper's mailbox at once); a
// zlink context needs no descriptor of its own.
TEST(SocketLimits, OutOfDescriptorsContextAndSocket) {
    const pid_t pid = start_child([] {
        rlimit lim{};
        CHILD_CHECK(::getrlimit(RLIMIT_NOFILE, &lim) == 0, 1);
        lim.rlim_cur = static_cast<rlim_t>(open_fds() + 16);
        CHILD_CHECK(::setrlimit(RLIMIT_NOFILE, &lim) == 0, 2);
        while (::dup(0) >= 0) {
        }
        CHILD_CHECK(errno == EMFILE, 2);
        errno = 0;
        void *ctx = zmq_ctx_new();
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
        CHILD_CHECK(!ctx && errno == EMFILE, 3);
        return 0;
#else
        CHILD_CHECK(ctx, 3);
        errno = 0;
        CHILD_CHECK(!zmq_socket(ctx, ZMQ_PAIR) && errno == EMFILE, 4);
        CHILD_CHECK(zmq_ctx_term(ctx) == 0, 5);
        return 0;
#endif
    });
    child_guard child(pid);
    EXPECT_EQ("exit 0", child.wait(30000));
}

// No io thread: tcp and ipc cannot run, whatever the address (libzmq looks
// for a thread before it parses one); inproc needs none.
TEST(SocketLimits, NoIoThreadsIsEmthreadForTcpAndIpc) {
    void *ctx = zmq_ctx_new();
    ASSERT_EQ(0, zmq_ctx_set(ctx, ZMQ_IO_THREADS, 0));
    void *a = zmq_socket(ctx, ZMQ_PAIR);
    void *b = zmq_socket(ctx, ZMQ_PAIR);
    ASSERT_TRUE(a && b);
    EXPECT_ZMQ_ERR(zmq_bind(a, "tcp://127.0.0.1:*"), EMTHREAD);
    EXPECT_ZMQ_ERR(zmq_connect(a, "tcp://127.0.0.1:5555"), EMTHREAD);
    EXPECT_ZMQ_ERR(zmq_connect(a, "tcp://127.0.0.1:no-port"), EMTHREAD);
    EXPECT_ZMQ_ERR(zmq_bind(a, "ipc://*"), EMTHREAD);
    EXPECT_ZMQ_ERR(zmq_connect(a, "ipc:///nonexistent/dir/socket"), EMTHREAD);
    EXPECT_ZMQ_ERR(zmq_connect(a, "nosuch://x"), EPROTONOSUPPORT);
    const std::string ep = inproc_ep("no-io");
    ASSERT_EQ(0, zmq_bind(a, ep.c_str()));
    ASSERT_EQ(0, zmq_connect(b, ep.c_str()));
    ASSERT_EQ(2, zmq_send(b, "hi", 2, 0));
    EXPECT_EQ("hi", recv_str(a));
    set_int(a, ZMQ_LINGER, 0);
    zmq_close(a);
    zmq_close(b);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

// DEALER, REQ, SUB and PUB connect once per tcp/ipc endpoint: a repeated
// zmq_connect succeeds and adds nothing (libzmq 4.3: "multiple connects
// produce nonsensical results"). Other types, PUSH here, connect each time.
class RepeatedConnect : public net_test,
                        public ::testing::WithParamInterface<std::pair<int, int>> {};

TEST_P(RepeatedConnect, OneConnectionPerEndpoint) {
    SKIP_WITHOUT_TCP();
    const int type = GetParam().first, binder_type = GetParam().second;
    void *binder = make(binder_type);
    void *mon = monitor(binder, ZMQ_EVENT_ACCEPTED);
    const std::string ep = bind_any(binder, transport::tcp4);
    void *s = make(type);
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(0, zmq_connect(s, ep.c_str()));
    const bool single = type != ZMQ_PUSH;
    if (single) {
        // All three would be accepted long before 500 ms of quiet.
        EXPECT_EQ(1, count_events(mon, ZMQ_EVENT_ACCEPTED, 500));
        // And a disconnect ends the endpoint: it is connectable again.
        EXPECT_EQ(0, zmq_disconnect(s, ep.c_str()));
        EXPECT_ZMQ_ERR(zmq_disconnect(s, ep.c_str()), ENOENT);
        ASSERT_EQ(0, zmq_connect(s, ep.c_str()));
        EXPECT_TRUE(wait_event(mon, ZMQ_EVENT_ACCEPTED));
    } else {
        int accepted = 0;
        EXPECT_TRUE(eventually([&] {
            accepted += count_events(mon, ZMQ_EVENT_ACCEPTED, 10);
            return accepted == 3;
        })) << accepted;
    }
}

INSTANTIATE_TEST_SUITE_P(SocketLimits, RepeatedConnect,
                         ::testing::Values(std::make_pair(ZMQ_DEALER, ZMQ_ROUTER),
                                           std::make_pair(ZMQ_REQ, ZMQ_ROUTER),
                                           std::make_pair(ZMQ_SUB, ZMQ_XPUB),
                                           std::make_pair(ZMQ_PUB, ZMQ_XSUB),
                                           std::make_pair(ZMQ_PUSH, ZMQ_PULL)),
                         [](const ::testing::TestParamInfo<std::pair<int, int>> &info) {
                             switch (info.param.first) {
                             case ZMQ_DEALER:
                                 return std::string("Dealer");
                             case ZMQ_REQ:
                                 return std::string("Req");
                             case ZMQ_SUB:
                                 return std::string("Sub");
                             case ZMQ_PUB:
                                 return std::string("Pub");
                             default:
                                 return std::string("Push");
                             }
                         });
