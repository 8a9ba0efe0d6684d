// Incremental ZMTP 3.x frame decoder: bytes in, msg_t frames out.
//
// Two ways to feed it, mixable at any point:
//  - decode(data, size): the engine read into its own buffer; the decoder
//    copies what it needs (headers, and bodies into the message).
//  - get_read_target() + commit_read(n): while a frame body is being
//    received, the engine may read straight into the message body and then
//    say how many bytes landed there. Worth it for big bodies (e.g. when
//    target.size >= the engine's read buffer): no staging copy.
//
// A completed frame stops decoding (frame_ready) so the engine can push it
// before decoding more; take it with take() before calling decode again.
//
// A peer announces a frame's size before sending it. Bodies up to
// prealloc_max are allocated at once; a bigger body starts at prealloc_max
// and doubles as bytes arrive, so a peer announcing gigabytes it never sends
// costs no more than what it did send (realloc of large blocks moves pages,
// not bytes).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/msg.hpp"

namespace zlink {

enum class zmtp_decode_status { need_more, frame_ready, error };

enum class zmtp_decode_error {
    none,
    reserved_flags,    // flag bits 3..7 set (EPROTO)
    malformed_size,    // 8-byte size with the top bit set (EPROTO)
    too_large,         // over ZMQ_MAXMSGSIZE or not addressable (EMSGSIZE)
    malformed_command, // command frame with MORE, empty or bad name (EPROTO)
    out_of_memory,     // ENOMEM allocating the body
};

const char *zmtp_decode_error_name(zmtp_decode_error e);

class zmtp_decoder_t {
  public:
    static constexpr size_t prealloc_max = size_t(1) << 20;

    // maxmsgsize: ZMQ_MAXMSGSIZE, -1 (any negative) for unlimited. It limits
    // every frame, commands included.
    explicit zmtp_decoder_t(int64_t maxmsgsize = -1);
    ~zmtp_decoder_t();
    zmtp_decoder_t(const zmtp_decoder_t &) = delete;
    zmtp_decoder_t &operator=(const zmtp_decoder_t &) = delete;

    // Consumes bytes from data[0..size); *consumed says how many. Stops early
    // at frame_ready (rest of the data not consumed) and at error.
    // Calling it while a frame is ready and not taken consumes nothing and
    // returns frame_ready again.
    zmtp_decode_status decode(const unsigned char *data, size_t size, size_t *consumed);

    struct read_target {
        unsigned char *data; // where the next body bytes go
        size_t size;         // how many body bytes are still missing
    };
    // {nullptr, 0} unless a frame body is partly received (headers always go
    // through decode()).
    read_target get_read_target();
    // n bytes (<= target.size) were written at get_read_target().data.
    zmtp_decode_status commit_read(size_t n);

    // After frame_ready: moves the frame into *out, which must be an
    // initialised or closed message (its old body is released). Data frames carry msg_t::more when
    // the MORE flag was set; command frames carry msg_t::command. Returns -1 if no frame ready.
    int take(msg_t *out);
    // The frame in place (valid while frame_ready), for callers that prefer
    // to look before taking.
    msg_t *frame() { return _state == st_ready ? &_msg : nullptr; }

    zmtp_decode_status status() const;
    zmtp_decode_error error() const { return _error; }
    int error_errno() const; // EPROTO / EMSGSIZE / ENOMEM, 0 if none

    // True between frames (nothing partial buffered): a disconnect here is
    // clean, elsewhere it cut a frame.
    bool at_frame_boundary() const { return _state == st_flags; }
    // Body bytes still expected for the current frame (0 outside a body).
    uint64_t body_remaining() const { return _state == st_body ? _size - _got : 0; }

  private:
    enum state_t { st_flags, st_size, st_body, st_ready, st_error };

    zmtp_decode_status fail(zmtp_decode_error e);
    zmtp_decode_status start_body();
    zmtp_decode_status finish_frame();
    // Body bytes arrived; grows a partial big body when it is full.
    zmtp_decode_status body_progress(size_t n);
    unsigned char *body_data();
    // Body bytes that fit where the body is being stored now.
    uint64_t body_room() const { return (_partial ? _cap : _size) - _got; }
    void free_partial();

    int64_t _maxmsgsize;
    state_t _state = st_flags;
    zmtp_decode_error _error = zmtp_decode_error::none;
    uint8_t _flags = 0;
    unsigned char _size_buf[8];
    size_t _size_need = 0; // 1 or 8
    size_t _size_got = 0;
    uint64_t _size = 0; // body size of the current frame
    uint64_t _got = 0;  // body bytes received
    msg_t _msg;
    // A body over prealloc_max while it arrives: malloc'd, _cap bytes.
    unsigned char *_partial = nullptr;
    size_t _cap = 0;
};

} // namespace zlink
