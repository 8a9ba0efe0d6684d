// curve_message_box_t against libsodium's crypto_box_detached_afternm: the
// same key, nonce and plaintext must give the same ciphertext and MAC byte
// for byte, each side must open the other's boxes, and a box with one bit
// changed must be refused and left as it was.
#include <gtest/gtest.h>

#ifndef ZLINK_TEST_CURVE
TEST(CurveBox, NotBuilt) { GTEST_SKIP() << "built without CURVE (libsodium)"; }
#else

#include <cstring>
#include <vector>

#include <sodium.h>

#include "protocol/mechanisms/curve_box.hpp"

using namespace zlink;

namespace {

const char prefix[] = "CurveZMQMESSAGEC";

struct keys_t {
    uint8_t shared[32];
    keys_t() {
        EXPECT_GE(sodium_init(), 0);
        uint8_t a_pub[32], a_sec[32], b_pub[32], b_sec[32];
        crypto_box_keypair(a_pub, a_sec);
        crypto_box_keypair(b_pub, b_sec);
        EXPECT_EQ(0, crypto_box_beforenm(shared, b_pub, a_sec));
    }
};

std::vector<uint8_t> random_bytes(size_t n) {
    std::vector<uint8_t> v(n);
    if (n)
        randombytes_buf(v.data(), n);
    return v;
}

void full_nonce(uint8_t out[24], const uint8_t short_nonce[8]) {
    std::memcpy(out, prefix, 16);
    std::memcpy(out + 16, short_nonce, 8);
}

// libsodium's box of [flags][body]: returns MAC (16) + ciphertext.
std::vector<uint8_t> sodium_seal(const keys_t &k, uint8_t flags, const std::vector<uint8_t> &body,
                                 const uint8_t short_nonce[8]) {
    std::vector<uint8_t> plain(1 + body.size());
    plain[0] = flags;
    if (!body.empty())
        std::memcpy(plain.data() + 1, body.data(), body.size());
    std::vector<uint8_t> out(16 + plain.size());
    uint8_t nonce[24];
    full_nonce(nonce, short_nonce);
    crypto_box_detached_afternm(out.data() + 16, out.data(), plain.data(), plain.size(), nonce,
                                k.shared);
    return out;
}

// Sizes around every keystream block edge (the flags byte shifts the body by
// one), a 1 KiB and a 64 KiB body.
std::vector<size_t> sizes() {
    std::vector<size_t> v;
    for (size_t n = 0; n <= 200; ++n)
        v.push_back(n);
    for (size_t n : {255u, 256u, 1023u, 1024u, 1025u, 4096u, 65535u, 65536u})
        v.push_back(n);
    return v;
}

} // namespace

TEST(CurveBox, SealIsLibsodiumsBoxByteForByte) {
    keys_t k;
    curve_message_box_t box;
    box.init(k.shared, prefix);
    for (size_t n : sizes()) {
        const auto body = random_bytes(n);
        const auto short_nonce = random_bytes(8);
        const uint8_t flags = uint8_t(n % 4);
        const auto expected = sodium_seal(k, flags, body, short_nonce.data());

        // Out of place.
        std::vector<uint8_t> out(n + 1);
        uint8_t mac[16], cflags = 0;
        box.seal(mac, &cflags, flags, out.data(), body.data(), n, short_nonce.data());
        ASSERT_EQ(0, std::memcmp(mac, expected.data(), 16)) << "size " << n;
        ASSERT_EQ(expected[16], cflags) << "size " << n;
        ASSERT_EQ(0, n ? std::memcmp(out.data(), expected.data() + 17, n) : 0) << "size " << n;

        // In place.
        auto in_place = body;
        uint8_t mac2[16], cflags2 = 0;
        box.seal(mac2, &cflags2, flags, in_place.data(), in_place.data(), n, short_nonce.data());
        ASSERT_EQ(0, std::memcmp(mac2, expected.data(), 16)) << "size " << n;
        ASSERT_EQ(expected[16], cflags2);
        ASSERT_EQ(0, n ? std::memcmp(in_place.data(), expected.data() + 17, n) : 0);
    }
}

TEST(CurveBox, OpensLibsodiumsBoxesAndLibsodiumOpensOurs) {
    keys_t k;
    curve_message_box_t box;
    box.init(k.shared, prefix);
    for (size_t n : sizes()) {
        const auto body = random_bytes(n);
        const auto short_nonce = random_bytes(8);
        auto sealed = sodium_seal(k, 0x01, body, short_nonce.data());
        ASSERT_TRUE(box.open(sealed.data() + 16, n + 1, sealed.data(), short_nonce.data()));
        ASSERT_EQ(0x01, sealed[16]);
        ASSERT_EQ(0, n ? std::memcmp(sealed.data() + 17, body.data(), n) : 0) << "size " << n;

        std::vector<uint8_t> ours(1 + n);
        uint8_t mac[16];
        box.seal(mac, ours.data(), 0x02, ours.data() + 1, body.data(), n, short_nonce.data());
        uint8_t nonce[24];
        full_nonce(nonce, short_nonce.data());
        ASSERT_EQ(0, crypto_box_open_detached_afternm(ours.data(), ours.data(), mac, ours.size(),
                                                      nonce, k.shared))
            << "size " << n;
        ASSERT_EQ(0x02, ours[0]);
        ASSERT_EQ(0, n ? std::memcmp(ours.data() + 1, body.data(), n) : 0);
    }
}

TEST(CurveBox, RefusesATamperedBoxAndLeavesItAsItWas) {
    keys_t k;
    curve_message_box_t box;
    box.init(k.shared, prefix);
    const auto body = random_bytes(100);
    const uint8_t short_nonce[8] = {0, 0, 0, 0, 0, 0, 0, 7};
    const auto sealed = sodium_seal(k, 0, body, short_nonce);
    for (size_t bit = 0; bit < sealed.size() * 8; bit += 13) {
        auto bad = sealed;
        bad[bit / 8] ^= uint8_t(1u << (bit % 8));
        const auto before = bad;
        EXPECT_FALSE(box.open(bad.data() + 16, bad.size() - 16, bad.data(), short_nonce))
            << "bit " << bit;
        EXPECT_EQ(before, bad);
    }
    // The right box under another nonce or another direction's prefix.
    auto copy = sealed;
    const uint8_t other_nonce[8] = {0, 0, 0, 0, 0, 0, 0, 8};
    EXPECT_FALSE(box.open(copy.data() + 16, copy.size() - 16, copy.data(), other_nonce));
    curve_message_box_t other;
    other.init(k.shared, "CurveZMQMESSAGES");
    EXPECT_FALSE(other.open(copy.data() + 16, copy.size() - 16, copy.data(), short_nonce));
}

#endif // ZLINK_TEST_CURVE
