// ZMTP 3.x frame encoder built for gather writes with no extra copies.
//
// A frame is a header (flags byte + 1- or 8-byte size, at most 9 bytes)
// followed by the body. Two ways to use it:
//
//  1. One message at a time: zmtp_encode_header() writes the header, the
//     caller gather-writes {header, msg.data()}.
//
//  2. Batching (zmtp_encoder_t): the caller lends a contiguous buffer (say
//     8 KiB). add() appends header + body of small messages there; a body
//     larger than the copy threshold is never copied: its header goes into
//     the buffer and the message itself is kept (moved in) and referenced as
//     a separate gather buffer until those bytes are written. buffers()
//     hands out the gather list in wire order, consume(n) accounts for a
//     (possibly partial) write.
//
// The greeting and anything else raw can go through add_raw().
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/msg.hpp"
#include "protocol/zmtp_wire.hpp"

namespace zlink {

// Writes the frame header for msg into out (room for zmtp_max_header_size
// bytes) and returns its length (2 or 9). msg_t::command selects a command
// frame (MORE is never set on those); otherwise msg_t::more sets MORE.
size_t zmtp_encode_header(const msg_t &msg, unsigned char *out);

struct zmtp_out_buffer {
    const void *data;
    size_t size;
};

class zmtp_encoder_t {
  public:
    // How many large bodies may be pending at once; also bounds the gather
    // list at 2 * max_refs + 1 entries (Asio gathers up to 64).
    static constexpr size_t max_refs = 16;
    static constexpr size_t max_buffers = 2 * max_refs + 1;

    // batch: caller-owned buffer of `capacity` bytes (>= 64), must outlive
    // the encoder. Bodies up to copy_threshold bytes are copied into it;
    // larger ones are referenced. The threshold is clamped so that any
    // message fits into an empty encoder.
    zmtp_encoder_t(unsigned char *batch, size_t capacity, size_t copy_threshold = 1024);
    ~zmtp_encoder_t(); // releases referenced messages not yet written
    zmtp_encoder_t(const zmtp_encoder_t &) = delete;
    zmtp_encoder_t &operator=(const zmtp_encoder_t &) = delete;

    // Queues msg as one frame. On success msg is left empty (its body was
    // copied or moved in) and true is returned. Returns false, leaving msg
    // untouched, when it does not fit now: write out the pending bytes and
    // retry. Never fails on an empty encoder.
    bool add(msg_t *msg);
    // A final data frame (no MORE, no COMMAND) whose bytes the caller writes:
    // prefix_size bytes, then msg's body rewritten (a wrapping mechanism
    // sealing it). At or below the copy threshold both are reserved in the
    // batch, nothing is copied and msg stays the caller's; above it only the
    // prefix is, msg is moved in and its own body goes out (rewrite it in
    // place). Fill them before buffers(). False: no room now, msg untouched.
    struct frame_to_fill {
        unsigned char *prefix;
        unsigned char *body;
        bool body_in_batch;
    };
    bool add_to_fill(msg_t *msg, size_t prefix_size, frame_to_fill *out);
    // Whether a frame body of this size is copied into the batch.
    bool copies(size_t body_size) const { return body_size <= _threshold; }
    // Copies raw bytes (the greeting). False if they do not fit now.
    bool add_raw(const void *data, size_t size);

    // The pending bytes as a gather list in wire order, starting at the
    // first unwritten byte. Fills at most max entries, returns how many.
    size_t buffers(zmtp_out_buffer *out, size_t max) const;
    // n bytes of the front of buffers() were written. Referenced messages are
    // released as soon as they are fully written; the batch buffer is reused
    // from its start once everything is written.
    void consume(size_t n);

    // Bodies up to this many bytes are copied, larger ones referenced.
    size_t copy_threshold() const { return _threshold; }
    bool empty() const { return _head == _nseg; }
    size_t pending_bytes() const { return _pending; }
    // Bytes still free in the batch buffer (for callers deciding whether to
    // wait for more messages before writing).
    size_t batch_room() const { return _capacity - _fill; }

  private:
    struct segment {
        const unsigned char *data; // nullptr: body of _refs[ref]
        size_t size;
        size_t ref;
    };
    const unsigned char *segment_data(const segment &s) const;
    void append_bytes(const void *data, size_t size);
    unsigned char *reserve_bytes(size_t size); // append_bytes without the copy
    void reset_if_drained();

    unsigned char *_batch;
    size_t _capacity;
    size_t _threshold;
    size_t _fill = 0; // bytes used in _batch
    segment _segs[max_buffers];
    size_t _nseg = 0;      // segments in use
    size_t _head = 0;      // first segment not fully written
    size_t _head_off = 0;  // bytes of _segs[_head] already written
    size_t _pending = 0;   // unwritten bytes in total
    msg_t _refs[max_refs]; // large messages waiting to be written
    size_t _nrefs = 0;
};

} // namespace zlink
