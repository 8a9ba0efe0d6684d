// A raw POSIX socket peer that speaks hand-built ZMTP bytes, for tests of how
// zlink (or the system libzmq) treats a peer that misbehaves on the wire.
// Public API only, so the same tests run against both libraries. Included by
// net_testutil.hpp; same namespace as testutil.hpp.
#pragma once

#include "testutil.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <string>

namespace testutil {

// tcp://127.0.0.1:5555 -> 5555 (0 if not a tcp endpoint).
inline int tcp_port(const std::string &ep) {
    const auto colon = ep.rfind(':');
    if (ep.compare(0, 6, "tcp://") != 0 || colon == std::string::npos)
        return 0;
    return std::atoi(ep.c_str() + colon + 1);
}

// A plain tcp listener (no zmq) on 127.0.0.1 and an ephemeral port, put in
// *port; the descriptor, or -1.
inline int listen_loopback(int *port, int backlog = 16) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
        ::listen(fd, backlog) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
        if (fd >= 0)
            ::close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

// A connection accepted on `listen_fd` within `timeout` ms, or -1.
inline int accept_within(int listen_fd, int timeout = wait_ms) {
    pollfd p{listen_fd, POLLIN, 0};
    if (::poll(&p, 1, timeout) != 1)
        return -1;
    return ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
}

// A plain socket used as a hand-driven (possibly misbehaving) ZMTP peer.
class raw_peer {
  public:
    raw_peer() = default;
    raw_peer(const raw_peer &) = delete;
    ~raw_peer() { close(); }
    void close() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    int fd() const { return fd_; }
    // Drive a connection accepted elsewhere (accept_within).
    void adopt(int fd) {
        close();
        fd_ = fd;
    }

    // Connect to a tcp://a.b.c.d:port or ipc://path endpoint.
    bool connect(const std::string &ep) {
        if (ep.compare(0, 6, "tcp://") == 0) {
            const auto colon = ep.rfind(':');
            std::string host = ep.substr(6, colon - 6);
            sockaddr_storage ss{};
            socklen_t len;
            if (!host.empty() && host[0] == '[') {
                host = host.substr(1, host.size() - 2);
                auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
                a->sin6_family = AF_INET6;
                a->sin6_port = htons(static_cast<uint16_t>(tcp_port(ep)));
                if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1)
                    return false;
                len = sizeof *a;
            } else {
                auto *a = reinterpret_cast<sockaddr_in *>(&ss);
                a->sin_family = AF_INET;
                a->sin_port = htons(static_cast<uint16_t>(tcp_port(ep)));
                if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1)
                    return false;
                len = sizeof *a;
            }
            fd_ = ::socket(ss.ss_family, SOCK_STREAM, 0);
            return fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr *>(&ss), len) == 0;
        }
        if (ep.compare(0, 6, "ipc://") == 0) {
            sockaddr_un a{};
            a.sun_family = AF_UNIX;
            std::string path = ep.substr(6);
            socklen_t len = sizeof a;
            if (path[0] == '@') {
                a.sun_path[0] = '\0';
                memcpy(a.sun_path + 1, path.data() + 1, path.size() - 1);
                len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
            } else {
                memcpy(a.sun_path, path.data(), path.size());
            }
            fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
            return fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr *>(&a), len) == 0;
        }
        return false;
    }

    // Send everything; false if the peer already went away (EPIPE etc.).
    bool send(const std::string &data) {
        size_t off = 0;
        while (off < data.size()) {
            const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                return false;
            }
            off += static_cast<size_t>(n);
        }
        return true;
    }

    // Read exactly n bytes (bounded); shorter result on EOF/timeout.
    std::string read_n(size_t n, int timeout = wait_ms) {
        std::string out;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
        while (out.size() < n) {
            const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  deadline - std::chrono::steady_clock::now())
                                                  .count());
            pollfd p{fd_, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, left) <= 0)
                break;
            char buf[4096];
            const ssize_t r = ::recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
            if (r <= 0)
                break;
            out.append(buf, static_cast<size_t>(r));
        }
        return out;
    }

    // Drain until EOF or a reset (the zmq side dropped us); false on timeout.
    // The drained bytes are appended to `sink` if given.
    bool wait_closed(int timeout = wait_ms, std::string *sink = nullptr) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
        for (;;) {
            const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  deadline - std::chrono::steady_clock::now())
                                                  .count());
            pollfd p{fd_, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, left) <= 0)
                return false;
            char buf[4096];
            const ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
            if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
                return true;
            if (r > 0 && sink)
                sink->append(buf, static_cast<size_t>(r));
        }
    }

    // Whether the connection is still open after `ms` of quiet (data is read
    // and discarded). Used only as "not dropped" evidence, never for timing.
    bool still_open(int ms) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        for (;;) {
            const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  deadline - std::chrono::steady_clock::now())
                                                  .count());
            if (left <= 0)
                return true;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, left) <= 0)
                return true;
            char buf[4096];
            const ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
            if (r == 0 || (r < 0 && errno != EINTR))
                return false;
        }
    }

  private:
    int fd_ = -1;
};

// ---------------------------------------------------------------- ZMTP bytes
// Built from RFC 37 (ZMTP 3.1): greeting = signature (0xFF, 8 x 0x00, 0x7F),
// version (major, minor), 20-byte null-padded mechanism, as-server, 31 x 0x00.
// Frame = flags (bit0 MORE, bit1 LONG, bit2 COMMAND) + 1- or 8-byte size.

inline std::string zmtp_greeting(const std::string &mechanism = "NULL", bool as_server = false,
                                 uint8_t major = 3, uint8_t minor = 1) {
    std::string g(64, '\0');
    g[0] = static_cast<char>(0xFF);
    g[9] = 0x7F;
    g[10] = static_cast<char>(major);
    g[11] = static_cast<char>(minor);
    memcpy(&g[12], mechanism.data(), std::min<size_t>(20, mechanism.size()));
    g[32] = as_server ? 1 : 0;
    return g;
}

inline std::string zmtp_frame(const std::string &body, bool more = false, bool command = false,
                              bool force_long = false) {
    std::string f;
    uint8_t flags = (more ? 1 : 0) | (command ? 4 : 0);
    if (body.size() > 255 || force_long) {
        f.push_back(static_cast<char>(flags | 2));
        uint64_t n = body.size();
        for (int i = 7; i >= 0; --i)
            f.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
    } else {
        f.push_back(static_cast<char>(flags));
        f.push_back(static_cast<char>(body.size()));
    }
    return f + body;
}

// A command frame: name-size, name, then properties (name-size, name,
// 4-byte big-endian value-size, value).
inline std::string
zmtp_command(const std::string &name,
             const std::vector<std::pair<std::string, std::string>> &props = {}) {
    std::string body;
    body.push_back(static_cast<char>(name.size()));
    body += name;
    for (const auto &p : props) {
        body.push_back(static_cast<char>(p.first.size()));
        body += p.first;
        const uint32_t n = static_cast<uint32_t>(p.second.size());
        for (int i = 3; i >= 0; --i)
            body.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
        body += p.second;
    }
    return zmtp_frame(body, false, true);
}

inline std::string zmtp_ready(const std::string &socket_type) {
    return zmtp_command("READY", {{"Socket-Type", socket_type}});
}

// Drive a raw peer through a NULL handshake: send greeting + READY, read the
// 64-byte greeting and the server's READY. True if the server's side looked
// like ZMTP 3.x.
inline bool raw_null_handshake(raw_peer &p, const std::string &socket_type) {
    if (!p.send(zmtp_greeting() + zmtp_ready(socket_type)))
        return false;
    const std::string g = p.read_n(64);
    if (g.size() != 64 || static_cast<uint8_t>(g[0]) != 0xFF || g[10] != 3)
        return false;
    // READY: flags 0x04 (short) then size; read it fully.
    const std::string hdr = p.read_n(2);
    if (hdr.size() != 2 || (hdr[0] & 4) == 0)
        return false;
    const std::string body = p.read_n(static_cast<uint8_t>(hdr[1]));
    return body.size() == static_cast<uint8_t>(hdr[1]) && body.compare(0, 6, "\5READY") == 0;
}

} // namespace testutil
