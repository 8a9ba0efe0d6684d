// The io thread's write loop has a budget: a connection with a long queue
// gives the io thread back after a few system calls (a continuation is
// posted) instead of writing until its queue or the kernel runs dry, so the
// other connections of the same io thread are served in between (a REQ/REP
// beside a saturating stream: benchwithzmq's latency-under-load rows). These
// tests queue 2000 messages before the connection exists and write one
// message per system call (ZLINK_WRITE_BATCH_BYTES=1), so the first write
// loop must yield many times; every message must still arrive, in order,
// and a lingering close must still finish once the queue is out. The budget
// is sixteen writes for an engine alone on its io thread and one for an
// engine that shares it (src/engine/io_thread_engines.hpp).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <unistd.h>

#include <zlink.h>
#include <zmq.h>

#include "proc_testutil.hpp"
#include "zlink_testutil.hpp"

#include "testutil.hpp"

namespace {

constexpr int kMessages = 2000;

// Short and unique (pid, count): a test name would not fit a unix path.
std::string ipc_endpoint() {
    return "ipc:///tmp/" + testutil::short_unique("zlink-wbudget") + ".ipc";
}

// A PUSH that queues kMessages to an endpoint nobody has bound yet.
void *queued_push(void *ctx, const std::string &ep) {
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    const int one = 1, zero = 0, ten = 10;
    EXPECT_EQ(0, zmq_setsockopt(push, ZLINK_WRITE_BATCH_BYTES, &one, sizeof one));
    EXPECT_EQ(0, zmq_setsockopt(push, ZMQ_SNDHWM, &zero, sizeof zero));
    EXPECT_EQ(0, zmq_setsockopt(push, ZMQ_RECONNECT_IVL, &ten, sizeof ten));
    EXPECT_EQ(0, zmq_connect(push, ep.c_str()));
    for (int i = 0; i < kMessages; ++i) {
        const std::string body = "m" + std::to_string(i);
        EXPECT_EQ(int(body.size()), zmq_send(push, body.data(), body.size(), 0));
    }
    return push;
}

void receive_all_in_order(void *pull) {
    const int timeout = 10000;
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char buf[32];
    for (int i = 0; i < kMessages; ++i) {
        const int n = zmq_recv(pull, buf, sizeof buf, 0);
        ASSERT_GT(n, 0) << "message " << i << ": " << zmq_strerror(zmq_errno());
        ASSERT_EQ("m" + std::to_string(i), std::string(buf, size_t(n)));
    }
}

} // namespace

TEST(WriteBudget, LongQueueYieldsTheIoThreadAndArrivesInOrder) {
    zmq_debug_counters_reset();
    const std::string ep = ipc_endpoint();
    void *ctx = zmq_ctx_new();
    void *push = queued_push(ctx, ep);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    receive_all_in_order(pull);
    // 2000 one-message writes at 16 per turn of the io thread.
    EXPECT_GE(testutil::debug_counter("engine_write_yields"), 50u);
    testutil::close_linger0(push);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    ::unlink(ep.substr(6).c_str());
}

// The queued PUSH in one context and its PULL in another, so the PUSH's
// engine is alone on its io thread unless `neighbour` adds an idle, open
// connection (a PAIR pair across the two contexts) to the same io thread.
// Returns the write loop's yields while the queue went out.
uint64_t yields_for_queue(bool neighbour) {
    const std::string ep = ipc_endpoint(), pair_ep = ipc_endpoint();
    void *push_ctx = zmq_ctx_new();
    void *pull_ctx = zmq_ctx_new();
    void *pair_a = nullptr, *pair_b = nullptr;
    if (neighbour) {
        pair_b = zmq_socket(pull_ctx, ZMQ_PAIR);
        pair_a = zmq_socket(push_ctx, ZMQ_PAIR);
        EXPECT_EQ(0, zmq_bind(pair_b, pair_ep.c_str()));
        EXPECT_EQ(0, zmq_connect(pair_a, pair_ep.c_str()));
        // One exchange: the neighbour's engines exist and are idle.
        testutil::send_str(pair_a, "up");
        EXPECT_EQ("up", testutil::recv_str(pair_b));
    }
    zmq_debug_counters_reset();
    void *push = queued_push(push_ctx, ep);
    void *pull = zmq_socket(pull_ctx, ZMQ_PULL);
    EXPECT_EQ(0, zmq_bind(pull, ep.c_str()));
    receive_all_in_order(pull);
    const uint64_t yields = testutil::debug_counter("engine_write_yields");
    for (void *s : {push, pull, pair_a, pair_b})
        if (s)
            testutil::close_linger0(s);
    zmq_ctx_term(push_ctx);
    zmq_ctx_term(pull_ctx);
    ::unlink(ep.substr(6).c_str());
    ::unlink(pair_ep.substr(6).c_str());
    return yields;
}

// Alone on its io thread the engine writes sixteen times per turn: about
// 2000 / 16 yields. Beside another connection it yields after every write,
// so the neighbour waits for one write, not sixteen (a REQ/REP beside a
// saturating stream: p50 several times lower, RESULTS_NOTES.md).
TEST(WriteBudget, AnEngineSharingItsIoThreadYieldsAfterEveryWrite) {
    const uint64_t alone = yields_for_queue(false);
    EXPECT_GE(alone, uint64_t(kMessages / 16 - 10));
    EXPECT_LE(alone, uint64_t(kMessages / 16 + 30));
    const uint64_t shared = yields_for_queue(true);
    EXPECT_GE(shared, uint64_t(kMessages - 100));
}

// A lingering close whose queue goes out through continuations: every
// message arrives and zmq_ctx_term (infinite linger) returns once it is out.
TEST(WriteBudget, LingeringCloseFinishesAfterContinuationsDrainTheQueue) {
    const std::string ep = ipc_endpoint();
    void *push_ctx = zmq_ctx_new();
    void *push = queued_push(push_ctx, ep);
    const int forever = -1;
    zmq_setsockopt(push, ZMQ_LINGER, &forever, sizeof forever);
    zmq_close(push);

    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    receive_all_in_order(pull);
    EXPECT_EQ(0, zmq_ctx_term(push_ctx));
    zmq_close(pull);
    zmq_ctx_term(ctx);
    ::unlink(ep.substr(6).c_str());
}
