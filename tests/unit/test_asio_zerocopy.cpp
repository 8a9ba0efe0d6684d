// The plan's Phase 1 (doc/plan/PERFORMANCE_PLAN.md), zero-copy write, on
// zlink's engine: a frame body over 1 KiB is a gather-write entry of its own,
// sent from the message itself; ZMQ_ASIO_ZEROCOPY_WRITE=0 copies it into the
// engine's write buffer instead. Counters: zmq_debug_get_zerocopy_count,
// _fallback_count, _bytes_copied, _scatter_gather_count.
#include "test_asio_common.hpp"

#include "core/direct_writer.hpp"

using namespace asiotest;

namespace {

TEST(AsioZerocopy, LargeMessageIsNotCopied) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();

    const std::string big = pattern(64 * 1024, 1);
    p.a.send(big);
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
    EXPECT_EQ(body(p.b.in[0]), big);
    EXPECT_EQ(1u, zmq_debug_get_zerocopy_count());
    EXPECT_EQ(0u, zmq_debug_get_fallback_count());
    EXPECT_EQ(0u, zmq_debug_get_bytes_copied()) << "only the 9-byte header was built, not copied";
}

// The plan's sentinel check: the body the engine writes from is the
// application's own block; it is released only after its last byte went to
// the kernel, never earlier (forced 1000-byte partial writes and would-block
// turns stretch the write), and it comes back untouched.
TEST(AsioZerocopy, EncoderBufferLifetime) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fa->max_write = 1000;

    auto wb = watched_body::make(40 * 1024, 2, p.fa);
    p.a.out.push_back(watched_body::message(wb));
    p.fa->block_writes = true;
    p.a.engine->restart_output();
    run_for(io, 20);
    EXPECT_EQ(0, wb->frees) << "written nothing yet: the body must stay";
    p.fa->block_writes = false;
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
    ASSERT_TRUE(run_until(io, [&] { return wb->frees == 1; }));
    EXPECT_TRUE(wb->intact_at_free) << "the engine wrote into the application's body";
    EXPECT_EQ(9u + wb->expected.size(), wb->written_at_free)
        << "released before (or long after) its last byte was written";
    EXPECT_EQ(body(p.b.in[0]), wb->expected);
    EXPECT_EQ(1u, zmq_debug_get_zerocopy_count());
}

// During the handshake there is nothing to write in place: the greeting and
// the NULL READY are built and copied (bytes_copied), no zero-copy entry. A
// large message queued before the handshake goes out, in place, after it.
TEST(AsioZerocopy, FallbackDuringHandshake) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options(), false);
    zmq_debug_reset_counters();
    const std::string big = pattern(8 * 1024, 3);
    p.a.queue(big);
    p.a.engine->start();
    p.b.engine->start();
    ASSERT_TRUE(p.handshake());
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
    EXPECT_EQ(body(p.b.in[0]), big);

    const auto a = p.ca();
    EXPECT_EQ(1u, a.zerocopy_frames) << "the queued message, after the handshake";
    EXPECT_EQ(0u, a.fallback_frames);
    // Greeting (64) + READY body ("\x05READY" + Socket-Type PAIR = 26 bytes).
    EXPECT_EQ(64u + 26u, a.bytes_copied);
    EXPECT_EQ(0u, p.cb().zerocopy_frames) << "b wrote only its handshake";
    EXPECT_EQ(64u + 26u, p.cb().bytes_copied);
    // The first write carried the greeting alone: nothing waited in place.
    ASSERT_FALSE(p.fa->writes.empty());
    EXPECT_EQ(1u, p.fa->writes[0].entries);
}

// Header and body leave in one system call as two gather entries, with no
// merge into one buffer.
TEST(AsioZerocopy, ScatterGatherHeaderAndBody) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();

    const std::string m = pattern(4096, 4);
    p.a.send(m);
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
    ASSERT_EQ(1u, p.fa->writes.size());
    EXPECT_EQ(2u, p.fa->writes[0].entries);
    EXPECT_EQ(9u + 4096u, p.fa->writes[0].written);
    EXPECT_EQ(1u, zmq_debug_get_scatter_gather_count());
    EXPECT_EQ(raw_peer::frame(m), p.fa->wire);
}

// ZMQ_ASIO_ZEROCOPY_WRITE=0 returns the connection to the plain path (the
// body is copied: one buffer, counted as a fallback); the environment
// variable beats the socket option both ways.
TEST(AsioZerocopy, FeatureFlagOff) {
    const std::string m = pattern(4096, 5);
    auto run = [&](int option, const char *env) {
        std::unique_ptr<scoped_env> e;
        if (env)
            e.reset(new scoped_env("ZMQ_ASIO_ZEROCOPY_WRITE", env));
        boost::asio::io_context io;
        options_t o = pair_options();
        o.asio_zerocopy_write = option;
        faulty_pair p(io, o, pair_options());
        EXPECT_TRUE(p.handshake());
        p.clear_records();
        p.a.send(m);
        EXPECT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
        EXPECT_EQ(body(p.b.in[0]), m);
        EXPECT_EQ(raw_peer::frame(m), p.fa->wire);
        return p.ca();
    };
    auto off = run(0, nullptr);
    EXPECT_EQ(0u, off.zerocopy_frames);
    EXPECT_EQ(1u, off.fallback_frames);
    EXPECT_EQ(4096u, off.bytes_copied);
    EXPECT_EQ(0u, off.gather_writes) << "header and body in one copied buffer";
    auto on = run(-1, nullptr); // the default
    EXPECT_EQ(1u, on.zerocopy_frames);
    EXPECT_EQ(0u, on.bytes_copied);
    EXPECT_EQ(1u, run(1, "0").fallback_frames) << "environment 0 beats the option 1";
    EXPECT_EQ(1u, run(0, "1").zerocopy_frames) << "environment 1 beats the option 0";
    EXPECT_EQ(1u, run(0, "junk").fallback_frames) << "a bad environment value is ignored";

    // The application thread's write with the flag 0: a copied body must
    // fit the 32 KiB buffer (else the io thread takes the message); one too
    // big to copy goes in place and stays on the application thread.
    {
        boost::asio::io_context io;
        options_t o = pair_options();
        o.asio_zerocopy_write = 0;
        faulty_pair p(io, o, pair_options());
        ASSERT_TRUE(p.handshake());
        p.clear_records();
        zlink::i_direct_writer *w = p.a.engine->direct_writer();
        ASSERT_NE(nullptr, w);
        auto direct = [&](std::vector<std::size_t> sizes) {
            std::vector<msg_t> parts(sizes.size());
            for (std::size_t i = 0; i < sizes.size(); ++i) {
                const std::string b = pattern(sizes[i], unsigned(i));
                parts[i].init_buffer(b.data(), b.size());
                if (i + 1 < sizes.size())
                    parts[i].set_flags(msg_t::more);
            }
            const auto r = w->write_direct(parts.data(), parts.size());
            for (auto &m : parts)
                m.close(); // taken ones were left empty
            run_until(io, [&] { return !p.a.engine->output_pending(); });
            return r;
        };
        EXPECT_EQ(zlink::direct_write_result::written, direct({20 * 1024}));
        EXPECT_EQ(zlink::direct_write_result::written, direct({64 * 1024}));
        EXPECT_EQ(zlink::direct_write_result::not_idle, direct({20 * 1024, 20 * 1024}));
        EXPECT_EQ(1u, p.ca().zerocopy_frames) << "the 64 KiB body";
        EXPECT_EQ(1u, p.ca().fallback_frames) << "the 20 KiB body, copied";
    }

    // The option through the C API: 0/1 only, default 1.
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PUSH);
    int v = -1;
    size_t len = sizeof v;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_ASIO_ZEROCOPY_WRITE, &v, &len));
    EXPECT_EQ(1, v);
    v = 0;
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_ASIO_ZEROCOPY_WRITE, &v, sizeof v));
    v = 2;
    EXPECT_EQ(-1, zmq_setsockopt(s, ZMQ_ASIO_ZEROCOPY_WRITE, &v, sizeof v));
    EXPECT_EQ(EINVAL, zmq_errno());
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_ASIO_ZEROCOPY_WRITE, &v, &len));
    EXPECT_EQ(0, v);
    zmq_close(s);
    zmq_ctx_term(ctx);
}

} // namespace
