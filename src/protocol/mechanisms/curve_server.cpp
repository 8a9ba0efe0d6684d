// CURVE server: HELLO, WELCOME (with the cookie), INITIATE (vouch, ZAP),
// READY or ERROR.
#include "protocol/mechanisms/curve_mechanism.hpp"

#ifdef ZLINK_HAVE_CURVE

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <sodium.h>
#include <zmq.h>

#include "protocol/zmtp_commands.hpp"
#include "protocol/zmtp_wire.hpp"

namespace zlink {

namespace {

constexpr size_t hello_size = 2 + 72 + 32 + 8 + 80; // 194 (+ "\x05HELLO")
constexpr size_t cookie_size = 16 + 80;
constexpr size_t vouch_size = 16 + 80;
// cookie, short nonce, MAC, C, vouch: 248 (+ "\x08INITIATE").
constexpr size_t initiate_min_size = cookie_size + 8 + 16 + 32 + vouch_size;

} // namespace

curve_server_t::curve_server_t(const mechanism_options &options, const options_t &keys,
                               zap_client *zap)
    : curve_mechanism_t(options, zap, false) {
    std::memcpy(_secret, keys.curve_secret_key, curve_key_size);
    if (crypto_ok())
        crypto_scalarmult_base(_public, _secret);
}

curve_server_t::~curve_server_t() {
    sodium_memzero(_secret, sizeof _secret);
    sodium_memzero(_cookie_key, sizeof _cookie_key);
}

int curve_server_t::next_handshake_command(msg_t *msg) {
    int rc;
    switch (_state) {
    case sending_welcome:
        rc = make_welcome(msg);
        if (rc == 0)
            _state = waiting_for_initiate;
        return rc;
    case sending_ready:
        rc = make_ready(msg);
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

// HELLO: version, padding, C', short nonce, Box[64 zeros](C'->S).
int curve_server_t::process_hello(const zmtp_command_view &cmd) {
    if (!crypto_ok())
        return fail_no_detail(ENOTSUP);
    if (cmd.size != hello_size)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    if (cmd.data[0] != 1 || cmd.data[1] != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    std::memcpy(_client_short, cmd.data + 74, curve_key_size);
    uint8_t nonce[24];
    full_nonce(nonce, "CurveZMQHELLO---", cmd.data + 106);
    uint8_t zeros[64];
    if (crypto_box_open_easy(zeros, cmd.data + 114, 80, nonce, _client_short, _secret) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    if (crypto_box_beforenm(_precomputed, _client_short, _short_secret) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    message_keys_ready();
    _peer_nonce = zmtp_get_u64(cmd.data + 106);
    _state = sending_welcome;
    return 0;
}

// WELCOME: 16-byte nonce, Box[S' cookie](S->C'); the cookie is
// 16-byte nonce + SecretBox[C' s'](K) with K fresh for this connection.
int curve_server_t::make_welcome(msg_t *msg) {
    uint8_t plain[curve_key_size + cookie_size];
    std::memcpy(plain, _short_public, curve_key_size);
    uint8_t *cookie = plain + curve_key_size;
    crypto_secretbox_keygen(_cookie_key);
    randombytes_buf(cookie, 16);
    uint8_t cookie_plain[2 * curve_key_size];
    std::memcpy(cookie_plain, _client_short, curve_key_size);
    std::memcpy(cookie_plain + curve_key_size, _short_secret, curve_key_size);
    uint8_t nonce[24];
    long_nonce(nonce, "COOKIE--", cookie);
    crypto_secretbox_easy(cookie + 16, cookie_plain, sizeof cookie_plain, nonce, _cookie_key);
    sodium_memzero(cookie_plain, sizeof cookie_plain);

    uint8_t body[16 + sizeof plain + crypto_box_MACBYTES];
    randombytes_buf(body, 16);
    long_nonce(nonce, "WELCOME-", body);
    if (crypto_box_easy(body + 16, plain, sizeof plain, nonce, _client_short, _secret) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    return zmtp_make_command(msg, "WELCOME", body, sizeof body);
}

// INITIATE: cookie, short nonce, Box[C vouch metadata](C'->S').
int curve_server_t::process_initiate(const zmtp_command_view &cmd) {
    if (cmd.size < initiate_min_size)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    // The cookie must be ours and name this connection's C' and s'.
    uint8_t nonce[24];
    long_nonce(nonce, "COOKIE--", cmd.data);
    uint8_t cookie_plain[2 * curve_key_size];
    if (crypto_secretbox_open_easy(cookie_plain, cmd.data + 16, cookie_size - 16, nonce,
                                   _cookie_key) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    const bool cookie_matches =
        sodium_memcmp(cookie_plain, _client_short, curve_key_size) == 0 &&
        sodium_memcmp(cookie_plain + curve_key_size, _short_secret, curve_key_size) == 0;
    sodium_memzero(cookie_plain, sizeof cookie_plain);
    if (!cookie_matches)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);

    const unsigned char *short_nonce = cmd.data + cookie_size;
    full_nonce(nonce, "CurveZMQINITIATE", short_nonce);
    const size_t box_size = cmd.size - cookie_size - 8;
    std::vector<uint8_t> plain(box_size - crypto_box_MACBYTES);
    if (crypto_box_open_easy_afternm(plain.data(), short_nonce + 8, box_size, nonce,
                                     _precomputed) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    const uint8_t *client_long = plain.data();
    const uint8_t *vouch = client_long + curve_key_size;

    // The vouch: the client's long-term key stands behind C' for this S.
    long_nonce(nonce, "VOUCH---", vouch);
    uint8_t vouch_plain[2 * curve_key_size];
    if (crypto_box_open_easy(vouch_plain, vouch + 16, vouch_size - 16, nonce, client_long,
                             _short_secret) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    if (sodium_memcmp(vouch_plain, _client_short, curve_key_size) != 0 ||
        sodium_memcmp(vouch_plain + curve_key_size, _public, curve_key_size) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE);
    _peer_nonce = zmtp_get_u64(short_nonce);

    const size_t header = curve_key_size + vouch_size;
    if (accept_peer_metadata(plain.data() + header, plain.size() - header) != 0)
        return -1;

    // Set first: the ZAP reply may arrive from inside the request.
    _state = waiting_for_zap_reply;
    const std::string credential(reinterpret_cast<const char *>(client_long), curve_key_size);
    if (!send_zap_request({credential})) {
        // No handler: encryption without authentication ("Stonehouse"),
        // unless enforced for a domain (libzmq ignores the flag without one).
        if (_options.zap_enforce_domain && !_options.zap_domain.empty()) {
            _state = error_sent;
            return fail_no_detail(EFAULT);
        }
        _state = sending_ready;
    }
    return 0;
}

void curve_server_t::on_zap_reply() {
    if (_state != waiting_for_zap_reply)
        return;
    if (_zap_status == "200")
        _state = sending_ready;
    else if (_zap_status == "300")
        _state = error_sent; // temporary failure: disconnect without ERROR
    else
        _state = sending_error;
}

// READY: short nonce, Box[metadata](S'->C').
int curve_server_t::make_ready(msg_t *msg) {
    const std::string metadata = our_metadata();
    std::vector<uint8_t> body(8 + crypto_box_MACBYTES + metadata.size());
    zmtp_put_u64(body.data(), next_nonce());
    uint8_t *plain = body.data() + 8 + crypto_box_MACBYTES;
    if (!metadata.empty())
        std::memcpy(plain, metadata.data(), metadata.size());
    uint8_t nonce[24];
    full_nonce(nonce, "CurveZMQREADY---", body.data());
    crypto_box_detached_afternm(plain, body.data() + 8, plain, metadata.size(), nonce,
                                _precomputed);
    return zmtp_make_command(msg, "READY", body.data(), body.size());
}

int curve_server_t::process_handshake_command(msg_t *msg) {
    zmtp_command_view cmd;
    if (!zmtp_parse_command(*msg, &cmd))
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    int rc;
    if (_state == waiting_for_hello && cmd.is("HELLO"))
        rc = process_hello(cmd);
    else if (_state == waiting_for_initiate && cmd.is("INITIATE"))
        rc = process_initiate(cmd);
    else
        rc = fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    if (rc == 0)
        clear(msg);
    return rc;
}

mechanism_status curve_server_t::status() const {
    if (_state == error_sent)
        return mechanism_status::error;
    // Checked before ready: a bad MESSAGE fails a ready connection too.
    if (_failure != handshake_failure::none && _state != sending_error)
        return mechanism_status::error;
    if (_state == ready)
        return mechanism_status::ready;
    return mechanism_status::handshaking;
}

} // namespace zlink

#endif // ZLINK_HAVE_CURVE
