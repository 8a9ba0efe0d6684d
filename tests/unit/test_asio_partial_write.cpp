// The plan's Phase 1 partial-write cases on zlink's engine: whatever the
// kernel takes, the next write starts at the first byte it did not take,
// a frame body stays in place until its last byte is out, and the output is
// done only when every byte is.
#include <sys/socket.h>

#include "test_asio_common.hpp"

using namespace asiotest;

namespace {

// A real small kernel buffer (SO_SNDBUF/SO_RCVBUF 4 KiB on the unix pair)
// rather than the fault transport: the kernel itself takes part of a write.
TEST(AsioPartialWrite, SmallKernelBuffer) {
    boost::asio::io_context io;
    local_socket sa(io), sb(io);
    boost::asio::local::connect_pair(sa, sb);
    const int small = 4096;
    ASSERT_EQ(0, ::setsockopt(sa.native_handle(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small));
    ASSERT_EQ(0, ::setsockopt(sb.native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small));
    fake_session a, b;
    auto fa = std::make_shared<fault_plan>(), fb = std::make_shared<fault_plan>();
    a.engine = faulty_engine(io, std::move(sa), a, pair_options(), fa);
    b.engine = faulty_engine(io, std::move(sb), b, pair_options(), fb);
    a.engine->start();
    b.engine->start();
    ASSERT_TRUE(run_until(io, [&] { return a.ready && b.ready; }));

    const std::string big = pattern(256 * 1024, 1);
    a.send(big);
    ASSERT_TRUE(run_until(io, [&] { return b.in.size() == 1; }));
    EXPECT_EQ(body(b.in[0]), big);
    const auto c = zlink::engine_counters(a.engine.get());
    EXPECT_GT(c.partial_writes, 0u) << "a 256 KiB frame cannot fit a 4 KiB socket buffer";
    EXPECT_GT(c.would_block_writes, 0u);
    EXPECT_GT(zmq_debug_get_partial_write_count(), 0u);
}

// Forced 7-byte writes: every write continues exactly where the last one
// stopped, across copied frames and an in-place body.
TEST(AsioPartialWrite, OffsetAdvances) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fa->max_write = 7;

    const std::string m1 = "first", m2 = pattern(3000, 2), m3 = "third message";
    p.a.queue(m1);
    p.a.queue(m2);
    p.a.queue(m3);
    p.a.engine->restart_output();
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 3; }));
    EXPECT_EQ(raw_peer::frame(m1) + raw_peer::frame(m2) + raw_peer::frame(m3), p.fa->wire);
    std::size_t offered_left = p.fa->wire.size();
    for (const auto &w : p.fa->writes) {
        EXPECT_LE(w.written, 7u);
        EXPECT_EQ(offered_left, w.offered) << "a write offered other bytes than those left";
        offered_left -= w.written;
    }
    EXPECT_EQ(body(p.b.in[1]), m2);
    EXPECT_EQ(p.fa->writes.size() - 1, p.ca().partial_writes) << "all but the last are partial";
}

// The output is pending, and the in-place body kept, while bytes remain; it
// completes only when the last byte is written.
TEST(AsioPartialWrite, CompletesOnlyAfterLastByte) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fa->max_write = 1000;
    p.fa->block_after = 3000; // the "kernel" fills after 3000 bytes

    auto wb = watched_body::make(20 * 1024, 3, p.fa);
    p.a.out.push_back(watched_body::message(wb));
    p.a.engine->restart_output();
    run_for(io, 20);
    const std::size_t frame = 9 + wb->expected.size();
    EXPECT_LT(p.fa->wire.size(), frame);
    EXPECT_GT(p.fa->wire.size(), 0u);
    EXPECT_TRUE(p.a.engine->output_pending());
    EXPECT_EQ(0, wb->frees);
    EXPECT_TRUE(p.b.in.empty());

    EXPECT_EQ(3000u, p.fa->wire.size());
    p.fa->block_after = SIZE_MAX;
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 1 && wb->frees == 1; }));
    EXPECT_FALSE(p.a.engine->output_pending());
    EXPECT_EQ(frame, wb->written_at_free);
    EXPECT_EQ(body(p.b.in[0]), wb->expected);
    EXPECT_GT(p.ca().deferred_writes, 0u) << "the rest went from writability notifications";
}

// A 1 MiB message through 64 KiB writes: split into 17 writes, in order.
TEST(AsioPartialWrite, LargeMessageInManyChunks) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fa->max_write = 64 * 1024;

    const std::string big = pattern(1 << 20, 4);
    p.a.send(big);
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
    EXPECT_EQ(body(p.b.in[0]), big);
    // (9 + 1 MiB) / 64 KiB, rounded up; more if the kernel took less.
    ASSERT_GE(p.fa->writes.size(), 17u);
    for (const auto &w : p.fa->writes)
        EXPECT_LE(w.written, 64u * 1024);
    EXPECT_EQ(p.fa->writes.size() - 1, p.ca().partial_writes);
    EXPECT_EQ(raw_peer::frame(big), p.fa->wire);
    EXPECT_EQ(1u, p.ca().zerocopy_frames) << "split, but never copied";
    EXPECT_EQ(0u, p.ca().bytes_copied);
}

} // namespace
