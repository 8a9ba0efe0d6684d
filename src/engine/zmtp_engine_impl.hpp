// zmtp_engine_t, the ZMTP 3.x engine (zmtp_engine.hpp says what it does),
// declared for its two source files: zmtp_engine.cpp (output, input, frames
// and commands) and zmtp_handshake.cpp (life cycle, greeting, security
// handshake, ZAP replies, heartbeats). Internal: engines are made only by
// make_zmtp_engine().
#pragma once

#include "engine/zmtp_engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <zmq.h>

#include "core/feature_flags.hpp"
#include "engine/stream_engine.hpp"
#include "protocol/mechanisms/mechanism_factory.hpp"
#include "protocol/mechanisms/zap_client.hpp"
#include "protocol/wire_adapter.hpp"
#include "protocol/zmtp_commands.hpp"
#include "protocol/zmtp_decoder.hpp"
#include "protocol/zmtp_encoder.hpp"
#include "protocol/zmtp_greeting.hpp"

namespace zlink {
namespace zmtp_engine_impl {

constexpr size_t out_batch_size = 32 * 1024;
static_assert(out_batch_size == size_t(write_batch_bytes_default),
              "ZLINK_WRITE_BATCH_BYTES defaults to the whole copy buffer");
// An application-thread write hands over at most max_refs frames; into an
// empty encoder they always fit (copied bodies are at most 1 KiB, larger
// ones take a reference and two gather entries each).
constexpr size_t direct_max_frames = zmtp_encoder_t::max_refs;
static_assert(out_batch_size >= direct_max_frames * (zmtp_max_header_size + 1024) &&
                  zmtp_encoder_t::max_buffers >= 2 * direct_max_frames,
              "direct_max_frames frames fit into an empty encoder");
// Bodies above this go to the kernel by reference (ZMQ_ASIO_ZEROCOPY_WRITE);
// with the flag 0 every body that fits the copy buffer is copied.
constexpr size_t zerocopy_min_body = 1024;
constexpr size_t in_buffer_size = 64 * 1024;
// A body still missing at least this much is read straight into the message.
constexpr size_t direct_read_min = 16 * 1024;

class zmtp_engine_t final : public stream_engine_t, public zap_reply_target {
  public:
    zmtp_engine_t(boost::asio::io_context &io, std::unique_ptr<i_asio_transport> transport,
                  i_engine_session &session, const options_t &options);

    ~zmtp_engine_t() override;

    void start() override;

    size_t unread_by_peer() const override { return closed() ? 0 : _transport->unread_by_peer(); }
    zap_reply_target *zap_target() override { return this; }
    // [CURVE] too: every wrap runs under the output lock (encode_direct,
    // fill_output, take_heartbeat) and touches only the send nonce and key;
    // unwrap, on the io thread, only the receive side.
    i_direct_writer *direct_writer() override {
        return _app_write && _transport->try_write_alongside_reads() ? this : nullptr;
    }

    void zap_reply_received(const zap_reply_t &reply) override;

    void zap_reply_failed(int protocol_error) override;

  private:
    enum class state_t { greeting, handshake, active };

    // ZLINK_SPECULATIVE_WRITE=0 waits for writability before every write
    // (core/feature_flags.hpp), for comparison.
    static policy_t policy(const options_t &options);

    // ZMQ_ASIO_APP_THREAD_WRITE, or its older name ZLINK_APP_THREAD_WRITE
    // (the new name's environment variable wins when both are set).
    static bool app_thread_write(const options_t &options) {
        const int v = resolve_flag("ZLINK_APP_THREAD_WRITE", options.zlink_app_thread_write,
                                   app_thread_write_default, 0, 1);
        return resolve_flag("ZMQ_ASIO_APP_THREAD_WRITE", v, v, 0, 1) != 0;
    }

    // ZLINK_WRITE_BATCH_BYTES: only a limit below the copy buffer changes
    // anything: at or above it the encoder's own capacity (copy buffer +
    // max_refs large bodies) decides, exactly as with the flag unset.
    static size_t batch_limit(int bytes) {
        return size_t(bytes) < out_batch_size ? size_t(bytes) : SIZE_MAX;
    }

    void protocol_failure(int code);

    // ---- output ----

    // _enc.add, counted: a body written in place or the bytes copied.
    bool encode(msg_t *m);

    // Commands first, then (once active) every message the session queued.
    void fill_output() override;

    size_t output_buffers(boost::asio::const_buffer *bufs, size_t max) override;
    void output_written(size_t bytes) override { _enc.consume(bytes); }
    bool has_output() const override { return !_enc.empty(); }
    bool output_quiet() const override {
        return _state == state_t::active && _enc.empty() && _cmds.empty() && !_pong.pending &&
               !_ping.pending && !_has_out_msg;
    }
    bool encode_direct(msg_t *msgs, size_t n) override;

    // [CURVE] What add_wrapped could fail on is ruled out before anything is
    // queued, so on false the caller still has its frames: nonces running
    // out, or a large body not ours to rewrite (copied first).
    bool can_wrap_direct(const msg_t *msgs, size_t n) const;

    // [CURVE] Queues m wrapped, sealed where the encoder keeps it: from the
    // message into the batch (small frames), or in place in the message's
    // own body (large; one shared with another message, or the
    // application's memory, is copied first).
    // The nonce is taken once the frame has room, so nonces grow in wire
    // order. 1: queued; 0: no room now, m untouched; -1: failed (errno).
    int add_wrapped(msg_t &m);
    size_t output_backlog() const override;
    // The peer keeps pinging while our PONG cannot leave: enough of that
    // and reading pauses until the output moves (stream_engine_t).
    bool replies_overflow() const override { return _pongs_replaced >= max_pongs_replaced; }

    struct command_slot;
    // [CURVE] A PONG or PING is wrapped once, when the encoder is about to
    // take it, not when it is made: a PONG that a newer one replaces while
    // the output is blocked was never wrapped, and the one that leaves gets
    // the next nonce in wire order. If it is wrapped but finds no room, it
    // waits wrapped (a newer one replacing it only skips a nonce, which the
    // receiver allows: nonces must grow, not be consecutive).
    bool take_heartbeat(command_slot &slot);

    // Handshake commands only (never wrapped); PING and PONG have slots.
    void queue_command(msg_t &cmd) {
        _cmds.push_back(cmd); // bitwise hand-over: cmd no longer owns the body
        cmd.init();
    }

    // ---- input ----

    // Never moves bytes: a read is asked for only once everything read
    // before was decoded (process_input returned true), and a frame cut at a
    // read boundary continues in the decoder's own state. So there is no
    // compaction to make lazy (ZMQ_ASIO_LAZY_COMPACT); the counters prove it.
    boost::asio::mutable_buffer input_buffer() override;

    void input_arrived(size_t bytes) override;

    // Decodes the buffered bytes. false: stop reading (stalled or closed).
    bool process_input() override;

    void decode_failed();

    bool handle_frame(msg_t &m);

    bool handle_ping(msg_t &m, const zmtp_command_view &cmd);

    // ---- handshake ----

    void greeting_done();

    // Sends whatever the mechanism has to say, then acts on its status.
    void handshake_step();

    void handshake_failed();

    void handshake_done();

    void heartbeat_due() override;

    state_t _state = state_t::greeting;

    // Flags (zlink.h), resolved once per connection.
    const bool _zerocopy;           // ZMQ_ASIO_ZEROCOPY_WRITE
    const bool _batching;           // ZMQ_ASIO_WRITE_BATCHING
    const bool _handshake_zerocopy; // ZMQ_ASIO_HANDSHAKE_ZEROCOPY

    // Output.
    std::unique_ptr<unsigned char[]> _out_batch;
    zmtp_encoder_t _enc;
    const size_t _batch_limit; // ZLINK_WRITE_BATCH_BYTES (SIZE_MAX: encoder decides)
    std::vector<msg_t> _cmds;  // encoded command frames waiting for room
    // A heartbeat command that waits for room in the encoder; a newer one
    // replaces it.
    struct command_slot {
        msg_t msg;
        bool pending = false;
        bool wrapped = false; // [CURVE] msg is already a MESSAGE box
        command_slot() { msg.init(); }
        void replace(msg_t &m) {
            msg.move(m); // closes the one that waited
            pending = true;
            wrapped = false;
        }
        // Into the encoder; false: no room yet (it still waits).
        template <typename Encode>
        bool take(Encode &&encode) {
            if (!pending)
                return true;
            if (!encode(&msg))
                return false;
            pending = false;
            return true;
        }
        size_t size() const { return pending ? msg.size() : 0; }
        void close() { msg.close(); }
    };
    command_slot _pong, _ping;
    static constexpr int max_pongs_replaced = 1000;
    int _pongs_replaced = 0; // PINGs answered only by replacing a waiting PONG
    msg_t _out_msg;          // pulled, not yet in the encoder
    bool _has_out_msg = false;
    std::unique_ptr<wire_adapter_t> _wire; // subscriptions as commands (SUB, XSUB)

    // Input.
    std::unique_ptr<unsigned char[]> _in_buf;
    size_t _in_pos = 0, _in_end = 0;
    size_t _greeting_got = 0; // greeting bytes fed so far
    bool _direct = false;     // the last input_buffer() was the decoder's target
    bool _continuing = false; // ...and it continues a frame cut by the read before
    zmtp_decoder_t _dec;
    const bool _app_write; // ZLINK_APP_THREAD_WRITE: register as the pipe's direct writer

    // Handshake.
    zmtp_greeting_parser_t _greeting;
    std::unique_ptr<mechanism_t> _mech;
    bool _in_step = false, _step_again = false;
    int _zmtp_minor = 1;
};

} // namespace zmtp_engine_impl
} // namespace zlink
