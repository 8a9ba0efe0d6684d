// The CURVE socket options, as libzmq 4.3 has them: keys set as 32 binary
// bytes, 40 Z85 characters or 41 (with the NUL); read back as binary with a
// 32-byte buffer or as Z85 text with a 41-byte one; EINVAL for any other
// size. Setting any key, or ZMQ_CURVE_SERVER 1, selects CURVE;
// ZMQ_CURVE_SERVERKEY makes the socket a client, ZMQ_CURVE_SERVER 0 goes
// back to NULL.
#include "core/options.hpp"

#include <cerrno>
#include <cstring>

#include "core/z85.hpp"
#include "core/curve_keys.hpp"

namespace zlink {

namespace {

int curve_einval() {
    errno = EINVAL;
    return -1;
}

} // namespace

#ifdef ZLINK_HAVE_CURVE

int options_t::set_curve_option(int option, const void *value, size_t size) {
    if (option == ZMQ_CURVE_SERVER) {
        int v;
        if (!option_int(value, size, &v) || (v != 0 && v != 1))
            return curve_einval();
        as_server = v != 0;
        mechanism = v ? ZMQ_CURVE : ZMQ_NULL;
        return 0;
    }
    uint8_t *key = option == ZMQ_CURVE_PUBLICKEY   ? curve_public_key
                   : option == ZMQ_CURVE_SECRETKEY ? curve_secret_key
                                                   : curve_server_key;
    if (!curve_key_from_option(value, size, key))
        return curve_einval();
    mechanism = ZMQ_CURVE;
    if (option == ZMQ_CURVE_SERVERKEY)
        as_server = false;
    return 0;
}

int options_t::get_curve_option(int option, void *value, size_t *size) const {
    if (!value || !size)
        return curve_einval();
    if (option == ZMQ_CURVE_SERVER) {
        if (*size != sizeof(int))
            return curve_einval();
        return option_put_int(value, size, (mechanism == ZMQ_CURVE && as_server) ? 1 : 0);
    }
    const uint8_t *key = option == ZMQ_CURVE_PUBLICKEY   ? curve_public_key
                         : option == ZMQ_CURVE_SECRETKEY ? curve_secret_key
                                                         : curve_server_key;
    // libzmq leaves *size as it was in both forms.
    if (*size == curve_key_size) {
        std::memcpy(value, key, curve_key_size);
        return 0;
    }
    if (*size == curve_key_z85_size + 1) {
        z85_encode(static_cast<char *>(value), key, curve_key_size);
        return 0;
    }
    return curve_einval();
}

#else

int options_t::set_curve_option(int, const void *, size_t) { return curve_einval(); }
int options_t::get_curve_option(int, void *, size_t *) const { return curve_einval(); }

#endif

} // namespace zlink
