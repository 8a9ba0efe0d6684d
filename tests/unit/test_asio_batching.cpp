// The plan's Phase 3 batching cases, adapted to what write batching is in
// zlink. The plan's batcher held small messages back for a timer (100 us,
// later 5 ms) and the retrospective (RETRY_PERF_PLAN.md) found that this
// is what broke latency. zlink has no timer and no queue hop: a write
// gathers whatever is queued at that moment into one system call (up to
// ZLINK_WRITE_BATCH_BYTES, and the encoder's 16 in-place bodies), and a
// lone message on an idle connection is written in the call that queued it.
// So the plan's "timeout" and "timer cancellation" cases become "no timer:
// written at once" and "what queued while the kernel was full leaves in one
// write"; ZMQ_ASIO_WRITE_BATCHING=0 means one frame per write.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <thread>

#include "test_asio_common.hpp"

using namespace asiotest;

namespace {

// The plan's max_bytes flush: ZLINK_WRITE_BATCH_BYTES=100 closes a write
// once it holds 100 bytes: 22-byte frames go 5 to a write.
TEST(AsioBatching, SizeLimit) {
    boost::asio::io_context io;
    options_t o = pair_options();
    o.zlink_write_batch_bytes = 100;
    faulty_pair p(io, o, pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    const std::string m(20, 'x');
    for (int i = 0; i < 50; ++i)
        p.a.queue(m);
    p.a.engine->restart_output();
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 50; }));
    ASSERT_EQ(10u, p.fa->writes.size());
    for (const auto &w : p.fa->writes)
        EXPECT_EQ(5u * 22u, w.written);
    EXPECT_EQ(50u, p.ca().batched_messages);
}

// The plan's max_messages flush: zlink's count limit is the encoder's 16
// bodies written in place; 40 bodies of 2 KiB leave in writes of 16, 16, 8.
TEST(AsioBatching, CountLimit) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    for (int i = 0; i < 40; ++i)
        p.a.queue(pattern(2048, unsigned(i)));
    p.a.engine->restart_output();
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 40; }));
    const std::size_t frame = 9 + 2048;
    ASSERT_EQ(3u, p.fa->writes.size());
    EXPECT_EQ(16 * frame, p.fa->writes[0].written);
    EXPECT_EQ(16 * frame, p.fa->writes[1].written);
    EXPECT_EQ(8 * frame, p.fa->writes[2].written);
    EXPECT_EQ(32u, p.fa->writes[0].entries) << "16 headers and 16 bodies, gathered";
    EXPECT_EQ(pattern(2048, 39), body(p.b.in[39]));
}

// The plan's timeout flush, adapted: there is no timer. A lone small message
// on an idle connection is written inside the call that queued it, before
// the io_context runs a single handler.
TEST(AsioBatching, NoTimerLoneMessageWrittenAtOnce) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.a.send("now");
    ASSERT_EQ(1u, p.fa->writes.size()) << "written in the queuing call itself";
    EXPECT_EQ(raw_peer::frame("now"), p.fa->wire);
    EXPECT_FALSE(p.a.engine->output_pending());
    EXPECT_EQ(1u, zmq_debug_get_batch_flush_count());
    EXPECT_EQ(0u, zmq_debug_get_batched_message_count());
}

// A large message never waits behind small ones (nor they behind it): all
// go in the same write, in order, the large body as its own gather entry.
TEST(AsioBatching, LargeMessageGoesWithTheBatch) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    const std::string big = pattern(512 * 1024, 1);
    for (int i = 0; i < 5; ++i)
        p.a.queue("small-" + std::to_string(i));
    p.a.queue(big);
    p.a.queue("after");
    p.a.engine->restart_output();
    ASSERT_FALSE(p.fa->writes.empty());
    EXPECT_EQ(3u, p.fa->writes[0].entries) << "[smalls + big header] [big body] [after]";
    EXPECT_EQ(5 * 9 + 9 + big.size() + 7, p.fa->writes[0].offered);
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 7; }));
    EXPECT_EQ("small-4", body(p.b.in[4]));
    EXPECT_EQ(big, body(p.b.in[5]));
    EXPECT_EQ("after", body(p.b.in[6]));
}

// The plan's timer cancellation, adapted: what is queued while the kernel is
// full waits in the engine and leaves in one write when it is writable
// again (the opportunistic batch), not one write per message.
TEST(AsioBatching, QueuedWhileKernelFullLeavesInOneWrite) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fa->block_writes = true;
    p.a.send("first");
    for (int i = 0; i < 20; ++i)
        p.a.send("more-" + std::to_string(i));
    EXPECT_TRUE(p.fa->writes.empty());
    p.fa->block_writes = false;
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 21; }));
    ASSERT_EQ(1u, p.fa->writes.size());
    EXPECT_EQ(21u, p.ca().batched_messages);
    EXPECT_EQ(1u, p.ca().deferred_writes);
    EXPECT_EQ("more-19", body(p.b.in[20]));
}

// The plan's strand safety: application-thread writes (ZMQ_ASIO_APP_THREAD_
// WRITE) and io-thread writes on one real tcp connection never interleave
// inside a message. 1000 three-part messages arrive whole and in order;
// with batching off no frame shared a write (public API, both paths live).
TEST(AsioBatching, AppAndIoThreadWritesStayWhole) {
    for (int batching : {1, 0}) {
        zmq_debug_reset_counters();
        void *ctx = zmq_ctx_new();
        void *push = zmq_socket(ctx, ZMQ_PUSH);
        void *pull = zmq_socket(ctx, ZMQ_PULL);
        int t = 5000;
        zmq_setsockopt(pull, ZMQ_RCVTIMEO, &t, sizeof t);
        zmq_setsockopt(push, ZMQ_SNDTIMEO, &t, sizeof t);
        ASSERT_EQ(0, zmq_setsockopt(push, ZMQ_ASIO_WRITE_BATCHING, &batching, sizeof batching));
        ASSERT_EQ(0, zmq_bind(pull, "tcp://127.0.0.1:*"));
        char ep[256];
        size_t len = sizeof ep;
        ASSERT_EQ(0, zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, ep, &len));
        ASSERT_EQ(0, zmq_connect(push, ep));
        std::thread sender([&] {
            for (int i = 0; i < 1000; ++i) {
                const std::string n = std::to_string(i);
                zmq_send(push, "a", 1, ZMQ_SNDMORE);
                zmq_send(push, n.data(), n.size(), ZMQ_SNDMORE);
                zmq_send(push, "z", 1, 0);
            }
        });
        char buf[32];
        for (int i = 0; i < 1000; ++i) {
            int more = 0;
            size_t ml = sizeof more;
            ASSERT_EQ(1, zmq_recv(pull, buf, sizeof buf, 0)) << "batching " << batching;
            zmq_getsockopt(pull, ZMQ_RCVMORE, &more, &ml);
            ASSERT_EQ(1, more);
            const int n = zmq_recv(pull, buf, sizeof buf, 0);
            ASSERT_EQ(std::to_string(i), std::string(buf, size_t(n)));
            ASSERT_EQ(1, zmq_recv(pull, buf, sizeof buf, 0));
            ASSERT_EQ('z', buf[0]);
            zmq_getsockopt(pull, ZMQ_RCVMORE, &more, &ml);
            ASSERT_EQ(0, more);
        }
        sender.join();
        if (batching == 0)
            EXPECT_EQ(0u, zmq_debug_get_batched_message_count()) << "one frame per write";
        int zero = 0;
        zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(push);
        zmq_close(pull);
        zmq_ctx_term(ctx);
    }
}

// ZMQ_ASIO_WRITE_BATCHING=0 returns the connection to one frame per write,
// on the io thread's path and on the application thread's (a multipart
// message is handed to the io thread there); the environment beats the
// socket option.
TEST(AsioBatching, FeatureFlagOff) {
    auto run = [](int option, const char *env, std::size_t *direct_writes) {
        std::unique_ptr<scoped_env> e;
        if (env)
            e.reset(new scoped_env("ZMQ_ASIO_WRITE_BATCHING", env));
        boost::asio::io_context io;
        options_t o = pair_options();
        o.asio_write_batching = option;
        faulty_pair p(io, o, pair_options());
        EXPECT_TRUE(p.handshake());
        p.clear_records();
        for (int i = 0; i < 50; ++i)
            p.a.queue("frame-" + std::to_string(i));
        p.a.engine->restart_output();
        EXPECT_TRUE(run_until(io, [&] { return p.b.in.size() == 50; }));
        const std::size_t io_writes = p.fa->writes.size();
        // The application-thread path, two frames of one message.
        zlink::i_direct_writer *w = p.a.engine->direct_writer();
        EXPECT_NE(nullptr, w);
        msg_t parts[2];
        parts[0].init_buffer("x", 1);
        parts[0].set_flags(msg_t::more);
        parts[1].init_buffer("y", 1);
        const auto r = w->write_direct(parts, 2);
        *direct_writes = p.fa->writes.size() - io_writes;
        if (r != zlink::direct_write_result::written) {
            EXPECT_EQ(zlink::direct_write_result::not_idle, r);
            parts[0].close();
            parts[1].close();
        }
        return io_writes;
    };
    std::size_t direct = 0;
    EXPECT_EQ(50u, run(0, nullptr, &direct)) << "one frame per write";
    EXPECT_EQ(0u, direct) << "two frames: handed to the io thread";
    EXPECT_EQ(1u, run(-1, nullptr, &direct)) << "the default gathers all 50";
    EXPECT_EQ(1u, direct) << "both frames in one write";
    EXPECT_EQ(50u, run(1, "0", &direct)) << "environment 0 beats the option 1";
    EXPECT_EQ(1u, run(0, "1", &direct)) << "environment 1 beats the option 0";
}

// Batching matters because zlink turns Nagle off (TCP_NODELAY on every tcp
// connection): the kernel does not coalesce, only the engine's gathering
// does. Checked on a real connection, with batching on and off.
TEST(AsioBatching, TcpNodelayIsOn) {
    for (int batching : {1, 0}) {
        void *ctx = zmq_ctx_new();
        void *push = zmq_socket(ctx, ZMQ_PUSH);
        void *pull = zmq_socket(ctx, ZMQ_PULL);
        int t = 5000;
        zmq_setsockopt(pull, ZMQ_RCVTIMEO, &t, sizeof t);
        ASSERT_EQ(0, zmq_setsockopt(push, ZMQ_ASIO_WRITE_BATCHING, &batching, sizeof batching));
        ASSERT_EQ(0, zmq_bind(pull, "tcp://127.0.0.1:*"));
        char ep[256];
        size_t len = sizeof ep;
        ASSERT_EQ(0, zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, ep, &len));
        ASSERT_EQ(0, zmq_connect(push, ep));
        ASSERT_EQ(2, zmq_send(push, "hi", 2, 0));
        zmq_msg_t m;
        zmq_msg_init(&m);
        ASSERT_EQ(2, zmq_msg_recv(&m, pull, 0));
        const int fd = zmq_msg_get(&m, ZMQ_SRCFD);
        ASSERT_GE(fd, 0);
        int nodelay = 0;
        socklen_t nl = sizeof nodelay;
        ASSERT_EQ(0, ::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &nl));
        EXPECT_NE(0, nodelay) << "batching " << batching;
        zmq_msg_close(&m);
        int zero = 0;
        zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(push);
        zmq_close(pull);
        zmq_ctx_term(ctx);
    }
}

} // namespace
