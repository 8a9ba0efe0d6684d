// The pieces behind ZMQ_SOCKS_PROXY and ZMQ_TCP_ACCEPT_FILTER that the
// loopback-only network tests cannot reach: SOCKS5 message bytes (RFC 1928,
// RFC 1929) and address masks that do not end on a byte boundary.
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "transports/tcp/socks5_client.hpp"
#include "core/accept_filters.hpp"

using namespace zlink;

namespace {

std::string bytes(std::initializer_list<int> v) {
    std::string s;
    for (int c : v)
        s += static_cast<char>(c);
    return s;
}

sockaddr_in v4(const char *text) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, text, &a.sin_addr);
    return a;
}

sockaddr_in6 v6(const char *text) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    inet_pton(AF_INET6, text, &a.sin6_addr);
    return a;
}

template <typename A>
bool match(const tcp_address_mask_t &m, const A &addr) {
    return m.matches(reinterpret_cast<const sockaddr *>(&addr), sizeof addr);
}

} // namespace

TEST(Socks5Messages, GreetingOffersOneMethod) {
    EXPECT_EQ(bytes({5, 1, 0}), socks5_greeting(false));
    EXPECT_EQ(bytes({5, 1, 2}), socks5_greeting(true));
}

TEST(Socks5Messages, AuthRequestIsLengthPrefixed) {
    EXPECT_EQ(bytes({1, 5}) + "alice" + bytes({2}) + "pw", socks5_auth_request("alice", "pw"));
    EXPECT_EQ(bytes({1, 1}) + "u" + bytes({0}), socks5_auth_request("u", ""));
}

TEST(Socks5Messages, ConnectRequestAddressTypes) {
    EXPECT_EQ(bytes({5, 1, 0, 1, 10, 0, 0, 7, 0x1F, 0x90}),
              socks5_connect_request("10.0.0.7", 8080));
    // getaddrinfo's numeric forms count as IPv4, as in libzmq.
    EXPECT_EQ(bytes({5, 1, 0, 1, 1, 2, 0, 3, 0, 80}), socks5_connect_request("1.2.3", 80));
    std::string v6req = bytes({5, 1, 0, 4}) + std::string(15, '\0') + bytes({1, 0x04, 0x38});
    EXPECT_EQ(v6req, socks5_connect_request("::1", 1080));
    EXPECT_EQ(bytes({5, 1, 0, 3, 11}) + "example.com" + bytes({0x01, 0xBB}),
              socks5_connect_request("example.com", 443));
    EXPECT_EQ("", socks5_connect_request(std::string(256, 'a'), 1)); // does not fit
    EXPECT_NE("", socks5_connect_request(std::string(255, 'a'), 1));
}

TEST(Socks5Messages, ReplyLength) {
    const unsigned char ipv4[5] = {5, 0, 0, 1, 127};
    const unsigned char ipv6[5] = {5, 0, 0, 4, 0};
    const unsigned char name[5] = {5, 0, 0, 3, 10};
    const unsigned char bad_version[5] = {4, 0, 0, 1, 0};
    const unsigned char bad_reserved[5] = {5, 0, 1, 1, 0};
    const unsigned char bad_type[5] = {5, 0, 0, 2, 0};
    EXPECT_EQ(5, socks5_reply_remaining(ipv4));
    EXPECT_EQ(17, socks5_reply_remaining(ipv6));
    EXPECT_EQ(12, socks5_reply_remaining(name));
    EXPECT_EQ(-1, socks5_reply_remaining(bad_version));
    EXPECT_EQ(-1, socks5_reply_remaining(bad_reserved));
    EXPECT_EQ(-1, socks5_reply_remaining(bad_type));
    EXPECT_EQ(ECONNREFUSED, socks5_reply_errno(5));
    EXPECT_EQ(EACCES, socks5_reply_errno(2));
    EXPECT_EQ(EHOSTUNREACH, socks5_reply_errno(4));
}

TEST(TcpAddressMask, PrefixOffByteBoundary) {
    tcp_address_mask_t m;
    ASSERT_TRUE(m.parse("172.16.0.0/12", false));
    EXPECT_TRUE(match(m, v4("172.16.0.1")));
    EXPECT_TRUE(match(m, v4("172.31.255.255")));
    EXPECT_FALSE(match(m, v4("172.32.0.0")));
    EXPECT_FALSE(match(m, v4("172.15.255.255")));
    ASSERT_TRUE(m.parse("10.1.2.3/31", false));
    EXPECT_TRUE(match(m, v4("10.1.2.2")));
    EXPECT_FALSE(match(m, v4("10.1.2.4")));
}

TEST(TcpAddressMask, ZeroBitsMatchTheWholeFamily) {
    tcp_address_mask_t m;
    ASSERT_TRUE(m.parse("10.0.0.0/0", false));
    EXPECT_TRUE(match(m, v4("192.0.2.1")));
    EXPECT_FALSE(match(m, v6("::1"))); // another family never matches
}

TEST(TcpAddressMask, Ipv6AndMappedAddresses) {
    tcp_address_mask_t m;
    ASSERT_TRUE(m.parse("2001:db8::/33", true));
    EXPECT_TRUE(match(m, v6("2001:db8:7fff::1")));
    EXPECT_FALSE(match(m, v6("2001:db8:8000::1")));
    // With ZMQ_IPV6 an IPv4 filter is IPv4-mapped: it matches the peers of a
    // dual-stack listener, not plain IPv4 ones (libzmq's rule).
    ASSERT_TRUE(m.parse("127.0.0.1", true));
    EXPECT_TRUE(match(m, v6("::ffff:127.0.0.1")));
    EXPECT_FALSE(match(m, v4("127.0.0.1")));
    // Without it, a mapped literal is read as IPv4.
    ASSERT_TRUE(m.parse("::ffff:127.0.0.1", false));
    EXPECT_TRUE(match(m, v4("127.0.0.1")));
}
