#include "transports/tcp/tcp_address.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

namespace zlink {

namespace ip = boost::asio::ip;

namespace {

// "*" (when allowed) or a decimal number up to 65535. libzmq parses with
// atoi and truncates to 16 bits; we reject what it would silently mangle.
bool parse_port(const std::string &s, bool allow_wildcard, uint16_t &port) {
    if (s == "*") {
        port = 0;
        return allow_wildcard;
    }
    if (s.empty() || s.size() > 5)
        return false;
    unsigned long v = 0;
    for (const char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c)))
            return false;
        v = v * 10 + static_cast<unsigned long>(c - '0');
    }
    if (v > 65535)
        return false;
    port = static_cast<uint16_t>(v);
    return true;
}

std::string strip_brackets(const std::string &host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        return host.substr(1, host.size() - 2);
    return host;
}

bool is_link_local(const ip::address_v6 &a) { return a.is_link_local(); }

} // namespace

int split_tcp_host_port(const std::string &address, std::string &host, uint16_t &port,
                        bool allow_wildcard_port) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos)
        return EINVAL;
    if (!parse_port(address.substr(colon + 1), allow_wildcard_port, port))
        return EINVAL;
    host = strip_brackets(address.substr(0, colon));
    return 0;
}

bool parse_numeric_host(const std::string &host, bool ipv6, ip::address &out) {
    boost::system::error_code ec;
    ip::address a = ip::make_address(host, ec);
    if (ec)
        return false;
    if (a.is_v6() && !ipv6) {
        if (!a.to_v6().is_v4_mapped())
            return false;
        a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
    }
    out = a;
    return true;
}

int resolve_interface_name(const std::string &name, bool ipv6, ip::address &out) {
    ifaddrs *list = nullptr;
    if (::getifaddrs(&list) != 0)
        return errno == ENOMEM ? ENOMEM : ENODEV;
    // Preference: ZMQ_IPV6 wants an IPv6 address (global before link-local),
    // falling back to the IPv4 one; otherwise IPv4 only.
    bool have_v4 = false, have_v6 = false, v6_global = false;
    ip::address_v4 v4;
    ip::address_v6 v6;
    for (ifaddrs *i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || !i->ifa_name || name != i->ifa_name)
            continue;
        if (i->ifa_addr->sa_family == AF_INET && !have_v4) {
            const auto *sin = reinterpret_cast<const sockaddr_in *>(i->ifa_addr);
            ip::address_v4::bytes_type b;
            std::memcpy(b.data(), &sin->sin_addr, 4);
            v4 = ip::address_v4(b);
            have_v4 = true;
        } else if (i->ifa_addr->sa_family == AF_INET6 && ipv6 && !v6_global) {
            const auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(i->ifa_addr);
            ip::address_v6::bytes_type b;
            std::memcpy(b.data(), &sin6->sin6_addr, 16);
            ip::address_v6 cand(b, sin6->sin6_scope_id);
            if (!have_v6 || !is_link_local(cand)) {
                v6 = cand;
                have_v6 = true;
                v6_global = !is_link_local(cand);
            }
        }
    }
    ::freeifaddrs(list);
    if (ipv6 && have_v6)
        out = v6;
    else if (have_v4)
        out = v4;
    else
        return ENODEV;
    return 0;
}

int resolve_tcp_interface(const std::string &raw_host, uint16_t port, bool ipv6,
                          ip::tcp::endpoint &out) {
    const std::string host = strip_brackets(raw_host);
    if (host == "*") {
        out = ipv6 ? ip::tcp::endpoint(ip::address_v6::any(), port)
                   : ip::tcp::endpoint(ip::address_v4::any(), port);
        return 0;
    }
    if (host.empty())
        return ENODEV;
    ip::address a;
    if (!parse_numeric_host(host, ipv6, a)) {
        boost::system::error_code ec;
        ip::make_address(host, ec);
        if (!ec) // numeric IPv6 without ZMQ_IPV6: libzmq says ENODEV
            return ENODEV;
        if (const int err = resolve_interface_name(host, ipv6, a))
            return err;
    }
    // With ZMQ_IPV6 every socket is an IPv6 (dual-stack) one, as in libzmq.
    if (ipv6 && a.is_v4())
        a = ip::make_address_v6(ip::v4_mapped, a.to_v4());
    out = ip::tcp::endpoint(a, port);
    return 0;
}

int resolve_tcp_bind_address(const std::string &address, bool ipv6, ip::tcp::endpoint &out) {
    std::string host;
    uint16_t port = 0;
    if (const int err = split_tcp_host_port(address, host, port, true))
        return err;
    if (host.find(';') != std::string::npos) // a source address means nothing on bind
        return EINVAL;
    return resolve_tcp_interface(host, port, ipv6, out);
}

bool is_valid_tcp_connect_address(const std::string &address) {
    // libzmq's quick character check: a host name, an IPv4/IPv6 literal
    // (with %zone), an optional "source;" prefix and ":port".
    if (address.empty())
        return false;
    const auto first = static_cast<unsigned char>(address[0]);
    if (!(std::isalnum(first) || first == '[' || first == ':'))
        return false;
    for (const char ch : address) {
        const auto c = static_cast<unsigned char>(ch);
        if (!(std::isalnum(c) || std::strchr(".-:%;[]_*", c)))
            return false;
    }
    tcp_connect_address_t parsed;
    return parse_tcp_connect_address(address, parsed) == 0;
}

int parse_tcp_connect_address(const std::string &address, tcp_connect_address_t &out) {
    out = tcp_connect_address_t{};
    std::string dest = address;
    const auto semi = address.find(';');
    if (semi != std::string::npos) {
        const std::string src = address.substr(0, semi);
        dest = address.substr(semi + 1);
        if (src.empty())
            return EINVAL;
        out.has_source = true;
        // libzmq accepts a source without a port: any port then.
        if (src.find(':') == std::string::npos || (src.front() == '[' && src.back() == ']')) {
            out.source_host = strip_brackets(src);
        } else if (const int err =
                       split_tcp_host_port(src, out.source_host, out.source_port, true)) {
            return err;
        }
    }
    return split_tcp_host_port(dest, out.host, out.port, false);
}

std::vector<ip::tcp::endpoint> filter_endpoints(const std::vector<ip::tcp::endpoint> &in,
                                                bool ipv6) {
    std::vector<ip::tcp::endpoint> out;
    for (const auto &ep : in) {
        ip::address a = ep.address();
        if (a.is_v6() && !ipv6) {
            if (!a.to_v6().is_v4_mapped())
                continue;
            a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
        }
        out.emplace_back(a, ep.port());
    }
    return out;
}

std::string tcp_address_string(const ip::address &addr) { return addr.to_string(); }

std::string tcp_endpoint_uri(const ip::tcp::endpoint &ep) {
    const ip::address a = ep.address();
    std::string s = "tcp://";
    if (a.is_v6())
        s += "[" + a.to_string() + "]";
    else
        s += a.to_string();
    return s + ":" + std::to_string(ep.port());
}

} // namespace zlink
