#include "transports/tcp/socks5_client.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace zlink {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr unsigned char socks_version = 0x05;
constexpr unsigned char method_none = 0x00;
constexpr unsigned char method_basic = 0x02;
constexpr unsigned char auth_version = 0x01; // RFC 1929 sub-negotiation
constexpr unsigned char cmd_connect = 0x01;
constexpr unsigned char atyp_ipv4 = 0x01;
constexpr unsigned char atyp_domain = 0x03;
constexpr unsigned char atyp_ipv6 = 0x04;

int errno_of(const error_code &ec) {
    if (ec == asio::error::eof)
        return ECONNRESET; // the proxy hung up mid-exchange
    if (ec.category() == asio::error::get_system_category() ||
        ec.category() == boost::system::generic_category())
        return ec.value();
    return EPROTO;
}

class exchange_t : public std::enable_shared_from_this<exchange_t> {
  public:
    exchange_t(asio::ip::tcp::socket &socket, socks5_request_t request,
               std::function<void(int)> done)
        : _socket(socket), _request(std::move(request)), _done(std::move(done)) {}

    void start() { send(socks5_greeting(!_request.username.empty()), &exchange_t::read_choice); }

  private:
    using step_t = void (exchange_t::*)();

    void send(std::string bytes, step_t next) {
        _out = std::move(bytes);
        auto self = shared_from_this();
        asio::async_write(_socket, asio::buffer(_out), [self, next](const error_code &ec, size_t) {
            if (ec)
                return self->finish(errno_of(ec));
            ((*self).*next)();
        });
    }

    void receive(size_t n, step_t next) {
        auto self = shared_from_this();
        asio::async_read(_socket, asio::buffer(_in, n), [self, next](const error_code &ec, size_t) {
            if (ec)
                return self->finish(errno_of(ec));
            ((*self).*next)();
        });
    }

    void read_choice() { receive(2, &exchange_t::on_choice); }

    void on_choice() {
        if (_in[0] != socks_version)
            return finish(EPROTO);
        // libzmq goes on with whichever of the two methods the proxy picks.
        if (_in[1] == method_basic)
            return send(socks5_auth_request(_request.username, _request.password),
                        &exchange_t::read_auth_reply);
        if (_in[1] == method_none)
            return send_connect();
        finish(EACCES); // 0xFF: none of the offered methods is acceptable
    }

    void read_auth_reply() { receive(2, &exchange_t::on_auth_reply); }

    void on_auth_reply() {
        if (_in[0] != auth_version)
            return finish(EPROTO);
        if (_in[1] != 0x00)
            return finish(EACCES);
        send_connect();
    }

    void send_connect() {
        std::string req = socks5_connect_request(_request.host, _request.port);
        if (req.empty())
            return finish(EINVAL);
        send(std::move(req), &exchange_t::read_reply_head);
    }

    void read_reply_head() { receive(5, &exchange_t::on_reply_head); }

    void on_reply_head() {
        const int rest = socks5_reply_remaining(_in);
        if (rest < 0)
            return finish(EPROTO);
        if (_in[1] != 0x00)
            return finish(socks5_reply_errno(_in[1]));
        // The bound address is not used, but it must not reach the ZMTP engine.
        receive(static_cast<size_t>(rest), &exchange_t::on_reply_tail);
    }

    void on_reply_tail() { finish(0); }

    void finish(int err) {
        auto done = std::move(_done);
        _done = nullptr;
        if (done)
            done(err);
    }

    asio::ip::tcp::socket &_socket;
    socks5_request_t _request;
    std::function<void(int)> _done;
    std::string _out;
    unsigned char _in[262]; // the longest read: a domain-name reply tail
};

} // namespace

std::string socks5_greeting(bool basic_auth) {
    const char msg[] = {static_cast<char>(socks_version), 1,
                        static_cast<char>(basic_auth ? method_basic : method_none)};
    return std::string(msg, sizeof msg);
}

std::string socks5_auth_request(const std::string &username, const std::string &password) {
    // The option setter keeps both within 255 bytes.
    std::string out(1, static_cast<char>(auth_version));
    out += static_cast<char>(username.size() & 0xFF);
    out += username.substr(0, 255);
    out += static_cast<char>(password.size() & 0xFF);
    out += password.substr(0, 255);
    return out;
}

std::string socks5_connect_request(const std::string &host, uint16_t port) {
    std::string out;
    out += static_cast<char>(socks_version);
    out += static_cast<char>(cmd_connect);
    out += '\0';
    // Numeric hosts go as addresses (getaddrinfo's notion of numeric, as
    // libzmq); names go unresolved, so the proxy does the lookup.
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *res = nullptr;
    const bool numeric = ::getaddrinfo(host.c_str(), nullptr, &hints, &res) == 0 && res;
    if (numeric && res->ai_family == AF_INET) {
        out += static_cast<char>(atyp_ipv4);
        out.append(reinterpret_cast<const char *>(
                       &reinterpret_cast<const sockaddr_in *>(res->ai_addr)->sin_addr),
                   4);
    } else if (numeric && res->ai_family == AF_INET6) {
        out += static_cast<char>(atyp_ipv6);
        out.append(reinterpret_cast<const char *>(
                       &reinterpret_cast<const sockaddr_in6 *>(res->ai_addr)->sin6_addr),
                   16);
    } else {
        if (host.empty() || host.size() > 255) {
            if (res)
                ::freeaddrinfo(res);
            return std::string();
        }
        out += static_cast<char>(atyp_domain);
        out += static_cast<char>(host.size());
        out += host;
    }
    if (res)
        ::freeaddrinfo(res);
    out += static_cast<char>(port >> 8);
    out += static_cast<char>(port & 0xFF);
    return out;
}

int socks5_reply_remaining(const unsigned char head[5]) {
    if (head[0] != socks_version || head[2] != 0x00)
        return -1;
    // head[4] is the first address byte (or the name length); port follows.
    switch (head[3]) {
    case atyp_ipv4:
        return 4 - 1 + 2;
    case atyp_ipv6:
        return 16 - 1 + 2;
    case atyp_domain:
        return head[4] + 2;
    default:
        return -1;
    }
}

int socks5_reply_errno(unsigned char rep) {
    switch (rep) {
    case 0x02:
        return EACCES; // not allowed by ruleset
    case 0x03:
        return ENETUNREACH; // network unreachable
    case 0x04:
        return EHOSTUNREACH; // host unreachable
    case 0x06:
        return ETIMEDOUT; // TTL expired
    case 0x07:
        return EOPNOTSUPP; // command not supported
    case 0x08:
        return EAFNOSUPPORT; // address type not supported
    default:
        return ECONNREFUSED; // 0x01 general failure, 0x05 refused, others
    }
}

void socks5_handshake(asio::ip::tcp::socket &socket, socks5_request_t request,
                      std::function<void(int err)> done) {
    std::make_shared<exchange_t>(socket, std::move(request), std::move(done))->start();
}

} // namespace zlink
