// WebSocket framing (RFC 6455 section 5) without I/O: header bytes in, a
// checked header out, payload bytes unmasked as they pass. ws_stream_t feeds
// it from the wire and streams payloads straight to the engine; the fuzzer
// (fuzz/fuzz_ws_frames.cpp) and the unit test feed it directly, so they test
// the rules the connection enforces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace zlink {

namespace ws_opcode {
constexpr unsigned continuation = 0x0, text = 0x1, binary = 0x2;
constexpr unsigned close = 0x8, ping = 0x9, pong = 0xA;
} // namespace ws_opcode

// The rule a peer broke; the connection is then closed.
enum class ws_frame_error_t {
    none,
    reserved_bits,              // RSV1-3 set: no extension is ever negotiated
    mask_mismatch,              // a client frame unmasked, or a server frame masked
    length_top_bit,             // a 64-bit length with its most significant bit set
    reserved_opcode,            // 0x3-0x7, 0xB-0xF
    control_fragmented,         // a control frame without FIN
    control_too_long,           // a control frame over 125 bytes
    close_payload_size,         // a close frame with a 1-byte body (a status code is 2)
    continuation_without_start, // a continuation frame outside a fragmented message
    message_inside_message,     // a new data message before the open one finished
    too_large,                  // a fragmented message over the configured limit
    frame_after_close,          // anything after the peer's close frame
};

const char *ws_frame_error_name(ws_frame_error_t error);

struct ws_frame_header_t {
    bool fin = false;
    unsigned opcode = 0;
    bool masked = false;
    unsigned char mask[4] = {0, 0, 0, 0};
    uint64_t length = 0;
    bool is_control() const { return opcode >= 0x8; }
};

class ws_frame_parser_t {
  public:
    struct config_t {
        bool expect_masked = true; // a server reads masked frames, a client unmasked
        // Bounds a message split over frames (the reader must assemble it);
        // a single-frame message is streamed, its consumer bounds it.
        uint64_t max_fragmented = UINT64_MAX;
    };
    explicit ws_frame_parser_t(config_t config) : _config(config) {}

    // Between frames: takes header bytes, never past the end of one header.
    // A complete valid header makes in_frame() true; a broken rule sets
    // error() for good (the parser then takes nothing more).
    std::size_t take_header(const unsigned char *data, std::size_t size);
    // In a frame: n <= payload_left() payload bytes from src, unmasked into
    // dst (which may be src).
    void take_payload(unsigned char *dst, const unsigned char *src, std::size_t n);
    // Once payload_left() is 0: the next bytes are the next frame's header.
    void end_frame();

    bool in_frame() const { return _in_frame; }
    const ws_frame_header_t &header() const { return _header; }
    uint64_t payload_left() const { return _payload_left; }
    // Payload bytes of this frame already taken (where unmasking resumes).
    uint64_t payload_offset() const { return _header.length - _payload_left; }
    // A data message was started without FIN: continuations are expected.
    bool message_open() const { return _message_open; }
    bool close_seen() const { return _close_seen; }
    ws_frame_error_t error() const { return _error; }
    bool failed() const { return _error != ws_frame_error_t::none; }

  private:
    bool check_header();
    bool fail(ws_frame_error_t error);

    const config_t _config;
    unsigned char _bytes[14];
    std::size_t _have = 0;
    ws_frame_header_t _header;
    uint64_t _payload_left = 0;
    uint64_t _message_size = 0;
    bool _in_frame = false;
    bool _message_open = false;
    bool _close_seen = false;
    ws_frame_error_t _error = ws_frame_error_t::none;
};

// dst = src XOR the mask, starting `offset` bytes into the payload (dst may
// be src).
void ws_apply_mask(unsigned char *dst, const unsigned char *src, std::size_t n,
                   const unsigned char mask[4], uint64_t offset);

// Appends a frame header: FIN, opcode, the shortest length form, and the
// mask key when `mask` is given.
void ws_append_header(std::vector<unsigned char> &out, unsigned opcode, uint64_t payload_size,
                      bool fin, const unsigned char *mask);

// Whole frames from chunks, for the fuzzer and the tests (ws_stream_t
// streams payloads instead of holding them).
struct ws_frame_t {
    ws_frame_header_t header;
    std::vector<unsigned char> payload; // unmasked
};

class ws_frame_collector_t {
  public:
    explicit ws_frame_collector_t(ws_frame_parser_t::config_t config) : _parser(config) {}
    // Appends each frame completed by these bytes; false on a broken rule.
    bool feed(const unsigned char *data, std::size_t size, std::vector<ws_frame_t> &frames);
    const ws_frame_parser_t &parser() const { return _parser; }

  private:
    ws_frame_parser_t _parser;
    std::vector<unsigned char> _payload;
};

} // namespace zlink
