#include "transports/ws/ws_stream.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <zmq.h>

#include "transports/ws/ws_handshake.hpp"

namespace zlink {

namespace asio = boost::asio;

namespace {

boost::system::error_code system_error(int err) {
    return boost::system::error_code(err, asio::error::get_system_category());
}

constexpr std::size_t max_handshake_size = 8192;

ws_frame_parser_t::config_t frame_rules(const ws_stream_t::config_t &config) {
    ws_frame_parser_t::config_t rules;
    rules.expect_masked = config.role == ws_stream_t::role_t::server; // clients mask
    // A fragmented message is collected whole: ZMQ_MAXMSGSIZE bounds it (+1: flags).
    if (config.max_message >= 0)
        rules.max_fragmented = uint64_t(config.max_message) + 1;
    return rules;
}

} // namespace

ws_stream_t::ws_stream_t(asio::io_context &io, std::unique_ptr<i_asio_transport> inner,
                         config_t config)
    : _inner(std::move(inner)), _config(std::move(config)), _io(io),
      _shared(std::make_shared<shared_t>()), _rng(std::random_device{}()),
      _raw(new unsigned char[raw_size]), _in_frames(frame_rules(_config)) {}

ws_stream_t::~ws_stream_t() { close(); }

std::string ws_stream_t::local_endpoint() const {
    const std::string inner = _inner->local_endpoint();
    const std::size_t colon = inner.find("://");
    if (colon == std::string::npos)
        return inner;
    return _config.scheme + inner.substr(colon) + _config.path;
}

uint16_t ws_stream_t::handshake_failure_event(uint64_t &value) const {
    if (_failure_event) {
        value = ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED;
        return _failure_event;
    }
    return _inner->handshake_failure_event(value);
}

void ws_stream_t::fail(error_code &ec) {
    if (!_failure_event)
        _failure_event = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;
    _error = system_error(EPROTO);
    ec = _error;
}

void ws_stream_t::handshake_done(const std::string &protocol) {
    _hs_done = true;
    _hs_wants_write = false;
    _bare = protocol == "ZWS2.0";
    _sniff_bare = _config.role == role_t::client && protocol == "ZWS2.0/NULL";
    const std::size_t slash = protocol.find('/');
    push_peer_greeting(slash == std::string::npos ? "NULL" : protocol.c_str() + slash + 1);
    // Bytes after the HTTP header are the first frames.
    _raw_pos = 0;
    _raw_end = std::min(_hs_in.size(), raw_size);
    std::memcpy(_raw.get(), _hs_in.data(), _raw_end);
    _hs_in.clear();
    if (auto writer = std::move(_shared->parked_writer)) {
        _shared->parked_writer = nullptr;
        asio::post(_io, [writer = std::move(writer)] { writer(error_code()); });
    }
}

bool ws_stream_t::handshake(error_code &ec) {
    if (_refusing) {
        flush(ec);
        if (!ec && pending_out() == 0)
            fail(ec);
        _hs_wants_write = ec == asio::error::would_block;
        return false;
    }
    return _config.role == role_t::client ? client_handshake_step(ec) : server_handshake_step(ec);
}

bool ws_stream_t::client_handshake_step(error_code &ec) {
    const std::vector<std::string> offered = ws_client_protocols(_config.mechanism);
    if (!_hs_request_sent) {
        if (offered.empty()) { // a mechanism without a ZWS subprotocol
            fail(ec);
            return false;
        }
        _hs_key = ws_make_key();
        const std::string request = ws_client_request(_config.host, _config.path, _hs_key, offered);
        _out.insert(_out.end(), request.begin(), request.end());
        _hs_request_sent = true;
    }
    if (pending_out()) {
        flush(ec);
        if (ec) {
            _hs_wants_write = ec == asio::error::would_block;
            return false;
        }
    }
    _hs_wants_write = false;
    for (;;) {
        ws_response_t res;
        std::size_t used = 0;
        const ws_parse_status st = ws_parse_response(_hs_in.data(), _hs_in.size(), used, res);
        if (st == ws_parse_status::ok) {
            const bool offered_it =
                std::find(offered.begin(), offered.end(), res.protocol) != offered.end();
            if (res.status != 101 || res.accept != ws_accept_for(_hs_key) || !offered_it) {
                fail(ec);
                return false;
            }
            _hs_in.erase(0, used);
            handshake_done(res.protocol);
            return true;
        }
        if (st == ws_parse_status::bad || _hs_in.size() > max_handshake_size) {
            fail(ec);
            return false;
        }
        char chunk[4096];
        const std::size_t n = _inner->try_read(asio::buffer(chunk), ec);
        if (ec)
            return false;
        _hs_in.append(chunk, n);
    }
}

bool ws_stream_t::server_handshake_step(error_code &ec) {
    _hs_wants_write = false;
    _hs_preloaded = false;
    for (;;) {
        if (!_hs_in.empty()) {
            ws_request_t req;
            std::size_t used = 0;
            const ws_parse_status st = ws_parse_request(_hs_in.data(), _hs_in.size(), used, req);
            std::string refusal;
            if (st == ws_parse_status::ok) {
                const std::string protocol = ws_choose_protocol(_config.mechanism, req.protocols);
                if (req.path != _config.path) {
                    refusal = ws_server_refusal(404, "Not Found");
                } else if (protocol.empty()) {
                    refusal = ws_server_refusal(400, "No Supported ZWS Subprotocol");
                } else {
                    const std::string reply = ws_server_accept(req.key, protocol);
                    _out.insert(_out.end(), reply.begin(), reply.end());
                    _hs_in.erase(0, used);
                    handshake_done(protocol);
                    flush(ec); // what the kernel does not take waits for writability
                    if (ec == asio::error::would_block)
                        ec.clear();
                    arm_flusher();
                    return !ec;
                }
            } else if (st == ws_parse_status::bad || _hs_in.size() > max_handshake_size) {
                // Only an HTTP client can read an answer (a ZMTP one would
                // take it for a ZMTP 1.0 peer): the others are just closed.
                if (!std::isalpha(static_cast<unsigned char>(_hs_in[0]))) {
                    fail(ec);
                    return false;
                }
                refusal = ws_server_refusal(400, "Bad Request");
            }
            if (!refusal.empty()) {
                _refusing = true;
                _out.insert(_out.end(), refusal.begin(), refusal.end());
                return handshake(ec);
            }
        }
        char chunk[4096];
        const std::size_t n = _inner->try_read(asio::buffer(chunk), ec);
        if (ec)
            return false;
        _hs_in.append(chunk, n);
    }
}

void ws_stream_t::flush(error_code &ec) {
    ec.clear();
    if (_ready_held && pending_out() > 0) { // nothing may go before our first command
        ec = asio::error::would_block;
        return;
    }
    while (pending_out() > 0) {
        const asio::const_buffer buf(_out.data() + _out_pos, pending_out());
        const std::size_t n = _inner->try_write(&buf, 1, ec);
        _out_pos += n;
        if (ec) {
            if (ec != asio::error::would_block)
                _error = ec;
            return;
        }
        if (n == 0) {
            ec = asio::error::would_block;
            return;
        }
    }
    _out.clear();
    _out_pos = 0;
}

// Bytes the engine was told are written but still wait here: written when
// the kernel takes them, whether or not the engine writes again.
void ws_stream_t::arm_flusher() {
    if (_flusher_armed || pending_out() == 0 || _error || _ready_held)
        return;
    _flusher_armed = true;
    _inner->async_wait_writable([this, shared = _shared](const error_code &ec) {
        if (!shared->alive)
            return;
        _flusher_armed = false;
        if (ec)
            return;
        error_code flush_ec;
        flush(flush_ec);
        arm_flusher();
    });
}

std::size_t ws_stream_t::try_write(const asio::const_buffer *bufs, std::size_t count,
                                   error_code &ec) {
    ec.clear();
    if (_error) {
        ec = _error;
        return 0;
    }
    if (!_hs_done && !handshake(ec))
        return 0;
    if (pending_out() > 0 && !_ready_held) { // held output is no reason to refuse more
        flush(ec);
        if (ec)
            return 0;
    }
    std::size_t total = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t size = bufs[i].size();
        const std::size_t n =
            translate_out(static_cast<const unsigned char *>(bufs[i].data()), size);
        total += n;
        if (n < size)
            break;
    }
    flush(ec);
    if (ec && ec != asio::error::would_block && total == 0)
        return 0;
    ec.clear(); // a later call reports a broken connection (_error)
    arm_flusher();
    return total;
}

std::size_t ws_stream_t::try_read(asio::mutable_buffer buf, error_code &ec) {
    ec.clear();
    if (_error) {
        ec = _error;
        return 0;
    }
    if (!_hs_done && !handshake(ec))
        return 0;
    for (;;) {
        std::size_t produced = 0;
        const bool ok =
            translate_in(static_cast<unsigned char *>(buf.data()), buf.size(), produced);
        if (!ok)
            _error = system_error(EPROTO);
        if (pending_out() > 0) { // a pong or close reply
            error_code ignored;
            flush(ignored);
            arm_flusher();
        }
        if (produced > 0 || buf.size() == 0)
            return produced;
        if (_error) {
            ec = _error;
            return 0;
        }
        if (_close_received) {
            ec = asio::error::eof;
            return 0;
        }
        _raw_pos = _raw_end = 0;
        _raw_end = _inner->try_read(asio::buffer(_raw.get(), raw_size), ec);
        if (ec)
            return 0;
    }
}

bool ws_stream_t::has_input_for_engine() const {
    return _synth_pos < _synth.size() || _raw_pos < _raw_end || _close_received || _error;
}

void ws_stream_t::async_wait_readable(wait_handler_t handler) {
    if ((_hs_done && has_input_for_engine()) || _error || _hs_preloaded) {
        asio::post(_io, [shared = _shared, handler = std::move(handler)] {
            handler(shared->alive ? error_code() : error_code(asio::error::operation_aborted));
        });
        return;
    }
    if (!_hs_done && _hs_wants_write)
        _inner->async_wait_writable(std::move(handler));
    else
        _inner->async_wait_readable(std::move(handler));
}

void ws_stream_t::async_wait_writable(wait_handler_t handler) {
    if (_hs_done || _hs_wants_write || _error || _hs_preloaded) {
        _inner->async_wait_writable(std::move(handler));
        return;
    }
    // The upgrade waits for the peer: so does the writer, until the upgrade
    // is over (handshake_done posts it) or the peer sends something.
    _shared->parked_writer = std::move(handler);
    _inner->async_wait_readable([shared = _shared](const error_code &ec) {
        if (auto writer = std::move(shared->parked_writer)) {
            shared->parked_writer = nullptr;
            writer(shared->alive ? ec : error_code(asio::error::operation_aborted));
        }
    });
}

void ws_stream_t::async_read_some(asio::mutable_buffer buf, handler_t handler) {
    error_code ec;
    const std::size_t n = try_read(buf, ec);
    if (ec != asio::error::would_block) {
        asio::post(_io, [handler = std::move(handler), ec, n] { handler(ec, n); });
        return;
    }
    async_wait_readable([this, shared = _shared, buf,
                         handler = std::move(handler)](const error_code &wait_ec) mutable {
        if (wait_ec || !shared->alive)
            return handler(wait_ec ? wait_ec : asio::error::operation_aborted, 0);
        async_read_some(buf, std::move(handler));
    });
}

void ws_stream_t::async_write_some(asio::const_buffer buf, handler_t handler) {
    error_code ec;
    const std::size_t n = try_write(&buf, 1, ec);
    if (n > 0 || ec != asio::error::would_block) {
        if (n > 0)
            ec.clear();
        asio::post(_io, [handler = std::move(handler), ec, n] { handler(ec, n); });
        return;
    }
    async_wait_writable([this, shared = _shared, buf,
                         handler = std::move(handler)](const error_code &wait_ec) mutable {
        if (wait_ec || !shared->alive)
            return handler(wait_ec ? wait_ec : asio::error::operation_aborted, 0);
        async_write_some(buf, std::move(handler));
    });
}

void ws_stream_t::close() {
    if (!_shared->alive)
        return;
    _shared->alive = false;
    // Best effort: a close frame (1000, normal) if the stream is at a frame
    // boundary and nothing else waits, so a browser sees a clean close.
    if (_hs_done && !_error && !_close_sent && _out_state == out_state_t::flags &&
        pending_out() == 0) {
        _close_sent = true;
        const unsigned char status[2] = {0x03, 0xe8};
        emit_message(0x8, status, sizeof status);
        error_code ignored;
        flush(ignored);
    }
    _inner->close();
}

} // namespace zlink
