#include "core/z85.hpp"

#include <array>

namespace zlink {
namespace {
// The alphabet fixed by RFC 32, in digit order.
constexpr char alphabet[] = "0123456789"
                            "abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                            ".-:+=^!/*?&<>()[]{}@%$#";
static_assert(sizeof alphabet == 85 + 1, "Z85 needs 85 symbols");

constexpr std::uint8_t no_digit = 0xFF;

// Reverse lookup for every byte value, derived from the alphabet at compile
// time so the two can never disagree.
constexpr std::array<std::uint8_t, 256> make_digits() {
    std::array<std::uint8_t, 256> digits{};
    for (auto &d : digits)
        d = no_digit;
    for (std::uint8_t i = 0; i < 85; ++i)
        digits[static_cast<unsigned char>(alphabet[i])] = i;
    return digits;
}
constexpr std::array<std::uint8_t, 256> digits = make_digits();
} // namespace

bool z85_encode(char *dest, const std::uint8_t *data, std::size_t size) {
    if (size % 4 != 0)
        return false;
    for (std::size_t in = 0; in < size; in += 4) {
        std::uint32_t value = static_cast<std::uint32_t>(data[in]) << 24 |
                              static_cast<std::uint32_t>(data[in + 1]) << 16 |
                              static_cast<std::uint32_t>(data[in + 2]) << 8 |
                              static_cast<std::uint32_t>(data[in + 3]);
        // Most significant digit first.
        for (int i = 4; i >= 0; --i) {
            dest[i] = alphabet[value % 85];
            value /= 85;
        }
        dest += 5;
    }
    *dest = '\0';
    return true;
}

bool z85_decode(std::uint8_t *dest, const char *text, std::size_t length) {
    if (length % 5 != 0)
        return false;
    for (std::size_t in = 0; in < length; in += 5) {
        // 85^5 > 2^32, so accumulate in 64 bits and reject what overflows.
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < 5; ++i) {
            const std::uint8_t digit = digits[static_cast<unsigned char>(text[in + i])];
            if (digit == no_digit)
                return false;
            value = value * 85 + digit;
        }
        if (value > 0xFFFFFFFFu)
            return false;
        *dest++ = static_cast<std::uint8_t>(value >> 24);
        *dest++ = static_cast<std::uint8_t>(value >> 16);
        *dest++ = static_cast<std::uint8_t>(value >> 8);
        *dest++ = static_cast<std::uint8_t>(value);
    }
    return true;
}
} // namespace zlink
