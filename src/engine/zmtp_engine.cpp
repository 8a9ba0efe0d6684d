#include "engine/zmtp_engine.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <zmq.h>

#include "engine/zap_bridge.hpp"
#include "core/feature_flags.hpp"
#include "protocol/mechanisms/null_mechanism.hpp"
#include "protocol/mechanisms/plain_mechanism.hpp"
#include "protocol/zmtp_commands.hpp"
#include "protocol/zmtp_decoder.hpp"
#include "protocol/zmtp_encoder.hpp"
#include "protocol/zmtp_greeting.hpp"

namespace zlink {

// ---- counters ----

namespace {
struct global_counters_t {
    std::atomic<uint64_t> writes{0}, write_bytes{0}, would_block_writes{0}, reads{0},
        read_bytes{0}, messages_out{0}, messages_in{0}, batched_messages{0}, deferred_writes{0};
} g_counters;
constexpr auto relaxed = std::memory_order_relaxed;
} // namespace

void engine_stats_t::count_write(uint64_t bytes, uint64_t messages) {
    ++_counters.writes;
    _counters.write_bytes += bytes;
    _counters.messages_out += messages;
    g_counters.writes.fetch_add(1, relaxed);
    g_counters.write_bytes.fetch_add(bytes, relaxed);
    if (messages) {
        g_counters.messages_out.fetch_add(messages, relaxed);
        if (messages > 1) {
            _counters.batched_messages += messages;
            g_counters.batched_messages.fetch_add(messages, relaxed);
        }
    }
}
void engine_stats_t::count_would_block() {
    ++_counters.would_block_writes;
    g_counters.would_block_writes.fetch_add(1, relaxed);
}
void engine_stats_t::count_deferred_write() {
    ++_counters.deferred_writes;
    g_counters.deferred_writes.fetch_add(1, relaxed);
}
void engine_stats_t::count_read(uint64_t bytes) {
    ++_counters.reads;
    _counters.read_bytes += bytes;
    g_counters.reads.fetch_add(1, relaxed);
    g_counters.read_bytes.fetch_add(bytes, relaxed);
}
void engine_stats_t::count_in(uint64_t messages) {
    _counters.messages_in += messages;
    g_counters.messages_in.fetch_add(messages, relaxed);
}

zmtp_engine_counters_t zmtp_engine_counters() {
    zmtp_engine_counters_t c;
    c.writes = g_counters.writes.load(relaxed);
    c.write_bytes = g_counters.write_bytes.load(relaxed);
    c.would_block_writes = g_counters.would_block_writes.load(relaxed);
    c.reads = g_counters.reads.load(relaxed);
    c.read_bytes = g_counters.read_bytes.load(relaxed);
    c.messages_out = g_counters.messages_out.load(relaxed);
    c.messages_in = g_counters.messages_in.load(relaxed);
    c.batched_messages = g_counters.batched_messages.load(relaxed);
    c.deferred_writes = g_counters.deferred_writes.load(relaxed);
    return c;
}

void zmtp_engine_counters_reset() {
    for (auto *a : {&g_counters.writes, &g_counters.write_bytes, &g_counters.would_block_writes,
                    &g_counters.reads, &g_counters.read_bytes, &g_counters.messages_out,
                    &g_counters.messages_in, &g_counters.batched_messages,
                    &g_counters.deferred_writes})
        a->store(0, relaxed);
}

zmtp_engine_counters_t engine_counters(const i_engine *engine) {
    auto *s = dynamic_cast<const engine_stats_t *>(engine);
    return s ? s->counters() : zmtp_engine_counters_t{};
}

// ---- the engine ----

namespace {

constexpr size_t out_batch_size = 32 * 1024;
static_assert(out_batch_size == size_t(write_batch_bytes_default),
              "ZLINK_WRITE_BATCH_BYTES defaults to the whole copy buffer");
constexpr size_t in_buffer_size = 64 * 1024;
// A body still missing at least this much is read straight into the message.
constexpr size_t direct_read_min = 16 * 1024;
// Reads per turn before yielding to other connections on the io thread.
constexpr int read_budget = 64;
// Subscriptions as ZMTP 3.1 commands to 3.1 peers (see convert_subscription).
constexpr bool subscribe_commands = true;

bool is_would_block(const boost::system::error_code &ec) {
    return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}

class zmtp_engine_t final : public i_engine,
                            public zap_reply_target,
                            public engine_stats_t,
                            public std::enable_shared_from_this<zmtp_engine_t> {
  public:
    zmtp_engine_t(boost::asio::io_context &io, std::unique_ptr<i_asio_transport> transport,
                  i_engine_session *session, const options_t &options)
        : _io(io), _transport(std::move(transport)), _session(session), _options(options),
          _out_batch(new unsigned char[out_batch_size]),
          _enc(_out_batch.get(), out_batch_size),
          _speculative(resolve_flag("ZLINK_SPECULATIVE_WRITE", options.zlink_speculative_write,
                                    speculative_write_default, 0, 1) != 0),
          _batch_limit(batch_limit(resolve_flag("ZLINK_WRITE_BATCH_BYTES",
                                                options.zlink_write_batch_bytes,
                                                write_batch_bytes_default, 1))),
          _in_buf(new unsigned char[in_buffer_size]),
          _dec(options.maxmsgsize), _greeting(mechanism_name()), _handshake_timer(io),
          _hb_timer(io), _hb_timeout_timer(io), _ttl_timer(io) {
        _out_msg.init();
        _in_msg.init();
    }

    ~zmtp_engine_t() override {
        shutdown();
        _out_msg.close();
        _in_msg.close();
        for (auto &m : _cmds)
            m.close();
        if (_metadata && _metadata->drop_ref())
            delete _metadata;
    }

    void start() override {
        auto self = shared_from_this();
        unsigned char greeting[zmtp_greeting_size];
        if (!zmtp_build_greeting(greeting, mechanism_name(), _options.as_server)) {
            fail(engine_close_reason::handshake_failed, EINVAL);
            return;
        }
        _enc.add_raw(greeting, sizeof greeting);
        if (_options.handshake_ivl > 0) {
            _handshake_timer.expires_after(std::chrono::milliseconds(_options.handshake_ivl));
            _handshake_timer.async_wait([self](const boost::system::error_code &ec) {
                if (!ec && !self->_closed && self->_state != state_t::active)
                    self->fail(engine_close_reason::handshake_timeout, ETIMEDOUT);
            });
        }
        write_out();
        read_in();
    }

    void restart_input() override {
        if (_closed || !_input_stalled)
            return;
        auto self = shared_from_this();
        _input_stalled = false;
        if (_reading) // called back from inside read_in: let its loop go on
            _read_again = true;
        else
            read_in();
    }

    void restart_output() override {
        if (_closed || _state != state_t::active)
            return;
        auto self = shared_from_this();
        write_out();
    }

    void close() override { shutdown(); }
    // Encoded bytes the kernel has not taken yet (ZMQ_LINGER waits for them).
    bool output_pending() const override { return !_closed && !_enc.empty(); }
    size_t unread_by_peer() const override { return _closed ? 0 : _transport->unread_by_peer(); }

    void zap_reply_received(const zap_reply_t &reply) override {
        if (_closed || !_mech || !_mech->zap_pending())
            return;
        auto self = shared_from_this();
        _mech->zap_reply(reply.status_code, reply.user_id, reply.metadata);
        handshake_step();
    }

    void zap_reply_failed(int protocol_error) override {
        if (_closed || !_mech || !_mech->zap_pending())
            return;
        auto self = shared_from_this();
        _mech->zap_failed(protocol_error);
        handshake_step();
    }

  private:
    enum class state_t { greeting, handshake, active };

    std::string mechanism_name() const {
        return _options.mechanism == ZMQ_PLAIN ? "PLAIN" : "NULL";
    }

    // ---- closing ----

    // Stop everything; no session call follows.
    void shutdown() {
        if (_closed)
            return;
        _closed = true;
        _handshake_timer.cancel();
        _hb_timer.cancel();
        _hb_timeout_timer.cancel();
        _ttl_timer.cancel();
        if (_transport && _transport->is_open())
            _transport->close();
    }

    void fail(engine_close_reason reason, int value) {
        if (_closed)
            return;
        if (_pushed) {
            _pushed = 0;
            _session->flush_pushed();
        }
        // libzmq reports a handshake cut short (greeting included) for any
        // reason but a protocol error or refusal (already reported).
        // A transport's own refused handshake (tls) says which event it is.
        if (_state != state_t::active && reason != engine_close_reason::protocol_error &&
            reason != engine_close_reason::handshake_failed) {
            uint64_t detail = uint64_t(value);
            const uint16_t event = _transport ? _transport->handshake_failure_event(detail) : 0;
            _session->monitor_event(event ? event : ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, detail);
        }
        shutdown();
        _session->engine_closed(reason, value);
    }

    void protocol_failure(int code) {
        if (_closed)
            return;
        _session->monitor_event(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, uint64_t(uint32_t(code)));
        fail(engine_close_reason::protocol_error, EPROTO);
    }

    // ---- output ----

    // Only a limit below the copy buffer changes anything: at or above it the
    // encoder's own capacity (copy buffer + max_refs large bodies) decides,
    // exactly as with the flag unset.
    static size_t batch_limit(int bytes) {
        return size_t(bytes) < out_batch_size ? size_t(bytes) : SIZE_MAX;
    }

    // Speculative write: pull what is queued, write it now, wait only when
    // the kernel is full. writable: called from a writability notification.
    // With ZLINK_SPECULATIVE_WRITE=0 an activation (once the handshake is
    // over) only fills the batch and arms the wait; every write happens from
    // the notification.
    void write_out(bool writable = false) {
        if (_closed || _write_waiting || _write_failed)
            return;
        if (_writing) { // re-entered from a session callback: the loop goes on
            _write_again = true;
            return;
        }
        _writing = true;
        for (;;) {
            _write_again = false;
            fill_batch();
            if (_closed)
                break;
            if (_enc.empty()) {
                if (_write_again)
                    continue;
                break;
            }
            // Only the data path waits: handshake commands go out at once,
            // so an ERROR sent just before a refusal's close is not lost.
            if (!_speculative && !writable && _state == state_t::active) {
                arm_write_wait(); // the batch stays in _enc: linger sees it
                break;
            }
            const bool deferred = writable;
            writable = false; // one write per notification
            zmtp_out_buffer ob[zmtp_encoder_t::max_buffers];
            boost::asio::const_buffer bufs[zmtp_encoder_t::max_buffers];
            const size_t n = _enc.buffers(ob, zmtp_encoder_t::max_buffers);
            for (size_t i = 0; i < n; ++i)
                bufs[i] = boost::asio::const_buffer(ob[i].data, ob[i].size);
            boost::system::error_code ec;
            const size_t written = _transport->try_write(bufs, n, ec);
            if (written == 0 && !ec)
                ec = boost::asio::error::would_block; // never spin on a no-op write
            if (written > 0) {
                if (deferred)
                    count_deferred_write();
                count_write(written, _batch_msgs);
                _batch_msgs = 0;
                _enc.consume(written);
            }
            if (ec) {
                if (is_would_block(ec)) {
                    count_would_block();
                    arm_write_wait();
                    break;
                }
                _writing = false;
                write_failed(ec);
                return;
            }
        }
        _writing = false;
    }

    // The peer may have said something before it went away (an ERROR
    // command, say): read what is there first; reading then meets the end
    // of the stream and closes. Only a reader that cannot go on closes now.
    void write_failed(const boost::system::error_code &ec) {
        _write_failed = true;
        _write_reason = ec == boost::asio::error::eof || ec == boost::asio::error::broken_pipe ||
                                ec == boost::asio::error::connection_reset
                            ? engine_close_reason::peer_closed
                            : engine_close_reason::io_error;
        _write_errno = ec.value();
        if (_input_stalled)
            fail(_write_reason, _write_errno);
        else if (!_reading && !_read_waiting)
            read_in();
    }

    void arm_write_wait() {
        _write_waiting = true;
        auto self = shared_from_this();
        _transport->async_wait_writable([self](const boost::system::error_code &ec) {
            self->_write_waiting = false;
            if (self->_closed || ec == boost::asio::error::operation_aborted)
                return;
            if (ec) {
                self->fail(engine_close_reason::io_error, ec.value());
                return;
            }
            self->write_out(true);
            // Only a deferred write can empty a batch the kernel refused
            // earlier: tell a lingering session (it waits for this).
            if (!self->_closed && self->_enc.empty())
                self->_session->output_drained();
        });
    }

    // Commands first, then (once active) every message the session queued.
    void fill_batch() {
        size_t done = 0;
        while (done < _cmds.size() && _enc.add(&_cmds[done]))
            ++done;
        if (done)
            _cmds.erase(_cmds.begin(), _cmds.begin() + long(done));
        if (!_cmds.empty() || _state != state_t::active)
            return;
        for (;;) {
            if (!_has_out_msg) {
                // ZLINK_WRITE_BATCH_BYTES: enough for one write. Checked
                // before pulling so no message waits outside the encoder.
                if (_enc.pending_bytes() >= _batch_limit)
                    return;
                if (_session->pull_msg(&_out_msg) != 0)
                    return;
                if (_closed)
                    return;
                _has_out_msg = true;
                convert_subscription();
            }
            if (!_enc.add(&_out_msg))
                return; // full: write, then continue with this message
            _has_out_msg = false;
            ++_batch_msgs;
        }
    }

    // SUB/XSUB: "\x01topic" / "\x00topic" travel as SUBSCRIBE / CANCEL
    // commands to ZMTP 3.1 peers (libzmq 4.3.4 takes them: tested), as
    // messages to 3.0 peers. subscribe_commands = false would send messages
    // to everyone (what pre-4.3 libzmq peers announcing 3.1 may need).
    void convert_subscription() {
        const bool first = !_out_more;
        _out_more = _out_msg.has_more();
        if (!_sub_commands || !first || _out_msg.has_more() || _out_msg.size() == 0)
            return;
        const auto *p = static_cast<const unsigned char *>(_out_msg.data());
        if (p[0] != 0 && p[0] != 1)
            return;
        msg_t cmd;
        cmd.init();
        const int rc = p[0] == 1 ? zmtp_make_subscribe(&cmd, p + 1, _out_msg.size() - 1)
                                 : zmtp_make_cancel(&cmd, p + 1, _out_msg.size() - 1);
        if (rc != 0) {
            cmd.close();
            return;
        }
        _out_msg.close();
        _out_msg.init();
        _out_msg.move(cmd);
        cmd.close();
    }

    void queue_command(msg_t &cmd) {
        _cmds.push_back(cmd); // bitwise hand-over: cmd no longer owns the body
        cmd.init();
    }

    // ---- input ----

    void read_in() {
        if (_closed || _reading || _read_waiting)
            return;
        _reading = true;
        auto self = shared_from_this();
        int budget = read_budget;
        for (;;) {
            _read_again = false;
            if (!process_input() || _closed) {
                if (_read_again && !_closed)
                    continue;
                break;
            }
            if (budget-- == 0) {
                boost::asio::post(_io, [self] { self->read_in(); });
                break;
            }
            boost::system::error_code ec;
            size_t n;
            bool direct = false;
            zmtp_decoder_t::read_target t{nullptr, 0};
            if (_state != state_t::greeting)
                t = _dec.get_read_target();
            if (t.size >= direct_read_min) {
                direct = true;
                n = _transport->try_read(boost::asio::mutable_buffer(t.data, t.size), ec);
            } else {
                n = _transport->try_read(
                    boost::asio::mutable_buffer(_in_buf.get(), in_buffer_size), ec);
            }
            if (n > 0) {
                count_read(n);
                ++_rx_events;
                if (direct) {
                    if (_dec.commit_read(n) == zmtp_decode_status::error) {
                        decode_failed();
                        break;
                    }
                } else {
                    _in_pos = 0;
                    _in_end = n;
                }
                continue;
            }
            if (is_would_block(ec)) {
                if (_write_failed) { // nothing more to read from a broken link
                    _reading = false;
                    fail(_write_reason, _write_errno);
                    return;
                }
                arm_read_wait();
                break;
            }
            // EOF (or a zero-byte read) or a broken connection.
            _reading = false;
            fail(engine_close_reason::peer_closed,
                 (!ec || ec == boost::asio::error::eof) ? EPIPE : ec.value());
            return;
        }
        if (_pushed && !_closed) {
            _pushed = 0;
            _session->flush_pushed();
        }
        _reading = false;
    }

    void arm_read_wait() {
        _read_waiting = true;
        auto self = shared_from_this();
        _transport->async_wait_readable([self](const boost::system::error_code &ec) {
            self->_read_waiting = false;
            if (self->_closed || ec == boost::asio::error::operation_aborted)
                return;
            if (ec) {
                self->fail(engine_close_reason::io_error, ec.value());
                return;
            }
            self->read_in();
        });
    }

    // Decodes the buffered bytes. false: stop reading (stalled or closed).
    bool process_input() {
        for (;;) {
            if (_closed)
                return false;
            if (_has_in_msg) {
                if (!deliver(_in_msg))
                    return false;
                _has_in_msg = false;
            }
            if (_input_stalled)
                return false;
            if (_state == state_t::greeting) {
                if (_in_pos == _in_end)
                    return true;
                size_t used = 0;
                const auto st = _greeting.feed(_in_buf.get() + _in_pos, _in_end - _in_pos, &used);
                _in_pos += used;
                if (st == zmtp_greeting_status::need_more)
                    return true;
                if (st != zmtp_greeting_status::ok) {
                    protocol_failure(st == zmtp_greeting_status::mechanism_mismatch ||
                                             st == zmtp_greeting_status::bad_mechanism
                                         ? ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
                                         : ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED);
                    return false;
                }
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

    // Pushes m to the session; on a full pipe keeps it for restart_input().
    bool deliver(msg_t &m) {
        if (_session->push_msg(&m) == 0) {
            m.init(); // the session owns the body now
            ++_pushed;
            count_in(1);
            return true;
        }
        if (errno != EAGAIN) {
            m.close();
            fail(engine_close_reason::io_error, errno);
            return false;
        }
        if (&m != &_in_msg) {
            _in_msg.close();
            _in_msg.init();
            _in_msg.move(m);
            m.close();
        }
        _has_in_msg = true;
        _input_stalled = true;
        return false;
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
            if (rc != 0 && !_closed)
                handshake_failed();
            return !_closed;
        }
        if (!m.is_command()) {
            if (_metadata)
                m.set_metadata(_metadata);
            return deliver(m);
        }
        zmtp_command_view cmd;
        if (!zmtp_parse_command(m, &cmd)) {
            m.close();
            fail(engine_close_reason::protocol_error, EPROTO);
            return false;
        }
        if (cmd.is("PING")) {
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
            queue_command(pong);
            if (ttl > 0 && !_ttl_armed)
                arm_ttl(ttl);
            m.close();
            write_out();
            return !_closed;
        }
        if (cmd.is("SUBSCRIBE") || cmd.is("CANCEL")) {
            msg_t sub;
            const bool subscribe = cmd.is("SUBSCRIBE");
            if (sub.init_size(cmd.size + 1) != 0) {
                m.close();
                fail(engine_close_reason::io_error, ENOMEM);
                return false;
            }
            auto *p = static_cast<unsigned char *>(sub.data());
            p[0] = subscribe ? 1 : 0;
            if (cmd.size)
                std::memcpy(p + 1, cmd.data, cmd.size);
            m.close();
            if (_metadata)
                sub.set_metadata(_metadata);
            return deliver(sub);
        }
        // PONG, ERROR (it only means something during the handshake, as in
        // libzmq) and unknown commands: the traffic itself was the point.
        m.close();
        return true;
    }

    // ---- handshake ----

    void greeting_done() {
        _zmtp_minor = _greeting.revision() == zmtp_revision::v3_0 ? 0 : 1;
        _sub_commands = subscribe_commands &&
            (_options.type == ZMQ_SUB || _options.type == ZMQ_XSUB) && _zmtp_minor >= 1;
        mechanism_options mo;
        mo.socket_type = _options.type;
        mo.routing_id = _options.routing_id;
        for (const auto &kv : _options.app_metadata)
            mo.user_metadata.emplace_back(kv.first, kv.second);
        mo.as_server = _options.as_server;
        mo.plain_username = _options.plain_username;
        mo.plain_password = _options.plain_password;
        mo.zap_domain = _options.zap_domain;
        mo.zap_enforce_domain = _options.zap_enforce_domain;
        mo.peer_address = _transport->peer_address();
        if (_options.mechanism == ZMQ_PLAIN) {
            if (_options.as_server)
                _mech.reset(new plain_server_t(mo, _session->zap()));
            else
                _mech.reset(new plain_client_t(mo));
        } else {
            _mech.reset(new null_mechanism_t(mo, _session->zap()));
        }
        _state = state_t::handshake;
        handshake_step();
    }

    // Sends whatever the mechanism has to say, then acts on its status.
    void handshake_step() {
        if (_closed || _state != state_t::handshake)
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
        if (_closed)
            return;
        const auto st = _mech->status();
        if (st == mechanism_status::error)
            handshake_failed();
        else if (st == mechanism_status::ready)
            handshake_done();
    }

    void handshake_failed() {
        if (_closed)
            return;
        const int code = _mech->failure_code();
        switch (_mech->failure()) {
        case handshake_failure::protocol:
            protocol_failure(code);
            return;
        case handshake_failure::auth:
            _session->monitor_event(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, uint64_t(code));
            break;
        case handshake_failure::no_detail:
            _session->monitor_event(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, uint64_t(code));
            break;
        default:
            break;
        }
        if (!_closed)
            fail(engine_close_reason::handshake_failed, code ? code : EPROTO);
    }

    void handshake_done() {
        _state = state_t::active;
        _handshake_timer.cancel();
        metadata_t::dict_t props = _mech->message_properties();
        props["Peer-Address"] = _transport->peer_address();
        props["__fd"] = std::to_string(_transport->native_handle()); // ZMQ_SRCFD, as libzmq
        for (auto &kv : _transport->properties()) // after the peer's: it cannot forge them
            props[kv.first] = std::move(kv.second);
        for (const auto &kv : _mech->peer_properties())
            if (zmtp_name_equals(kv.first, zmtp_prop_identity))
                props["Routing-Id"] = kv.second;
        _metadata = new metadata_t(std::move(props));
        _session->monitor_event(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
        if (_closed)
            return;
        engine_peer_info info;
        info.routing_id = _mech->peer_routing_id();
        info.metadata = _metadata;
        info.zmtp_minor = _zmtp_minor;
        _session->engine_ready(info);
        if (_closed)
            return;
        if (_options.recv_routing_id) {
            msg_t id;
            if (id.init_buffer(info.routing_id.data(), info.routing_id.size()) == 0) {
                id.set_flags(msg_t::routing_id);
                deliver(id);
            }
        }
        if (_options.heartbeat_ivl > 0)
            arm_heartbeat();
        write_out();
    }

    // ---- heartbeats ----

    void arm_heartbeat() {
        auto self = shared_from_this();
        _hb_timer.expires_after(std::chrono::milliseconds(_options.heartbeat_ivl));
        _hb_timer.async_wait([self](const boost::system::error_code &ec) {
            if (ec || self->_closed)
                return;
            self->send_ping();
        });
    }

    void send_ping() {
        msg_t ping;
        ping.init();
        const int ttl = std::min(_options.heartbeat_ttl / 100, 0xFFFF);
        if (zmtp_make_ping(&ping, uint16_t(ttl), nullptr, 0) == 0)
            queue_command(ping);
        else
            ping.close();
        const int timeout =
            _options.heartbeat_timeout == -1 ? _options.heartbeat_ivl : _options.heartbeat_timeout;
        if (timeout > 0 && !_timeout_armed) {
            _timeout_armed = true;
            const uint64_t mark = _rx_events;
            auto self = shared_from_this();
            _hb_timeout_timer.expires_after(std::chrono::milliseconds(timeout));
            _hb_timeout_timer.async_wait([self, mark](const boost::system::error_code &ec) {
                self->_timeout_armed = false;
                if (ec || self->_closed || self->_rx_events != mark)
                    return; // traffic arrived since the PING: the peer lives
                self->fail(engine_close_reason::heartbeat_timeout, ETIMEDOUT);
            });
        }
        arm_heartbeat();
        write_out();
    }

    // The peer's PING TTL: close if nothing at all arrives within it.
    void arm_ttl(uint16_t ttl_deciseconds) {
        _ttl_armed = true;
        const uint64_t mark = _rx_events;
        auto self = shared_from_this();
        _ttl_timer.expires_after(std::chrono::milliseconds(ttl_deciseconds * 100));
        _ttl_timer.async_wait([self, mark](const boost::system::error_code &ec) {
            self->_ttl_armed = false;
            if (ec || self->_closed || self->_rx_events != mark)
                return;
            self->fail(engine_close_reason::heartbeat_timeout, ETIMEDOUT);
        });
    }

    boost::asio::io_context &_io;
    std::unique_ptr<i_asio_transport> _transport;
    i_engine_session *const _session;
    const options_t _options;
    state_t _state = state_t::greeting;
    bool _closed = false;

    // Output.
    std::unique_ptr<unsigned char[]> _out_batch;
    zmtp_encoder_t _enc;
    const bool _speculative;   // ZLINK_SPECULATIVE_WRITE
    const size_t _batch_limit; // ZLINK_WRITE_BATCH_BYTES (SIZE_MAX: encoder decides)
    std::vector<msg_t> _cmds; // encoded command frames waiting for room
    msg_t _out_msg;           // pulled, not yet in the encoder
    bool _has_out_msg = false;
    bool _out_more = false; // the last pulled frame had MORE
    bool _sub_commands = false;
    bool _writing = false, _write_again = false, _write_waiting = false;
    bool _write_failed = false;
    engine_close_reason _write_reason = engine_close_reason::io_error;
    int _write_errno = 0;
    uint64_t _batch_msgs = 0;

    // Input.
    std::unique_ptr<unsigned char[]> _in_buf;
    size_t _in_pos = 0, _in_end = 0;
    zmtp_decoder_t _dec;
    msg_t _in_msg; // decoded, refused by a full pipe
    bool _has_in_msg = false;
    bool _input_stalled = false;
    bool _reading = false, _read_waiting = false, _read_again = false;
    uint64_t _pushed = 0;    // pushed since the last flush_pushed()
    uint64_t _rx_events = 0; // reads that returned bytes (heartbeat liveness)

    // Handshake.
    zmtp_greeting_parser_t _greeting;
    std::unique_ptr<mechanism_t> _mech;
    bool _in_step = false, _step_again = false;
    int _zmtp_minor = 1;
    metadata_t *_metadata = nullptr;

    boost::asio::steady_timer _handshake_timer, _hb_timer, _hb_timeout_timer, _ttl_timer;
    bool _timeout_armed = false, _ttl_armed = false;
};

} // namespace

std::shared_ptr<i_engine> make_zmtp_engine(boost::asio::io_context &io,
                                           std::unique_ptr<i_asio_transport> transport,
                                           i_engine_session *session,
                                           const options_t &options, bool /*as_client*/,
                                           const std::string & /*endpoint*/) {
    return std::make_shared<zmtp_engine_t>(io, std::move(transport), session, options);
}

zap_reply_target *engine_zap_target(i_engine *engine) {
    return dynamic_cast<zap_reply_target *>(engine);
}

} // namespace zlink
