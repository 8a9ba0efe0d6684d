#include "protocol/mechanisms/curve_box.hpp"

#ifdef ZLINK_HAVE_CURVE

#include <sodium.h>

namespace zlink {

namespace {
constexpr size_t block_size = 64;
constexpr size_t poly_key_size = 32; // the front of keystream block 0
constexpr size_t block0_plain = block_size - poly_key_size;
static_assert(crypto_stream_salsa20_KEYBYTES == 32 && crypto_stream_salsa20_NONCEBYTES == 8 &&
                  crypto_onetimeauth_poly1305_KEYBYTES == poly_key_size &&
                  crypto_onetimeauth_poly1305_BYTES == curve_message_box_t::mac_size,
              "XSalsa20-Poly1305's sizes");
} // namespace

curve_message_box_t::~curve_message_box_t() { sodium_memzero(_subkey, sizeof _subkey); }

void curve_message_box_t::init(const uint8_t precomputed[32], const char prefix16[16]) {
    crypto_core_hsalsa20(_subkey, reinterpret_cast<const unsigned char *>(prefix16), precomputed,
                         nullptr);
}

void curve_message_box_t::seal(uint8_t mac[mac_size], uint8_t *flags_out, uint8_t flags,
                               uint8_t *body_out, const uint8_t *body_in, size_t n,
                               const uint8_t short_nonce[8]) const {
    uint8_t block0[block_size];
    crypto_stream_salsa20(block0, sizeof block0, short_nonce, _subkey);
    *flags_out = uint8_t(flags ^ block0[poly_key_size]);
    const size_t head = n < block0_plain - 1 ? n : block0_plain - 1;
    for (size_t i = 0; i < head; ++i)
        body_out[i] = uint8_t(body_in[i] ^ block0[poly_key_size + 1 + i]);
    if (n > head)
        crypto_stream_salsa20_xor_ic(body_out + head, body_in + head, n - head, short_nonce, 1,
                                     _subkey);
    crypto_onetimeauth_poly1305_state state;
    crypto_onetimeauth_poly1305_init(&state, block0);
    crypto_onetimeauth_poly1305_update(&state, flags_out, 1);
    crypto_onetimeauth_poly1305_update(&state, body_out, n);
    crypto_onetimeauth_poly1305_final(&state, mac);
    sodium_memzero(block0, sizeof block0);
}

bool curve_message_box_t::open(uint8_t *c, size_t n, const uint8_t mac[mac_size],
                               const uint8_t short_nonce[8]) const {
    uint8_t block0[block_size];
    crypto_stream_salsa20(block0, sizeof block0, short_nonce, _subkey);
    if (crypto_onetimeauth_poly1305_verify(mac, c, n, block0) != 0) {
        sodium_memzero(block0, sizeof block0);
        return false;
    }
    const size_t head = n < block0_plain ? n : block0_plain;
    for (size_t i = 0; i < head; ++i)
        c[i] = uint8_t(c[i] ^ block0[poly_key_size + i]);
    if (n > head)
        crypto_stream_salsa20_xor_ic(c + head, c + head, n - head, short_nonce, 1, _subkey);
    sodium_memzero(block0, sizeof block0);
    return true;
}

} // namespace zlink

#endif // ZLINK_HAVE_CURVE
