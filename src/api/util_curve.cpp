// zmq_curve_keypair / zmq_curve_public on libsodium, keys as Z85 text.
// Built without libsodium both report ENOTSUP, as a libzmq without CURVE.
#include <zmq.h>

#include <cerrno>
#include <cstring>

#include "core/curve_keys.hpp"
#include "core/z85.hpp"

#ifdef ZLINK_HAVE_CURVE
#include <sodium.h>
#endif

extern "C" {

ZMQ_EXPORT int zmq_curve_keypair(char *z85_public_key_, char *z85_secret_key_) {
#ifdef ZLINK_HAVE_CURVE
    if (!z85_public_key_ || !z85_secret_key_) {
        errno = EINVAL;
        return -1;
    }
    if (!zlink::curve_crypto_ready()) {
        errno = ENOTSUP; // no usable libsodium at run time
        return -1;
    }
    uint8_t public_key[zlink::curve_key_size];
    uint8_t secret_key[zlink::curve_key_size];
    crypto_box_keypair(public_key, secret_key);
    zlink::z85_encode(z85_public_key_, public_key, sizeof public_key);
    zlink::z85_encode(z85_secret_key_, secret_key, sizeof secret_key);
    sodium_memzero(secret_key, sizeof secret_key);
    return 0;
#else
    (void)z85_public_key_;
    (void)z85_secret_key_;
    errno = ENOTSUP;
    return -1;
#endif
}

ZMQ_EXPORT int zmq_curve_public(char *z85_public_key_, const char *z85_secret_key_) {
#ifdef ZLINK_HAVE_CURVE
    // libzmq decodes whatever length it is given; zlink takes exactly one
    // 40-character key (a longer text would overrun the 32-byte key).
    uint8_t secret_key[zlink::curve_key_size];
    if (!z85_public_key_ || !z85_secret_key_ ||
        std::strlen(z85_secret_key_) != zlink::curve_key_z85_size ||
        !zlink::z85_decode(secret_key, z85_secret_key_, zlink::curve_key_z85_size)) {
        errno = EINVAL;
        return -1;
    }
    if (!zlink::curve_crypto_ready()) {
        errno = ENOTSUP;
        return -1;
    }
    uint8_t public_key[zlink::curve_key_size];
    crypto_scalarmult_base(public_key, secret_key);
    sodium_memzero(secret_key, sizeof secret_key);
    zlink::z85_encode(z85_public_key_, public_key, sizeof public_key);
    return 0;
#else
    (void)z85_public_key_;
    (void)z85_secret_key_;
    errno = ENOTSUP;
    return -1;
#endif
}

} // extern "C"
