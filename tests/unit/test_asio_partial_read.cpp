// The plan's Phase 2 partial-read cases on zlink's engine. zlink's read path
// never moves bytes: a frame cut by a read boundary continues in the
// decoder's own state (its size bytes, its body in the message), and the
// read buffer is reused only once all of it was decoded. Each case forces
// reads of a few bytes and checks the messages arrive whole, nothing was
// moved (engine_read_compactions 0) and the cut frames were counted
// (engine_read_compactions_skipped: reads that continued a cut frame).
#include "test_asio_common.hpp"

using namespace asiotest;

namespace {

// 3-byte reads: every small frame is cut; its tail waits in the decoder.
TEST(AsioPartialRead, FragmentWaitsInDecoder) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fb->max_read = 3;

    for (int i = 0; i < 5; ++i)
        p.a.queue("fragment-" + std::to_string(i));
    p.a.engine->restart_output();
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 5; }));
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ("fragment-" + std::to_string(i), body(p.b.in[size_t(i)]));
    for (std::size_t n : p.fb->reads)
        EXPECT_LE(n, 3u);
    EXPECT_EQ(0u, zmq_debug_get_compaction_count());
    EXPECT_EQ(0u, zmq_debug_get_compaction_bytes());
    EXPECT_GT(zmq_debug_get_compaction_skipped_count(), 0u);
    // 5 frames of 12 bytes (2 + 10) = 60 bytes in 20 reads; the reads that
    // start at a frame boundary (every 12 bytes = every 4 reads) skip none.
    EXPECT_EQ(20u, p.fb->reads.size());
    EXPECT_EQ(15u, p.cb().compactions_skipped);
}

// 1-byte reads through an 8-byte size field and a 300-byte body: the
// decoder assembles the size and the body contiguously from single bytes.
TEST(AsioPartialRead, DecoderGetsContiguousFrame) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fb->max_read = 1;

    const std::string m = pattern(300, 1); // > 255: long (8-byte) size
    p.a.send(m);
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
    EXPECT_EQ(m, body(p.b.in[0]));
    EXPECT_EQ(9u + 300u, p.fb->reads.size());
    EXPECT_EQ(9u + 300u - 1u, p.cb().compactions_skipped) << "every read but the first";
    EXPECT_EQ(0u, p.cb().compactions);
}

// A message larger than the 64 KiB read buffer: the rest of its body is read
// straight into the message (no staging buffer, nothing to move).
TEST(AsioPartialRead, MessageLargerThanReadBuffer) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();

    const std::string big = pattern(1 << 20, 2);
    p.a.send(big);
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 1; }));
    EXPECT_EQ(big, body(p.b.in[0]));
    // Some read was offered the body's remainder (> 64 KiB): a direct read.
    bool direct = false;
    for (std::size_t offer : p.fb->read_offers)
        direct = direct || offer > 64 * 1024;
    EXPECT_TRUE(direct) << "the body's rest goes straight into the message";
    EXPECT_EQ(0u, p.cb().compactions);
    EXPECT_GT(p.cb().compactions_skipped, 0u);
}

// Many small messages in one read: all decoded from the one buffer, none
// cut, so no read continues a frame.
TEST(AsioPartialRead, ManyMessagesInOneRead) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();

    for (int i = 0; i < 100; ++i)
        p.a.queue("m" + std::to_string(i));
    p.a.engine->restart_output(); // writes at once, before b's read handler runs
    ASSERT_EQ(1u, p.fa->writes.size());
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 100; }));
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ("m" + std::to_string(i), body(p.b.in[size_t(i)]));
    EXPECT_EQ(1u, p.fb->reads.size());
    EXPECT_EQ(100u, p.cb().messages_in);
    EXPECT_EQ(0u, p.cb().compactions_skipped);
    EXPECT_EQ(0u, p.cb().compactions);
}

} // namespace
