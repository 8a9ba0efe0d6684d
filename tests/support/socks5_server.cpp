#include "socks5_server.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nettest {

namespace {
constexpr int poll_slice_ms = 50; // how often blocked threads look at stop_
}

socks5_server::socks5_server(bool listen) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&a), &len) != 0)
        return; // port() stays 0: the test's connect then fails visibly
    port_ = ntohs(a.sin_port);
    if (listen)
        start_listening();
}

socks5_server::~socks5_server() { stop(); }

void socks5_server::start_listening() {
    if (acceptor_.joinable() || listen_fd_ < 0 || ::listen(listen_fd_, 16) != 0)
        return;
    acceptor_ = std::thread([this] { accept_loop(); });
}

void socks5_server::set_default(const behaviour &b) {
    std::lock_guard<std::mutex> lk(mu_);
    default_ = b;
}

void socks5_server::script(const behaviour &b) {
    std::lock_guard<std::mutex> lk(mu_);
    script_.push_back(b);
}

std::vector<socks5_server::record> socks5_server::records() {
    std::lock_guard<std::mutex> lk(mu_);
    return records_;
}

size_t socks5_server::connections() {
    std::lock_guard<std::mutex> lk(mu_);
    return records_.size();
}

bool socks5_server::wait_connections(size_t n, int timeout_ms) {
    std::unique_lock<std::mutex> lk(mu_);
    return cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms),
                        [&] { return records_.size() >= n; });
}

bool socks5_server::wait_requests(size_t n, int timeout_ms) {
    std::unique_lock<std::mutex> lk(mu_);
    return cv_.wait_for(lk, std::chrono::milliseconds(timeout_ms), [&] {
        size_t seen = 0;
        for (const record &r : records_)
            seen += r.atyp != -1 ? 1 : 0;
        return seen >= n;
    });
}

void socks5_server::stop() {
    stop_ = true;
    if (acceptor_.joinable())
        acceptor_.join();
    std::vector<std::thread> workers;
    {
        std::lock_guard<std::mutex> lk(mu_);
        workers.swap(workers_);
    }
    for (auto &t : workers)
        t.join();
    if (listen_fd_ >= 0)
        ::close(listen_fd_);
    listen_fd_ = -1;
}

template <typename F>
void socks5_server::update(size_t index, F &&f) {
    {
        std::lock_guard<std::mutex> lk(mu_);
        f(records_[index]);
    }
    cv_.notify_all();
}

void socks5_server::accept_loop() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, poll_slice_ms) <= 0)
            continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        std::lock_guard<std::mutex> lk(mu_);
        behaviour b = default_;
        if (!script_.empty()) {
            b = script_.front();
            script_.pop_front();
        }
        const size_t index = records_.size();
        records_.emplace_back();
        workers_.emplace_back([this, fd, index, b] { serve(fd, index, b); });
        cv_.notify_all();
    }
}

bool socks5_server::read_exact(int fd, void *buf, size_t n) {
    auto *p = static_cast<unsigned char *>(buf);
    while (n > 0) {
        if (stop_)
            return false;
        pollfd pf{fd, POLLIN, 0};
        if (::poll(&pf, 1, poll_slice_ms) <= 0)
            continue;
        const ssize_t r = ::recv(fd, p, n, 0);
        if (r <= 0)
            return false;
        p += r;
        n -= static_cast<size_t>(r);
    }
    return true;
}

bool socks5_server::write_all(int fd, const void *buf, size_t n) {
    const auto *p = static_cast<const unsigned char *>(buf);
    while (n > 0) {
        const ssize_t r = ::send(fd, p, n, MSG_NOSIGNAL);
        if (r <= 0)
            return false;
        p += r;
        n -= static_cast<size_t>(r);
    }
    return true;
}

int socks5_server::connect_target(const record &r, const behaviour &b) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    std::string host = r.host;
    std::string port = std::to_string(r.port);
    if (b.redirect_port) {
        host = "127.0.0.1";
        port = std::to_string(b.redirect_port);
    }
    addrinfo *res = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0)
        return -1;
    int fd = -1;
    for (addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && ::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(res);
    return fd;
}

void socks5_server::serve(int fd, size_t index, behaviour b) {
    int target = -1;
    [&] {
        unsigned char head[2];
        if (!read_exact(fd, head, 2) || head[0] != 5)
            return;
        std::vector<unsigned char> methods(head[1]);
        if (!methods.empty() && !read_exact(fd, methods.data(), methods.size()))
            return;
        auto offered = [&](unsigned char m) {
            for (unsigned char x : methods)
                if (x == m)
                    return true;
            return false;
        };
        int method = 0xFF;
        if (b.force_method >= 0)
            method = b.force_method;
        else if (b.require_auth)
            method = offered(2) ? 2 : 0xFF;
        else if (offered(0))
            method = 0;
        else if (offered(2))
            method = 2; // any credentials will do
        update(index, [&](record &r) {
            r.methods = methods;
            r.chosen_method = method;
        });
        if (b.silent)
            return (void)read_exact(fd, head, 1); // until the client gives up
        const unsigned char choice[2] = {5, static_cast<unsigned char>(method)};
        if (!write_all(fd, choice, 2) || method == 0xFF)
            return;
        if (method == 2) {
            unsigned char ver_len[2], plen;
            if (!read_exact(fd, ver_len, 2))
                return;
            std::string user(ver_len[1], '\0'), pass;
            if (!read_exact(fd, &user[0], user.size()) || !read_exact(fd, &plen, 1))
                return;
            pass.resize(plen);
            if (plen && !read_exact(fd, &pass[0], plen))
                return;
            update(index, [&](record &r) {
                r.sent_auth = true;
                r.username = user;
                r.password = pass;
            });
            const bool ok =
                ver_len[0] == 1 && (!b.require_auth || (user == b.username && pass == b.password));
            const unsigned char status[2] = {1, static_cast<unsigned char>(ok ? 0 : 1)};
            if (!write_all(fd, status, 2) || !ok)
                return;
        }
        unsigned char req[4];
        if (!read_exact(fd, req, 4) || req[0] != 5 || req[1] != 1)
            return;
        record got;
        got.atyp = req[3];
        if (req[3] == 1 || req[3] == 4) {
            unsigned char addr[16];
            const size_t n = req[3] == 1 ? 4 : 16;
            char text[INET6_ADDRSTRLEN] = {};
            if (!read_exact(fd, addr, n))
                return;
            ::inet_ntop(req[3] == 1 ? AF_INET : AF_INET6, addr, text, sizeof text);
            got.host = text;
        } else if (req[3] == 3) {
            unsigned char len;
            if (!read_exact(fd, &len, 1))
                return;
            got.host.resize(len);
            if (len && !read_exact(fd, &got.host[0], len))
                return;
        } else {
            return;
        }
        unsigned char port[2];
        if (!read_exact(fd, port, 2))
            return;
        got.port = port[0] << 8 | port[1];
        update(index, [&](record &r) {
            r.atyp = got.atyp;
            r.host = got.host;
            r.port = got.port;
        });
        unsigned char rep = b.connect_reply;
        if (rep == 0) {
            target = connect_target(got, b);
            if (target < 0)
                rep = 5; // connection refused
        }
        std::string reply = {5, static_cast<char>(rep), 0};
        if (b.reply_with_domain)
            reply += std::string("\x03\x0aproxy.test", 12);
        else
            reply += std::string("\x01\x7f\x00\x00\x01", 5);
        reply += std::string("\x04\x38", 2); // port 1080
        if (!write_all(fd, reply.data(), reply.size()) || rep != 0)
            return;
        update(index, [&](record &r) { r.relayed = true; });
        relay(fd, target);
    }();
    if (target >= 0)
        ::close(target);
    ::close(fd);
}

void socks5_server::relay(int a, int b) {
    char buf[16384];
    while (!stop_) {
        pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
        if (::poll(p, 2, poll_slice_ms) <= 0)
            continue;
        for (int i = 0; i < 2; ++i) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const ssize_t n = ::recv(p[i].fd, buf, sizeof buf, 0);
            if (n <= 0 || !write_all(p[1 - i].fd, buf, static_cast<size_t>(n)))
                return; // either side closed: close both
        }
    }
}

} // namespace nettest
