#include "protocol/mechanisms/mechanism.hpp"

#include <cerrno>

#include <zmq.h>

#include "protocol/mechanisms/zap_client.hpp"
#include "protocol/zmtp_socket_type.hpp"

namespace zlink {

mechanism_t::mechanism_t(const mechanism_options &options, zap_client *zap)
    : _options(options), _zap(zap) {}

void mechanism_t::clear(msg_t *msg) {
    if (msg->check())
        msg->close();
    msg->init();
}

int mechanism_t::fail_protocol(int code) {
    if (_failure == handshake_failure::none) {
        _failure = handshake_failure::protocol;
        _failure_code = code;
    }
    errno = EPROTO;
    return -1;
}

int mechanism_t::fail_auth(int status_code) {
    if (_failure == handshake_failure::none) {
        _failure = handshake_failure::auth;
        _failure_code = status_code;
    }
    errno = EPROTO;
    return -1;
}

int mechanism_t::fail_no_detail(int err) {
    if (_failure == handshake_failure::none) {
        _failure = handshake_failure::no_detail;
        _failure_code = err;
    }
    errno = err;
    return -1;
}

int mechanism_t::accept_peer_metadata(const unsigned char *data, size_t size) {
    metadata_t::dict_t props;
    std::string socket_type, routing_id;
    bool have_type = false;
    const auto rc = zmtp_parse_metadata(data, size, [&](std::string n, std::string v) {
        if (zmtp_name_equals(n, zmtp_prop_socket_type)) {
            have_type = true;
            socket_type = v;
        } else if (zmtp_name_equals(n, zmtp_prop_identity)) {
            routing_id = v;
        }
        props[std::move(n)] = std::move(v);
        return true;
    });
    // A missing Socket-Type is as wrong as a mismatched one: the RFC makes
    // it mandatory and the peer type decides the message semantics.
    if (rc != zmtp_metadata_error::ok || !have_type ||
        !zmtp_socket_types_compatible(_options.socket_type, socket_type))
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    _peer_props = std::move(props);
    _peer_socket_type = std::move(socket_type);
    _peer_routing_id = std::move(routing_id);
    return 0;
}

int mechanism_t::process_error(const zmtp_command_view &cmd) {
    std::string reason;
    if (!zmtp_parse_error(cmd, &reason))
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR);
    _peer_error = reason;
    // "300", "400", "500": the peer's ZAP handler refused us.
    if (reason.size() == 3 && reason[0] >= '3' && reason[0] <= '5' && reason[1] == '0' &&
        reason[2] == '0')
        return fail_auth((reason[0] - '0') * 100);
    if (_failure == handshake_failure::none)
        _failure = handshake_failure::peer_error;
    errno = EPROTO;
    return -1;
}

int mechanism_t::make_metadata_command(msg_t *msg, const char *name) const {
    return zmtp_make_metadata_command(
        msg, name,
        zmtp_ready_properties(_options.socket_type, _options.routing_id, _options.user_metadata));
}

int mechanism_t::make_zap_error(msg_t *msg) const { return zmtp_make_error(msg, _zap_status); }

bool mechanism_t::send_zap_request(const std::vector<std::string> &credentials) {
    if (!_zap)
        return false;
    // Set before calling: the reply may arrive from inside request().
    _zap_state = zap_waiting;
    if (!_zap->request(_options.zap_domain, _options.peer_address, _options.routing_id, name(),
                       credentials)) {
        _zap_state = zap_idle;
        return false;
    }
    return true;
}

int mechanism_t::zap_reply(const std::string &status_code, const std::string &user_id,
                           const metadata_t::dict_t &metadata) {
    if (_zap_state != zap_waiting) {
        errno = EINVAL;
        return -1;
    }
    _zap_state = zap_done;
    if (status_code != "200" && status_code != "300" && status_code != "400" &&
        status_code != "500")
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE);
    _zap_status = status_code;
    if (status_code == "200") {
        _user_id = user_id;
        _zap_props = metadata;
    } else {
        fail_auth((status_code[0] - '0') * 100);
    }
    // A denial is a valid reply: return 0 so the engine goes on to fetch the
    // ERROR command (next_handshake_command) and then sees status() error.
    on_zap_reply();
    return 0;
}

void mechanism_t::zap_failed(int protocol_error) {
    if (_zap_state == zap_waiting)
        _zap_state = zap_done;
    fail_protocol(protocol_error);
}

metadata_t::dict_t mechanism_t::message_properties() const {
    metadata_t::dict_t all = _peer_props;
    for (const auto &kv : _zap_props)
        all[kv.first] = kv.second;
    if (!_user_id.empty())
        all["User-Id"] = _user_id;
    return all;
}

} // namespace zlink
