#include "transports/ws/ws_ports.hpp"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <map>
#include <mutex>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transports/io_domain.hpp"
#include "transports/tcp/tcp_address.hpp"
#include "transports/tcp/tcp_transport.hpp"
#include "transports/ws/ws_handshake.hpp"

namespace zlink {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::size_t max_request_size = 8192;

class ws_port_t;

// One bound path: the listener of the socket that bound it.
class ws_route_t final : public listener_t::impl_t {
  public:
    ws_route_t(std::shared_ptr<ws_port_t> port, asio::io_context &io, ws_bind_t bind)
        : io(io), bind(std::move(bind)), _port(std::move(port)) {}
    ~ws_route_t() override { close(); }

    void start(listener_t::accept_handler_t on_accept,
               listener_t::accept_failed_handler_t on_failed) override {
        std::vector<std::unique_ptr<i_asio_transport>> parked;
        {
            std::lock_guard<std::mutex> lock(_mutex);
            _on_accept = std::move(on_accept);
            _on_failed = std::move(on_failed);
            parked.swap(_parked);
        }
        for (auto &stream : parked)
            _on_accept(std::move(stream));
    }
    void close() override;

    // On io: a connection for this path.
    void deliver(std::unique_ptr<i_asio_transport> inner, std::string preread) {
        auto stream = bind.make_stream(std::move(inner), std::move(preread));
        std::unique_lock<std::mutex> lock(_mutex);
        if (_closed)
            return;
        if (!_on_accept) { // accepted before the socket started listening
            _parked.push_back(std::move(stream));
            return;
        }
        auto on_accept = _on_accept;
        lock.unlock();
        on_accept(std::move(stream));
    }
    void accept_failed(int err) {
        std::unique_lock<std::mutex> lock(_mutex);
        auto on_failed = _closed ? nullptr : _on_failed;
        lock.unlock();
        if (on_failed)
            on_failed(err);
    }

    asio::io_context &io;
    const ws_bind_t bind;

  private:
    std::shared_ptr<ws_port_t> _port;
    std::mutex _mutex;
    listener_t::accept_handler_t _on_accept;
    listener_t::accept_failed_handler_t _on_failed;
    std::vector<std::unique_ptr<i_asio_transport>> _parked;
    bool _closed = false;
};

// Ports by their bound address ("127.0.0.1:5555"); g_mutex before a port's.
std::mutex g_mutex;
std::map<std::string, std::weak_ptr<ws_port_t>> g_ports;

class ws_port_t final : public std::enable_shared_from_this<ws_port_t> {
  public:
    ws_port_t(asio::io_context &io, const ws_bind_t &first, int handshake_ivl)
        : io(io), domain(io_domain_of(io)), scheme(first.scheme), tls_identity(first.tls_identity),
          make_inner(first.make_inner), handshake_ivl(handshake_ivl) {}

    // On io: an accepted socket.
    void on_socket(asio::ip::tcp::socket socket);
    // Each route's close: the last one closes the port, and drops its
    // acceptor now: the routes may live on other io threads, whose
    // io_contexts may outlive this one's at the context's end.
    void remove(const std::string &path) {
        std::unique_ptr<listener_t> closed;
        {
            std::lock_guard<std::mutex> registry(g_mutex);
            std::lock_guard<std::mutex> lock(mutex);
            routes.erase(path);
            if (!routes.empty() || !tcp)
                return;
            tcp->close();
            closed = std::move(tcp);
            auto it = g_ports.find(key);
            if (it != g_ports.end() && it->second.lock().get() == this)
                g_ports.erase(it);
        }
    }
    std::shared_ptr<ws_route_t> route_for(const std::string &path) {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = routes.find(path);
        return it == routes.end() ? nullptr : it->second.lock();
    }
    std::vector<std::shared_ptr<ws_route_t>> live_routes() {
        std::lock_guard<std::mutex> lock(mutex);
        std::vector<std::shared_ptr<ws_route_t>> out;
        for (auto &r : routes) {
            if (auto route = r.second.lock())
                out.push_back(std::move(route));
        }
        return out;
    }

    asio::io_context &io; // the kernel socket's
    const void *const domain;
    const std::string scheme, tls_identity;
    const decltype(ws_bind_t::make_inner) make_inner;
    const int handshake_ivl;
    std::string key;
    std::unique_ptr<listener_t> tcp;
    std::mutex mutex;
    std::map<std::string, std::weak_ptr<ws_route_t>> routes;
};

void ws_route_t::close() {
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_closed)
            return;
        _closed = true;
        _parked.clear();
    }
    _port->remove(bind.path);
}

// Hands a connection to a route on the route's io thread.
void hand_over(const std::shared_ptr<ws_route_t> &route, asio::io_context &from,
               std::unique_ptr<i_asio_transport> inner, std::string preread) {
    if (&route->io == &from) {
        route->deliver(std::move(inner), std::move(preread));
        return;
    }
    if (!inner->move_to(route->io))
        return;
    // std::function needs a copyable handler: the stream rides in a shared_ptr.
    auto moved = std::make_shared<std::unique_ptr<i_asio_transport>>(std::move(inner));
    asio::post(route->io, [route, moved, preread = std::move(preread)]() mutable {
        route->deliver(std::move(*moved), std::move(preread));
    });
}

// Several paths: the upgrade request is read here to pick the route.
class upgrade_reader_t final : public std::enable_shared_from_this<upgrade_reader_t> {
  public:
    upgrade_reader_t(std::shared_ptr<ws_port_t> port, std::unique_ptr<i_asio_transport> inner)
        : _port(std::move(port)), _inner(std::move(inner)), _timer(_port->io) {}

    void start() {
        if (_port->handshake_ivl > 0) {
            _timer.expires_after(std::chrono::milliseconds(_port->handshake_ivl));
            _timer.async_wait([self = shared_from_this()](const error_code &ec) {
                if (!ec && self->_inner)
                    self->_inner->close(); // the pending wait ends the reader
            });
        }
        read();
    }

  private:
    void read() {
        for (;;) {
            char chunk[4096];
            error_code ec;
            const std::size_t n = _inner->try_read(asio::buffer(chunk), ec);
            if (ec == asio::error::would_block || (!ec && n == 0)) {
                _inner->async_wait_readable([self = shared_from_this()](const error_code &ec) {
                    if (ec || !self->_inner->is_open())
                        return self->finish();
                    self->read();
                });
                return;
            }
            if (ec)
                return finish();
            _in.append(chunk, n);
            ws_request_t req;
            std::size_t used = 0;
            const ws_parse_status st = ws_parse_request(_in.data(), _in.size(), used, req);
            if (st == ws_parse_status::ok) {
                if (auto route = _port->route_for(req.path)) {
                    _timer.cancel();
                    return hand_over(route, _port->io, std::move(_inner), std::move(_in));
                }
                return refuse(404, "Not Found");
            }
            if (st == ws_parse_status::bad || _in.size() > max_request_size) {
                // Only an HTTP client can read an answer.
                if (!std::isalpha(static_cast<unsigned char>(_in[0])))
                    return finish();
                return refuse(400, "Bad Request");
            }
        }
    }
    // Best effort: a refusal is small, the kernel takes it at once.
    void refuse(unsigned status, const char *reason) {
        const std::string reply = ws_server_refusal(status, reason);
        const asio::const_buffer buf(reply.data(), reply.size());
        error_code ec;
        _inner->try_write(&buf, 1, ec);
        finish();
    }
    void finish() {
        _timer.cancel();
        if (_inner)
            _inner->close();
    }

    std::shared_ptr<ws_port_t> _port;
    std::unique_ptr<i_asio_transport> _inner;
    std::string _in;
    asio::steady_timer _timer;
};

void ws_port_t::on_socket(asio::ip::tcp::socket socket) {
    const auto routes = live_routes();
    if (routes.empty())
        return;
    if (routes.size() == 1) {
        hand_over(routes.front(), io, make_inner(std::move(socket)), std::string());
        return;
    }
    std::make_shared<upgrade_reader_t>(shared_from_this(), make_inner(std::move(socket)))->start();
}

// "127.0.0.1:5555" of a bound endpoint ("ws://127.0.0.1:5555").
std::string address_key(const std::string &uri) {
    const std::size_t sep = uri.find("://");
    return sep == std::string::npos ? uri : uri.substr(sep + 3);
}

std::unique_ptr<listener_t> join(const std::shared_ptr<ws_port_t> &port, asio::io_context &io,
                                 ws_bind_t &bind, int &err) {
    if (port->domain != io_domain_of(io) || port->scheme != bind.scheme ||
        port->tls_identity != bind.tls_identity) {
        err = EADDRINUSE;
        return nullptr;
    }
    std::lock_guard<std::mutex> lock(port->mutex);
    auto &slot = port->routes[bind.path];
    if (!slot.expired()) {
        err = EADDRINUSE;
        return nullptr;
    }
    const std::string endpoint = bind.scheme + "://" + port->key + bind.path;
    auto route = std::make_shared<ws_route_t>(port, io, std::move(bind));
    slot = route;
    return std::make_unique<listener_t>(route, endpoint, port->tcp->native_handle());
}

} // namespace

std::unique_ptr<listener_t> listen_ws_path(asio::io_context &io, ws_bind_t bind,
                                           const options_t &options, int &err) {
    // A port given in full may already be listening here.
    asio::ip::tcp::endpoint ep;
    const bool shareable = options.use_fd == -1 &&
                           resolve_tcp_bind_address(bind.host_port, options.ipv6, ep) == 0 &&
                           ep.port() != 0;
    if (shareable) {
        std::lock_guard<std::mutex> registry(g_mutex);
        auto it = g_ports.find(address_key(tcp_endpoint_uri(ep)));
        if (it != g_ports.end()) {
            if (auto port = it->second.lock())
                return join(port, io, bind, err);
        }
    }
    auto port = std::make_shared<ws_port_t>(io, bind, options.handshake_ivl);
    std::weak_ptr<ws_port_t> weak = port;
    port->tcp = listen_tcp_as(io, bind.host_port, options, err, bind.scheme,
                              [weak](asio::ip::tcp::socket socket) {
                                  if (auto p = weak.lock())
                                      p->on_socket(std::move(socket));
                                  return std::unique_ptr<i_asio_transport>();
                              });
    if (!port->tcp)
        return nullptr;
    port->key = address_key(port->tcp->endpoint());
    std::unique_ptr<listener_t> listener;
    {
        std::lock_guard<std::mutex> registry(g_mutex);
        listener = join(port, io, bind, err);
        if (options.use_fd == -1)
            g_ports[port->key] = port;
    }
    port->tcp->start([](std::unique_ptr<i_asio_transport>) {},
                     [weak](int accept_err) { // reported on the first path's socket
                         auto p = weak.lock();
                         if (!p)
                             return;
                         const auto routes = p->live_routes();
                         if (routes.empty())
                             return;
                         auto route = routes.front();
                         asio::post(route->io,
                                    [route, accept_err] { route->accept_failed(accept_err); });
                     });
    return listener;
}

} // namespace zlink
