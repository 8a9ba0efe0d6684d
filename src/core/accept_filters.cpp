#include "core/accept_filters.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>

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

bool tcp_peer_allowed(int fd, const std::vector<tcp_address_mask_t> &filters) {
    if (filters.empty())
        return true;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0)
        return false;
    return std::any_of(filters.begin(), filters.end(), [&](const tcp_address_mask_t &f) {
        return f.matches(reinterpret_cast<const sockaddr *>(&ss), len);
    });
}

namespace {

template <typename T> bool contains(const std::vector<T> &v, T x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// The user name of a uid (getpwuid_r, growing the buffer on ERANGE).
bool user_name_of(uid_t uid, std::string &name) {
    std::vector<char> buf(1024);
    for (;;) {
        passwd pw{};
        passwd *found = nullptr;
        const int rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found);
        if (rc == ERANGE && buf.size() < (1u << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || !found)
            return false;
        name = pw.pw_name;
        return true;
    }
}

bool group_has_member(gid_t gid, const std::string &user) {
    std::vector<char> buf(4096);
    for (;;) {
        group gr{};
        group *found = nullptr;
        const int rc = ::getgrgid_r(gid, &gr, buf.data(), buf.size(), &found);
        if (rc == ERANGE && buf.size() < (1u << 22)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || !found || !gr.gr_mem)
            return false;
        for (char **m = gr.gr_mem; *m; ++m) {
            if (user == *m)
                return true;
        }
        return false;
    }
}

} // namespace

bool ipc_peer_allowed(int fd, const ipc_peer_filters_t &filters) {
    if (filters.empty())
        return true;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return false;
    if (contains(filters.uids, cred.uid) || contains(filters.gids, cred.gid) ||
        contains(filters.pids, cred.pid))
        return true;
    // Supplementary groups, as listed in the group database.
    if (filters.gids.empty())
        return false;
    std::string user;
    if (!user_name_of(cred.uid, user))
        return false;
    return std::any_of(filters.gids.begin(), filters.gids.end(),
                       [&](gid_t g) { return group_has_member(g, user); });
}

} // namespace zlink
