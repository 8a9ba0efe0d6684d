// tcp:// and ipc:// address syntax, resolution rules and the reconnect
// backoff helper. Expected values were checked against libzmq 4.3.4.
#include <cerrno>
#include <string>

#include <gtest/gtest.h>

#include "transports/connecter.hpp"
#include "transports/ipc/ipc_address.hpp"
#include "transports/tcp/tcp_address.hpp"

using namespace zlink;
namespace ip = boost::asio::ip;

namespace {

std::string bind_uri(const std::string &addr, bool ipv6, int &err) {
    ip::tcp::endpoint ep;
    err = resolve_tcp_bind_address(addr, ipv6, ep);
    return err ? std::string() : tcp_endpoint_uri(ep);
}

} // namespace

TEST(TransportAddress, BindWildcardsAndLiterals) {
    int err = -1;
    EXPECT_EQ(bind_uri("*:*", false, err), "tcp://0.0.0.0:0");
    EXPECT_EQ(bind_uri("*:0", false, err), "tcp://0.0.0.0:0");
    EXPECT_EQ(bind_uri("*:5555", false, err), "tcp://0.0.0.0:5555");
    EXPECT_EQ(bind_uri("*:*", true, err), "tcp://[::]:0");
    EXPECT_EQ(bind_uri("127.0.0.1:*", false, err), "tcp://127.0.0.1:0");
    EXPECT_EQ(bind_uri("0.0.0.0:7", false, err), "tcp://0.0.0.0:7");
    EXPECT_EQ(bind_uri("[127.0.0.1]:8", false, err), "tcp://127.0.0.1:8");
    EXPECT_EQ(bind_uri("[::1]:5555", true, err), "tcp://[::1]:5555");
    EXPECT_EQ(bind_uri("::1:5555", true, err), "tcp://[::1]:5555");
    EXPECT_EQ(bind_uri("[::]:*", true, err), "tcp://[::]:0");
    EXPECT_EQ(bind_uri("127.0.0.1:65535", false, err), "tcp://127.0.0.1:65535");
    // ZMQ_IPV6 maps IPv4 into IPv6 (dual-stack socket); without it an
    // IPv4-mapped literal becomes plain IPv4. Both as libzmq.
    EXPECT_EQ(bind_uri("127.0.0.1:1", true, err), "tcp://[::ffff:127.0.0.1]:1");
    EXPECT_EQ(bind_uri("[::ffff:127.0.0.1]:1", false, err), "tcp://127.0.0.1:1");
}

TEST(TransportAddress, BindInterfaceNames) {
    int err = -1;
    EXPECT_EQ(bind_uri("lo:*", false, err), "tcp://127.0.0.1:0");
    EXPECT_EQ(err, 0);
    const std::string v6 = bind_uri("lo:*", true, err);
    EXPECT_EQ(err, 0);
    // ::1 when lo has IPv6, else the IPv4-mapped 127.0.0.1.
    EXPECT_TRUE(v6 == "tcp://[::1]:0" || v6 == "tcp://[::ffff:127.0.0.1]:0") << v6;
    bind_uri("nosuchif0:*", false, err);
    EXPECT_EQ(err, ENODEV);
}

TEST(TransportAddress, BindErrors) {
    // Malformed (EINVAL), as libzmq.
    for (const char *a :
         {"", "*", "127.0.0.1", "127.0.0.1:", "127.0.0.1:abc", "127.0.0.1:0x10", "127.0.0.1:-1",
          "127.0.0.1:70000", "127.0.0.1:65536", "127.0.0.1;127.0.0.1:*"}) {
        int err = 0;
        bind_uri(a, false, err);
        EXPECT_EQ(err, EINVAL) << a;
    }
    // Not an interface or numeric address: ENODEV (no DNS on bind).
    for (const char *a : {":*", ":5", "localhost:*", "999.1.1.1:*", "a b:1", "nosuchif:*"}) {
        int err = 0;
        bind_uri(a, false, err);
        EXPECT_EQ(err, ENODEV) << a;
    }
    // IPv6 without ZMQ_IPV6.
    for (const char *a : {"[::1]:*", "[::]:*", "::1:*"}) {
        int err = 0;
        bind_uri(a, false, err);
        EXPECT_EQ(err, ENODEV) << a;
    }
}

TEST(TransportAddress, ConnectValidation) {
    for (const char *a : {"127.0.0.1:5555", "localhost:5555", "nosuchhost.invalid:1", "[::1]:5555",
                          "::1:5555", "127.0.0.1:0", ":5555", "lo:5555", "127.0.0.1;127.0.0.1:5555",
                          "127.0.0.1:0;127.0.0.1:5555", "127.0.0.1:*;127.0.0.1:5555",
                          "[::1]:*;[::1]:5555", "my_host-1.example.com:1", "fe80::1%lo:5555"}) {
        int err = -1;
        EXPECT_TRUE(is_valid_connect_address("tcp", a, err)) << a;
        EXPECT_EQ(err, 0) << a;
    }
    for (const char *a : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:*", "127.0.0.1:abc", "a b:1",
                          "*:5555", "*:0;127.0.0.1:5555", ";127.0.0.1:5555", "127.0.0.1:70000",
                          "host/x:1", "127.0.0.1:5555;", "127.0.0.1:x;127.0.0.1:1"}) {
        int err = 0;
        EXPECT_FALSE(is_valid_connect_address("tcp", a, err)) << a;
        EXPECT_EQ(err, EINVAL) << a;
    }
    int err = 0;
    EXPECT_FALSE(is_valid_connect_address("udp", "127.0.0.1:1", err));
    EXPECT_EQ(err, EPROTONOSUPPORT);
}

TEST(TransportAddress, ConnectParse) {
    tcp_connect_address_t a;
    ASSERT_EQ(parse_tcp_connect_address("10.0.0.1:*;[::1]:99", a), 0);
    EXPECT_TRUE(a.has_source);
    EXPECT_EQ(a.source_host, "10.0.0.1");
    EXPECT_EQ(a.source_port, 0);
    EXPECT_EQ(a.host, "::1");
    EXPECT_EQ(a.port, 99);
    ASSERT_EQ(parse_tcp_connect_address("127.0.0.2:4000;example.com:1", a), 0);
    EXPECT_EQ(a.source_port, 4000);
    EXPECT_EQ(a.host, "example.com");
    ASSERT_EQ(parse_tcp_connect_address("127.0.0.1:1", a), 0);
    EXPECT_FALSE(a.has_source);
}

TEST(TransportAddress, NumericHostsAndFilter) {
    ip::address a;
    EXPECT_TRUE(parse_numeric_host("127.0.0.1", false, a));
    EXPECT_TRUE(a.is_v4());
    EXPECT_FALSE(parse_numeric_host("::1", false, a));
    EXPECT_TRUE(parse_numeric_host("::1", true, a));
    EXPECT_TRUE(parse_numeric_host("::ffff:10.1.2.3", false, a));
    EXPECT_EQ(a.to_string(), "10.1.2.3");
    EXPECT_FALSE(parse_numeric_host("localhost", true, a));

    const std::vector<ip::tcp::endpoint> in = {{ip::make_address("::1"), 1},
                                               {ip::make_address("127.0.0.1"), 1},
                                               {ip::make_address("::ffff:127.0.0.2"), 1}};
    EXPECT_EQ(filter_endpoints(in, true).size(), 3u);
    const auto v4 = filter_endpoints(in, false);
    ASSERT_EQ(v4.size(), 2u);
    EXPECT_EQ(v4[1].address().to_string(), "127.0.0.2");
}

TEST(TransportAddress, EndpointStrings) {
    EXPECT_EQ(tcp_endpoint_uri({ip::make_address("127.0.0.1"), 54321}), "tcp://127.0.0.1:54321");
    EXPECT_EQ(tcp_endpoint_uri({ip::make_address("::1"), 5555}), "tcp://[::1]:5555");
    EXPECT_EQ(tcp_address_string(ip::make_address("::1")), "::1");
    EXPECT_EQ(tcp_address_string(ip::make_address("10.0.0.1")), "10.0.0.1");
}

TEST(TransportAddress, IpcParse) {
    ipc_address_t a;
    ASSERT_EQ(parse_ipc_address("/tmp/x.sock", a), 0);
    EXPECT_FALSE(a.abstract);
    EXPECT_EQ(a.uri(), "ipc:///tmp/x.sock");
    EXPECT_EQ(a.endpoint().path(), "/tmp/x.sock");
    ASSERT_EQ(parse_ipc_address("relative.sock", a), 0);
    EXPECT_EQ(a.uri(), "ipc://relative.sock");
    ASSERT_EQ(parse_ipc_address("@name", a), 0);
    EXPECT_TRUE(a.abstract);
    EXPECT_EQ(a.uri(), "ipc://@name");
    EXPECT_EQ(a.endpoint().path(), std::string("\0name", 5));
    EXPECT_EQ(ipc_name_of(a.endpoint()), "@name");

    EXPECT_EQ(parse_ipc_address("", a), EINVAL);
    EXPECT_EQ(parse_ipc_address("@", a), EINVAL);
    // sun_path is 108 bytes including the NUL: 107 characters fit.
    EXPECT_EQ(parse_ipc_address("/" + std::string(106, 'a'), a), 0);
    EXPECT_EQ(parse_ipc_address("/" + std::string(107, 'a'), a), ENAMETOOLONG);
    EXPECT_EQ(parse_ipc_address("@" + std::string(107, 'a'), a), ENAMETOOLONG);

    int err = 0;
    EXPECT_FALSE(is_valid_connect_address("ipc", "", err));
    EXPECT_EQ(err, EINVAL);
    EXPECT_FALSE(is_valid_connect_address("ipc", "/tmp/" + std::string(200, 'x'), err));
    EXPECT_EQ(err, ENAMETOOLONG);
    EXPECT_TRUE(is_valid_connect_address("ipc", "*", err)); // libzmq: a file named "*"
    EXPECT_TRUE(is_valid_connect_address("ipc", "@abstract", err));
}

TEST(TransportAddress, ReconnectInterval) {
    options_t o;
    o.reconnect_ivl = 100;
    o.reconnect_ivl_max = 0; // no backoff
    EXPECT_EQ(next_reconnect_interval(o, 100), 100);
    EXPECT_EQ(next_reconnect_interval(o, 100), 100);

    o.reconnect_ivl_max = 50; // max below ivl: no backoff either
    EXPECT_EQ(next_reconnect_interval(o, 100), 100);

    o.reconnect_ivl_max = 1000;
    int ivl = o.reconnect_ivl;
    std::vector<int> seen;
    for (int i = 0; i < 6; ++i) {
        seen.push_back(ivl);
        ivl = next_reconnect_interval(o, ivl);
    }
    EXPECT_EQ(seen, (std::vector<int>{100, 200, 400, 800, 1000, 1000}));

    o.reconnect_ivl = 1;
    o.reconnect_ivl_max = 0x7fffffff;
    EXPECT_EQ(next_reconnect_interval(o, 0x50000000), 0x7fffffff); // no overflow
}
