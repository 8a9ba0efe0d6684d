// ZMTP frame encoder and decoder: round trips, chunking, limits, bad frames.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "protocol/zmtp_decoder.hpp"
#include "protocol/zmtp_encoder.hpp"

using namespace zlink;

namespace {

struct frame {
    std::string body;
    uint8_t flags; // msg_t flags
};

msg_t make_msg(const frame &f) {
    msg_t m;
    m.init_buffer(f.body.data(), f.body.size());
    m.set_flags(f.flags);
    return m;
}

// Encodes through the batching encoder, draining with small partial writes.
std::string encode(const std::vector<frame> &frames, size_t cap = 8192, size_t threshold = 1024,
                   size_t write_step = 1000) {
    std::vector<unsigned char> batch(cap);
    zmtp_encoder_t enc(batch.data(), cap, threshold);
    std::string wire;
    auto drain = [&] {
        while (!enc.empty()) {
            zmtp_out_buffer bufs[zmtp_encoder_t::max_buffers];
            const size_t n = enc.buffers(bufs, zmtp_encoder_t::max_buffers);
            size_t budget = write_step, written = 0;
            for (size_t i = 0; i < n && budget; ++i) {
                const size_t k = std::min(budget, bufs[i].size);
                wire.append(static_cast<const char *>(bufs[i].data), k);
                budget -= k;
                written += k;
            }
            enc.consume(written);
        }
    };
    for (const auto &f : frames) {
        msg_t m = make_msg(f);
        if (!enc.add(&m)) {
            drain();
            EXPECT_TRUE(enc.add(&m));
        }
        EXPECT_EQ(m.size(), 0u);
        m.close();
    }
    drain();
    return wire;
}

// Decodes wire in chunks of `chunk` bytes; optionally reads bodies through
// the read target.
std::vector<frame> decode(const std::string &wire, size_t chunk, bool direct = false,
                          int64_t max = -1, zmtp_decode_error *err = nullptr) {
    zmtp_decoder_t dec(max);
    std::vector<frame> out;
    const auto *p = reinterpret_cast<const unsigned char *>(wire.data());
    size_t off = 0;
    auto take = [&] {
        msg_t m;
        m.init();
        EXPECT_EQ(dec.take(&m), 0);
        out.push_back({std::string(static_cast<const char *>(m.data()), m.size()), m.flags()});
        m.close();
    };
    while (off < wire.size()) {
        auto t = dec.get_read_target();
        if (direct && t.size) {
            const size_t n = std::min({t.size, chunk, wire.size() - off});
            std::memcpy(t.data, p + off, n);
            off += n;
            if (dec.commit_read(n) == zmtp_decode_status::frame_ready)
                take();
            continue;
        }
        size_t consumed = 0;
        const size_t n = std::min(chunk, wire.size() - off);
        auto st = dec.decode(p + off, n, &consumed);
        off += consumed;
        if (st == zmtp_decode_status::error) {
            if (err)
                *err = dec.error();
            return out;
        }
        if (st == zmtp_decode_status::frame_ready)
            take();
    }
    if (err)
        *err = dec.error();
    EXPECT_TRUE(dec.at_frame_boundary());
    return out;
}

std::vector<frame> sample() {
    std::vector<frame> v;
    v.push_back({"", 0});
    v.push_back({std::string(255, 'a'), msg_t::more});
    v.push_back({std::string(256, 'b'), msg_t::more});
    v.push_back({std::string(1024, 'c'), 0});
    v.push_back({std::string(1025, 'd'), msg_t::more});
    v.push_back({"\x05READY", msg_t::command});
    v.push_back({std::string(300, 'e'), msg_t::command});
    v.push_back({"last", 0});
    return v;
}

void expect_same(const std::vector<frame> &a, const std::vector<frame> &b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].body, b[i].body) << i;
        EXPECT_EQ(a[i].flags, b[i].flags) << i;
    }
}

} // namespace

TEST(ZmtpCodec, HeaderBytes) {
    unsigned char h[9];
    msg_t m;
    m.init_size(255);
    m.set_flags(msg_t::more);
    ASSERT_EQ(zmtp_encode_header(m, h), 2u);
    EXPECT_EQ(h[0], 0x01);
    EXPECT_EQ(h[1], 255);
    m.close();
    m.init_size(256);
    m.set_flags(msg_t::command | msg_t::more); // MORE never on a command
    ASSERT_EQ(zmtp_encode_header(m, h), 9u);
    EXPECT_EQ(h[0], 0x06);
    const unsigned char size256[8] = {0, 0, 0, 0, 0, 0, 1, 0};
    EXPECT_EQ(std::memcmp(h + 1, size256, 8), 0);
    m.close();
}

TEST(ZmtpCodec, RoundTripWholeBuffer) {
    const auto in = sample();
    expect_same(decode(encode(in), 1 << 20), in);
}

TEST(ZmtpCodec, RoundTripEveryChunking) {
    const auto in = sample();
    const std::string wire = encode(in, 4096, 512, 7);
    for (size_t chunk = 1; chunk <= 300; ++chunk)
        expect_same(decode(wire, chunk), in);
    for (size_t chunk : {1u, 2u, 3u, 64u, 1000u})
        expect_same(decode(wire, chunk, true), in);
}

TEST(ZmtpCodec, OneMiBBodyNotCopiedByEncoder) {
    std::vector<unsigned char> batch(8192);
    zmtp_encoder_t enc(batch.data(), batch.size());
    msg_t m;
    m.init_size(1 << 20);
    std::memset(m.data(), 'x', m.size());
    const void *body = m.data();
    m.set_flags(msg_t::more);
    ASSERT_TRUE(enc.add(&m));
    zmtp_out_buffer b[zmtp_encoder_t::max_buffers];
    ASSERT_EQ(enc.buffers(b, zmtp_encoder_t::max_buffers), 2u);
    EXPECT_EQ(b[0].size, 9u);
    EXPECT_EQ(b[1].data, body); // the message body itself
    EXPECT_EQ(b[1].size, size_t(1) << 20);
    EXPECT_EQ(enc.pending_bytes(), 9u + (1 << 20));
    m.close();

    std::vector<frame> in = {{std::string(1 << 20, 'x'), msg_t::more}, {"end", 0}};
    const std::string wire = encode(in, 8192, 1024, 65536);
    expect_same(decode(wire, 4096), in);
    expect_same(decode(wire, 4096, true), in);
}

TEST(ZmtpCodec, BatchesSmallMessagesContiguously) {
    std::vector<unsigned char> batch(64);
    zmtp_encoder_t enc(batch.data(), batch.size(), 32);
    int added = 0;
    for (;;) {
        msg_t m;
        m.init_buffer("0123456789", 10);
        const bool ok = enc.add(&m);
        m.close();
        if (!ok)
            break;
        ++added;
    }
    EXPECT_EQ(added, 5); // 12 bytes each into 64
    zmtp_out_buffer b[4];
    EXPECT_EQ(enc.buffers(b, 4), 1u);
    EXPECT_EQ(b[0].data, batch.data());
    EXPECT_EQ(b[0].size, 60u);
    enc.consume(25);
    EXPECT_EQ(enc.buffers(b, 4), 1u);
    EXPECT_EQ(b[0].size, 35u);
    enc.consume(35);
    EXPECT_TRUE(enc.empty());
    EXPECT_EQ(enc.batch_room(), 64u);
}

TEST(ZmtpCodec, ManyLargeMessagesRespectRefLimit) {
    std::vector<frame> in;
    for (int i = 0; i < 40; ++i)
        in.push_back({std::string(2000 + i, char('A' + i % 26)), msg_t::more});
    in.push_back({"z", 0});
    expect_same(decode(encode(in, 8192, 1024, 3000), 777), in);
}

TEST(ZmtpCodec, MaxMsgSize) {
    const std::string wire = encode({{std::string(100, 'a'), 0}, {std::string(101, 'b'), 0}});
    zmtp_decode_error err = zmtp_decode_error::none;
    auto out = decode(wire, 5, false, 100, &err);
    EXPECT_EQ(out.size(), 1u);
    EXPECT_EQ(err, zmtp_decode_error::too_large);

    zmtp_decoder_t dec(100);
    const unsigned char big[] = {0x02, 0, 0, 0, 0, 0, 0, 0, 101};
    size_t c;
    EXPECT_EQ(dec.decode(big, sizeof big, &c), zmtp_decode_status::error);
    EXPECT_EQ(dec.error_errno(), EMSGSIZE);
    // Unlimited accepts it (needs the body, so need_more).
    zmtp_decoder_t dec2(-1);
    EXPECT_EQ(dec2.decode(big, sizeof big, &c), zmtp_decode_status::need_more);
    EXPECT_EQ(dec2.body_remaining(), 101u);
    // Zero limit allows only empty frames.
    zmtp_decoder_t dec3(0);
    const unsigned char empty[] = {0x00, 0x00};
    EXPECT_EQ(dec3.decode(empty, 2, &c), zmtp_decode_status::frame_ready);
}

TEST(ZmtpCodec, MalformedFrames) {
    struct bad {
        std::vector<unsigned char> bytes;
        zmtp_decode_error err;
    };
    const bad cases[] = {
        {{0x08, 0x00}, zmtp_decode_error::reserved_flags},
        {{0x80, 0x00}, zmtp_decode_error::reserved_flags},
        {{0x05, 0x01, 0x00}, zmtp_decode_error::malformed_command}, // cmd+MORE
        {{0x04, 0x00}, zmtp_decode_error::malformed_command},       // empty cmd
        {{0x04, 0x01, 0x00}, zmtp_decode_error::malformed_command}, // name len 0
        {{0x04, 0x02, 0x05, 'A'}, zmtp_decode_error::malformed_command},
        {{0x02, 0x80, 0, 0, 0, 0, 0, 0, 1}, zmtp_decode_error::malformed_size},
    };
    for (const auto &c : cases) {
        for (size_t chunk : {size_t(1), c.bytes.size()}) {
            zmtp_decoder_t dec;
            size_t off = 0, used = 0;
            zmtp_decode_status st = zmtp_decode_status::need_more;
            while (off < c.bytes.size() && st == zmtp_decode_status::need_more) {
                st = dec.decode(c.bytes.data() + off, std::min(chunk, c.bytes.size() - off), &used);
                off += used;
            }
            EXPECT_EQ(st, zmtp_decode_status::error);
            EXPECT_EQ(dec.error(), c.err) << zmtp_decode_error_name(c.err);
            EXPECT_EQ(dec.error_errno(), EPROTO);
            // Sticky: nothing more is consumed.
            EXPECT_EQ(dec.decode(c.bytes.data(), c.bytes.size(), &used), zmtp_decode_status::error);
            EXPECT_EQ(used, 0u);
        }
    }
}

TEST(ZmtpCodec, StopsAtEachFrameAndMidFrameDisconnectVisible) {
    const std::string wire = encode({{"a", 0}, {"b", 0}});
    zmtp_decoder_t dec;
    size_t c = 0;
    const auto *p = reinterpret_cast<const unsigned char *>(wire.data());
    EXPECT_EQ(dec.decode(p, wire.size(), &c), zmtp_decode_status::frame_ready);
    EXPECT_EQ(c, 3u);
    // Not taken yet: nothing consumed.
    size_t c2 = 0;
    EXPECT_EQ(dec.decode(p + c, wire.size() - c, &c2), zmtp_decode_status::frame_ready);
    EXPECT_EQ(c2, 0u);
    ASSERT_NE(dec.frame(), nullptr);
    msg_t m;
    m.init();
    ASSERT_EQ(dec.take(&m), 0);
    EXPECT_EQ(dec.take(&m), -1);
    EXPECT_EQ(dec.decode(p + c, 1, &c2), zmtp_decode_status::need_more);
    EXPECT_FALSE(dec.at_frame_boundary());
    m.close();
}

// A peer announcing a huge frame gets no more memory than it sends: the body
// starts at prealloc_max and grows only as bytes arrive.
TEST(ZmtpCodec, HugeAnnouncedFrameIsNotPreallocated) {
    zmtp_decoder_t dec(-1);
    const uint64_t announced = uint64_t(4) << 30; // 4 GiB, never sent
    unsigned char hdr[9] = {0x02};
    for (int i = 0; i < 8; ++i)
        hdr[1 + i] = static_cast<unsigned char>(announced >> (56 - 8 * i));
    size_t c = 0;
    ASSERT_EQ(dec.decode(hdr, sizeof hdr, &c), zmtp_decode_status::need_more);
    EXPECT_EQ(dec.body_remaining(), announced);
    auto t = dec.get_read_target();
    ASSERT_NE(t.data, nullptr);
    EXPECT_LE(t.size, zmtp_decoder_t::prealloc_max);
    // Filling what was allocated grows it by doubling, not to the announced size.
    std::memset(t.data, 'x', t.size);
    ASSERT_EQ(dec.commit_read(t.size), zmtp_decode_status::need_more);
    t = dec.get_read_target();
    EXPECT_LE(t.size, zmtp_decoder_t::prealloc_max);
}

// Bodies above prealloc_max arrive intact through both feeding paths, in
// chunks that straddle every growth step.
TEST(ZmtpCodec, BigBodiesGrowAndArriveIntact) {
    std::string big(5 * zmtp_decoder_t::prealloc_max + 12345, '\0');
    for (size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>(i * 131 + (i >> 11));
    const std::vector<frame> in = {{big, msg_t::more}, {"tail", 0}};
    const std::string wire = encode(in, 8192, 1024, 1 << 20);
    for (bool direct : {false, true})
        for (size_t chunk : {size_t(65536), size_t(1000003)})
            expect_same(decode(wire, chunk, direct), in);
}

// add_to_fill: a frame of caller-written prefix + body. Small: both reserved
// in the batch, the message left alone; large: the prefix in the batch, the
// message's own body referenced. Either way a final data frame on the wire.
TEST(ZmtpCodec, AddToFillSmallReservesLargeReferences) {
    std::vector<unsigned char> batch(4096);
    zmtp_encoder_t enc(batch.data(), batch.size(), 1024);
    msg_t small;
    small.init_buffer("abc", 3);
    small.set_flags(msg_t::more); // not on the wire: the frame is final
    zmtp_encoder_t::frame_to_fill f{};
    ASSERT_TRUE(enc.add_to_fill(&small, 5, &f));
    EXPECT_TRUE(f.body_in_batch);
    EXPECT_EQ(3u, small.size()); // still the caller's
    std::memcpy(f.prefix, "HEAD:", 5);
    std::memcpy(f.body, "ABC", 3);
    small.close();

    msg_t large;
    large.init_size(3000);
    std::memset(large.data(), 'q', 3000);
    const void *large_body = large.data();
    ASSERT_TRUE(enc.add_to_fill(&large, 5, &f));
    EXPECT_FALSE(f.body_in_batch);
    EXPECT_EQ(large_body, f.body);
    EXPECT_EQ(0u, large.size()); // moved in
    std::memcpy(f.prefix, "LONG:", 5);
    f.body[0] = 'Q'; // rewritten in place

    zmtp_out_buffer b[zmtp_encoder_t::max_buffers];
    const size_t n = enc.buffers(b, zmtp_encoder_t::max_buffers);
    std::string wire;
    for (size_t i = 0; i < n; ++i)
        wire.append(static_cast<const char *>(b[i].data), b[i].size);
    enc.consume(wire.size());
    EXPECT_TRUE(enc.empty());
    const std::vector<frame> expected = {{"HEAD:ABC", 0}, {"LONG:Q" + std::string(2999, 'q'), 0}};
    expect_same(decode(wire, 4096), expected);
}

TEST(ZmtpCodec, AddToFillRefusesWhenFullAndLeavesTheMessage) {
    std::vector<unsigned char> batch(64);
    zmtp_encoder_t enc(batch.data(), batch.size(), 32);
    msg_t m;
    m.init_buffer("0123456789", 10);
    zmtp_encoder_t::frame_to_fill f{};
    int added = 0;
    while (enc.add_to_fill(&m, 10, &f))
        ++added;
    EXPECT_EQ(2, added); // 22 bytes each (2 + 10 + 10) into 64
    EXPECT_EQ(10u, m.size());
    m.close();
}
