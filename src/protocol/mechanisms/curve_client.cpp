// CURVE client: HELLO, WELCOME, INITIATE (with the vouch), READY.
#include "protocol/mechanisms/curve_mechanism.hpp"

#ifdef ZLINK_HAVE_CURVE

#include <cerrno>
#include <cstring>
#include <vector>

#include <sodium.h>
#include <zmq.h>

#include "protocol/zmtp_commands.hpp"
#include "protocol/zmtp_wire.hpp"

namespace zlink {

namespace {

// Command data sizes (after the name): RFC 26 as libzmq 4.3 sends them.
constexpr size_t hello_size = 2 + 72 + 32 + 8 + 80; // 194 (+ "\x05HELLO")
constexpr size_t welcome_size = 16 + 144;           // 160 (+ "\x07WELCOME")
constexpr size_t cookie_size = 96;
constexpr size_t vouch_size = 16 + 80;
constexpr size_t ready_min_size = 8 + crypto_box_MACBYTES;

} // namespace

curve_client_t::curve_client_t(const mechanism_options &options, const options_t &keys)
    : curve_mechanism_t(options, nullptr, true) {
    std::memcpy(_public, keys.curve_public_key, curve_key_size);
    std::memcpy(_secret, keys.curve_secret_key, curve_key_size);
    std::memcpy(_server, keys.curve_server_key, curve_key_size);
}

curve_client_t::~curve_client_t() { sodium_memzero(_secret, sizeof _secret); }

int curve_client_t::next_handshake_command(msg_t *msg) {
    if (_failure != handshake_failure::none) {
        errno = EAGAIN;
        return -1;
    }
    if (!crypto_ok())
        return fail_no_detail(ENOTSUP);
    if (_state == sending_hello) {
        if (make_hello(msg) != 0)
            return -1;
        _state = waiting_for_welcome;
        return 0;
    }
    if (_state == sending_initiate) {
        if (make_initiate(msg) != 0)
            return -1;
        _state = waiting_for_ready;
        return 0;
    }
    errno = EAGAIN;
    return -1;
}

// HELLO: version 1.0, 72 bytes of padding (the reply is never bigger than
// the request), C', short nonce, Box[64 zeros](C'->S).
int curve_client_t::make_hello(msg_t *msg) {
    uint8_t body[hello_size] = {};
    body[0] = 1;
    body[1] = 0;
    std::memcpy(body + 74, _short_public, curve_key_size);
    zmtp_put_u64(body + 106, next_nonce());
    uint8_t nonce[24];
    full_nonce(nonce, "CurveZMQHELLO---", body + 106);
    const uint8_t zeros[64] = {};
    if (crypto_box_easy(body + 114, zeros, sizeof zeros, nonce, _server, _short_secret) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    return zmtp_make_command(msg, "HELLO", body, sizeof body);
}

// WELCOME: 16-byte nonce, Box[S' cookie](S->C').
int curve_client_t::process_welcome(const zmtp_command_view &cmd) {
    if (cmd.size != welcome_size)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME);
    uint8_t nonce[24];
    long_nonce(nonce, "WELCOME-", cmd.data);
    uint8_t plain[curve_key_size + cookie_size];
    if (crypto_box_open_easy(plain, cmd.data + 16, welcome_size - 16, nonce, _server,
                             _short_secret) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    std::memcpy(_server_short, plain, curve_key_size);
    std::memcpy(_cookie, plain + curve_key_size, cookie_size);
    if (crypto_box_beforenm(_precomputed, _server_short, _short_secret) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    message_keys_ready();
    _state = sending_initiate;
    return 0;
}

// INITIATE: cookie, short nonce, Box[C vouch metadata](C'->S') where
// vouch = 16-byte nonce + Box[C' S](C->S').
int curve_client_t::make_initiate(msg_t *msg) {
    const std::string metadata = our_metadata();
    const size_t plain_size = curve_key_size + vouch_size + metadata.size();
    std::vector<uint8_t> body(cookie_size + 8 + crypto_box_MACBYTES + plain_size);
    uint8_t *p = body.data();
    std::memcpy(p, _cookie, cookie_size);
    zmtp_put_u64(p + cookie_size, next_nonce());

    // The plaintext is assembled where its box goes, then boxed in place.
    uint8_t *plain = p + cookie_size + 8 + crypto_box_MACBYTES;
    std::memcpy(plain, _public, curve_key_size);
    uint8_t *vouch = plain + curve_key_size;
    randombytes_buf(vouch, 16);
    uint8_t vouch_plain[2 * curve_key_size];
    std::memcpy(vouch_plain, _short_public, curve_key_size);
    std::memcpy(vouch_plain + curve_key_size, _server, curve_key_size);
    uint8_t nonce[24];
    long_nonce(nonce, "VOUCH---", vouch);
    if (crypto_box_easy(vouch + 16, vouch_plain, sizeof vouch_plain, nonce, _server_short,
                        _secret) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    if (!metadata.empty())
        std::memcpy(plain + curve_key_size + vouch_size, metadata.data(), metadata.size());

    full_nonce(nonce, "CurveZMQINITIATE", p + cookie_size);
    crypto_box_detached_afternm(plain, p + cookie_size + 8, plain, plain_size, nonce, _precomputed);
    return zmtp_make_command(msg, "INITIATE", body.data(), body.size());
}

// READY: short nonce, Box[metadata](S'->C').
int curve_client_t::process_ready(const zmtp_command_view &cmd) {
    if (cmd.size < ready_min_size)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY);
    uint8_t nonce[24];
    full_nonce(nonce, "CurveZMQREADY---", cmd.data);
    std::vector<uint8_t> plain(cmd.size - ready_min_size);
    if (crypto_box_open_easy_afternm(plain.data(), cmd.data + 8, cmd.size - 8, nonce,
                                     _precomputed) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    _peer_nonce = zmtp_get_u64(cmd.data);
    if (accept_peer_metadata(plain.data(), plain.size()) != 0)
        return -1;
    _state = ready;
    return 0;
}

int curve_client_t::process_handshake_command(msg_t *msg) {
    if (_failure != handshake_failure::none)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    zmtp_command_view cmd;
    if (!zmtp_parse_command(*msg, &cmd))
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    int rc;
    if (cmd.is("WELCOME") && _state == waiting_for_welcome)
        rc = process_welcome(cmd);
    else if (cmd.is("READY") && _state == waiting_for_ready)
        rc = process_ready(cmd);
    else if (cmd.is("ERROR") && (_state == waiting_for_welcome || _state == waiting_for_ready))
        rc = process_error(cmd);
    else
        rc = fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    if (rc == 0)
        clear(msg);
    return rc;
}

mechanism_status curve_client_t::status() const {
    if (_failure != handshake_failure::none)
        return mechanism_status::error;
    return _state == ready ? mechanism_status::ready : mechanism_status::handshaking;
}

} // namespace zlink

#endif // ZLINK_HAVE_CURVE
