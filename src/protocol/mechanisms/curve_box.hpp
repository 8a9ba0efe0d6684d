// The MESSAGE box of CurveZMQ: NaCl's crypto_box_afternm (XSalsa20-Poly1305),
// byte for byte, built from libsodium's primitives.
//
// Why not crypto_box_detached_afternm: XSalsa20 first derives a subkey with
// HSalsa20 from the nonce's first 16 bytes, and in CurveZMQ those are a
// constant per direction ("CurveZMQMESSAGEC"/"...S"). libsodium redoes it for
// every box: about 20% of the CPU of a 64 B CURVE flow (perf). Here it is
// done once per direction. Building the box ourselves also lets the flags
// byte and the body sit in separate buffers, so a body is sealed where it is.
//
// Layout (as crypto_secretbox): keystream block 0 gives the Poly1305 key
// (bytes 0..31) and encrypts plaintext bytes 0..31 (bytes 32..63); the rest
// of the plaintext uses blocks 1, 2, ...; the MAC covers the ciphertext.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zlink {

class curve_message_box_t {
  public:
    static constexpr size_t mac_size = 16;

    curve_message_box_t() = default;
    ~curve_message_box_t();
    curve_message_box_t(const curve_message_box_t &) = delete;
    curve_message_box_t &operator=(const curve_message_box_t &) = delete;

    // precomputed: crypto_box_beforenm's shared key; prefix16: the first 16
    // bytes of every nonce this box will see.
    void init(const uint8_t precomputed[32], const char prefix16[16]);

    // Seals the plaintext [flags][body_in, n bytes]: the encrypted flags
    // byte goes to *flags_out, the encrypted body to body_out (may be
    // body_in: in place), the MAC to mac. short_nonce: the nonce's last 8 bytes.
    void seal(uint8_t mac[mac_size], uint8_t *flags_out, uint8_t flags, uint8_t *body_out,
              const uint8_t *body_in, size_t n, const uint8_t short_nonce[8]) const;

    // Opens the ciphertext c (n bytes, flags byte first) in place. false:
    // the MAC does not match, c is left as it was.
    bool open(uint8_t *c, size_t n, const uint8_t mac[mac_size],
              const uint8_t short_nonce[8]) const;

  private:
    uint8_t _subkey[32] = {}; // HSalsa20(precomputed, prefix16)
};

} // namespace zlink
