#include "protocol/zmtp_greeting.hpp"

#include <cstring>

namespace zlink {

namespace {

bool is_mechanism_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '+';
}

} // namespace

const char *zmtp_greeting_status_name(zmtp_greeting_status s) {
    switch (s) {
    case zmtp_greeting_status::ok:
        return "ok";
    case zmtp_greeting_status::need_more:
        return "need_more";
    case zmtp_greeting_status::bad_signature:
        return "bad_signature";
    case zmtp_greeting_status::unsupported_version:
        return "unsupported_version";
    case zmtp_greeting_status::bad_mechanism:
        return "bad_mechanism";
    case zmtp_greeting_status::mechanism_mismatch:
        return "mechanism_mismatch";
    }
    return "?";
}

bool zmtp_valid_mechanism_name(const std::string &name) {
    if (name.empty() || name.size() > zmtp_mechanism_size)
        return false;
    for (unsigned char c : name)
        if (!is_mechanism_char(c))
            return false;
    return true;
}

bool zmtp_build_greeting(unsigned char *out, const std::string &mechanism, bool as_server,
                         uint8_t minor) {
    if (!zmtp_valid_mechanism_name(mechanism))
        return false;
    std::memset(out, 0, zmtp_greeting_size);
    out[0] = 0xFF;
    out[9] = 0x7F;
    out[10] = 3;
    out[11] = minor;
    std::memcpy(out + zmtp_mechanism_offset, mechanism.data(), mechanism.size());
    out[zmtp_as_server_offset] = as_server ? 1 : 0;
    return true;
}

zmtp_greeting_parser_t::zmtp_greeting_parser_t(std::string expected_mechanism)
    : _expected(std::move(expected_mechanism)) {}

zmtp_revision zmtp_greeting_parser_t::revision() const {
    if (!minor_known())
        return zmtp_revision::unknown;
    if (peer_major() == 3 && peer_minor() == 0)
        return zmtp_revision::v3_0;
    return zmtp_revision::v3_1;
}

// Checks the byte just stored at `index`, so errors show up at the earliest
// byte that proves them (a garbage first byte is rejected on its own).
zmtp_greeting_status zmtp_greeting_parser_t::check_byte(size_t index) {
    const unsigned char c = _buf[index];
    if (index == 0 && c != 0xFF)
        return zmtp_greeting_status::bad_signature;
    // RFC 23 fixes the last signature byte at 0x7F; ZMTP 1.0 peers put a
    // flags byte with bit 0 clear here, so they fail this check too.
    if (index == 9 && c != 0x7F)
        return zmtp_greeting_status::bad_signature;
    if (index == 10 && c < 3)
        return zmtp_greeting_status::unsupported_version;
    if (index == zmtp_mechanism_offset + zmtp_mechanism_size - 1)
        return check_mechanism();
    return zmtp_greeting_status::need_more;
}

zmtp_greeting_status zmtp_greeting_parser_t::check_mechanism() {
    const unsigned char *m = _buf + zmtp_mechanism_offset;
    size_t len = 0;
    while (len < zmtp_mechanism_size && m[len] != 0)
        ++len;
    // Only NULs may follow the name.
    for (size_t i = len; i < zmtp_mechanism_size; ++i)
        if (m[i] != 0)
            return zmtp_greeting_status::bad_mechanism;
    _mechanism.assign(reinterpret_cast<const char *>(m), len);
    if (!zmtp_valid_mechanism_name(_mechanism))
        return zmtp_greeting_status::bad_mechanism;
    if (!_expected.empty() && _mechanism != _expected)
        return zmtp_greeting_status::mechanism_mismatch;
    return zmtp_greeting_status::need_more;
}

zmtp_greeting_status zmtp_greeting_parser_t::feed(const unsigned char *data, size_t size,
                                                  size_t *consumed) {
    size_t used = 0;
    while (_status == zmtp_greeting_status::need_more && used < size &&
           _received < zmtp_greeting_size) {
        const size_t index = _received++;
        _buf[index] = data[used++];
        _status = check_byte(index);
        if (_status == zmtp_greeting_status::need_more && _received == zmtp_greeting_size)
            _status = zmtp_greeting_status::ok;
    }
    if (consumed)
        *consumed = used;
    return _status;
}

} // namespace zlink
