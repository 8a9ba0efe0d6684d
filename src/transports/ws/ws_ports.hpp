// Several ws:// (or wss://) paths on one listening port, as with HTTP
// servers: "ws://127.0.0.1:5555/a" and "ws://127.0.0.1:5555/b" may be bound
// by different sockets of one context. The first bind of a port listens;
// later binds of other paths join it (EADDRINUSE for a path already bound,
// for ws and wss mixed, for other TLS options, or from another context).
// The port closes with its last path. What the kernel socket is made with
// (backlog, accept filters, TCP options, TLS, ZMQ_HANDSHAKE_IVL for reading
// the request) comes from the first binder; accept failures are reported on
// one of the paths' sockets.
//
// With one path bound a connection goes to it at once (its ws_stream_t
// answers 404 for another path, with monitor events on that socket). With
// several, the port reads the upgrade request first, then hands the
// connection to the path's socket, or answers 404 and closes it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/options.hpp"
#include "transports/i_asio_transport.hpp"
#include "transports/listener.hpp"

namespace zlink {

struct ws_bind_t {
    std::string scheme; // ws or wss
    std::string host_port, path;
    std::string tls_identity; // wss: TLS options that must match to share the port
    // The inner stream (tcp, tls) of an accepted socket (the first binder's).
    std::function<std::unique_ptr<i_asio_transport>(boost::asio::ip::tcp::socket)> make_inner;
    // This path's ws_stream_t over an inner stream, on the path's io_context;
    // `preread` is what the port already read of the upgrade request.
    std::function<std::unique_ptr<i_asio_transport>(std::unique_ptr<i_asio_transport> inner,
                                                    std::string preread)>
        make_stream;
};

std::unique_ptr<listener_t> listen_ws_path(boost::asio::io_context &io, ws_bind_t bind,
                                           const options_t &options, int &err);

} // namespace zlink
