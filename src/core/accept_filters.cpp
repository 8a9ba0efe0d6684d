#include "core/accept_filters.hpp"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>

namespace zlink {

bool tcp_address_mask_t::parse(const std::string &text, bool ipv6) {
    std::string host = text;
    std::string bits;
    bool has_bits = false;
    // The last '/' (libzmq rejects "1.2.3.4/8/8" as a bad address).
    const size_t slash = text.rfind('/');
    if (slash != std::string::npos) {
        host = text.substr(0, slash);
        bits = text.substr(slash + 1);
        has_bits = true;
        if (bits.empty())
            return false;
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty())
        return false;

    addrinfo hints{};
    hints.ai_family = ipv6 ? AF_INET6 : AF_INET;
    hints.ai_flags = AI_NUMERICHOST | (ipv6 ? AI_V4MAPPED : 0);
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *res = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res)
        return false;
    if (res->ai_family == AF_INET) {
        family = AF_INET;
        std::memcpy(bytes, &reinterpret_cast<sockaddr_in *>(res->ai_addr)->sin_addr, 4);
    } else {
        family = AF_INET6;
        std::memcpy(bytes, &reinterpret_cast<sockaddr_in6 *>(res->ai_addr)->sin6_addr, 16);
    }
    ::freeaddrinfo(res);

    const int max_bits = family == AF_INET ? 32 : 128;
    if (!has_bits) {
        prefix_bits = max_bits;
    } else if (bits == "0") {
        prefix_bits = 0;
    } else {
        // strtol as libzmq: leading blanks and a sign pass, trailing junk is
        // ignored, "00" or "0x10" read as 0 and fail.
        const long v = std::strtol(bits.c_str(), nullptr, 10);
        if (v < 1 || v > max_bits)
            return false;
        prefix_bits = static_cast<int>(v);
    }
    return true;
}

bool tcp_address_mask_t::matches(const sockaddr *addr, socklen_t len) const {
    const unsigned char *peer = nullptr;
    if (addr->sa_family != family)
        return false;
    if (family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in)))
        peer = reinterpret_cast<const unsigned char *>(
            &reinterpret_cast<const sockaddr_in *>(addr)->sin_addr);
    else if (family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6)))
        peer = reinterpret_cast<const unsigned char *>(
            &reinterpret_cast<const sockaddr_in6 *>(addr)->sin6_addr);
    if (!peer)
        return false;
    const int whole = prefix_bits / 8;
    if (std::memcmp(peer, bytes, static_cast<size_t>(whole)) != 0)
        return false;
    const int rest = prefix_bits % 8;
    if (rest == 0)
        return true;
    const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
    return (peer[whole] & mask) == (bytes[whole] & mask);
}

} // namespace zlink
