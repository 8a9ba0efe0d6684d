// ZMTP 3.x frame constants and network byte order helpers shared by the
// encoder, decoder and command codecs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zlink {

// Frame flags on the wire (RFC 23 section "Framing"). Note that msg_t uses
// its own values (msg_t::more == 1, msg_t::command == 2): never mix them.
enum : uint8_t {
    zmtp_flag_more = 0x01,
    zmtp_flag_long = 0x02,
    zmtp_flag_command = 0x04,
    zmtp_flag_reserved = 0xF8, // must be zero
};

// Largest frame header: flags + 8-byte size.
constexpr size_t zmtp_max_header_size = 9;

inline void zmtp_put_u16(unsigned char *p, uint16_t v) {
    p[0] = static_cast<unsigned char>(v >> 8);
    p[1] = static_cast<unsigned char>(v);
}
inline void zmtp_put_u32(unsigned char *p, uint32_t v) {
    for (int i = 3; i >= 0; --i) {
        p[i] = static_cast<unsigned char>(v);
        v >>= 8;
    }
}
inline void zmtp_put_u64(unsigned char *p, uint64_t v) {
    for (int i = 7; i >= 0; --i) {
        p[i] = static_cast<unsigned char>(v);
        v >>= 8;
    }
}
inline uint16_t zmtp_get_u16(const unsigned char *p) {
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t zmtp_get_u32(const unsigned char *p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
inline uint64_t zmtp_get_u64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | p[i];
    return v;
}

} // namespace zlink
