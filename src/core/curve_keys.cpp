#include "core/curve_keys.hpp"

#include <cstring>

#include "core/z85.hpp"

#ifdef ZLINK_HAVE_CURVE
#include <sodium.h>
#endif

namespace zlink {

bool curve_crypto_ready() {
#ifdef ZLINK_HAVE_CURVE
    // sodium_init() is itself thread-safe and idempotent (0 first, 1 after).
    static const bool ok = sodium_init() >= 0;
    return ok;
#else
    return false;
#endif
}

bool curve_key_from_option(const void *value, size_t size, uint8_t out[curve_key_size]) {
    if (!value)
        return false;
    if (size == curve_key_size) {
        std::memcpy(out, value, curve_key_size);
        return true;
    }
    const char *text = static_cast<const char *>(value);
    // 41 bytes: the text with its terminator, which must really be there.
    if (size == curve_key_z85_size + 1 && text[curve_key_z85_size] != '\0')
        return false;
    if (size != curve_key_z85_size && size != curve_key_z85_size + 1)
        return false;
    uint8_t key[curve_key_size];
    if (!z85_decode(key, text, curve_key_z85_size))
        return false;
    std::memcpy(out, key, curve_key_size);
    return true;
}

} // namespace zlink
