#ifndef ZLINK_CORE_Z85_HPP
#define ZLINK_CORE_Z85_HPP

#include <cstddef>
#include <cstdint>

namespace zlink {
// Z85 (ZeroMQ RFC 32): 4 bytes <-> 5 printable characters, big-endian base
// 85. Used by zmq_z85_* and by anything that accepts text keys (CURVE
// options, ZAP).

// Size of the text (without terminator) for `size` bytes; size % 4 == 0.
constexpr std::size_t z85_encoded_size(std::size_t size) { return size / 4 * 5; }
// Size of the data for `length` characters; length % 5 == 0.
constexpr std::size_t z85_decoded_size(std::size_t length) { return length / 5 * 4; }

// Writes z85_encoded_size(size) characters plus a NUL to dest. Returns
// false (dest untouched) if size is not a multiple of 4.
bool z85_encode(char *dest, const std::uint8_t *data, std::size_t size);

// Decodes `length` characters (no terminator needed) into
// z85_decoded_size(length) bytes. Returns false if length is not a multiple
// of 5, a character is outside the alphabet, or a group exceeds 2^32-1; dest
// may then be partly written.
bool z85_decode(std::uint8_t *dest, const char *text, std::size_t length);
} // namespace zlink

#endif
