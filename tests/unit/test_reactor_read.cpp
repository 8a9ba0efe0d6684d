// ZLINK_REACTOR_READ: after a read that emptied the kernel queue (fewer
// bytes than the buffer), the engine hands its next read to Asio's receive
// operation instead of reading again until EAGAIN and re-arming a readiness
// wait (epoll_ctl). Engines on a unix socket pair through fault_transport,
// which records every try_read and every receive handed to Asio.
#include <cstdlib>

#include <sys/socket.h>

#include "test_asio_common.hpp"

using namespace asiotest;

namespace {

// Like faulty_pair, but the transports pass on short_read_drains (the
// engine asks once, when it is made).
struct reader_pair {
    boost::asio::io_context &io;
    fake_session a, b;
    std::shared_ptr<fault_plan> fa = std::make_shared<fault_plan>();
    std::shared_ptr<fault_plan> fb = std::make_shared<fault_plan>();

    reader_pair(boost::asio::io_context &io_, const options_t &o) : io(io_) {
        fa->short_read_drains = fb->short_read_drains = true;
        local_socket sa(io), sb(io);
        boost::asio::local::connect_pair(sa, sb);
        a.engine = faulty_engine(io, std::move(sa), a, o, fa);
        b.engine = faulty_engine(io, std::move(sb), b, o, fb);
        a.engine->start();
        b.engine->start();
    }
    bool handshake() {
        return run_until(io, [&] { return (a.ready && b.ready) || a.closed || b.closed; }) &&
               a.ready && b.ready;
    }
    // n request/reply exchanges of small messages, each waited for.
    bool ping_pong(int n) {
        for (int i = 0; i < n; ++i) {
            const std::size_t got = b.in.size(), back = a.in.size();
            a.send("ping-" + std::to_string(i));
            if (!run_until(io, [&] { return b.in.size() > got; }))
                return false;
            b.send("pong-" + std::to_string(i));
            if (!run_until(io, [&] { return a.in.size() > back; }))
                return false;
        }
        return true;
    }
    void clear_records() {
        for (auto *p : {fa.get(), fb.get()}) {
            p->read_offers.clear();
            p->reads.clear();
            p->reactor_reads = 0;
        }
        base_b = zlink::engine_counters(b.engine.get()).reactor_reads;
    }
    uint64_t b_reactor_reads() const {
        return zlink::engine_counters(b.engine.get()).reactor_reads - base_b;
    }

  private:
    uint64_t base_b = 0;
};

struct env_guard {
    explicit env_guard(const char *value) {
        if (value)
            setenv("ZLINK_REACTOR_READ", value, 1);
        else
            unsetenv("ZLINK_REACTOR_READ");
    }
    ~env_guard() { unsetenv("ZLINK_REACTOR_READ"); }
};

// Default: each message is one receive by the reactor and nothing else: no
// try_read at all, so none that says EAGAIN.
TEST(ReactorRead, SmallMessagesNeedNoEagainRead) {
    env_guard env(nullptr);
    boost::asio::io_context io;
    reader_pair p(io, pair_options());
    ASSERT_TRUE(p.handshake());
    ASSERT_TRUE(p.ping_pong(1)); // settled: both ends wait in the reactor
    p.clear_records();

    ASSERT_TRUE(p.ping_pong(20));
    EXPECT_EQ(0u, p.fb->read_offers.size()) << "no read of the engine's own";
    EXPECT_EQ(20, p.fb->reactor_reads) << "one receive armed per message";
    EXPECT_EQ(20u, p.b_reactor_reads());
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ("ping-" + std::to_string(i), body(p.b.in[std::size_t(i) + 1]));
}

// ZLINK_REACTOR_READ=0: the plain path, a read that brings the message and
// one that says EAGAIN before the readiness wait.
TEST(ReactorRead, EnvironmentZeroReadsUntilEagain) {
    env_guard env("0");
    boost::asio::io_context io;
    reader_pair p(io, pair_options());
    ASSERT_TRUE(p.handshake());
    ASSERT_TRUE(p.ping_pong(1));
    p.clear_records();

    ASSERT_TRUE(p.ping_pong(20));
    EXPECT_EQ(20u, p.fb->reads.size());
    EXPECT_EQ(40u, p.fb->read_offers.size()) << "every message: data, then EAGAIN";
    EXPECT_EQ(0, p.fb->reactor_reads);
    EXPECT_EQ(0u, p.b_reactor_reads());
}

// The socket option says the same when the environment does not.
TEST(ReactorRead, SocketOptionZeroReadsUntilEagain) {
    env_guard env(nullptr);
    boost::asio::io_context io;
    options_t o = pair_options();
    o.zlink_reactor_read = 0;
    reader_pair p(io, o);
    ASSERT_TRUE(p.handshake());
    ASSERT_TRUE(p.ping_pong(1));
    p.clear_records();

    ASSERT_TRUE(p.ping_pong(5));
    EXPECT_EQ(10u, p.fb->read_offers.size());
    EXPECT_EQ(0, p.fb->reactor_reads);
}

// A message and the end of the stream that arrive together, before the io
// loop looks: the short read that takes the message must not leave the end
// of the stream unseen (the reactor's receive reads once before waiting).
TEST(ReactorRead, EndOfStreamRightAfterDataIsSeen) {
    env_guard env(nullptr);
    boost::asio::io_context io;
    engine_and_raw e(io, pair_options());
    ASSERT_TRUE(e.handshake("PAIR"));
    run_for(io, 20); // the engine waits in the reactor now
    const uint64_t before = zlink::engine_counters(e.s.engine.get()).reactor_reads;

    e.peer.write(raw_peer::frame("last words"));
    e.peer.sock.close();
    ASSERT_TRUE(run_until(io, [&] { return e.s.closed; }));
    ASSERT_EQ(1u, e.s.in.size());
    EXPECT_EQ("last words", body(e.s.in[0]));
    EXPECT_EQ(engine_close_reason::peer_closed, e.s.reason);
    EXPECT_GE(zlink::engine_counters(e.s.engine.get()).reactor_reads, before + 1);
}

// The same with a half close (the peer still reads): end of stream is seen.
TEST(ReactorRead, HalfCloseRightAfterDataIsSeen) {
    env_guard env(nullptr);
    boost::asio::io_context io;
    engine_and_raw e(io, pair_options());
    ASSERT_TRUE(e.handshake("PAIR"));
    run_for(io, 20);

    e.peer.write(raw_peer::frame("one") + raw_peer::frame("two"));
    ASSERT_EQ(0, ::shutdown(e.peer.sock.native_handle(), SHUT_WR));
    ASSERT_TRUE(run_until(io, [&] { return e.s.closed; }));
    ASSERT_EQ(2u, e.s.in.size());
    EXPECT_EQ("two", body(e.s.in[1]));
}

// A message larger than the read buffer still arrives whole when the
// reactor does the reads (some of them full, some short).
TEST(ReactorRead, LargeMessagesArriveWhole) {
    env_guard env(nullptr);
    boost::asio::io_context io;
    reader_pair p(io, pair_options());
    ASSERT_TRUE(p.handshake());
    const std::string big = pattern(300 * 1024, 3), small = pattern(100, 4);
    p.a.queue(small);
    p.a.queue(big);
    p.a.send(small);
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 3; }));
    EXPECT_EQ(small, body(p.b.in[0]));
    EXPECT_EQ(big, body(p.b.in[1]));
    EXPECT_EQ(small, body(p.b.in[2]));
}

TEST(ReactorRead, OptionValues) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    int v = -1;
    size_t len = sizeof v;
    ASSERT_EQ(0, zmq_getsockopt(s, ZLINK_REACTOR_READ, &v, &len));
    EXPECT_EQ(1, v);
    v = 0;
    ASSERT_EQ(0, zmq_setsockopt(s, ZLINK_REACTOR_READ, &v, sizeof v));
    len = sizeof v;
    v = -1;
    ASSERT_EQ(0, zmq_getsockopt(s, ZLINK_REACTOR_READ, &v, &len));
    EXPECT_EQ(0, v);
    const int two = 2;
    EXPECT_EQ(-1, zmq_setsockopt(s, ZLINK_REACTOR_READ, &two, sizeof two));
    EXPECT_EQ(EINVAL, zmq_errno());
    zmq_close(s);
    zmq_ctx_term(ctx);
}

} // namespace
