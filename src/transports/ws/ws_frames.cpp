// ws_stream_t's translation between the engine's ZMTP 3.0 byte stream and
// ZWS 2.0 WebSocket messages (ws_stream.hpp says why and how).
#include <algorithm>
#include <cstring>

#include <zmq.h>

#include "transports/ws/ws_stream.hpp"

namespace zlink {

namespace {

constexpr unsigned op_continuation = ws_opcode::continuation, op_binary = ws_opcode::binary;
constexpr unsigned op_close = ws_opcode::close, op_ping = ws_opcode::ping,
                   op_pong = ws_opcode::pong;
constexpr unsigned char zws_more = 1, zws_command = 2;
constexpr unsigned char zmtp_more = 1, zmtp_long = 2, zmtp_command = 4;
// Translation stops once this much waits for the kernel.
constexpr std::size_t out_limit = 256 * 1024;
// A client's first message from a server that answered ZWS2.0/NULL is
// collected whole to read its flags: a READY, or a bare routing id.
constexpr std::size_t max_first_message = 64 * 1024;

// In bare ZWS2.0 the peer sends no Socket-Type: the engine is told of one
// that fits its own type.
const char *compatible_peer_type(int ours) {
    switch (ours) {
    case ZMQ_PUB:
    case ZMQ_XPUB:
        return "SUB";
    case ZMQ_SUB:
    case ZMQ_XSUB:
        return "PUB";
    case ZMQ_REQ:
        return "REP";
    case ZMQ_REP:
        return "REQ";
    case ZMQ_DEALER:
        return "ROUTER";
    case ZMQ_ROUTER:
        return "DEALER";
    case ZMQ_PULL:
        return "PUSH";
    case ZMQ_PUSH:
        return "PULL";
    default:
        return "PAIR";
    }
}

// ZMTP frame flags <-> the ZWS 2.0 message's flags byte.
unsigned char zws_flags_of(unsigned char zmtp_flags) {
    return ((zmtp_flags & zmtp_more) ? zws_more : 0) |
           ((zmtp_flags & zmtp_command) ? zws_command : 0);
}
unsigned char zmtp_flags_of(unsigned char zws_flags) {
    return ((zws_flags & zws_more) ? zmtp_more : 0) |
           ((zws_flags & zws_command) ? zmtp_command : 0);
}

void put_property(std::vector<unsigned char> &out, const std::string &name,
                  const unsigned char *value, std::size_t size) {
    out.push_back(static_cast<unsigned char>(name.size()));
    out.insert(out.end(), name.begin(), name.end());
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<unsigned char>((size >> shift) & 0xff));
    out.insert(out.end(), value, value + size);
}

bool iequals(const unsigned char *a, std::size_t size, const char *b) {
    if (std::strlen(b) != size)
        return false;
    for (std::size_t i = 0; i < size; ++i) {
        if (std::tolower(a[i]) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

} // namespace

// ---- engine -> wire ----

void ws_stream_t::emit_header(unsigned opcode, std::size_t payload_size, bool fin) {
    const bool masked = _config.role == role_t::client; // RFC 6455 5.3
    if (masked) {
        const uint32_t key = static_cast<uint32_t>(_rng());
        for (int i = 0; i < 4; ++i)
            _mask[i] = static_cast<unsigned char>(key >> (8 * i));
        _mask_pos = 0;
    }
    ws_append_header(_out, opcode, payload_size, fin, masked ? _mask : nullptr);
}

void ws_stream_t::emit_payload(const unsigned char *data, std::size_t size) {
    const std::size_t at = _out.size();
    _out.insert(_out.end(), data, data + size);
    mask_appended(at);
}

// A client masks the payload bytes appended from `at` on, continuing the
// current frame's key (RFC 6455 5.3); a server sends them as they are.
void ws_stream_t::mask_appended(std::size_t at) {
    if (_config.role != role_t::client)
        return;
    const std::size_t n = _out.size() - at;
    ws_apply_mask(_out.data() + at, _out.data() + at, n, _mask, _mask_pos);
    _mask_pos += n;
}

// A short ZMTP frame (1-byte size) that is all in `data`: one WebSocket
// message written and masked in one piece, without the byte-wise states
// (small messages come hundreds to a write). false: take the slow path.
bool ws_stream_t::emit_whole_short_frame(const unsigned char *data, std::size_t size,
                                         std::size_t *consumed) {
    if (size < 2 || (data[0] & zmtp_long))
        return false;
    const unsigned char flags = data[0];
    const std::size_t body = data[1];
    if (size < 2 + body || ((_bare || _sniff_bare) && !_ready_sent && (flags & zmtp_command)))
        return false;
    emit_header(op_binary, body + 1);
    const std::size_t at = _out.size();
    _out.push_back(zws_flags_of(flags));
    _out.insert(_out.end(), data + 2, data + 2 + body);
    mask_appended(at); // flags byte and body: one mask call
    *consumed += 2 + body;
    _out_state = out_state_t::body; // complete: the loop's end-of-frame step runs
    _out_body_left = 0;
    _out_collect = false;
    return true;
}

void ws_stream_t::emit_message(unsigned opcode, const unsigned char *data, std::size_t size) {
    emit_header(opcode, size);
    emit_payload(data, size);
}

// Bare ZWS2.0: our READY leaves as the routing-id message (its Identity).
void ws_stream_t::emit_routing_id_from_ready(const std::vector<unsigned char> &command) {
    const std::size_t name_size = command.empty() ? 0 : command[0];
    if (command.size() < 1 + name_size || !iequals(command.data() + 1, name_size, "READY")) {
        // Another command first (ERROR): sent as a command message.
        emit_header(op_binary, command.size() + 1);
        const unsigned char flags = zws_command;
        emit_payload(&flags, 1);
        emit_payload(command.data(), command.size());
        return;
    }
    std::vector<unsigned char> message(1, 0); // flags: final
    std::size_t pos = 1 + name_size;
    while (pos < command.size()) {
        const std::size_t n = command[pos++];
        if (pos + n + 4 > command.size())
            break;
        const unsigned char *name = command.data() + pos;
        pos += n;
        std::size_t v = 0;
        for (int i = 0; i < 4; ++i)
            v = (v << 8) | command[pos++];
        if (v > command.size() - pos)
            break;
        if (iequals(name, n, "Identity"))
            message.insert(message.end(), command.begin() + long(pos),
                           command.begin() + long(pos + v));
        pos += v;
    }
    emit_message(op_binary, message.data(), message.size());
}

std::size_t ws_stream_t::translate_out(const unsigned char *data, std::size_t size) {
    std::size_t i = 0;
    while (i < size && pending_out() < out_limit) {
        if (_greeting_left > 0) {
            const std::size_t n = std::min(_greeting_left, size - i);
            _greeting_left -= n;
            i += n;
            continue;
        }
        switch (_out_state) {
        case out_state_t::flags:
            if (emit_whole_short_frame(data + i, size - i, &i))
                break;
            _out_flags = data[i++];
            _out_size_need = (_out_flags & zmtp_long) ? 8 : 1;
            _out_size_have = 0;
            _out_state = out_state_t::size;
            break;
        case out_state_t::size: {
            _out_size_bytes[_out_size_have++] = data[i++];
            if (_out_size_have < _out_size_need)
                break;
            uint64_t body = 0;
            for (std::size_t k = 0; k < _out_size_need; ++k)
                body = (body << 8) | _out_size_bytes[k];
            _out_body_left = std::size_t(body);
            _out_collect = (_bare || _sniff_bare) && !_ready_sent && (_out_flags & zmtp_command);
            if (_out_collect) {
                _out_command.clear();
            } else {
                const unsigned char zws = zws_flags_of(_out_flags);
                emit_header(op_binary, _out_body_left + 1);
                emit_payload(&zws, 1);
            }
            _out_state = out_state_t::body;
            break;
        }
        case out_state_t::body: {
            const std::size_t n = std::min({_out_body_left, size - i, out_limit - pending_out()});
            if (_out_collect)
                _out_command.insert(_out_command.end(), data + i, data + i + n);
            else
                emit_payload(data + i, n);
            i += n;
            _out_body_left -= n;
            break;
        }
        }
        if (_out_state == out_state_t::body && _out_body_left == 0) {
            if (_out_collect) {
                _out_collect = false;
                if (_sniff_bare) {
                    _ready_held = true; // until the server's first message
                } else {
                    emit_routing_id_from_ready(_out_command);
                    _ready_sent = true;
                }
            }
            _out_state = out_state_t::flags;
            emit_pending_controls();
        }
    }
    return i;
}

// The server's first message told which ZWS2.0 it speaks: our first command
// leaves in that form, ahead of anything translated after it.
void ws_stream_t::release_held_ready() {
    _ready_held = false;
    _ready_sent = true;
    const std::vector<unsigned char> later(_out.begin() + long(_out_pos), _out.end());
    _out.resize(_out_pos);
    unsigned char mask[4]; // a frame being translated keeps its masking key
    std::memcpy(mask, _mask, sizeof mask);
    const std::size_t mask_pos = _mask_pos;
    if (_bare) {
        emit_routing_id_from_ready(_out_command);
    } else {
        emit_header(op_binary, _out_command.size() + 1);
        const unsigned char flags = zws_command;
        emit_payload(&flags, 1);
        emit_payload(_out_command.data(), _out_command.size());
    }
    std::memcpy(_mask, mask, sizeof mask);
    _mask_pos = mask_pos;
    _out.insert(_out.end(), later.begin(), later.end());
}

// Control replies wait for a frame boundary of the outgoing stream.
void ws_stream_t::emit_pending_controls() {
    if (_out_state != out_state_t::flags)
        return;
    for (const auto &c : _pending_controls)
        emit_message(c.first, c.second.data(), c.second.size());
    _pending_controls.clear();
}

// ---- wire -> engine ----

void ws_stream_t::push_peer_greeting(const char *mechanism) {
    unsigned char g[64] = {0};
    g[0] = 0xff;
    g[9] = 0x7f;
    g[10] = 3;
    g[11] = 0; // ZMTP 3.0: subscriptions as data messages, as ZWS peers send them
    std::memcpy(g + 12, mechanism, std::strlen(mechanism));
    g[32] = (_config.mechanism != ZMQ_NULL && !_config.as_server) ? 1 : 0;
    _synth.insert(_synth.end(), g, g + 64);
}

// The ZMTP frame header for a ZWS message: 2 or 9 bytes into dst.
std::size_t ws_stream_t::write_zmtp_header(unsigned char *dst, unsigned char zws_flags,
                                           std::size_t body_size) {
    const unsigned char flags = zmtp_flags_of(zws_flags);
    if (body_size > 255) {
        dst[0] = flags | zmtp_long;
        for (int i = 0; i < 8; ++i)
            dst[1 + i] = static_cast<unsigned char>((uint64_t(body_size) >> (56 - 8 * i)) & 0xff);
        return 9;
    }
    dst[0] = flags;
    dst[1] = static_cast<unsigned char>(body_size);
    return 2;
}

void ws_stream_t::push_zmtp_header(unsigned char zws_flags, std::size_t body_size) {
    unsigned char header[9];
    const std::size_t n = write_zmtp_header(header, zws_flags, body_size);
    _synth.insert(_synth.end(), header, header + n);
}

bool ws_stream_t::on_whole_message(const std::vector<unsigned char> &message) {
    if (message.empty())
        return false; // no flags byte
    if (_sniff_bare) {
        _sniff_bare = false;
        _bare = !(message[0] & zws_command); // a ZWS2.0/NULL server starts with READY
        if (_bare && message.size() > 256)
            return false; // a routing id has at most 255 bytes
        if (_ready_held)
            release_held_ready();
    }
    if (_bare && !_in_routing_id_seen) {
        // The peer's routing id, as the READY the engine waits for.
        _in_routing_id_seen = true;
        std::vector<unsigned char> body;
        body.push_back(5);
        const char *ready = "READY";
        body.insert(body.end(), ready, ready + 5);
        const char *type = compatible_peer_type(_config.socket_type);
        put_property(body, "Socket-Type", reinterpret_cast<const unsigned char *>(type),
                     std::strlen(type));
        if (message.size() > 1)
            put_property(body, "Identity", message.data() + 1, message.size() - 1);
        push_zmtp_header(zws_command, body.size());
        _synth.insert(_synth.end(), body.begin(), body.end());
        return true;
    }
    push_zmtp_header(message[0], message.size() - 1);
    _synth.insert(_synth.end(), message.begin() + 1, message.end());
    return true;
}

bool ws_stream_t::on_control_frame(unsigned opcode, const std::vector<unsigned char> &payload) {
    if (opcode == op_ping) {
        _pending_controls.emplace_back(op_pong, payload);
    } else if (opcode == op_close) {
        _close_received = true;
        if (!_close_sent) { // echo the status code (RFC 6455 5.5.1)
            _close_sent = true;
            _pending_controls.emplace_back(
                op_close, std::vector<unsigned char>(
                              payload.begin(),
                              payload.begin() + long(std::min<std::size_t>(payload.size(), 2))));
        }
    }
    emit_pending_controls();
    return true;
}

// ZWS's rules on top of RFC 6455's (the parser checked those).
bool ws_stream_t::on_frame_header_done() {
    const ws_frame_header_t &h = _in_frames.header();
    _in_streaming = false;
    _in_flags_pending = false;
    if (h.is_control()) {
        _in_control.clear();
        return true;
    }
    const bool routing_id = _bare && !_in_routing_id_seen; // collected whole
    if (h.opcode == op_binary) {
        _in_message.clear();
        if (h.fin && !routing_id && !_sniff_bare) {
            if (h.length == 0)
                return false; // no flags byte
            _in_streaming = true;
            _in_flags_pending = true;
        }
    } else if (h.opcode != op_continuation) {
        return false; // text: ZWS is binary
    }
    if (_sniff_bare && _in_message.size() + h.length > max_first_message)
        return false;
    // A routing id has at most 255 bytes (+1: flags): it is not collected unbounded.
    return !routing_id || _in_message.size() + h.length <= 256;
}

bool ws_stream_t::on_frame_end() {
    const ws_frame_header_t h = _in_frames.header();
    _in_frames.end_frame();
    if (h.is_control())
        return on_control_frame(h.opcode, _in_control);
    if (_in_streaming || !h.fin)
        return true;
    return on_whole_message(_in_message);
}

bool ws_stream_t::translate_in(unsigned char *buf, std::size_t size, std::size_t &produced) {
    produced = 0;
    while (produced < size) {
        if (_synth_pos < _synth.size()) {
            const std::size_t n = std::min(_synth.size() - _synth_pos, size - produced);
            std::memcpy(buf + produced, _synth.data() + _synth_pos, n);
            produced += n;
            _synth_pos += n;
            if (_synth_pos == _synth.size()) {
                _synth.clear();
                _synth_pos = 0;
            }
            continue;
        }
        if (_raw_pos == _raw_end || _close_received)
            break;
        if (!_in_frames.in_frame()) {
            _raw_pos += _in_frames.take_header(_raw.get() + _raw_pos, _raw_end - _raw_pos);
            if (_in_frames.failed())
                return false;
            if (_in_frames.in_frame() &&
                (!on_frame_header_done() || (_in_frames.payload_left() == 0 && !on_frame_end())))
                return false;
            continue;
        }
        const unsigned char *src = _raw.get() + _raw_pos;
        std::size_t n =
            std::size_t(std::min<uint64_t>(_in_frames.payload_left(), _raw_end - _raw_pos));
        if (_in_flags_pending) {
            n = 1;
            unsigned char flags;
            _in_frames.take_payload(&flags, src, 1);
            if (size - produced >= 9) // straight into the engine's buffer
                produced += write_zmtp_header(buf + produced, flags,
                                              std::size_t(_in_frames.payload_left()));
            else
                push_zmtp_header(flags, std::size_t(_in_frames.payload_left()));
            _in_flags_pending = false;
        } else if (_in_streaming) {
            n = std::min(n, size - produced);
            _in_frames.take_payload(buf + produced, src, n);
            produced += n;
        } else {
            std::vector<unsigned char> &into =
                _in_frames.header().is_control() ? _in_control : _in_message;
            const std::size_t at = into.size();
            into.insert(into.end(), src, src + n);
            _in_frames.take_payload(into.data() + at, into.data() + at, n);
        }
        _raw_pos += n;
        if (_in_frames.payload_left() == 0 && !on_frame_end())
            return false;
    }
    return true;
}

} // namespace zlink
