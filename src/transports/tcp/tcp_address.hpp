// tcp:// address syntax, as libzmq accepts it.
//   bind:    "*:port", "*:*", "0.0.0.0:5555", "127.0.0.1:*", "[::1]:5555",
//            "::1:5555", interface names ("lo:5555", "eth0:*").
//   connect: "host:port", "[v6]:port", "src_host:src_port;dst_host:dst_port"
//            (src_port may be 0 or *).
// Port "*" and "0" mean an ephemeral port on bind. Functions return 0 or an
// errno: EINVAL malformed, ENODEV unknown interface/host on bind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace zlink {

// Splits "host:port" at the last ':' and strips "[...]" around the host.
// Returns EINVAL when there is no ':' or the port is not "*", or 0..65535.
// port_out is 0 for "*".
int split_tcp_host_port(const std::string &address, std::string &host, uint16_t &port,
                        bool allow_wildcard_port);

// Bind side: resolves the interface part without DNS (numeric addresses,
// "*", interface names). With ipv6=false only IPv4 is accepted (IPv4-mapped
// IPv6 literals are converted); with ipv6=true IPv4 addresses become
// IPv4-mapped IPv6 ones and "*" is "::" (the socket is then dual-stack).
int resolve_tcp_bind_address(const std::string &address, bool ipv6,
                             boost::asio::ip::tcp::endpoint &out);

// Only the interface part ("*", "127.0.0.1", "[::1]", "lo") for a given port.
int resolve_tcp_interface(const std::string &host, uint16_t port, bool ipv6,
                          boost::asio::ip::tcp::endpoint &out);

// The address of a network interface by name (getifaddrs); ENODEV if none.
int resolve_interface_name(const std::string &name, bool ipv6, boost::asio::ip::address &out);

// Connect side, syntax only (no resolution).
struct tcp_connect_address_t {
    bool has_source = false;
    std::string source_host; // bind-style: numeric, interface name or "*"
    uint16_t source_port = 0;
    std::string host; // brackets stripped; may be a DNS name
    uint16_t port = 0;
};
int parse_tcp_connect_address(const std::string &address, tcp_connect_address_t &out);

// zmq_connect's synchronous check (libzmq's character-set test plus the
// port syntax). Host names are resolved later, by the connecter.
bool is_valid_tcp_connect_address(const std::string &address);

// A numeric host ("1.2.3.4", "::1", "fe80::1%eth0") as an address, filtered
// and mapped by the ZMQ_IPV6 rule. Returns false when it is not numeric or
// not usable (IPv6 without ZMQ_IPV6).
bool parse_numeric_host(const std::string &host, bool ipv6, boost::asio::ip::address &out);

// Keeps the resolver results usable under the ZMQ_IPV6 rule, in order.
std::vector<boost::asio::ip::tcp::endpoint>
filter_endpoints(const std::vector<boost::asio::ip::tcp::endpoint> &in, bool ipv6);

// "tcp://127.0.0.1:5555", "tcp://[::1]:5555" (libzmq's ZMQ_LAST_ENDPOINT form).
std::string tcp_endpoint_uri(const boost::asio::ip::tcp::endpoint &ep);
// Bare address as libzmq's Peer-Address: "127.0.0.1", "::1".
std::string tcp_address_string(const boost::asio::ip::address &addr);

} // namespace zlink
