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

namespace {

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
                  i_engine_session &session, const options_t &options)
        : stream_engine_t(io, std::move(transport), session, options, policy(options)),
          _zerocopy(resolve_flag("ZMQ_ASIO_ZEROCOPY_WRITE", options.asio_zerocopy_write,
                                 zerocopy_write_default, 0, 1) != 0),
          _batching(resolve_flag("ZMQ_ASIO_WRITE_BATCHING", options.asio_write_batching,
                                 write_batching_default, 0, 1) != 0),
          _handshake_zerocopy(resolve_flag("ZMQ_ASIO_HANDSHAKE_ZEROCOPY",
                                           options.asio_handshake_zerocopy,
                                           handshake_zerocopy_default, 0, 1) != 0),
          _out_batch(new unsigned char[out_batch_size]),
          _enc(_out_batch.get(), out_batch_size, _zerocopy ? zerocopy_min_body : out_batch_size),
          // ZMQ_ASIO_WRITE_BATCHING=0: a write holds one frame (limit 1 byte).
          _batch_limit(_batching ? batch_limit(resolve_flag("ZLINK_WRITE_BATCH_BYTES",
                                                            options.zlink_write_batch_bytes,
                                                            write_batch_bytes_default, 1))
                                 : 1),
          _wire(make_wire_adapter(options)), _in_buf(new unsigned char[in_buffer_size]),
          _dec(options.maxmsgsize),
          // Without speculation every data write waits for writability: no
          // application-thread write either.
          _app_write(policy(options).speculative && app_thread_write(options)) {
        _out_msg.init();
    }

    ~zmtp_engine_t() override {
        close();
        _out_msg.close();
        for (auto &m : _cmds)
            m.close();
        _pong.close();
        _ping.close();
    }

    void start() override {
        _mech = make_mechanism(_options, {_transport->peer_address(), _session.zap()});
        _greeting = zmtp_greeting_parser_t(_mech->name());
        unsigned char greeting[zmtp_greeting_size];
        if (!zmtp_build_greeting(greeting, _mech->name(), _mech->as_server())) {
            fail(engine_close_reason::handshake_failed, EINVAL);
            return;
        }
        _enc.add_raw(greeting, sizeof greeting);
        count_copied(sizeof greeting, false);
        arm_handshake_deadline();
        write_out();
        read_in();
    }

    size_t unread_by_peer() const override { return closed() ? 0 : _transport->unread_by_peer(); }
    zap_reply_target *zap_target() override { return this; }
    // [CURVE] too: every wrap runs under the output lock (encode_direct,
    // fill_output, take_heartbeat) and touches only the send nonce and key;
    // unwrap, on the io thread, only the receive side.
    i_direct_writer *direct_writer() override {
        return _app_write && _transport->try_write_alongside_reads() ? this : nullptr;
    }

    void zap_reply_received(const zap_reply_t &reply) override {
        if (closed() || !_mech || !_mech->zap_pending())
            return;
        _mech->zap_reply(reply.status_code, reply.user_id, reply.metadata);
        handshake_step();
    }

    void zap_reply_failed(int protocol_error) override {
        if (closed() || !_mech || !_mech->zap_pending())
            return;
        _mech->zap_failed(protocol_error);
        handshake_step();
    }

  private:
    enum class state_t { greeting, handshake, active };

    // ZLINK_SPECULATIVE_WRITE=0 waits for writability before every write
    // (core/feature_flags.hpp), for comparison.
    static policy_t policy(const options_t &options) {
        policy_t p;
        p.speculative = resolve_flag("ZLINK_SPECULATIVE_WRITE", options.zlink_speculative_write,
                                     speculative_write_default, 0, 1) != 0;
        return p;
    }

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

    void protocol_failure(int code) {
        if (closed())
            return;
        _session.monitor_event(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, uint64_t(uint32_t(code)));
        fail(engine_close_reason::protocol_error, EPROTO);
    }

    // ---- output ----

    // _enc.add, counted: a body written in place or the bytes copied.
    bool encode(msg_t *m) {
        const size_t size = m->size();
        if (!_enc.add(m))
            return false;
        if (size > _enc.copy_threshold())
            count_zerocopy();
        else
            count_copied(size, size > zerocopy_min_body);
        return true;
    }

    // Commands first, then (once active) every message the session queued.
    void fill_output() override {
        size_t done = 0;
        while (done < _cmds.size() && encode(&_cmds[done]))
            ++done;
        if (done)
            _cmds.erase(_cmds.begin(), _cmds.begin() + long(done));
        if (!_cmds.empty() || !take_heartbeat(_pong))
            return;
        _pongs_replaced = 0; // the output moved
        if (!take_heartbeat(_ping) || _state != state_t::active)
            return;
        for (;;) {
            if (!_has_out_msg) {
                // Enough for one write? Checked before pulling so no
                // message waits outside the encoder.
                if (_enc.pending_bytes() >= _batch_limit)
                    return;
                if (_session.pull_msg(&_out_msg) != 0)
                    return;
                if (closed())
                    return;
                _has_out_msg = true;
                _wire->outgoing(_out_msg);
            }
            if (_mech->wraps_frames()) { // [CURVE]
                const int rc = add_wrapped(_out_msg);
                if (rc < 0) {
                    _has_out_msg = false;
                    _out_msg.reset();
                    fail(engine_close_reason::io_error, errno);
                    return;
                }
                if (rc == 0)
                    return; // full: write, then continue with this message
            } else if (!encode(&_out_msg)) {
                return; // full: write, then continue with this message
            }
            _has_out_msg = false;
            messages_added(1);
        }
    }

    size_t output_buffers(boost::asio::const_buffer *bufs, size_t max) override {
        zmtp_out_buffer ob[zmtp_encoder_t::max_buffers];
        const size_t n = _enc.buffers(ob, std::min(max, zmtp_encoder_t::max_buffers));
        for (size_t i = 0; i < n; ++i)
            bufs[i] = boost::asio::const_buffer(ob[i].data, ob[i].size);
        return n;
    }
    void output_written(size_t bytes) override { _enc.consume(bytes); }
    bool has_output() const override { return !_enc.empty(); }
    bool output_quiet() const override {
        return _state == state_t::active && _enc.empty() && _cmds.empty() && !_pong.pending &&
               !_ping.pending && !_has_out_msg;
    }
    bool encode_direct(msg_t *msgs, size_t n) override {
        if (n > direct_max_frames || (!_batching && n > 1))
            return false; // without batching: one frame per write, the io thread's way
        const bool wraps = _mech->wraps_frames();
        if (wraps && !can_wrap_direct(msgs, n))
            return false;
        if (!_zerocopy) {
            // Copied bodies may be up to 32 KiB: check they fit before
            // outgoing() changes anything (a subscription grows by at most
            // its command name; a CURVE frame by its box header).
            // Bodies over the threshold stay in place: only their header.
            const size_t extra = wraps ? _mech->wrap_overhead() : 0;
            size_t need = 0;
            for (size_t i = 0; i < n; ++i) {
                const size_t size = msgs[i].size() + extra;
                need += zmtp_max_header_size + 16 + (size <= _enc.copy_threshold() ? size : 0);
            }
            if (need > out_batch_size)
                return false;
        }
        for (size_t i = 0; i < n; ++i) {
            _wire->outgoing(msgs[i]);
            // Always added, by direct_max_frames (a wrapped body over 1 KiB
            // is referenced), can_wrap_direct and the check above.
            const bool added = wraps ? add_wrapped(msgs[i]) == 1 : encode(&msgs[i]);
            (void)added;
        }
        return true;
    }

    // [CURVE] What add_wrapped could fail on is ruled out before anything is
    // queued, so on false the caller still has its frames: nonces running
    // out, or a large body not ours to rewrite (copied first).
    bool can_wrap_direct(const msg_t *msgs, size_t n) const {
        if (!_mech->can_wrap(n))
            return false;
        for (size_t i = 0; i < n; ++i)
            if (!msgs[i].body_writable() && !_enc.copies(_mech->wrap_overhead() + msgs[i].size()))
                return false;
        return true;
    }

    // [CURVE] Queues m wrapped, sealed where the encoder keeps it: from the
    // message into the batch (small frames), or in place in the message's
    // own body (large; one shared with another message, or the
    // application's memory, is copied first).
    // The nonce is taken once the frame has room, so nonces grow in wire
    // order. 1: queued; 0: no room now, m untouched; -1: failed (errno).
    int add_wrapped(msg_t &m) {
        const size_t overhead = _mech->wrap_overhead();
        if (!m.body_writable() && !_enc.copies(overhead + m.size())) {
            msg_t own;
            if (own.init_buffer(m.data(), m.size()) != 0)
                return -1;
            own.set_flags(m.flags() & (msg_t::more | msg_t::command));
            m.move(own);
        }
        const uint8_t flags = m.flags();
        const auto *body = static_cast<const uint8_t *>(m.data());
        const size_t n = m.size();
        zmtp_encoder_t::frame_to_fill f;
        if (!_enc.add_to_fill(&m, overhead, &f))
            return 0;
        const int rc = _mech->wrap_into(flags, body, n, f.prefix, f.body);
        if (f.body_in_batch)
            m.reset(); // sealed into the batch: the message is done
        return rc == 0 ? 1 : -1;
    }
    size_t output_backlog() const override {
        auto lock = lock_output();
        size_t bytes = _enc.pending_bytes() + _pong.size() + _ping.size();
        for (const auto &m : _cmds)
            bytes += m.size();
        return bytes;
    }
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
    bool take_heartbeat(command_slot &slot) {
        if (slot.pending && !slot.wrapped && _state == state_t::active && _mech->wraps_frames()) {
            if (_mech->wrap(&slot.msg) != 0) {
                fail(engine_close_reason::io_error, errno);
                return false;
            }
            slot.wrapped = true;
        }
        return slot.take([this](msg_t *m) { return encode(m); });
    }

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
    boost::asio::mutable_buffer input_buffer() override {
        _direct = false;
        _continuing = false;
        if (_in_pos < _in_end) {
            // Unreachable by the rule above; if it ever happens, keep the
            // bytes (move them to the front) and let the counter show it.
            const size_t left = _in_end - _in_pos;
            std::memmove(_in_buf.get(), _in_buf.get() + _in_pos, left);
            count_compaction(left);
            _in_pos = 0;
            _in_end = left;
            return boost::asio::mutable_buffer(_in_buf.get() + left, in_buffer_size - left);
        }
        if (_state == state_t::greeting) {
            // ZMQ_ASIO_HANDSHAKE_ZEROCOPY=0: read no byte past the greeting.
            const size_t room =
                _handshake_zerocopy ? in_buffer_size : zmtp_greeting_size - _greeting_got;
            return boost::asio::mutable_buffer(_in_buf.get(), room);
        }
        _continuing = !_dec.at_frame_boundary(); // a cut frame waits in the decoder
        const zmtp_decoder_t::read_target t = _dec.get_read_target();
        if (t.size >= direct_read_min) {
            _direct = true;
            return boost::asio::mutable_buffer(t.data, t.size);
        }
        return boost::asio::mutable_buffer(_in_buf.get(), in_buffer_size);
    }

    void input_arrived(size_t bytes) override {
        if (_continuing)
            count_compaction_skipped(); // a compacting reader would have moved its head
        if (!_direct) {
            if (_in_end == _in_pos) // else input_buffer() kept a tail at the front
                _in_pos = _in_end = 0;
            _in_end += bytes;
        } else if (_dec.commit_read(bytes) == zmtp_decode_status::error) {
            decode_failed();
        }
    }

    // Decodes the buffered bytes. false: stop reading (stalled or closed).
    bool process_input() override {
        for (;;) {
            if (closed())
                return false;
            if (_state == state_t::greeting) {
                if (_in_pos == _in_end)
                    return true;
                size_t used = 0;
                const auto st = _greeting.feed(_in_buf.get() + _in_pos, _in_end - _in_pos, &used);
                _in_pos += used;
                _greeting_got += used;
                if (st == zmtp_greeting_status::need_more)
                    return true;
                if (st != zmtp_greeting_status::ok) {
                    protocol_failure(st == zmtp_greeting_status::mechanism_mismatch ||
                                             st == zmtp_greeting_status::bad_mechanism
                                         ? ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
                                         : ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED);
                    return false;
                }
                // What came with the greeting (the peer's first command) is
                // decoded right here, in the buffer it was read into.
                if (_in_end > _in_pos)
                    count_handshake_inplace(_in_end - _in_pos);
                greeting_done();
                continue;
            }
            size_t used = 0;
            const auto st = _dec.decode(_in_buf.get() + _in_pos, _in_end - _in_pos, &used);
            _in_pos += used;
            if (st == zmtp_decode_status::need_more)
                return true;
            if (st == zmtp_decode_status::error) {
                decode_failed();
                return false;
            }
            msg_t m;
            m.init();
            _dec.take(&m);
            if (!handle_frame(m))
                return false;
        }
    }

    void decode_failed() {
        const int err = _dec.error_errno();
        if (_state == state_t::handshake && _dec.error() == zmtp_decode_error::malformed_command)
            protocol_failure(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
        else
            fail(engine_close_reason::protocol_error, err ? err : EPROTO);
    }

    bool handle_frame(msg_t &m) {
        if (_state == state_t::handshake) {
            if (!m.is_command()) {
                m.close();
                protocol_failure(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
                return false;
            }
            const int rc = _mech->process_handshake_command(&m);
            m.close();
            handshake_step();
            if (rc != 0 && !closed())
                handshake_failed();
            return !closed();
        }
        // [CURVE] Every frame arrives wrapped; a bad one ends the connection
        // with HANDSHAKE_FAILED_PROTOCOL, as in libzmq.
        if (_mech->wraps_frames() && _mech->unwrap(&m) != 0) {
            m.close();
            if (_mech->failure() == handshake_failure::protocol)
                protocol_failure(_mech->failure_code());
            else
                fail(engine_close_reason::io_error, ENOMEM);
            return false;
        }
        if (!m.is_command())
            return deliver(m);
        zmtp_command_view cmd;
        if (!zmtp_parse_command(m, &cmd)) {
            m.close();
            fail(engine_close_reason::protocol_error, EPROTO);
            return false;
        }
        if (cmd.is("PING"))
            return handle_ping(m, cmd);
        msg_t sub;
        const int sub_rc = zmtp_subscription_message(cmd, &sub);
        m.close();
        if (sub_rc < 0) {
            fail(engine_close_reason::io_error, ENOMEM);
            return false;
        }
        if (sub_rc > 0)
            return deliver(sub);
        // PONG, ERROR (it only means something during the handshake, as in
        // libzmq) and unknown commands: the traffic itself was the point.
        return true;
    }

    bool handle_ping(msg_t &m, const zmtp_command_view &cmd) {
        uint16_t ttl = 0;
        std::string context;
        msg_t pong;
        pong.init();
        if (!zmtp_parse_ping(cmd, &ttl, &context) ||
            zmtp_make_pong(&pong, context.data(), context.size()) != 0) {
            pong.close();
            m.close();
            fail(engine_close_reason::protocol_error, EPROTO);
            return false;
        }
        // At most one PONG waits (the latest context), as in libzmq: a peer
        // that pings without reading cannot make us queue without bound.
        {
            auto lock = lock_output();
            if (_pong.pending)
                ++_pongs_replaced;
            _pong.replace(pong);
        }
        if (ttl > 0)
            bound_peer_silence(ttl * 100);
        m.close();
        write_out();
        return !closed();
    }

    // ---- handshake ----

    void greeting_done() {
        _zmtp_minor = _greeting.revision() == zmtp_revision::v3_0 ? 0 : 1;
        _wire->set_peer_minor(_zmtp_minor);
        _state = state_t::handshake;
        handshake_step();
    }

    // Sends whatever the mechanism has to say, then acts on its status.
    void handshake_step() {
        if (closed() || _state != state_t::handshake)
            return;
        if (_in_step) { // a ZAP reply delivered from inside request()
            _step_again = true;
            return;
        }
        _in_step = true;
        do {
            _step_again = false;
            for (;;) {
                msg_t c;
                c.init();
                if (_mech->next_handshake_command(&c) != 0) {
                    c.close();
                    break;
                }
                queue_command(c);
            }
        } while (_step_again);
        _in_step = false;
        write_out();
        if (closed())
            return;
        const auto st = _mech->status();
        if (st == mechanism_status::error)
            handshake_failed();
        else if (st == mechanism_status::ready)
            handshake_done();
    }

    void handshake_failed() {
        if (closed())
            return;
        const int code = _mech->failure_code();
        switch (_mech->failure()) {
        case handshake_failure::protocol:
            protocol_failure(code);
            return;
        case handshake_failure::auth:
            _session.monitor_event(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, uint64_t(code));
            break;
        case handshake_failure::no_detail:
            _session.monitor_event(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, uint64_t(code));
            break;
        default:
            break;
        }
        if (!closed())
            fail(engine_close_reason::handshake_failed, code ? code : EPROTO);
    }

    void handshake_done() {
        _state = state_t::active;
        data_ready();
        metadata_t::dict_t props = _mech->message_properties();
        for (const auto &kv : _mech->peer_properties())
            if (zmtp_name_equals(kv.first, zmtp_prop_identity))
                props["Routing-Id"] = kv.second;
        set_metadata(std::move(props));
        _session.monitor_event(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
        if (closed())
            return;
        engine_peer_info info;
        info.routing_id = _mech->peer_routing_id();
        info.metadata = metadata();
        info.zmtp_minor = _zmtp_minor;
        _session.engine_ready(info);
        if (closed())
            return;
        if (_options.recv_routing_id) {
            msg_t id;
            if (id.init_buffer(info.routing_id.data(), info.routing_id.size()) == 0) {
                id.set_flags(msg_t::routing_id);
                deliver(id);
            }
        }
        start_heartbeats();
        write_out();
    }

    void heartbeat_due() override {
        msg_t ping;
        ping.init();
        const int ttl = std::min(_options.heartbeat_ttl / 100, 0xFFFF);
        if (zmtp_make_ping(&ping, uint16_t(ttl), nullptr, 0) == 0)
            _ping.replace(ping); // one waits at most, while the output is blocked
        else
            ping.close();
    }

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

} // namespace

std::unique_ptr<i_engine> make_zmtp_engine(boost::asio::io_context &io,
                                           std::unique_ptr<i_asio_transport> transport,
                                           i_engine_session *session, const options_t &options,
                                           bool /*as_client*/, const std::string & /*endpoint*/) {
    return std::make_unique<zmtp_engine_t>(io, std::move(transport), *session, options);
}

} // namespace zlink
