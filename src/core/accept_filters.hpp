// The values of the accept-filter options: ZMQ_TCP_ACCEPT_FILTER (peer
// address in one of the "addr[/bits]" networks) and ZMQ_IPC_FILTER_UID/GID/PID
// (peer credentials). Empty lists accept everyone, as in libzmq. The
// listeners of tcp/ and ipc/ apply them.
#pragma once

#include <string>
#include <sys/socket.h>
#include <sys/types.h>
#include <vector>

namespace zlink {

struct tcp_address_mask_t {
    int family = AF_UNSPEC;    // AF_INET or AF_INET6
    unsigned char bytes[16]{}; // network address, 4 or 16 bytes used
    int prefix_bits = 0;       // 0 matches every address of the family

    // libzmq's syntax: a numeric address (getaddrinfo AI_NUMERICHOST, so
    // "1.2.3" and "[::1]" pass) and an optional "/bits" read with strtol;
    // with ZMQ_IPV6 an IPv4 address is kept IPv4-mapped. False: EINVAL.
    bool parse(const std::string &text, bool ipv6);
    // The family must be the same (libzmq does not compare IPv4 with
    // IPv4-mapped addresses).
    bool matches(const sockaddr *addr, socklen_t len) const;
};

struct ipc_peer_filters_t {
    std::vector<uid_t> uids;
    std::vector<gid_t> gids;
    std::vector<pid_t> pids;
    bool empty() const { return uids.empty() && gids.empty() && pids.empty(); }
};

} // namespace zlink
