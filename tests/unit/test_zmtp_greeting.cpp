// ZMTP greeting: our bytes, incremental parsing, every rejection.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "protocol/zmtp_greeting.hpp"

using namespace zlink;

namespace {

std::vector<unsigned char> greeting(const char *mech = "NULL", bool server = false,
                                    uint8_t minor = 1) {
    std::vector<unsigned char> g(zmtp_greeting_size);
    EXPECT_TRUE(zmtp_build_greeting(g.data(), mech, server, minor));
    return g;
}

zmtp_greeting_status feed_all(zmtp_greeting_parser_t &p, const std::vector<unsigned char> &g,
                              size_t *consumed = nullptr) {
    size_t c = 0;
    auto st = p.feed(g.data(), g.size(), &c);
    if (consumed)
        *consumed = c;
    return st;
}

} // namespace

TEST(ZmtpGreeting, BuildLayout) {
    auto g = greeting("PLAIN", true);
    EXPECT_EQ(g[0], 0xFF);
    for (int i = 1; i <= 8; ++i)
        EXPECT_EQ(g[i], 0);
    EXPECT_EQ(g[9], 0x7F);
    EXPECT_EQ(g[10], 3);
    EXPECT_EQ(g[11], 1);
    EXPECT_EQ(std::memcmp(&g[12], "PLAIN", 5), 0);
    for (int i = 17; i < 32; ++i)
        EXPECT_EQ(g[i], 0);
    EXPECT_EQ(g[32], 1);
    for (int i = 33; i < 64; ++i)
        EXPECT_EQ(g[i], 0);
}

TEST(ZmtpGreeting, BuildRejectsBadMechanismNames) {
    unsigned char g[64];
    EXPECT_FALSE(zmtp_build_greeting(g, "", false));
    EXPECT_FALSE(zmtp_build_greeting(g, "null", false));
    EXPECT_FALSE(zmtp_build_greeting(g, "ABCDEFGHIJKLMNOPQRSTU", false)); // 21
    EXPECT_TRUE(zmtp_build_greeting(g, "ABCDEFGHIJKLMNOPQRST", false));   // 20
}

TEST(ZmtpGreeting, RoundTripWholeAndTrailingBytesLeft) {
    auto g = greeting("NULL", false);
    g.push_back(0x04); // first byte of the next frame
    zmtp_greeting_parser_t p("NULL");
    size_t consumed = 0;
    EXPECT_EQ(feed_all(p, g, &consumed), zmtp_greeting_status::ok);
    EXPECT_EQ(consumed, 64u);
    EXPECT_TRUE(p.done());
    EXPECT_EQ(p.peer_mechanism(), "NULL");
    EXPECT_FALSE(p.peer_as_server());
    EXPECT_EQ(p.revision(), zmtp_revision::v3_1);
}

TEST(ZmtpGreeting, EveryChunkSize) {
    const auto g = greeting("PLAIN", true, 0);
    for (size_t chunk = 1; chunk <= 64; ++chunk) {
        zmtp_greeting_parser_t p("PLAIN");
        size_t off = 0;
        zmtp_greeting_status st = zmtp_greeting_status::need_more;
        while (off < g.size()) {
            size_t c = 0;
            const size_t n = std::min(chunk, g.size() - off);
            st = p.feed(g.data() + off, n, &c);
            ASSERT_EQ(c, n);
            off += c;
            if (off < 64)
                ASSERT_EQ(st, zmtp_greeting_status::need_more) << chunk;
        }
        EXPECT_EQ(st, zmtp_greeting_status::ok) << chunk;
        EXPECT_TRUE(p.peer_as_server());
        EXPECT_EQ(p.revision(), zmtp_revision::v3_0);
    }
}

TEST(ZmtpGreeting, VersionKnownAfterElevenBytes) {
    const auto g = greeting();
    zmtp_greeting_parser_t p;
    size_t c;
    p.feed(g.data(), 10, &c);
    EXPECT_FALSE(p.major_known());
    p.feed(g.data() + 10, 1, &c);
    EXPECT_TRUE(p.major_known());
    EXPECT_EQ(p.peer_major(), 3);
    EXPECT_FALSE(p.minor_known());
    EXPECT_EQ(p.revision(), zmtp_revision::unknown);
    p.feed(g.data() + 11, 1, &c);
    EXPECT_EQ(p.revision(), zmtp_revision::v3_1);
}

TEST(ZmtpGreeting, HigherVersionsTalkThreeOne) {
    auto g = greeting();
    g[10] = 4;
    g[11] = 0;
    zmtp_greeting_parser_t p;
    EXPECT_EQ(feed_all(p, g), zmtp_greeting_status::ok);
    EXPECT_EQ(p.revision(), zmtp_revision::v3_1);
}

TEST(ZmtpGreeting, GarbageFirstByteRejectedAtOnce) {
    const unsigned char junk[] = {'G', 'E', 'T', ' '};
    zmtp_greeting_parser_t p;
    size_t c = 0;
    EXPECT_EQ(p.feed(junk, sizeof junk, &c), zmtp_greeting_status::bad_signature);
    EXPECT_EQ(c, 1u);
    // Sticky.
    EXPECT_EQ(p.feed(junk, sizeof junk, &c), zmtp_greeting_status::bad_signature);
    EXPECT_EQ(c, 0u);
}

TEST(ZmtpGreeting, BadSignatureEnd) {
    auto g = greeting();
    g[9] = 0x7E; // ZMTP 1.0 style: flags byte
    zmtp_greeting_parser_t p;
    size_t c = 0;
    EXPECT_EQ(feed_all(p, g, &c), zmtp_greeting_status::bad_signature);
    EXPECT_EQ(c, 10u);
}

TEST(ZmtpGreeting, OldVersionsRejected) {
    for (uint8_t major : {0, 1, 2}) {
        auto g = greeting();
        g[10] = major;
        zmtp_greeting_parser_t p;
        size_t c = 0;
        EXPECT_EQ(feed_all(p, g, &c), zmtp_greeting_status::unsupported_version);
        EXPECT_EQ(c, 11u);
        EXPECT_FALSE(p.major_known());
    }
}

TEST(ZmtpGreeting, BadMechanismField) {
    {
        auto g = greeting();
        g[12] = 'n'; // lower case
        zmtp_greeting_parser_t p;
        EXPECT_EQ(feed_all(p, g), zmtp_greeting_status::bad_mechanism);
    }
    {
        auto g = greeting();
        g[20] = 'X'; // after the NUL padding started
        zmtp_greeting_parser_t p;
        EXPECT_EQ(feed_all(p, g), zmtp_greeting_status::bad_mechanism);
    }
    {
        auto g = greeting();
        std::memset(&g[12], 0, 20); // empty name
        zmtp_greeting_parser_t p;
        EXPECT_EQ(feed_all(p, g), zmtp_greeting_status::bad_mechanism);
    }
}

TEST(ZmtpGreeting, MechanismMismatchAndAnyAccepted) {
    const auto g = greeting("CURVE", true);
    zmtp_greeting_parser_t strict("NULL");
    size_t c = 0;
    EXPECT_EQ(feed_all(strict, g, &c), zmtp_greeting_status::mechanism_mismatch);
    EXPECT_EQ(c, 32u);
    zmtp_greeting_parser_t any;
    EXPECT_EQ(feed_all(any, g), zmtp_greeting_status::ok);
    EXPECT_EQ(any.peer_mechanism(), "CURVE");
}

TEST(ZmtpGreeting, StatusNames) {
    EXPECT_STREQ(zmtp_greeting_status_name(zmtp_greeting_status::bad_signature), "bad_signature");
}
