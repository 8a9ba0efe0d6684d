// A SUB keeps its subscriptions across a reconnect: when the publisher comes
// back (same endpoint, new process state), messages flow again without the
// application subscribing anew (libzmq re-sends subscriptions on "hiccup").
#include "testutil.hpp"

using namespace testutil;

namespace {
// Publish until the subscriber sees a message or the deadline passes.
bool delivered(void *pub, void *sub, const std::string &text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        zmq_send(pub, text.data(), text.size(), ZMQ_DONTWAIT);
        zmq_pollitem_t item{sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 20) > 0) {
            char buf[64];
            const int n = zmq_recv(sub, buf, sizeof buf, 0);
            if (n > 0 && std::string(buf, static_cast<size_t>(n)) == text)
                return true;
        }
    }
    return false;
}
} // namespace

TEST(Resubscribe, SubscriptionsSurvivePublisherRestart) {
    void *ctx = zmq_ctx_new();
    int zero = 0, ivl = 20;
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
    ASSERT_EQ(0, zmq_bind(pub, "tcp://127.0.0.1:*"));
    const std::string ep = last_endpoint(pub);

    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sub, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "news", 4);
    ASSERT_EQ(0, zmq_connect(sub, ep.c_str()));
    ASSERT_TRUE(delivered(pub, sub, "news-1"));

    // The publisher goes away and comes back on the same endpoint.
    zmq_close(pub);
    pub = zmq_socket(ctx, ZMQ_PUB);
    zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
    int rc = -1;
    for (int i = 0; i < 200 && rc != 0; ++i) { // the old listener closes asynchronously
        rc = zmq_bind(pub, ep.c_str());
        if (rc != 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(0, rc) << zmq_strerror(zmq_errno());
    EXPECT_TRUE(delivered(pub, sub, "news-2")) << "subscription was not re-sent after reconnect";

    zmq_close(sub);
    zmq_close(pub);
    zmq_ctx_term(ctx);
}
