#include "transports/tcp/tcp_connecter.hpp"

#include <cerrno>
#include <chrono>

#include "transports/socket_options.hpp"
#include "transports/tcp/socks5_client.hpp"
#include "transports/tcp/tcp_socket_options.hpp"
#include "transports/tcp/tcp_stream.hpp"

namespace zlink {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

// The source address must have the destination's family.
bool match_family(asio::ip::address &src, const asio::ip::address &dst) {
    if (src.is_v4() == dst.is_v4())
        return true;
    if (src.is_v6() && src.to_v6().is_v4_mapped()) {
        src = asio::ip::make_address_v4(asio::ip::v4_mapped, src.to_v6());
        return true;
    }
    if (src.is_v4()) {
        src = asio::ip::make_address_v6(asio::ip::v4_mapped, src.to_v4());
        return true;
    }
    return false;
}

// ZMQ_SOCKS_PROXY as libzmq reads it: up to a NUL counted in the size.
std::string socks_proxy_of(const options_t &options) { return options.socks_proxy.c_str(); }

} // namespace

std::string tcp_event_endpoint(const std::string &endpoint, const options_t &options) {
    const std::string proxy = socks_proxy_of(options);
    if (proxy.empty())
        return endpoint;
    return "tcp://" + proxy;
}

tcp_connect_attempt_t::tcp_connect_attempt_t(asio::io_context &io, const std::string &address,
                                             const options_t &options, done_handler_t done)
    : connect_attempt_t(io, options, std::move(done)), _address(address), _resolver(io),
      _socket(io), _socks_timer(io) {}

void tcp_connect_attempt_t::start_connecting() {
    if (const int err = parse_tcp_connect_address(_address, _parsed))
        return complete(nullptr, err);
    // Through a proxy the socket goes to the proxy; the target host is
    // not resolved here but sent to the proxy (socks5_client.hpp).
    std::string host = _parsed.host;
    uint16_t port = _parsed.port;
    const std::string proxy = socks_proxy_of(_options);
    if (!proxy.empty()) {
        _socks = true;
        if (_parsed.port == 0 || _parsed.host.empty() ||
            split_tcp_host_port(proxy, host, port, false) != 0)
            return complete(nullptr, EINVAL);
    }
    if (_parsed.has_source) {
        if (const int err = resolve_tcp_interface(_parsed.source_host, _parsed.source_port,
                                                  _options.ipv6, _source))
            return complete(nullptr, err);
    }
    asio::ip::address numeric;
    if (parse_numeric_host(host, _options.ipv6, numeric)) {
        _endpoints.emplace_back(numeric, port);
        return connect_next();
    }
    error_code ec;
    asio::ip::make_address(host, ec);
    if (!ec || host.empty()) // IPv6 literal without ZMQ_IPV6, or no host
        return complete(nullptr, EHOSTUNREACH);
    auto me = self<tcp_connect_attempt_t>();
    _resolver.async_resolve(
        host, std::to_string(port), tcp::resolver::numeric_service,
        [me](const error_code &ec, tcp::resolver::results_type r) { me->on_resolved(ec, r); });
}

void tcp_connect_attempt_t::on_resolved(const error_code &ec,
                                        const tcp::resolver::results_type &results) {
    if (finished())
        return;
    if (ec)
        return complete(nullptr, errno_of(ec));
    std::vector<tcp::endpoint> all;
    for (const auto &entry : results)
        all.push_back(entry.endpoint());
    _endpoints = filter_endpoints(all, _options.ipv6);
    connect_next();
}

// Tries the resolved addresses in order, as getaddrinfo ranked them.
void tcp_connect_attempt_t::connect_next() {
    if (_next >= _endpoints.size())
        return complete(nullptr, _last_err);
    const tcp::endpoint ep = _endpoints[_next++];
    error_code ec;
    _socket.close(ec);
    if (_socket.open(ep.protocol(), ec)) {
        _last_err = ec.value();
        return connect_next();
    }
    const int fd = _socket.native_handle();
    set_close_on_exec(fd);
    if (const int err = apply_pre_connect_tcp_options(fd, ep.address().is_v6(), _options))
        return complete(nullptr, err);
    if (_parsed.has_source) {
        asio::ip::address src = _source.address();
        if (!match_family(src, ep.address())) {
            _last_err = EINVAL;
            return connect_next();
        }
        // Lets several connections share one source port (libzmq does).
        _socket.set_option(tcp::socket::reuse_address(true), ec);
        if (_socket.bind(tcp::endpoint(src, _source.port()), ec))
            return complete(nullptr, ec.value());
    }
    auto me = self<tcp_connect_attempt_t>();
    _socket.async_connect(ep, [me](const error_code &ec) { me->on_tcp_connected(ec); });
}

void tcp_connect_attempt_t::on_tcp_connected(const error_code &ec) {
    if (finished())
        return;
    if (ec) {
        _last_err = errno_of(ec);
        return connect_next();
    }
    if (_socks)
        return begin_socks();
    finish_tcp();
}

void tcp_connect_attempt_t::finish_tcp() {
    apply_connected_tcp_options(_socket.native_handle(), _options);
    on_connected(std::move(_socket));
}

void tcp_connect_attempt_t::on_connected(tcp::socket socket) {
    complete(std::make_unique<tcp_transport_t>(std::move(socket)), 0);
}

// Connected to the proxy: ask it for the target. A proxy that stops
// answering is given ZMQ_HANDSHAKE_IVL, like a peer's ZMTP handshake
// (libzmq 4.3.4 waits forever); ZMQ_CONNECT_TIMEOUT still bounds it all.
void tcp_connect_attempt_t::begin_socks() {
    auto me = self<tcp_connect_attempt_t>();
    if (_options.handshake_ivl > 0) {
        _socks_timer.expires_after(std::chrono::milliseconds(_options.handshake_ivl));
        _socks_timer.async_wait([me](const error_code &ec) {
            if (!ec)
                me->complete(nullptr, ETIMEDOUT);
        });
    }
    socks5_request_t req;
    req.host = _parsed.host;
    req.port = _parsed.port;
    req.username = _options.socks_username;
    req.password = _options.socks_password;
    socks5_handshake(_socket, std::move(req), [me](int err) {
        if (me->finished())
            return;
        if (err)
            return me->complete(nullptr, err);
        me->finish_tcp();
    });
}

void tcp_connect_attempt_t::release() {
    error_code ec;
    _socks_timer.cancel();
    _resolver.cancel();
    _socket.close(ec);
}

} // namespace zlink
