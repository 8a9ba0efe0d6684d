// zmq_proxy and zmq_proxy_steerable: forwarding in both directions, capture,
// control commands and statistics, and termination.
#include "testutil.hpp"

#include <future>

using namespace testutil;

namespace {

struct proxy_result {
    int rc;
    int err;
};

// Runs a proxy in a thread that owns frontend/backend/capture/control and
// closes them when the proxy returns, so ctx_term can complete.
class Proxy : public ::testing::Test {
  protected:
    void SetUp() override { ctx = zmq_ctx_new(); }
    void TearDown() override {
        for (void *s : client_sockets) {
            int zero = 0;
            zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
            zmq_close(s);
        }
        zmq_ctx_shutdown(ctx); // stops a proxy that is still running
        if (proxy.valid())
            proxy.wait_for(std::chrono::seconds(5));
        EXPECT_EQ(0, zmq_ctx_term(ctx));
    }
    void *client(int type) {
        void *s = zmq_socket(ctx, type);
        client_sockets.push_back(s);
        return s;
    }
    void start(void *frontend, void *backend, void *capture, void *control) {
        proxy = std::async(std::launch::async, [=] {
            const int rc = control ? zmq_proxy_steerable(frontend, backend, capture, control)
                                   : zmq_proxy(frontend, backend, capture);
            proxy_result r{rc, errno};
            for (void *s : {frontend, backend, capture, control}) {
                if (!s)
                    continue;
                int zero = 0;
                zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
                zmq_close(s);
            }
            return r;
        });
    }
    proxy_result wait_proxy() {
        EXPECT_EQ(std::future_status::ready, proxy.wait_for(std::chrono::seconds(5)));
        return proxy.get();
    }
    void *bound(int type, const std::string &ep) {
        void *s = zmq_socket(ctx, type);
        EXPECT_EQ(0, zmq_bind(s, ep.c_str()));
        return s;
    }

    void *ctx = nullptr;
    std::vector<void *> client_sockets;
    std::future<proxy_result> proxy;
};

std::vector<uint64_t> statistics(void *control) {
    EXPECT_EQ(10, zmq_send(control, "STATISTICS", 10, 0));
    std::vector<uint64_t> values;
    for (int i = 0; i < 8; ++i) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (!wait_readable(control) || zmq_msg_recv(&m, control, 0) != 8) {
            ADD_FAILURE() << "statistics frame " << i << " missing or not 8 bytes";
            zmq_msg_close(&m);
            return values;
        }
        uint64_t v;
        memcpy(&v, zmq_msg_data(&m), sizeof v);
        values.push_back(v);
        EXPECT_EQ(i < 7, zmq_msg_more(&m) == 1) << "frame " << i;
        zmq_msg_close(&m);
    }
    return values;
}

} // namespace

TEST_F(Proxy, NullSocketsAreEfault) {
    EXPECT_ZMQ_ERR(zmq_proxy(nullptr, nullptr, nullptr), EFAULT);
    void *s = client(ZMQ_PAIR);
    EXPECT_ZMQ_ERR(zmq_proxy(s, nullptr, nullptr), EFAULT);
    EXPECT_ZMQ_ERR(zmq_proxy_steerable(nullptr, nullptr, nullptr, nullptr), EFAULT);
}

TEST_F(Proxy, PushPullPipelineAndEtermOnShutdown) {
    const std::string fe = inproc_ep("fe"), be = inproc_ep("be");
    void *frontend = bound(ZMQ_PULL, fe);
    void *backend = bound(ZMQ_PUSH, be);
    void *producer = client(ZMQ_PUSH);
    void *worker = client(ZMQ_PULL);
    ASSERT_EQ(0, zmq_connect(producer, fe.c_str()));
    ASSERT_EQ(0, zmq_connect(worker, be.c_str()));
    start(frontend, backend, nullptr, nullptr);

    for (int i = 0; i < 50; ++i)
        ASSERT_EQ(1, zmq_send(producer, "m", 1, 0));
    ASSERT_EQ(5, zmq_send(producer, "part1", 5, ZMQ_SNDMORE));
    ASSERT_EQ(5, zmq_send(producer, "part2", 5, 0));
    for (int i = 0; i < 50; ++i)
        ASSERT_EQ("m", recv_str(worker));
    const auto parts = recv_multipart(worker);
    ASSERT_EQ(2u, parts.size()) << "multipart stays together";
    EXPECT_EQ("part1", parts[0]);
    EXPECT_EQ("part2", parts[1]);

    ASSERT_EQ(0, zmq_ctx_shutdown(ctx));
    const proxy_result r = wait_proxy();
    EXPECT_EQ(-1, r.rc);
    EXPECT_EQ(ETERM, r.err);
}

TEST_F(Proxy, RouterDealerRequestReply) {
    const std::string fe = inproc_ep("fe"), be = inproc_ep("be");
    void *frontend = bound(ZMQ_ROUTER, fe);
    void *backend = bound(ZMQ_DEALER, be);
    void *req = client(ZMQ_REQ);
    void *rep = client(ZMQ_REP);
    ASSERT_EQ(0, zmq_connect(req, fe.c_str()));
    ASSERT_EQ(0, zmq_connect(rep, be.c_str()));
    start(frontend, backend, nullptr, nullptr);

    for (int i = 0; i < 10; ++i) {
        const std::string q = "question " + std::to_string(i);
        ASSERT_EQ(int(q.size()), send_str(req, q));
        ASSERT_EQ(q, recv_str(rep));
        const std::string a = "answer " + std::to_string(i);
        ASSERT_EQ(int(a.size()), send_str(rep, a));
        ASSERT_EQ(a, recv_str(req));
    }
}

TEST_F(Proxy, CaptureSeesEveryFrame) {
    const std::string fe = inproc_ep("fe"), be = inproc_ep("be"), cap = inproc_ep("cap");
    void *frontend = bound(ZMQ_PULL, fe);
    void *backend = bound(ZMQ_PUSH, be);
    void *capture = bound(ZMQ_PUSH, cap);
    void *producer = client(ZMQ_PUSH);
    void *worker = client(ZMQ_PULL);
    void *tap = client(ZMQ_PULL);
    ASSERT_EQ(0, zmq_connect(producer, fe.c_str()));
    ASSERT_EQ(0, zmq_connect(worker, be.c_str()));
    ASSERT_EQ(0, zmq_connect(tap, cap.c_str()));
    start(frontend, backend, capture, nullptr);

    ASSERT_EQ(3, zmq_send(producer, "one", 3, 0));
    ASSERT_EQ(1, zmq_send(producer, "a", 1, ZMQ_SNDMORE));
    ASSERT_EQ(1, zmq_send(producer, "b", 1, 0));
    EXPECT_EQ("one", recv_str(worker));
    const auto parts = recv_multipart(worker);
    ASSERT_EQ(2u, parts.size());

    EXPECT_EQ("one", recv_str(tap));
    const auto captured = recv_multipart(tap);
    ASSERT_EQ(2u, captured.size()) << "capture keeps the MORE flags";
    EXPECT_EQ("a", captured[0]);
    EXPECT_EQ("b", captured[1]);
}

TEST_F(Proxy, SteerableTerminateReturnsZero) {
    const std::string fe = inproc_ep("fe"), be = inproc_ep("be"), ctl = inproc_ep("ctl");
    void *frontend = bound(ZMQ_PULL, fe);
    void *backend = bound(ZMQ_PUSH, be);
    void *control = bound(ZMQ_PAIR, ctl);
    void *commander = client(ZMQ_PAIR);
    ASSERT_EQ(0, zmq_connect(commander, ctl.c_str()));
    start(frontend, backend, nullptr, control);
    ASSERT_EQ(9, zmq_send(commander, "TERMINATE", 9, 0));
    const proxy_result r = wait_proxy();
    EXPECT_EQ(0, r.rc);
}

TEST_F(Proxy, SteerableStatisticsLayout) {
    const std::string fe = inproc_ep("fe"), be = inproc_ep("be"), ctl = inproc_ep("ctl");
    void *frontend = bound(ZMQ_PULL, fe);
    void *backend = bound(ZMQ_PUSH, be);
    void *control = bound(ZMQ_PAIR, ctl);
    void *producer = client(ZMQ_PUSH);
    void *worker = client(ZMQ_PULL);
    void *commander = client(ZMQ_PAIR);
    ASSERT_EQ(0, zmq_connect(producer, fe.c_str()));
    ASSERT_EQ(0, zmq_connect(worker, be.c_str()));
    ASSERT_EQ(0, zmq_connect(commander, ctl.c_str()));
    start(frontend, backend, nullptr, control);

    auto stats = statistics(commander);
    ASSERT_EQ(8u, stats.size());
    for (uint64_t v : stats)
        EXPECT_EQ(0u, v);

    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(5, zmq_send(producer, "hello", 5, 0));
    ASSERT_EQ(2, zmq_send(producer, "ab", 2, ZMQ_SNDMORE));
    ASSERT_EQ(3, zmq_send(producer, "cde", 3, 0));
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ("hello", recv_str(worker));
    ASSERT_EQ(2u, recv_multipart(worker).size());

    stats = statistics(commander);
    ASSERT_EQ(8u, stats.size());
    // Messages count whole multipart messages (4), bytes count every frame (20).
    EXPECT_EQ(4u, stats[0]) << "frontend messages received";
    EXPECT_EQ(20u, stats[1]) << "frontend bytes received";
    EXPECT_EQ(0u, stats[2]) << "frontend messages sent";
    EXPECT_EQ(0u, stats[3]) << "frontend bytes sent";
    EXPECT_EQ(0u, stats[4]) << "backend messages received";
    EXPECT_EQ(0u, stats[5]) << "backend bytes received";
    EXPECT_EQ(4u, stats[6]) << "backend messages sent";
    EXPECT_EQ(20u, stats[7]) << "backend bytes sent";

    ASSERT_EQ(9, zmq_send(commander, "TERMINATE", 9, 0));
    EXPECT_EQ(0, wait_proxy().rc);
}

TEST_F(Proxy, SteerablePauseAndResume) {
    const std::string fe = inproc_ep("fe"), be = inproc_ep("be"), ctl = inproc_ep("ctl");
    void *frontend = bound(ZMQ_PULL, fe);
    void *backend = bound(ZMQ_PUSH, be);
    void *control = bound(ZMQ_PAIR, ctl);
    void *producer = client(ZMQ_PUSH);
    void *worker = client(ZMQ_PULL);
    void *commander = client(ZMQ_PAIR);
    ASSERT_EQ(0, zmq_connect(producer, fe.c_str()));
    ASSERT_EQ(0, zmq_connect(worker, be.c_str()));
    ASSERT_EQ(0, zmq_connect(commander, ctl.c_str()));
    start(frontend, backend, nullptr, control);

    // A PAIR control socket gets no reply to PAUSE/RESUME/TERMINATE; the
    // STATISTICS round trip proves the PAUSE was processed.
    ASSERT_EQ(5, zmq_send(commander, "PAUSE", 5, 0));
    ASSERT_EQ(8u, statistics(commander).size());

    ASSERT_EQ(4, zmq_send(producer, "held", 4, 0));
    // Still paused: another statistics round trip shows nothing forwarded.
    auto stats = statistics(commander);
    ASSERT_EQ(8u, stats.size());
    EXPECT_EQ(0u, stats[6]);
    char buf[8];
    EXPECT_ZMQ_ERR(zmq_recv(worker, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);

    ASSERT_EQ(6, zmq_send(commander, "RESUME", 6, 0));
    EXPECT_EQ("held", recv_str(worker));
    stats = statistics(commander);
    ASSERT_EQ(8u, stats.size());
    EXPECT_EQ(1u, stats[0]);
    EXPECT_EQ(4u, stats[1]);
    EXPECT_EQ(1u, stats[6]);
    EXPECT_EQ(4u, stats[7]);

    ASSERT_EQ(9, zmq_send(commander, "TERMINATE", 9, 0));
    EXPECT_EQ(0, wait_proxy().rc);
}

TEST_F(Proxy, SteerableWithNullControlActsLikeProxy) {
    const std::string fe = inproc_ep("fe"), be = inproc_ep("be");
    void *frontend = bound(ZMQ_PULL, fe);
    void *backend = bound(ZMQ_PUSH, be);
    void *producer = client(ZMQ_PUSH);
    void *worker = client(ZMQ_PULL);
    ASSERT_EQ(0, zmq_connect(producer, fe.c_str()));
    ASSERT_EQ(0, zmq_connect(worker, be.c_str()));
    proxy = std::async(std::launch::async, [=] {
        const int rc = zmq_proxy_steerable(frontend, backend, nullptr, nullptr);
        proxy_result r{rc, errno};
        zmq_close(frontend);
        zmq_close(backend);
        return r;
    });
    ASSERT_EQ(1, zmq_send(producer, "x", 1, 0));
    EXPECT_EQ("x", recv_str(worker));
    ASSERT_EQ(0, zmq_ctx_shutdown(ctx));
    const proxy_result r = wait_proxy();
    EXPECT_EQ(-1, r.rc);
    EXPECT_EQ(ETERM, r.err);
}

TEST_F(Proxy, BidirectionalXpubXsub) {
    const std::string fe = inproc_ep("fe"), be = inproc_ep("be");
    void *frontend = bound(ZMQ_XSUB, fe); // publishers connect here
    void *backend = bound(ZMQ_XPUB, be);  // subscribers connect here
    void *pub = client(ZMQ_PUB);
    void *sub = client(ZMQ_SUB);
    ASSERT_EQ(0, zmq_connect(pub, fe.c_str()));
    ASSERT_EQ(0, zmq_connect(sub, be.c_str()));
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "news", 4));
    start(frontend, backend, nullptr, nullptr);
    // The subscription travels backend -> frontend -> pub; publish until it
    // has arrived.
    ASSERT_TRUE(eventually([&] {
        send_str(pub, "news: ready");
        return recv_str(sub, 20) == "news: ready";
    }));
    send_str(pub, "sports");
    send_str(pub, "news: done");
    std::string got;
    do {
        got = recv_str(sub);
    } while (got == "news: ready");
    EXPECT_EQ("news: done", got);
}
