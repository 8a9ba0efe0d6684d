#include "transports/ws/ws_transport.hpp"

#include <cerrno>

#include "transports/connect_attempt.hpp"
#include "transports/tcp/tcp_address.hpp"
#include "transports/tcp/tcp_connecter.hpp"
#include "transports/tcp/tcp_stream.hpp"
#include "transports/tcp/tcp_transport.hpp"
#include "transports/tls/tls_context.hpp"
#include "transports/tls/tls_stream.hpp"
#include "transports/ws/ws_ports.hpp"
#include "transports/ws/ws_stream.hpp"

namespace zlink {

namespace asio = boost::asio;

namespace {

// The server TLS options of a bind: wss paths share a port only when equal.
std::string tls_server_identity(const options_t &o) {
    std::string id;
    for (const std::string *v : {&o.tls_cert, &o.tls_key, &o.tls_ca, &o.tls_password})
        id += std::to_string(v->size()) + ':' + *v;
    return id + char('0' + o.tls_verify) + char('0' + o.tls_require_client_cert) +
           std::to_string(o.tls_trust_system);
}

// "host:port/path" -> "host:port" and "/path" ("/" when there is none).
bool split_ws_address(const std::string &address, std::string &host_port, std::string &path) {
    const std::size_t slash = address.find('/');
    host_port = address.substr(0, slash);
    path = slash == std::string::npos ? "/" : address.substr(slash);
    for (const char c : path) {
        if (c <= ' ' || c == 0x7f)
            return false; // would break the request line
    }
    return !host_port.empty();
}

ws_stream_t::config_t make_config(ws_stream_t::role_t role, bool secure, const options_t &options,
                                  const std::string &host, const std::string &path) {
    ws_stream_t::config_t config;
    config.role = role;
    config.scheme = secure ? "wss" : "ws";
    config.host = host;
    config.path = path;
    config.mechanism = options.mechanism;
    config.as_server = options.as_server;
    config.socket_type = options.type;
    config.max_message = options.maxmsgsize;
    return config;
}

class ws_connect_attempt_t final : public tcp_connect_attempt_t {
  public:
    ws_connect_attempt_t(asio::io_context &io, const std::string &host_port,
                         const std::string &path, bool secure, const options_t &options,
                         done_handler_t done)
        : tcp_connect_attempt_t(io, host_port, options, std::move(done)), _io(io),
          _host_port(host_port), _path(path), _secure(secure) {}

  protected:
    void on_connected(asio::ip::tcp::socket socket) override {
        // The Host header: what follows a source address ("src;host:port").
        const std::size_t semi = _host_port.find(';');
        const std::string host_header =
            semi == std::string::npos ? _host_port : _host_port.substr(semi + 1);
        std::unique_ptr<i_asio_transport> inner;
        if (_secure) {
            int err = 0;
            tls_context_ptr ctx = make_tls_client_context(_options, err);
            if (!ctx)
                return complete(nullptr, err);
            std::string host = _options.tls_hostname;
            if (host.empty()) {
                tcp_connect_address_t parsed;
                if (parse_tcp_connect_address(_host_port, parsed) == 0)
                    host = parsed.host;
            }
            inner = std::make_unique<tls_stream_t>(std::move(socket), std::move(ctx),
                                                   tls_stream_t::role_t::client, host);
        } else {
            inner = std::make_unique<tcp_transport_t>(std::move(socket));
        }
        complete(std::make_unique<ws_stream_t>(_io, std::move(inner),
                                               make_config(ws_stream_t::role_t::client, _secure,
                                                           _options, host_header, _path)),
                 0);
    }

  private:
    asio::io_context &_io;
    std::string _host_port, _path;
    bool _secure;
};

int check_ws_connect_address(const std::string &address) {
    std::string host_port, path;
    if (!split_ws_address(address, host_port, path))
        return EINVAL;
    return is_valid_tcp_connect_address(host_port) ? 0 : EINVAL;
}

std::unique_ptr<listener_t> listen_ws_impl(asio::io_context &io, const std::string &address,
                                           const options_t &options, int &err, bool secure) {
    std::string host_port, path;
    if (!split_ws_address(address, host_port, path)) {
        err = EINVAL;
        return nullptr;
    }
    tls_context_ptr ctx;
    if (secure && !(ctx = make_tls_server_context(options, err)))
        return nullptr;
    ws_bind_t bind;
    bind.scheme = secure ? "wss" : "ws";
    bind.host_port = host_port;
    bind.path = path;
    if (secure)
        bind.tls_identity = tls_server_identity(options);
    bind.make_inner = [ctx](asio::ip::tcp::socket socket) -> std::unique_ptr<i_asio_transport> {
        if (ctx)
            return std::make_unique<tls_stream_t>(std::move(socket), ctx,
                                                  tls_stream_t::role_t::server);
        return std::make_unique<tcp_transport_t>(std::move(socket));
    };
    const ws_stream_t::config_t config =
        make_config(ws_stream_t::role_t::server, secure, options, std::string(), path);
    bind.make_stream = [&io, config](std::unique_ptr<i_asio_transport> inner,
                                     std::string preread) -> std::unique_ptr<i_asio_transport> {
        auto stream = std::make_unique<ws_stream_t>(io, std::move(inner), config);
        stream->preload(std::move(preread));
        return stream;
    };
    return listen_ws_path(io, std::move(bind), options, err);
}

std::unique_ptr<listener_t> listen_ws(asio::io_context &io, const std::string &address,
                                      const options_t &options, int &err) {
    return listen_ws_impl(io, address, options, err, false);
}

std::unique_ptr<listener_t> listen_wss(asio::io_context &io, const std::string &address,
                                       const options_t &options, int &err) {
    return listen_ws_impl(io, address, options, err, true);
}

std::shared_ptr<connect_attempt_t> make_attempt(asio::io_context &io, const std::string &address,
                                                const options_t &options,
                                                connect_attempt_t::done_handler_t done,
                                                bool secure) {
    std::string host_port, path;
    split_ws_address(address, host_port, path); // checked by zmq_connect
    return std::make_shared<ws_connect_attempt_t>(io, host_port, path, secure, options,
                                                  std::move(done));
}

std::shared_ptr<connect_attempt_t> make_ws_attempt(asio::io_context &io, const std::string &address,
                                                   const options_t &options,
                                                   connect_attempt_t::done_handler_t done) {
    return make_attempt(io, address, options, std::move(done), false);
}

std::shared_ptr<connect_attempt_t> make_wss_attempt(asio::io_context &io,
                                                    const std::string &address,
                                                    const options_t &options,
                                                    connect_attempt_t::done_handler_t done) {
    return make_attempt(io, address, options, std::move(done), true);
}

const stream_transport_ops_t ws_ops = {check_ws_connect_address, listen_ws, make_ws_attempt,
                                       nullptr};
const stream_transport_ops_t wss_ops = {check_ws_connect_address, listen_wss, make_wss_attempt,
                                        nullptr};

} // namespace

const transport_t ws_transport = {"ws", "ws", &ws_ops, nullptr};
const transport_t wss_transport = {"wss", "wss", &wss_ops, nullptr};

} // namespace zlink
