// What the CURVE client and server share: short-term keys, nonces, and the
// MESSAGE wrapping of the data phase.
#include "protocol/mechanisms/curve_mechanism.hpp"

#ifdef ZLINK_HAVE_CURVE

#include <cerrno>
#include <cstring>

#include <sodium.h>
#include <zmq.h>

#include "protocol/mechanisms/mechanism_factory.hpp"
#include "protocol/zmtp_commands.hpp"
#include "protocol/zmtp_wire.hpp"

namespace zlink {

static_assert(crypto_box_PUBLICKEYBYTES == curve_key_size &&
                  crypto_box_SECRETKEYBYTES == curve_key_size && crypto_box_NONCEBYTES == 24 &&
                  crypto_box_MACBYTES == 16 && crypto_box_BEFORENMBYTES == 32 &&
                  crypto_secretbox_KEYBYTES == 32 && crypto_secretbox_MACBYTES == 16,
              "CurveZMQ's sizes are NaCl's");

namespace {

// MESSAGE: "\x07MESSAGE", short nonce (8), MAC (16), flags (1), data.
constexpr char message_name[] = "\x07MESSAGE";
constexpr size_t message_name_size = 8;
constexpr size_t message_header = message_name_size + 8 + crypto_box_MACBYTES;
constexpr uint8_t inner_more = 0x01;
constexpr uint8_t inner_command = 0x02;

} // namespace

curve_mechanism_t::curve_mechanism_t(const mechanism_options &options, zap_client *zap,
                                     bool as_client)
    : mechanism_t(options, zap), _send_prefix(as_client ? "CurveZMQMESSAGEC" : "CurveZMQMESSAGES"),
      _recv_prefix(as_client ? "CurveZMQMESSAGES" : "CurveZMQMESSAGEC") {
    _crypto_ok = curve_crypto_ready() && crypto_box_keypair(_short_public, _short_secret) == 0;
}

curve_mechanism_t::~curve_mechanism_t() {
    sodium_memzero(_short_secret, sizeof _short_secret);
    sodium_memzero(_precomputed, sizeof _precomputed);
}

void curve_mechanism_t::full_nonce(uint8_t out[24], const char *prefix16, const uint8_t short8[8]) {
    std::memcpy(out, prefix16, 16);
    std::memcpy(out + 16, short8, 8);
}

void curve_mechanism_t::long_nonce(uint8_t out[24], const char *prefix8,
                                   const uint8_t random16[16]) {
    std::memcpy(out, prefix8, 8);
    std::memcpy(out + 8, random16, 16);
}

std::string curve_mechanism_t::our_metadata() const {
    std::string out;
    zmtp_encode_metadata(
        zmtp_ready_properties(_options.socket_type, _options.routing_id, _options.user_metadata),
        &out);
    return out;
}

void curve_mechanism_t::message_keys_ready() {
    _send_box.init(_precomputed, _send_prefix);
    _recv_box.init(_precomputed, _recv_prefix);
}

size_t curve_mechanism_t::wrap_overhead() const { return message_header + 1; }

// Only _nonce and _send_box: the engine's output lock covers every caller.
int curve_mechanism_t::wrap_into(uint8_t flags, const uint8_t *body_in, size_t n, uint8_t *prefix,
                                 uint8_t *body_out) {
    if (!can_wrap(1)) { // never reused; a connection that long ends
        errno = EPROTO;
        return -1;
    }
    std::memcpy(prefix, message_name, message_name_size);
    zmtp_put_u64(prefix + message_name_size, next_nonce());
    const uint8_t inner = uint8_t(((flags & msg_t::more) ? inner_more : 0) |
                                  ((flags & msg_t::command) ? inner_command : 0));
    _send_box.seal(prefix + message_name_size + 8, prefix + message_header, inner, body_out,
                   body_in, n, prefix + message_name_size);
    return 0;
}

// Into a new frame, sealed straight from the message (the only copy).
int curve_mechanism_t::wrap(msg_t *msg) {
    const size_t size = msg->size();
    msg_t out;
    if (out.init_size(wrap_overhead() + size) != 0) {
        errno = ENOMEM;
        return -1;
    }
    auto *p = static_cast<uint8_t *>(out.data());
    if (wrap_into(msg->flags(), static_cast<const uint8_t *>(msg->data()), size, p,
                  p + wrap_overhead()) != 0) {
        out.close();
        return -1;
    }
    msg->move(out); // closes the old frame
    return 0;
}

// Opened in place; the plaintext body is the frame minus its front.
int curve_mechanism_t::unwrap(msg_t *msg) {
    auto *p = static_cast<uint8_t *>(msg->data());
    const size_t size = msg->size();
    if (size < message_name_size || std::memcmp(p, message_name, message_name_size) != 0)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    if (size < message_header + 1)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE);
    const uint64_t nonce_value = zmtp_get_u64(p + message_name_size);
    if (nonce_value <= _peer_nonce)
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    uint8_t *plain = p + message_header;
    if (!_recv_box.open(plain, size - message_header, p + message_name_size + 8,
                        p + message_name_size))
        return fail_protocol(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    _peer_nonce = nonce_value;
    const uint8_t flags = plain[0];
    if (msg->trim_front(message_header + 1) != 0) {
        errno = ENOMEM;
        return -1;
    }
    msg->reset_flags(msg_t::more | msg_t::command);
    if (flags & inner_more)
        msg->set_flags(msg_t::more);
    if (flags & inner_command)
        msg->set_flags(msg_t::command);
    return 0;
}

std::unique_ptr<mechanism_t>
make_curve_mechanism(const options_t &options, const mechanism_options &common, zap_client *zap) {
    if (options.as_server)
        return std::make_unique<curve_server_t>(common, options, zap);
    return std::make_unique<curve_client_t>(common, options);
}

} // namespace zlink

#endif // ZLINK_HAVE_CURVE
