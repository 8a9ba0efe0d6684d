// Z85 (RFC 32): the spec's test vector, round trips, and every error path.
#include <gtest/gtest.h>
#include <zmq.h>

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
#include "core/z85.hpp"
#endif

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {
// The test vector from RFC 32.
const std::uint8_t hello_bytes[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
const char hello_text[] = "HelloWorld";

TEST(UtilZ85, EncodesSpecVector) {
    char out[11];
    std::memset(out, 'x', sizeof out);
    ASSERT_EQ(out, zmq_z85_encode(out, hello_bytes, sizeof hello_bytes));
    EXPECT_STREQ(hello_text, out);
}

TEST(UtilZ85, DecodesSpecVector) {
    std::uint8_t out[8] = {};
    ASSERT_EQ(out, zmq_z85_decode(out, hello_text));
    EXPECT_EQ(0, std::memcmp(hello_bytes, out, sizeof out));
}

// As in libzmq: encoding nothing gives "", but decoding "" is an error.
TEST(UtilZ85, EmptyInput) {
    char text[1] = {'x'};
    const std::uint8_t none[1] = {0};
    ASSERT_EQ(text, zmq_z85_encode(text, none, 0));
    EXPECT_EQ('\0', text[0]);

    std::uint8_t out[1] = {0xAA};
    errno = 0;
    EXPECT_EQ(nullptr, zmq_z85_decode(out, ""));
    EXPECT_EQ(EINVAL, errno);
}

TEST(UtilZ85, ExtremeGroups) {
    const std::uint8_t zeros[4] = {0, 0, 0, 0};
    const std::uint8_t ones[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    char text[6];
    ASSERT_NE(nullptr, zmq_z85_encode(text, zeros, 4));
    EXPECT_STREQ("00000", text);
    ASSERT_NE(nullptr, zmq_z85_encode(text, ones, 4));
    // 2^32-1 in base 85 is 82 39 54 22 45 -> "%nSc0" (max legal group).
    EXPECT_STREQ("%nSc0", text);
    std::uint8_t back[4];
    ASSERT_NE(nullptr, zmq_z85_decode(back, "%nSc0"));
    EXPECT_EQ(0, std::memcmp(ones, back, 4));
}

TEST(UtilZ85, RandomRoundTrips) {
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::size_t size = 4; size <= 256; size += 4) {
        std::vector<std::uint8_t> data(size);
        for (auto &b : data)
            b = static_cast<std::uint8_t>(byte(rng));
        std::string text(size / 4 * 5 + 1, 'x');
        ASSERT_EQ(&text[0], zmq_z85_encode(&text[0], data.data(), size));
        ASSERT_EQ(size / 4 * 5, std::strlen(text.c_str()));
        std::vector<std::uint8_t> back(size, 0);
        ASSERT_EQ(back.data(), zmq_z85_decode(back.data(), text.c_str()));
        EXPECT_EQ(data, back) << "size " << size;
    }
}

TEST(UtilZ85, EncodeRejectsSizeNotMultipleOfFour) {
    char text[16];
    const std::uint8_t data[7] = {1, 2, 3, 4, 5, 6, 7};
    for (std::size_t size : {1u, 2u, 3u, 5u, 6u, 7u}) {
        errno = 0;
        EXPECT_EQ(nullptr, zmq_z85_encode(text, data, size)) << size;
        EXPECT_EQ(EINVAL, errno) << size;
    }
}

TEST(UtilZ85, DecodeRejectsLengthNotMultipleOfFive) {
    std::uint8_t out[8];
    for (const char *s : {"H", "Hell", "Hello1", "HelloWorl"}) {
        errno = 0;
        EXPECT_EQ(nullptr, zmq_z85_decode(out, s)) << s;
        EXPECT_EQ(EINVAL, errno) << s;
    }
}

TEST(UtilZ85, DecodeRejectsCharactersOutsideAlphabet) {
    std::uint8_t out[8];
    // Space, quote, comma, backslash, tilde, DEL and a high byte are not
    // among the 85 symbols.
    for (const char *s : {"Hell ", "Hell\"", "Hell,", "Hell\\", "Hell~", "Hell\x7f", "Hell\xc3",
                          "HelloWor'd", "Hello;orld", "Hello|orld", "Hello`orld"}) {
        errno = 0;
        EXPECT_EQ(nullptr, zmq_z85_decode(out, s)) << s;
        EXPECT_EQ(EINVAL, errno) << s;
    }
}

TEST(UtilZ85, DecodeRejectsGroupAboveUint32) {
    std::uint8_t out[4];
    // "%nSc1" is 2^32, one past the largest 4-byte value; "#####" is 85^5-1.
    for (const char *s : {"%nSc1", "#####"}) {
        errno = 0;
        EXPECT_EQ(nullptr, zmq_z85_decode(out, s)) << s;
        EXPECT_EQ(EINVAL, errno) << s;
    }
}

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
// zlink tolerates NULL arguments where libzmq would crash.
TEST(UtilZ85, NullArgumentsAreEinval) {
    char text[6];
    std::uint8_t out[4];
    errno = 0;
    EXPECT_EQ(nullptr, zmq_z85_encode(nullptr, hello_bytes, 4));
    EXPECT_EQ(EINVAL, errno);
    errno = 0;
    EXPECT_EQ(nullptr, zmq_z85_encode(text, nullptr, 4));
    EXPECT_EQ(EINVAL, errno);
    errno = 0;
    EXPECT_EQ(nullptr, zmq_z85_decode(nullptr, "Hello"));
    EXPECT_EQ(EINVAL, errno);
    errno = 0;
    EXPECT_EQ(nullptr, zmq_z85_decode(out, nullptr));
    EXPECT_EQ(EINVAL, errno);
}

TEST(UtilZ85, CoreCodecTakesExplicitLength) {
    static_assert(zlink::z85_encoded_size(32) == 40, "curve key size");
    static_assert(zlink::z85_decoded_size(40) == 32, "curve key size");
    // Decoding a prefix of a longer buffer: no terminator needed.
    std::uint8_t out[4];
    ASSERT_TRUE(zlink::z85_decode(out, "HelloWorld", 5));
    EXPECT_EQ(0, std::memcmp(hello_bytes, out, 4));
    EXPECT_FALSE(zlink::z85_decode(out, "HelloWorld", 4));
    char text[6];
    EXPECT_FALSE(zlink::z85_encode(text, hello_bytes, 3));
    ASSERT_TRUE(zlink::z85_encode(text, hello_bytes + 4, 4));
    EXPECT_STREQ("World", text);
}
#endif
} // namespace
