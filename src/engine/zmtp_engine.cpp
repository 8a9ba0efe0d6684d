// zmtp_engine_t's data path: encoding commands and messages into gathered
// writes (the io thread's and the application thread's), decoding reads,
// frames, PING/PONG and subscription commands.
#include "engine/zmtp_engine_impl.hpp"

namespace zlink {
namespace zmtp_engine_impl {

bool zmtp_engine_t::encode(msg_t *m) {
    const size_t size = m->size();
    if (!_enc.add(m))
        return false;
    if (size > _enc.copy_threshold())
        count_zerocopy();
    else
        count_copied(size, size > zerocopy_min_body);
    return true;
}

void zmtp_engine_t::fill_output() {
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

size_t zmtp_engine_t::output_buffers(boost::asio::const_buffer *bufs, size_t max) {
    zmtp_out_buffer ob[zmtp_encoder_t::max_buffers];
    const size_t n = _enc.buffers(ob, std::min(max, zmtp_encoder_t::max_buffers));
    for (size_t i = 0; i < n; ++i)
        bufs[i] = boost::asio::const_buffer(ob[i].data, ob[i].size);
    return n;
}

bool zmtp_engine_t::encode_direct(msg_t *msgs, size_t n) {
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

bool zmtp_engine_t::can_wrap_direct(const msg_t *msgs, size_t n) const {
    if (!_mech->can_wrap(n))
        return false;
    for (size_t i = 0; i < n; ++i)
        if (!msgs[i].body_writable() && !_enc.copies(_mech->wrap_overhead() + msgs[i].size()))
            return false;
    return true;
}

int zmtp_engine_t::add_wrapped(msg_t &m) {
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

size_t zmtp_engine_t::output_backlog() const {
    auto lock = lock_output();
    size_t bytes = _enc.pending_bytes() + _pong.size() + _ping.size();
    for (const auto &m : _cmds)
        bytes += m.size();
    return bytes;
}

bool zmtp_engine_t::take_heartbeat(command_slot &slot) {
    if (slot.pending && !slot.wrapped && _state == state_t::active && _mech->wraps_frames()) {
        if (_mech->wrap(&slot.msg) != 0) {
            fail(engine_close_reason::io_error, errno);
            return false;
        }
        slot.wrapped = true;
    }
    return slot.take([this](msg_t *m) { return encode(m); });
}

boost::asio::mutable_buffer zmtp_engine_t::input_buffer() {
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

void zmtp_engine_t::input_arrived(size_t bytes) {
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

bool zmtp_engine_t::process_input() {
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

void zmtp_engine_t::decode_failed() {
    const int err = _dec.error_errno();
    if (_state == state_t::handshake && _dec.error() == zmtp_decode_error::malformed_command)
        protocol_failure(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    else
        fail(engine_close_reason::protocol_error, err ? err : EPROTO);
}

bool zmtp_engine_t::handle_frame(msg_t &m) {
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

bool zmtp_engine_t::handle_ping(msg_t &m, const zmtp_command_view &cmd) {
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

} // namespace zmtp_engine_impl

std::unique_ptr<i_engine> make_zmtp_engine(boost::asio::io_context &io,
                                           std::unique_ptr<i_asio_transport> transport,
                                           i_engine_session *session, const options_t &options,
                                           bool /*as_client*/, const std::string & /*endpoint*/) {
    return std::make_unique<zmtp_engine_impl::zmtp_engine_t>(io, std::move(transport), *session,
                                                             options);
}

} // namespace zlink
