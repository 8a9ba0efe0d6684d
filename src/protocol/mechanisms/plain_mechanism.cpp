#include "protocol/mechanisms/plain_mechanism.hpp"

#include <cerrno>

#include <zmq.h>

namespace zlink {

// ---- client ----

plain_client_t::plain_client_t(const mechanism_options &options) : mechanism_t(options, nullptr) {}

int plain_client_t::next_handshake_command(msg_t *msg) {
    if (_failure != handshake_failure::none) {
        errno = EAGAIN;
        return -1;
    }
    if (_state == sending_hello) {
        const std::string &user = _options.plain_username;
        const std::string &pass = _options.plain_password;
        if (user.size() > 255 || pass.size() > 255)
            return fail_no_detail(EINVAL);
        std::string body;
        body.push_back(static_cast<char>(user.size()));
        body += user;
        body.push_back(static_cast<char>(pass.size()));
        body += pass;
        if (zmtp_make_command(msg, "HELLO", body.data(), body.size()) != 0)
            return -1;
        _state = waiting_for_welcome;
        return 0;
    }
    if (_state == sending_initiate) {
        if (make_metadata_command(msg, "INITIATE") != 0)
            return -1;
        _state = waiting_for_ready;
        return 0;
    }
    errno = EAGAIN;
    return -1;
}

int plain_client_t::process_handshake_command(msg_t *msg) {
    if (_failure != handshake_failure::none)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    zmtp_command_view cmd;
    if (!zmtp_parse_command(*msg, &cmd))
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    int rc;
    if (cmd.is("WELCOME") && _state == waiting_for_welcome) {
        if (cmd.size != 0)
            return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME);
        _state = sending_initiate;
        rc = 0;
    } else if (cmd.is("READY") && _state == waiting_for_ready) {
        rc = accept_peer_metadata(cmd.data, cmd.size);
        if (rc == 0)
            _state = ready;
    } else if (cmd.is("ERROR") && (_state == waiting_for_welcome || _state == waiting_for_ready)) {
        rc = process_error(cmd);
    } else {
        rc = fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    }
    if (rc == 0)
        clear(msg);
    return rc;
}

mechanism_status plain_client_t::status() const {
    if (_failure != handshake_failure::none)
        return mechanism_status::error;
    return _state == ready ? mechanism_status::ready : mechanism_status::handshaking;
}

// ---- server ----

plain_server_t::plain_server_t(const mechanism_options &options, zap_client *zap)
    : mechanism_t(options, zap) {}

int plain_server_t::next_handshake_command(msg_t *msg) {
    int rc;
    switch (_state) {
    case sending_welcome:
        rc = zmtp_make_command(msg, "WELCOME", nullptr, 0);
        if (rc == 0)
            _state = waiting_for_initiate;
        return rc;
    case sending_ready:
        rc = make_metadata_command(msg, "READY");
        if (rc == 0)
            _state = ready;
        return rc;
    case sending_error:
        rc = make_zap_error(msg);
        if (rc == 0)
            _state = error_sent;
        return rc;
    default:
        errno = EAGAIN;
        return -1;
    }
}

int plain_server_t::process_hello(const zmtp_command_view &cmd) {
    // HELLO body: username-length username password-length password, and
    // nothing after the password.
    const unsigned char *p = cmd.data;
    size_t left = cmd.size;
    if (left < 1 || size_t(p[0]) > left - 1)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    std::string user(reinterpret_cast<const char *>(p + 1), p[0]);
    left -= 1 + p[0];
    p += 1 + p[0];
    if (left < 1 || size_t(p[0]) != left - 1)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    std::string pass(reinterpret_cast<const char *>(p + 1), p[0]);

    // Set first: the ZAP reply may arrive from inside the request.
    _state = waiting_for_zap_reply;
    if (!send_zap_request({user, pass})) {
        _state = error_sent;
        return fail_no_detail(EFAULT);
    }
    return 0;
}

void plain_server_t::on_zap_reply() {
    if (_state != waiting_for_zap_reply)
        return;
    if (_zap_status == "200")
        _state = sending_welcome;
    else if (_zap_status == "300")
        _state = error_sent; // temporary failure: disconnect without ERROR
    else
        _state = sending_error;
}

int plain_server_t::process_handshake_command(msg_t *msg) {
    zmtp_command_view cmd;
    if (!zmtp_parse_command(*msg, &cmd))
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    int rc;
    if (_state == waiting_for_hello && cmd.is("HELLO")) {
        rc = process_hello(cmd);
    } else if (_state == waiting_for_initiate && cmd.is("INITIATE")) {
        rc = accept_peer_metadata(cmd.data, cmd.size);
        if (rc == 0)
            _state = sending_ready;
    } else {
        rc = fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    }
    if (rc == 0)
        clear(msg);
    return rc;
}

mechanism_status plain_server_t::status() const {
    if (_state == ready)
        return mechanism_status::ready;
    if (_state == error_sent)
        return mechanism_status::error;
    if (_failure != handshake_failure::none && _state != sending_error)
        return mechanism_status::error;
    return mechanism_status::handshaking;
}

std::unique_ptr<mechanism_t>
make_plain_mechanism(const options_t &options, const mechanism_options &common, zap_client *zap) {
    if (options.as_server)
        return std::make_unique<plain_server_t>(common, zap);
    return std::make_unique<plain_client_t>(common);
}

} // namespace zlink
