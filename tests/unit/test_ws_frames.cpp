// WebSocket framing (ws_frame_parser.hpp): each RFC 6455 rule the parser
// enforces, the three length forms, unmasking, and that the bytes may come
// in any chunks.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "transports/ws/ws_frame_parser.hpp"

namespace {

using namespace zlink;
using bytes = std::vector<unsigned char>;

const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};

// One frame as a peer writes it: masked with `key` when `masked`.
bytes frame(unsigned opcode, const bytes &payload, bool fin = true, bool masked = true) {
    bytes out;
    ws_append_header(out, opcode, payload.size(), fin, masked ? key : nullptr);
    const std::size_t at = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    if (masked)
        ws_apply_mask(out.data() + at, out.data() + at, payload.size(), key, 0);
    return out;
}

bytes text(const std::string &s) { return bytes(s.begin(), s.end()); }

bytes cat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const bytes &p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

ws_frame_parser_t::config_t server_rules(uint64_t max_fragmented = UINT64_MAX) {
    ws_frame_parser_t::config_t c;
    c.expect_masked = true;
    c.max_fragmented = max_fragmented;
    return c;
}

// Feeds the bytes in one chunk: the error (none when all were frames).
ws_frame_error_t parse(const bytes &wire, std::vector<ws_frame_t> &frames,
                       ws_frame_parser_t::config_t rules = server_rules()) {
    ws_frame_collector_t collector(rules);
    collector.feed(wire.data(), wire.size(), frames);
    return collector.parser().error();
}

ws_frame_error_t error_of(const bytes &wire, ws_frame_parser_t::config_t rules = server_rules()) {
    std::vector<ws_frame_t> frames;
    return parse(wire, frames, rules);
}

TEST(WsFrames, MaskedFramesOfEveryLengthFormAreUnmasked) {
    const bytes small = text("hello"), medium(300, 'm'), large(70000, 'L');
    std::vector<ws_frame_t> frames;
    ASSERT_EQ(ws_frame_error_t::none,
              parse(cat({frame(2, small), frame(2, medium), frame(2, large)}), frames));
    ASSERT_EQ(3u, frames.size());
    EXPECT_EQ(small, frames[0].payload);
    EXPECT_EQ(medium, frames[1].payload);
    EXPECT_EQ(large, frames[2].payload);
    EXPECT_EQ(70000u, frames[2].header.length);
    EXPECT_TRUE(frames[2].header.fin);
    EXPECT_TRUE(frames[2].header.masked);
}

TEST(WsFrames, ByteAtATimeGivesTheSameFramesAsOneChunk) {
    bytes payload(1000);
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<unsigned char>(i * 7);
    const bytes wire = cat({frame(2, text("first"), false), frame(9, text("ping")),
                            frame(0, payload, false), frame(0, text("last")), frame(10, {}),
                            frame(2, bytes(70000, 3)), frame(8, {0x03, 0xe8})});
    std::vector<ws_frame_t> whole, bytewise;
    ASSERT_EQ(ws_frame_error_t::none, parse(wire, whole));
    ws_frame_collector_t collector(server_rules());
    for (unsigned char b : wire)
        ASSERT_TRUE(collector.feed(&b, 1, bytewise));
    ASSERT_EQ(7u, whole.size());
    ASSERT_EQ(whole.size(), bytewise.size());
    for (std::size_t i = 0; i < whole.size(); ++i) {
        EXPECT_EQ(whole[i].header.opcode, bytewise[i].header.opcode) << i;
        EXPECT_EQ(whole[i].header.fin, bytewise[i].header.fin) << i;
        EXPECT_EQ(whole[i].payload, bytewise[i].payload) << i;
    }
    EXPECT_EQ(payload, whole[2].payload);
    EXPECT_EQ(8u, whole[6].header.opcode);
}

TEST(WsFrames, FragmentedMessageKeepsItsStateAcrossControlFrames) {
    ws_frame_parser_t parser(server_rules());
    const bytes wire = cat({frame(2, text("a"), false), frame(9, text("p"))});
    std::size_t pos = 0;
    while (pos < wire.size()) {
        pos += parser.take_header(wire.data() + pos, wire.size() - pos);
        ASSERT_TRUE(parser.in_frame());
        unsigned char b;
        parser.take_payload(&b, wire.data() + pos, 1);
        pos += 1;
        parser.end_frame();
        EXPECT_TRUE(parser.message_open()); // the ping did not end the message
    }
}

TEST(WsFrames, ServerRefusesAnUnmaskedFrameAndClientAMaskedOne) {
    EXPECT_EQ(ws_frame_error_t::mask_mismatch, error_of(frame(2, text("x"), true, false)));
    ws_frame_parser_t::config_t client;
    client.expect_masked = false;
    EXPECT_EQ(ws_frame_error_t::none, error_of(frame(2, text("x"), true, false), client));
    EXPECT_EQ(ws_frame_error_t::mask_mismatch, error_of(frame(2, text("x")), client));
}

TEST(WsFrames, ReservedBitsAreRefused) {
    for (unsigned char rsv : {0x40, 0x20, 0x10}) {
        bytes wire = frame(2, text("x"));
        wire[0] |= rsv;
        EXPECT_EQ(ws_frame_error_t::reserved_bits, error_of(wire)) << int(rsv);
    }
}

TEST(WsFrames, ReservedOpcodesAreRefused) {
    for (unsigned op : {3u, 7u, 0xBu, 0xFu})
        EXPECT_EQ(ws_frame_error_t::reserved_opcode, error_of(frame(op, text("x")))) << op;
}

TEST(WsFrames, ControlFrameOver125BytesIsRefused) {
    EXPECT_EQ(ws_frame_error_t::none, error_of(frame(9, bytes(125, 'p'))));
    EXPECT_EQ(ws_frame_error_t::control_too_long, error_of(frame(9, bytes(126, 'p'))));
    EXPECT_EQ(ws_frame_error_t::control_too_long, error_of(frame(8, bytes(200, 0))));
}

TEST(WsFrames, FragmentedControlFrameIsRefused) {
    EXPECT_EQ(ws_frame_error_t::control_fragmented, error_of(frame(9, text("p"), false)));
    EXPECT_EQ(ws_frame_error_t::control_fragmented, error_of(frame(8, {}, false)));
}

TEST(WsFrames, ContinuationWithoutStartIsRefused) {
    EXPECT_EQ(ws_frame_error_t::continuation_without_start, error_of(frame(0, text("x"))));
    // After a finished message, too.
    EXPECT_EQ(ws_frame_error_t::continuation_without_start,
              error_of(cat({frame(2, text("a")), frame(0, text("b"))})));
}

TEST(WsFrames, NewMessageInsideAFragmentedOneIsRefused) {
    EXPECT_EQ(ws_frame_error_t::message_inside_message,
              error_of(cat({frame(2, text("a"), false), frame(2, text("b"))})));
}

TEST(WsFrames, SixtyFourBitLengthWithTheTopBitSetIsRefused) {
    bytes wire = {0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
    EXPECT_EQ(ws_frame_error_t::length_top_bit, error_of(wire));
    wire[2] = 0x7f; // the largest allowed: a header, its payload still to come
    ws_frame_parser_t parser(server_rules());
    EXPECT_EQ(wire.size(), parser.take_header(wire.data(), wire.size()));
    EXPECT_TRUE(parser.in_frame());
    EXPECT_EQ(0x7f00000000000001u, parser.payload_left());
}

TEST(WsFrames, FragmentedMessageOverTheLimitIsRefused) {
    const auto rules = server_rules(10);
    EXPECT_EQ(ws_frame_error_t::none,
              error_of(cat({frame(2, bytes(5, 1), false), frame(0, bytes(5, 1))}), rules));
    EXPECT_EQ(ws_frame_error_t::too_large,
              error_of(cat({frame(2, bytes(5, 1), false), frame(0, bytes(6, 1))}), rules));
    EXPECT_EQ(ws_frame_error_t::too_large, error_of(frame(2, bytes(11, 1), false), rules));
    // A single frame is streamed to its consumer, which bounds it.
    EXPECT_EQ(ws_frame_error_t::none, error_of(frame(2, bytes(11, 1)), rules));
    // The sum restarts with each message.
    EXPECT_EQ(ws_frame_error_t::none,
              error_of(cat({frame(2, bytes(8, 1), false), frame(0, bytes(2, 1)),
                            frame(2, bytes(8, 1), false), frame(0, bytes(2, 1))}),
                       rules));
}

TEST(WsFrames, HugeLengthsNearTheLimitDoNotOverflow) {
    // Two fragments of 2^62 each: their sum passes 2^63 but not 2^64.
    bytes first = {0x02, 0x80 | 127, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    ws_frame_parser_t parser(server_rules(UINT64_MAX - 1));
    EXPECT_EQ(first.size(), parser.take_header(first.data(), first.size()));
    ASSERT_TRUE(parser.in_frame());
    EXPECT_TRUE(parser.message_open());
}

TEST(WsFrames, CloseFrameRules) {
    EXPECT_EQ(ws_frame_error_t::close_payload_size, error_of(frame(8, {0x03})));
    std::vector<ws_frame_t> frames;
    EXPECT_EQ(ws_frame_error_t::none, parse(frame(8, {0x03, 0xe8, 'b', 'y', 'e'}), frames));
    ASSERT_EQ(1u, frames.size());
    EXPECT_EQ((bytes{0x03, 0xe8, 'b', 'y', 'e'}), frames[0].payload);
    // Nothing may follow a close frame.
    EXPECT_EQ(ws_frame_error_t::frame_after_close,
              error_of(cat({frame(8, {}), frame(2, text("late"))})));
}

TEST(WsFrames, AFailedParserTakesNothingMore) {
    ws_frame_parser_t parser(server_rules());
    const bytes wire = cat({frame(0, text("x")), frame(2, text("y"))});
    const std::size_t used = parser.take_header(wire.data(), wire.size());
    EXPECT_EQ(ws_frame_error_t::continuation_without_start, parser.error());
    EXPECT_EQ(0u, parser.take_header(wire.data() + used, wire.size() - used));
    EXPECT_FALSE(parser.in_frame());
}

TEST(WsFrames, UnmaskingResumesAtAnyOffset) {
    bytes payload(37);
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<unsigned char>(i);
    const bytes wire = frame(2, payload);
    for (std::size_t split = 0; split <= payload.size(); ++split) {
        ws_frame_parser_t parser(server_rules());
        const std::size_t header = parser.take_header(wire.data(), wire.size());
        bytes out(payload.size());
        parser.take_payload(out.data(), wire.data() + header, split);
        parser.take_payload(out.data() + split, wire.data() + header + split,
                            payload.size() - split);
        EXPECT_EQ(payload, out) << split;
        EXPECT_EQ(0u, parser.payload_left());
    }
}

// RFC 6455 5.3, byte by byte: j = (offset + i) MOD 4, out[i] = in[i] XOR key[j].
// ws_apply_mask works a word at a time with the key rotated to the offset.
TEST(WsFrames, MaskMatchesTheRfcDefinitionAtEveryOffsetAndLength) {
    for (uint64_t offset = 0; offset < 9; ++offset) {
        for (std::size_t n = 0; n <= 41; ++n) {
            bytes in(n), out(n), want(n);
            for (std::size_t i = 0; i < n; ++i) {
                in[i] = static_cast<unsigned char>(i * 7 + 1);
                want[i] = in[i] ^ key[(offset + i) % 4];
            }
            ws_apply_mask(out.data(), in.data(), n, key, offset);
            EXPECT_EQ(want, out) << "offset " << offset << " length " << n;
        }
    }
}

} // namespace
