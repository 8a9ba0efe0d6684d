// The plan's error-recovery cases on zlink's engine: a write that fails
// (ECONNRESET, EPIPE) ends the connection once, through the session, and
// every message the engine held -- written partly, waiting in place, pulled
// -- is released exactly once; closing the engine while a write waits for
// writability (the cancellation case) releases them without a callback.
#include "test_asio_common.hpp"

using namespace asiotest;

namespace {

// Holds `n` in-place bodies in a's output, the first partly written, then
// makes the next write fail with `error`.
struct failing_write {
    boost::asio::io_context io;
    faulty_pair p{io, pair_options(), pair_options()};
    std::vector<std::shared_ptr<watched_body>> bodies;

    bool start(int n, boost::system::error_code error) {
        if (!p.handshake())
            return false;
        p.clear_records();
        p.fa->max_write = 1000;
        p.fa->block_after = 1500; // the first body is cut
        for (int i = 0; i < n; ++i) {
            bodies.push_back(watched_body::make(4096, unsigned(i), p.fa));
            p.a.out.push_back(watched_body::message(bodies.back()));
        }
        p.a.engine->restart_output();
        run_for(io, 10);
        if (p.fa->wire.size() != 1500)
            return false;
        const int fail_at = p.fa->write_calls; // the next attempt fails
        p.fa->fail_write_at = fail_at;
        p.fa->write_error = error;
        p.fa->block_after = SIZE_MAX;
        if (!run_until(io, [&] { return p.fa->write_calls > fail_at; }))
            return false;
        // A real reset or broken pipe also wakes the reader; here the peer
        // says something instead. The engine reads what came first (zlink
        // reads after a failed write: an ERROR may be waiting), then fails.
        p.b.send("last words");
        return true;
    }
    int frees() const {
        int n = 0;
        for (const auto &b : bodies) {
            EXPECT_LE(b->frees, 1) << "a body released twice";
            n += b->frees;
        }
        return n;
    }
};

TEST(AsioErrorRecovery, ConnectionReset) {
    failing_write f;
    ASSERT_TRUE(f.start(3, boost::asio::error::connection_reset));
    ASSERT_TRUE(run_until(f.io, [&] { return f.p.a.closed; }));
    EXPECT_EQ(engine_close_reason::peer_closed, f.p.a.reason);
    EXPECT_EQ(ECONNRESET, f.p.a.close_value);
    ASSERT_EQ(1u, f.p.a.in.size()) << "what the peer said before is delivered";
    EXPECT_EQ("last words", body(f.p.a.in[0]));
    f.p.a.engine.reset(); // the session destroys the engine after the callback
    EXPECT_EQ(3, f.frees());
}

TEST(AsioErrorRecovery, BrokenPipe) {
    failing_write f;
    ASSERT_TRUE(f.start(2, boost::asio::error::broken_pipe));
    ASSERT_TRUE(run_until(f.io, [&] { return f.p.a.closed; }));
    EXPECT_EQ(engine_close_reason::peer_closed, f.p.a.reason);
    EXPECT_EQ(EPIPE, f.p.a.close_value);
    f.p.a.engine.reset();
    EXPECT_EQ(2, f.frees());
}

// Cancellation: the session closes the engine while its write waits for
// writability with a body half written. The wait completes as aborted and
// does nothing; no engine_closed follows a close(); destroying the engine
// releases what it held.
TEST(AsioErrorRecovery, CloseWhileWriteWaits) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fa->block_after = 2000;
    auto wb = watched_body::make(8192, 7, p.fa);
    p.a.out.push_back(watched_body::message(wb));
    p.a.engine->restart_output();
    ASSERT_EQ(2000u, p.fa->wire.size());
    ASSERT_TRUE(p.a.engine->output_pending());
    p.a.engine->close();
    run_for(io, 10); // the aborted wait runs
    EXPECT_FALSE(p.a.closed) << "close() is the session's own: no callback";
    EXPECT_EQ(0, wb->frees) << "still owned by the engine until it is destroyed";
    p.a.engine.reset();
    EXPECT_EQ(1, wb->frees);
    run_for(io, 10);
    EXPECT_TRUE(p.b.closed) << "the peer sees the connection end";
    EXPECT_TRUE(p.b.in.empty()) << "a cut frame is never delivered";
}

// Many bodies in every state at once when the write fails: 16 in place in
// the encoder (its limit), one pulled and waiting, more still queued in the
// session. The engine releases the ones it took; the rest stay the
// session's. ASAN (the sanitizer lane) checks nothing leaks either way.
TEST(AsioErrorRecovery, NothingLeaks) {
    failing_write f;
    ASSERT_TRUE(f.start(20, boost::asio::error::connection_reset));
    ASSERT_TRUE(run_until(f.io, [&] { return f.p.a.closed; }));
    const std::size_t queued = f.p.a.out.size();
    EXPECT_GT(queued, 0u) << "some bodies never left the session";
    f.p.a.engine.reset();
    EXPECT_EQ(int(20 - queued), f.frees()) << "every body the engine took is released";
    for (auto &m : f.p.a.out)
        m.close();
    f.p.a.out.clear();
    EXPECT_EQ(20, f.frees());
}

// The failed write's partly written body is released once, not again by the
// encoder's destructor or a later write attempt (io keeps running after the
// failure, and restart_output() after it must not touch the output).
TEST(AsioErrorRecovery, NoDoubleRelease) {
    failing_write f;
    ASSERT_TRUE(f.start(1, boost::asio::error::broken_pipe));
    ASSERT_TRUE(run_until(f.io, [&] { return f.p.a.closed; }));
    const int calls = f.p.fa->write_calls;
    f.p.a.engine->restart_output();
    run_for(f.io, 10);
    EXPECT_EQ(calls, f.p.fa->write_calls) << "no write after the failure";
    f.p.a.engine.reset();
    EXPECT_EQ(1, f.frees());
    EXPECT_TRUE(f.bodies[0]->intact_at_free);
}

} // namespace
