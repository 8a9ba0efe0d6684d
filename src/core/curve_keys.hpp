// CURVE key material shared by the key API (zmq_curve_*), the socket options
// and the mechanism: sizes, libsodium start-up, and the two text forms.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zlink {

constexpr size_t curve_key_size = 32;     // crypto_box_PUBLICKEYBYTES / SECRETKEYBYTES
constexpr size_t curve_key_z85_size = 40; // Z85 text, without terminator

// libsodium's one-time initialisation. false: it failed (no entropy source),
// CURVE must then refuse to run. Thread-safe, never throws.
bool curve_crypto_ready();

// A key option value in one of libzmq's accepted forms: 32 binary bytes,
// 40 Z85 characters, or those 40 plus a terminating NUL (41). false for any
// other size or a bad Z85 text; out is then left untouched.
bool curve_key_from_option(const void *value, size_t size, uint8_t out[curve_key_size]);

} // namespace zlink
