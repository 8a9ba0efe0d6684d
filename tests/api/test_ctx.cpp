// Context lifecycle and context options (zmq_ctx_*, zmq_init/zmq_term).
#include "testutil.hpp"

#include <climits>
#include <future>
#include <thread>

using namespace testutil;

#ifndef ZMQ_ZERO_COPY_RECV
#define ZMQ_ZERO_COPY_RECV 10 // draft section of zmq.h; libzmq 4.3.4 handles it
#endif

TEST(Ctx, NewTermAndAliases) {
    void *ctx = zmq_ctx_new();
    ASSERT_NE(nullptr, ctx);
    EXPECT_EQ(0, zmq_ctx_term(ctx));

    ctx = zmq_ctx_new();
    ASSERT_NE(nullptr, ctx);
    EXPECT_EQ(0, zmq_ctx_destroy(ctx));

    ctx = zmq_ctx_new();
    EXPECT_EQ(0, zmq_ctx_shutdown(ctx));
    EXPECT_EQ(0, zmq_ctx_shutdown(ctx)) << "shutdown is idempotent";
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, InitAndTermLegacy) {
    void *ctx = zmq_init(1);
    ASSERT_NE(nullptr, ctx);
    EXPECT_EQ(1, zmq_ctx_get(ctx, ZMQ_IO_THREADS));
    EXPECT_EQ(0, zmq_term(ctx));

    ctx = zmq_init(0); // zero io threads is legal (inproc only)
    ASSERT_NE(nullptr, ctx);
    EXPECT_EQ(0, zmq_ctx_get(ctx, ZMQ_IO_THREADS));
    EXPECT_EQ(0, zmq_term(ctx));

    errno = 0;
    EXPECT_EQ(nullptr, zmq_init(-1));
    EXPECT_EQ(EINVAL, errno);
}

TEST(Ctx, NullContextIsEfault) {
    EXPECT_ZMQ_ERR(zmq_ctx_term(nullptr), EFAULT);
    EXPECT_ZMQ_ERR(zmq_ctx_destroy(nullptr), EFAULT);
    EXPECT_ZMQ_ERR(zmq_term(nullptr), EFAULT);
    EXPECT_ZMQ_ERR(zmq_ctx_shutdown(nullptr), EFAULT);
    EXPECT_ZMQ_ERR(zmq_ctx_get(nullptr, ZMQ_IO_THREADS), EFAULT);
    EXPECT_ZMQ_ERR(zmq_ctx_set(nullptr, ZMQ_IO_THREADS, 1), EFAULT);
    errno = 0;
    EXPECT_EQ(nullptr, zmq_socket(nullptr, ZMQ_PAIR));
    EXPECT_EQ(EFAULT, errno);
}

TEST(Ctx, Defaults) {
    void *ctx = zmq_ctx_new();
    EXPECT_EQ(1, zmq_ctx_get(ctx, ZMQ_IO_THREADS));
    EXPECT_EQ(1023, zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS));
    EXPECT_GE(zmq_ctx_get(ctx, ZMQ_SOCKET_LIMIT), 1023);
    EXPECT_EQ(0, zmq_ctx_get(ctx, ZMQ_IPV6));
    EXPECT_EQ(1, zmq_ctx_get(ctx, ZMQ_BLOCKY));
    EXPECT_EQ(INT_MAX, zmq_ctx_get(ctx, ZMQ_MAX_MSGSZ));
    EXPECT_EQ(64, zmq_ctx_get(ctx, ZMQ_MSG_T_SIZE));
    EXPECT_EQ(64u, sizeof(zmq_msg_t));
    EXPECT_EQ(-1, zmq_ctx_get(ctx, ZMQ_THREAD_SCHED_POLICY));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, SetGetRoundTrip) {
    void *ctx = zmq_ctx_new();
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_IO_THREADS, 3));
    EXPECT_EQ(3, zmq_ctx_get(ctx, ZMQ_IO_THREADS));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_IO_THREADS, 0));
    EXPECT_EQ(0, zmq_ctx_get(ctx, ZMQ_IO_THREADS));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 42));
    EXPECT_EQ(42, zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS));
    // Boolean options normalise any non-zero value to 1.
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_IPV6, 2));
    EXPECT_EQ(1, zmq_ctx_get(ctx, ZMQ_IPV6));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_IPV6, 0));
    EXPECT_EQ(0, zmq_ctx_get(ctx, ZMQ_IPV6));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_BLOCKY, 0));
    EXPECT_EQ(0, zmq_ctx_get(ctx, ZMQ_BLOCKY));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_BLOCKY, 5));
    EXPECT_EQ(1, zmq_ctx_get(ctx, ZMQ_BLOCKY));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_MAX_MSGSZ, 1000));
    EXPECT_EQ(1000, zmq_ctx_get(ctx, ZMQ_MAX_MSGSZ));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_MAX_MSGSZ, 0));
    EXPECT_EQ(0, zmq_ctx_get(ctx, ZMQ_MAX_MSGSZ));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_THREAD_NAME_PREFIX, 7));
    EXPECT_EQ(7, zmq_ctx_get(ctx, ZMQ_THREAD_NAME_PREFIX));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_THREAD_NAME_PREFIX, -5)); // any int, as libzmq
    EXPECT_EQ(-5, zmq_ctx_get(ctx, ZMQ_THREAD_NAME_PREFIX));
    EXPECT_EQ(1, zmq_ctx_get(ctx, ZMQ_ZERO_COPY_RECV)); // on by default
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_ZERO_COPY_RECV, 0));
    EXPECT_EQ(0, zmq_ctx_get(ctx, ZMQ_ZERO_COPY_RECV));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_ZERO_COPY_RECV, 3));
    EXPECT_EQ(1, zmq_ctx_get(ctx, ZMQ_ZERO_COPY_RECV));
    EXPECT_EQ(0, zmq_ctx_set(ctx, ZMQ_THREAD_SCHED_POLICY, 0));
    EXPECT_EQ(0, zmq_ctx_get(ctx, ZMQ_THREAD_SCHED_POLICY));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, InvalidOptionsAndValues) {
    void *ctx = zmq_ctx_new();
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, 9999, 1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_get(ctx, 9999), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_get(ctx, -1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_IO_THREADS, -1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 0), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, -1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_IPV6, -1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_BLOCKY, -1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_MAX_MSGSZ, -1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_MSG_T_SIZE, 64), EINVAL); // read-only
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_THREAD_SCHED_POLICY, -5), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, -1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_set(ctx, ZMQ_ZERO_COPY_RECV, -1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_ctx_get(ctx, ZMQ_THREAD_AFFINITY_CPU_ADD), EINVAL); // write-only
    // Rejected values leave the previous setting in place.
    EXPECT_EQ(1, zmq_ctx_get(ctx, ZMQ_IO_THREADS));
    EXPECT_EQ(1023, zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, InvalidSocketType) {
    void *ctx = zmq_ctx_new();
    errno = 0;
    EXPECT_EQ(nullptr, zmq_socket(ctx, 99));
    EXPECT_EQ(EINVAL, errno);
    errno = 0;
    EXPECT_EQ(nullptr, zmq_socket(ctx, -1));
    EXPECT_EQ(EINVAL, errno);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, MaxSocketsExceededIsEmfile) {
    void *ctx = zmq_ctx_new();
    ASSERT_EQ(0, zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 2));
    void *a = zmq_socket(ctx, ZMQ_PAIR);
    void *b = zmq_socket(ctx, ZMQ_PAIR);
    ASSERT_NE(nullptr, a);
    ASSERT_NE(nullptr, b);
    errno = 0;
    EXPECT_EQ(nullptr, zmq_socket(ctx, ZMQ_PAIR));
    EXPECT_EQ(EMFILE, errno);
    EXPECT_EQ(0, zmq_close(a));
    EXPECT_EQ(0, zmq_close(b));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, SocketAfterShutdownIsEterm) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    ASSERT_NE(nullptr, s);
    EXPECT_EQ(0, zmq_ctx_shutdown(ctx));
    errno = 0;
    EXPECT_EQ(nullptr, zmq_socket(ctx, ZMQ_PAIR));
    EXPECT_EQ(ETERM, errno);
    // Existing sockets report ETERM for blocking operations and still close.
    char buf[4];
    EXPECT_ZMQ_ERR(zmq_recv(s, buf, sizeof buf, 0), ETERM);
    EXPECT_ZMQ_ERR(zmq_send(s, "x", 1, 0), ETERM);
    EXPECT_ZMQ_ERR(zmq_bind(s, inproc_ep("after-shutdown").c_str()), ETERM);
    EXPECT_ZMQ_ERR(zmq_connect(s, inproc_ep("after-shutdown").c_str()), ETERM);
    EXPECT_EQ(0, zmq_close(s));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, CloseNonSocketIsEnotsock) {
    EXPECT_ZMQ_ERR(zmq_close(nullptr), ENOTSOCK);
    int junk[16] = {0};
    EXPECT_ZMQ_ERR(zmq_close(junk), ENOTSOCK);
    EXPECT_ZMQ_ERR(zmq_bind(nullptr, "inproc://x"), ENOTSOCK);
    EXPECT_ZMQ_ERR(zmq_connect(nullptr, "inproc://x"), ENOTSOCK);
    EXPECT_ZMQ_ERR(zmq_send(nullptr, "a", 1, 0), ENOTSOCK);
    char buf[1];
    EXPECT_ZMQ_ERR(zmq_recv(nullptr, buf, 1, 0), ENOTSOCK);
    int v = 0;
    EXPECT_ZMQ_ERR(zmq_setsockopt(nullptr, ZMQ_LINGER, &v, sizeof v), ENOTSOCK);
    size_t len = sizeof v;
    EXPECT_ZMQ_ERR(zmq_getsockopt(nullptr, ZMQ_LINGER, &v, &len), ENOTSOCK);
}

// zmq_ctx_term blocks until every socket is closed; a thread closes its
// socket only after term has started.
TEST(Ctx, TermWaitsForSocketsToClose) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    ASSERT_NE(nullptr, s);
    std::atomic<bool> term_returned{false};
    std::promise<void> term_started;
    std::thread closer([&] {
        term_started.get_future().wait();
        // Term cannot return while the socket is open; once recv reports ETERM
        // we know term is in progress.
        char buf[4];
        const int rc = zmq_recv(s, buf, sizeof buf, 0);
        const int err = errno;
        EXPECT_EQ(-1, rc);
        EXPECT_EQ(ETERM, err);
        EXPECT_FALSE(term_returned.load());
        EXPECT_EQ(0, zmq_close(s));
    });
    term_started.set_value();
    EXPECT_EQ(0, zmq_ctx_term(ctx));
    term_returned = true;
    closer.join();
}

TEST(Ctx, BlockedRecvGetsEtermOnShutdown) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(s, inproc_ep("recv").c_str()));
    auto result = std::async(std::launch::async, [&] {
        char buf[4];
        const int rc = zmq_recv(s, buf, sizeof buf, 0);
        return std::make_pair(rc, errno);
    });
    EXPECT_EQ(0, zmq_ctx_shutdown(ctx));
    ASSERT_EQ(std::future_status::ready, result.wait_for(std::chrono::seconds(5)));
    const auto r = result.get();
    EXPECT_EQ(-1, r.first);
    EXPECT_EQ(ETERM, r.second);
    EXPECT_EQ(0, zmq_close(s));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, BlockedSendGetsEtermOnTerm) {
    void *ctx = zmq_ctx_new();
    // A PUSH with no peer blocks in send.
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(0, zmq_bind(s, inproc_ep("send").c_str()));
    auto result = std::async(std::launch::async, [&] {
        const int rc = zmq_send(s, "abc", 3, 0);
        const int err = errno;
        zmq_close(s); // lets the terminating context finish
        return std::make_pair(rc, err);
    });
    EXPECT_EQ(0, zmq_ctx_term(ctx));
    ASSERT_EQ(std::future_status::ready, result.wait_for(std::chrono::seconds(5)));
    const auto r = result.get();
    EXPECT_EQ(-1, r.first);
    EXPECT_EQ(ETERM, r.second);
}

TEST(Ctx, BlockedPollGetsEtermOnShutdown) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(s, inproc_ep("poll").c_str()));
    auto result = std::async(std::launch::async, [&] {
        zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
        const int rc = zmq_poll(&item, 1, -1);
        return std::make_pair(rc, errno);
    });
    EXPECT_EQ(0, zmq_ctx_shutdown(ctx));
    ASSERT_EQ(std::future_status::ready, result.wait_for(std::chrono::seconds(5)));
    const auto r = result.get();
    EXPECT_EQ(-1, r.first);
    EXPECT_EQ(ETERM, r.second);
    EXPECT_EQ(0, zmq_close(s));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

// With ZMQ_LINGER 0, pending messages never delay termination, even when
// nobody will ever read them.
TEST(Ctx, LingerZeroDropsPendingMessages) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(s, inproc_ep("nobody").c_str()));
    EXPECT_EQ(2, zmq_send(s, "hi", 2, ZMQ_DONTWAIT)) << "inproc connect queues before bind";
    int zero = 0;
    EXPECT_EQ(0, zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero));
    EXPECT_EQ(0, zmq_close(s));
    auto term = std::async(std::launch::async, [&] { return zmq_ctx_term(ctx); });
    ASSERT_EQ(std::future_status::ready, term.wait_for(std::chrono::seconds(5)));
    EXPECT_EQ(0, term.get());
}

TEST(Ctx, LingerZeroDropsPendingTcpMessages) {
    SKIP_WITHOUT_TCP();
    void *ctx = zmq_ctx_new();
    // Find a port nobody listens on by binding and then closing.
    void *tmp = zmq_socket(ctx, ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(tmp, "tcp://127.0.0.1:*"));
    const std::string ep = last_endpoint(tmp);
    int zero = 0;
    zmq_setsockopt(tmp, ZMQ_LINGER, &zero, sizeof zero);
    ASSERT_EQ(0, zmq_close(tmp));

    void *s = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(0, zmq_connect(s, ep.c_str()));
    // Not connected yet (and maybe never): DONTWAIT may queue or EAGAIN.
    zmq_send(s, "hi", 2, ZMQ_DONTWAIT);
    EXPECT_EQ(0, zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero));
    EXPECT_EQ(0, zmq_close(s));
    auto term = std::async(std::launch::async, [&] { return zmq_ctx_term(ctx); });
    ASSERT_EQ(std::future_status::ready, term.wait_for(std::chrono::seconds(5)));
    EXPECT_EQ(0, term.get());
}

// Messages already handed to an inproc peer survive the sender's close.
TEST(Ctx, InprocMessagesSurviveSenderClose) {
    void *ctx = zmq_ctx_new();
    const std::string ep = inproc_ep("survive");
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    ASSERT_EQ(5, zmq_send(push, "hello", 5, 0));
    EXPECT_EQ(0, zmq_close(push));
    EXPECT_EQ("hello", recv_str(pull));
    EXPECT_EQ(0, zmq_close(pull));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, DefaultLingerIsInfiniteButTermReturnsWhenNothingPending) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    EXPECT_EQ(-1, get_int(s, ZMQ_LINGER));
    EXPECT_EQ(0, zmq_close(s));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, ManyContextsAndSockets) {
    for (int i = 0; i < 20; ++i) {
        void *ctx = zmq_ctx_new();
        ASSERT_NE(nullptr, ctx);
        std::vector<void *> socks;
        for (int t = ZMQ_PAIR; t <= ZMQ_XSUB; ++t) {
            void *s = zmq_socket(ctx, t);
            ASSERT_NE(nullptr, s) << "type " << t;
            socks.push_back(s);
        }
        for (void *s : socks)
            EXPECT_EQ(0, zmq_close(s));
        EXPECT_EQ(0, zmq_ctx_term(ctx));
    }
}

TEST(Ctx, IoThreadsZeroAllowsInproc) {
    void *ctx = zmq_ctx_new();
    ASSERT_EQ(0, zmq_ctx_set(ctx, ZMQ_IO_THREADS, 0));
    void *a = zmq_socket(ctx, ZMQ_PAIR);
    void *b = zmq_socket(ctx, ZMQ_PAIR);
    const std::string ep = inproc_ep("noio");
    ASSERT_EQ(0, zmq_bind(a, ep.c_str()));
    ASSERT_EQ(0, zmq_connect(b, ep.c_str()));
    ASSERT_EQ(3, zmq_send(b, "abc", 3, 0));
    EXPECT_EQ("abc", recv_str(a));
    zmq_close(a);
    zmq_close(b);
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}

TEST(Ctx, InprocNamesAreScopedPerContext) {
    void *c1 = zmq_ctx_new();
    void *c2 = zmq_ctx_new();
    const std::string ep = inproc_ep("scoped");
    void *a = zmq_socket(c1, ZMQ_PAIR);
    void *b = zmq_socket(c2, ZMQ_PAIR);
    EXPECT_EQ(0, zmq_bind(a, ep.c_str()));
    EXPECT_EQ(0, zmq_bind(b, ep.c_str())) << "same name, different context";
    void *c = zmq_socket(c1, ZMQ_PAIR);
    EXPECT_ZMQ_ERR(zmq_bind(c, ep.c_str()), EADDRINUSE);
    zmq_close(a);
    zmq_close(b);
    zmq_close(c);
    EXPECT_EQ(0, zmq_ctx_term(c1));
    EXPECT_EQ(0, zmq_ctx_term(c2));
}
