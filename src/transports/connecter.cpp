#include "transports/connecter.hpp"

#include <cerrno>
#include <chrono>
#include <limits>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transports/ipc/ipc_address.hpp"
#include "transports/socket_options.hpp"
#include "transports/tcp/socks5_client.hpp"
#include "transports/stream_transport.hpp"
#include "transports/tcp/tcp_address.hpp"

namespace zlink {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using ipc = asio::local::stream_protocol;

namespace {

// Resolver failures have their own category; the session only needs to
// know the peer is not reachable under this name.
int errno_of(const error_code &ec) {
    if (ec.category() == asio::error::get_system_category() ||
        ec.category() == boost::system::generic_category())
        return ec.value();
    return EHOSTUNREACH;
}

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

class connecter_t::attempt_t : public std::enable_shared_from_this<attempt_t> {
  public:
    attempt_t(asio::io_context &io, const std::string &protocol, const std::string &address,
              const options_t &options, done_handler_t done)
        : _protocol(protocol), _address(address), _options(options), _done(std::move(done)),
          _resolver(io), _tcp_socket(io), _ipc_socket(io), _timer(io), _socks_timer(io) {}

    void begin() {
        if (_finished)
            return;
        if (_options.connect_timeout > 0) {
            auto self = shared_from_this();
            _timer.expires_after(std::chrono::milliseconds(_options.connect_timeout));
            _timer.async_wait([self](const error_code &ec) {
                if (!ec)
                    self->complete(nullptr, ETIMEDOUT);
            });
        }
        try {
            if (_protocol == "tcp")
                begin_tcp();
            else if (_protocol == "ipc")
                begin_ipc();
            else
                complete(nullptr, EPROTONOSUPPORT);
        } catch (const std::exception &) {
            // Asio's resolver thread could not start, or no memory: this
            // attempt fails and the session retries later.
            complete(nullptr, EAGAIN);
        }
    }

    // Silences the handler and releases the sockets.
    void abandon() {
        _finished = true;
        _done = nullptr;
        release();
    }

    bool finished() const { return _finished; }

  private:
    void begin_tcp() {
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
        auto self = shared_from_this();
        _resolver.async_resolve(host, std::to_string(port),
                                tcp::resolver::numeric_service,
                                [self](const error_code &ec, tcp::resolver::results_type r) {
                                    self->on_resolved(ec, r);
                                });
    }

    void on_resolved(const error_code &ec, const tcp::resolver::results_type &results) {
        if (_finished)
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
    void connect_next() {
        if (_next >= _endpoints.size())
            return complete(nullptr, _last_err);
        const tcp::endpoint ep = _endpoints[_next++];
        error_code ec;
        _tcp_socket.close(ec);
        if (_tcp_socket.open(ep.protocol(), ec)) {
            _last_err = ec.value();
            return connect_next();
        }
        const int fd = _tcp_socket.native_handle();
        set_close_on_exec(fd);
        if (const int err = apply_pre_connect_options(fd, true, ep.address().is_v6(), _options))
            return complete(nullptr, err);
        if (_parsed.has_source) {
            asio::ip::address src = _source.address();
            if (!match_family(src, ep.address())) {
                _last_err = EINVAL;
                return connect_next();
            }
            // Lets several connections share one source port (libzmq does).
            _tcp_socket.set_option(tcp::socket::reuse_address(true), ec);
            if (_tcp_socket.bind(tcp::endpoint(src, _source.port()), ec))
                return complete(nullptr, ec.value());
        }
        auto self = shared_from_this();
        _tcp_socket.async_connect(ep, [self](const error_code &ec) { self->on_tcp_connected(ec); });
    }

    void on_tcp_connected(const error_code &ec) {
        if (_finished)
            return;
        if (ec) {
            _last_err = errno_of(ec);
            return connect_next();
        }
        if (_socks)
            return begin_socks();
        finish_tcp();
    }

    void finish_tcp() {
        apply_connected_tcp_options(_tcp_socket.native_handle(), _options);
        complete(std::make_unique<tcp_transport_t>(std::move(_tcp_socket)), 0);
    }

    // Connected to the proxy: ask it for the target. A proxy that stops
    // answering is given ZMQ_HANDSHAKE_IVL, like a peer's ZMTP handshake
    // (libzmq 4.3.4 waits forever); ZMQ_CONNECT_TIMEOUT still bounds it all.
    void begin_socks() {
        auto self = shared_from_this();
        if (_options.handshake_ivl > 0) {
            _socks_timer.expires_after(std::chrono::milliseconds(_options.handshake_ivl));
            _socks_timer.async_wait([self](const error_code &ec) {
                if (!ec)
                    self->complete(nullptr, ETIMEDOUT);
            });
        }
        socks5_request_t req;
        req.host = _parsed.host;
        req.port = _parsed.port;
        req.username = _options.socks_username;
        req.password = _options.socks_password;
        socks5_handshake(_tcp_socket, std::move(req), [self](int err) {
            if (self->_finished)
                return;
            if (err)
                return self->complete(nullptr, err);
            self->finish_tcp();
        });
    }

    void begin_ipc() {
        ipc_address_t addr;
        if (const int err = parse_ipc_address(_address, addr))
            return complete(nullptr, err);
        error_code ec;
        if (_ipc_socket.open(ipc(), ec))
            return complete(nullptr, ec.value());
        set_close_on_exec(_ipc_socket.native_handle());
        apply_pre_connect_options(_ipc_socket.native_handle(), false, false, _options);
        auto self = shared_from_this();
        _ipc_socket.async_connect(addr.endpoint(), [self, uri = addr.uri()](const error_code &ec) {
            if (self->_finished)
                return;
            if (ec)
                return self->complete(nullptr, errno_of(ec));
            auto t = std::make_unique<ipc_transport_t>(std::move(self->_ipc_socket));
            t->set_local_endpoint(uri);
            self->complete(std::move(t), 0);
        });
    }

    void complete(std::unique_ptr<i_asio_transport> transport, int err) {
        if (_finished)
            return;
        _finished = true;
        release();
        auto done = std::move(_done);
        _done = nullptr;
        if (done)
            done(std::move(transport), err);
    }

    void release() {
        error_code ec;
        _timer.cancel();
        _socks_timer.cancel();
        _resolver.cancel();
        _tcp_socket.close(ec);
        _ipc_socket.close(ec);
    }

    std::string _protocol, _address;
    options_t _options;
    done_handler_t _done;
    tcp::resolver _resolver;
    tcp::socket _tcp_socket;
    ipc::socket _ipc_socket;
    asio::steady_timer _timer;
    asio::steady_timer _socks_timer;
    bool _socks = false; // tcp through ZMQ_SOCKS_PROXY
    tcp_connect_address_t _parsed;
    tcp::endpoint _source;
    std::vector<tcp::endpoint> _endpoints;
    std::size_t _next = 0;
    int _last_err = EHOSTUNREACH;
    bool _finished = false;
};

connecter_t::connecter_t(asio::io_context &io, std::string protocol, std::string address,
                         const options_t &options)
    : _io(io), _protocol(std::move(protocol)), _address(std::move(address)), _options(options) {}

connecter_t::~connecter_t() { cancel(); }

void connecter_t::start(done_handler_t done) {
    cancel();
    _attempt = std::make_shared<attempt_t>(_io, _protocol, _address, _options, std::move(done));
    auto attempt = _attempt;
    asio::post(_io, [attempt] { attempt->begin(); });
}

void connecter_t::cancel() {
    if (_attempt) {
        _attempt->abandon();
        _attempt.reset();
    }
}

bool connecter_t::in_progress() const { return _attempt && !_attempt->finished(); }

int next_reconnect_interval(const options_t &options, int current_ivl) {
    const int ivl = options.reconnect_ivl;
    const int max = options.reconnect_ivl_max;
    if (max <= 0 || max <= ivl)
        return ivl;
    if (current_ivl < ivl)
        current_ivl = ivl;
    if (current_ivl >= std::numeric_limits<int>::max() / 2)
        return max;
    return current_ivl * 2 < max ? current_ivl * 2 : max;
}

std::string connect_event_endpoint(const std::string &endpoint, const std::string &protocol,
                                   const options_t &options) {
    const std::string proxy = socks_proxy_of(options);
    if (protocol != "tcp" || proxy.empty())
        return endpoint;
    return "tcp://" + proxy;
}

bool is_valid_connect_address(const std::string &protocol, const std::string &address, int &err) {
    if (protocol == "tcp") {
        err = is_valid_tcp_connect_address(address) ? 0 : EINVAL;
    } else if (protocol == "ipc") {
        ipc_address_t parsed;
        err = parse_ipc_address(address, parsed);
    } else {
        err = EPROTONOSUPPORT;
    }
    return err == 0;
}

} // namespace zlink
