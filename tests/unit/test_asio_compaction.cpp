// The plan's Phase 2 lazy-compaction cases on zlink's engine. The plan's
// engine moved a read's undecoded tail to the front of its buffer before
// the next read, and Phase 2 made that move lazy (watermarks). zlink's read
// path has no such move to make lazy: it asks for a read only once every
// byte of the buffer was decoded, and a frame cut at the buffer's end
// continues in the decoder's state (the size bytes, the body in the
// message). So the plan's "threshold not met / met" cases become: no move
// ever happens, whatever is cut where; ZMQ_ASIO_LAZY_COMPACT is accepted and
// changes nothing. engine_read_compactions_skipped counts the reads that
// continued a cut frame, i.e. where a compacting reader would have moved.
#include "test_asio_common.hpp"

using namespace asiotest;

namespace {

constexpr std::size_t read_buffer = 64 * 1024; // zmtp_engine's input buffer

// The plan's "threshold not met": a small tail (a 2-byte header cut after
// its first byte) at the very end of a full 64 KiB read.
TEST(AsioCompaction, SmallTailAtBufferEndIsNotMoved) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();

    // 256 frames of 2 + 254 bytes = exactly 64 KiB, minus one byte: the
    // next frame's first header byte completes the buffer.
    const std::string filler = pattern(254, 1);
    for (int i = 0; i < 255; ++i)
        p.a.queue(filler);
    p.a.queue(pattern(253, 2));
    p.a.queue("tail");
    // All written before b reads: a and b share the io_context, so a's
    // write loop gives it back after every write (io_thread_engines.hpp);
    // calling it until the last byte is out keeps b from reading between.
    const std::size_t total = 255 * 256 + (2 + 253) + (2 + 4);
    for (int i = 0; i < 64 && p.fa->wire.size() < total; ++i)
        p.a.engine->restart_output();
    ASSERT_EQ(total, p.fa->wire.size());
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 257; }));
    EXPECT_EQ("tail", body(p.b.in[256]));
    ASSERT_GE(p.fb->reads.size(), 2u);
    EXPECT_EQ(read_buffer, p.fb->reads[0]);
    EXPECT_EQ(0u, p.cb().compactions);
    EXPECT_EQ(0u, p.cb().compaction_bytes);
    EXPECT_EQ(1u, p.cb().compactions_skipped) << "the read after the cut header";
}

// The plan's "threshold met" (a large consumed head, little room left): a
// big cut body at the end of a full read. Still nothing moves; the body's
// rest is read into the message itself.
TEST(AsioCompaction, LargeTailAtBufferEndIsNotMoved) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();

    const std::string big = pattern(100 * 1024, 3);
    p.a.queue(pattern(200, 4));
    p.a.queue(big);
    p.a.engine->restart_output();
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 2; }));
    EXPECT_EQ(big, body(p.b.in[1]));
    EXPECT_EQ(read_buffer, p.fb->reads[0]);
    EXPECT_EQ(0u, zmq_debug_get_compaction_count());
    EXPECT_EQ(0u, zmq_debug_get_compaction_bytes());
    EXPECT_GE(zmq_debug_get_compaction_skipped_count(), 1u);
}

// The counter counts exactly the reads that continued a cut frame: a
// 1000-byte frame (9 + 991) through 100-byte reads is 10 reads, 9 of them
// continuing.
TEST(AsioCompaction, SkippedCounterIsExact) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fb->max_read = 100;

    p.a.send(pattern(991, 5));
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
    EXPECT_EQ(10u, p.fb->reads.size());
    EXPECT_EQ(9u, p.cb().compactions_skipped);
    EXPECT_EQ(9u, zmq_debug_get_compaction_skipped_count());
    EXPECT_EQ(0u, zmq_debug_get_compaction_count());
}

// Undecoded bytes left in the buffer by a full pipe (the session refused a
// message) stay where they are: reading stops, and restart_input() goes on
// decoding from the same position, in order, without a read in between.
TEST(AsioCompaction, StalledTailResumesInPlace) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.b.in_limit = 3;

    for (int i = 0; i < 10; ++i)
        p.a.queue("stall-" + std::to_string(i));
    p.a.engine->restart_output();
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 3; }));
    run_for(io, 10);
    EXPECT_EQ(3u, p.b.in.size());
    const std::size_t reads = p.fb->reads.size();
    EXPECT_EQ(1u, reads);
    p.b.in_limit = SIZE_MAX;
    p.b.engine->restart_input();
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 10; }));
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ("stall-" + std::to_string(i), body(p.b.in[size_t(i)]));
    EXPECT_EQ(0u, p.cb().compactions);
}

// ZMQ_ASIO_LAZY_COMPACT=0 (socket option or environment) changes nothing:
// the same reads, the same counts, still no move.
TEST(AsioCompaction, FeatureFlagOffChangesNothing) {
    auto run = [](int option, const char *env) {
        std::unique_ptr<scoped_env> e;
        if (env)
            e.reset(new scoped_env("ZMQ_ASIO_LAZY_COMPACT", env));
        boost::asio::io_context io;
        options_t o = pair_options();
        o.asio_lazy_compact = option;
        faulty_pair p(io, o, o);
        EXPECT_TRUE(p.handshake());
        p.clear_records();
        p.fb->max_read = 100;
        p.a.send(pattern(991, 6));
        EXPECT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
        return p.cb();
    };
    for (auto c : {run(-1, nullptr), run(0, nullptr), run(1, "0")}) {
        EXPECT_EQ(0u, c.compactions);
        EXPECT_EQ(9u, c.compactions_skipped);
        EXPECT_EQ(10u, c.reads);
    }
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PULL);
    int v = 0;
    size_t len = sizeof v;
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_ASIO_LAZY_COMPACT, &v, sizeof v));
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_ASIO_LAZY_COMPACT, &v, &len));
    EXPECT_EQ(0, v);
    v = -1;
    EXPECT_EQ(-1, zmq_setsockopt(s, ZMQ_ASIO_LAZY_COMPACT, &v, sizeof v));
    zmq_close(s);
    zmq_ctx_term(ctx);
}

} // namespace
