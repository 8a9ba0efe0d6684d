#include "protocol/mechanisms/null_mechanism.hpp"

#include <cerrno>

#include <zmq.h>

namespace zlink {

null_mechanism_t::null_mechanism_t(const mechanism_options &options, zap_client *zap)
    : mechanism_t(options, zap) {}

// After a ZAP denial with 400/500 an ERROR command is still owed to the peer.
bool null_mechanism_t::error_pending() const {
    return _zap_state == zap_done && !_error_sent && _failure == handshake_failure::auth &&
           (_zap_status == "400" || _zap_status == "500");
}

int null_mechanism_t::next_handshake_command(msg_t *msg) {
    if (_ready_sent || _error_sent) {
        errno = EAGAIN;
        return -1;
    }
    if (error_pending()) {
        if (make_zap_error(msg) != 0)
            return -1;
        _error_sent = true;
        return 0;
    }
    if (_failure != handshake_failure::none) {
        errno = EAGAIN;
        return -1;
    }
    // libzmq asks ZAP for NULL only when a ZAP domain is configured.
    const bool zap_needed = !_options.zap_domain.empty() && !_zap_skipped;
    if (zap_needed && _zap_state == zap_idle) {
        if (!send_zap_request({})) {
            if (_options.zap_enforce_domain)
                return fail_no_detail(EFAULT);
            _zap_skipped = true;
        }
    }
    if (!_zap_skipped && _zap_state == zap_waiting) {
        errno = EAGAIN;
        return -1;
    }
    // The reply may have been a denial delivered synchronously.
    if (error_pending())
        return next_handshake_command(msg);
    if (_failure != handshake_failure::none) {
        errno = EAGAIN;
        return -1;
    }
    if (make_metadata_command(msg, "READY") != 0)
        return -1;
    _ready_sent = true;
    return 0;
}

int null_mechanism_t::process_handshake_command(msg_t *msg) {
    if (_command_received)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    zmtp_command_view cmd;
    if (!zmtp_parse_command(*msg, &cmd))
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    int rc;
    if (cmd.is("READY")) {
        _command_received = true;
        rc = accept_peer_metadata(cmd.data, cmd.size);
        if (rc == 0)
            _ready_received = true;
    } else if (cmd.is("ERROR")) {
        _command_received = true;
        rc = process_error(cmd);
    } else {
        rc = fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    }
    if (rc == 0)
        clear(msg);
    return rc;
}

mechanism_status null_mechanism_t::status() const {
    if (_failure != handshake_failure::none)
        return error_pending() ? mechanism_status::handshaking : mechanism_status::error;
    if (_ready_sent && _ready_received)
        return mechanism_status::ready;
    return mechanism_status::handshaking;
}

std::unique_ptr<mechanism_t> make_null_mechanism(const options_t &, const mechanism_options &common,
                                                 zap_client *zap) {
    return std::make_unique<null_mechanism_t>(common, zap);
}

} // namespace zlink
