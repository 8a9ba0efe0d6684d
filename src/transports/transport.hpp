// The transports, found by the scheme of an endpoint URI ("tcp" in
// "tcp://127.0.0.1:5555"). Each lives in src/transports/<scheme>/ and is one
// line of the table in registry.cpp; nothing outside its folder knows its
// scheme, address syntax or options.
//
// Two kinds:
//  - stream transports (tcp, ipc, tls, ws, wss) turn an address into
//    a connected byte stream (i_asio_transport) and own everything up to
//    that point: syntax, resolution, socket options, accept filters and any
//    handshake of their own (SOCKS5, TLS, the WebSocket upgrade). The
//    socket's network endpoints run a session and ZMTP engine over it.
//  - pipe transports (inproc) join two sockets of one context with a pipe;
//    they act on the socket through the narrow i_endpoint_host.
#pragma once

#include <functional>
#include <memory>
#include <string>

// Light on purpose: the socket base and the C API include it.
namespace boost::asio {
class io_context;
}

namespace zlink {

class connect_attempt_t;
class i_asio_transport;
class i_endpoint_host;
class listener_t;
struct options_t;

// How a connection attempt ends: (stream, 0), or (nullptr, errno).
using connect_done_handler_t = std::function<void(std::unique_ptr<i_asio_transport>, int err)>;

struct stream_transport_ops_t {
    // zmq_connect's synchronous check of what follows "://": 0, EINVAL or
    // the transport's own errno. Host names are resolved later, by the attempt.
    int (*check_connect_address)(const std::string &address);
    // zmq_bind: binds now, on the caller's thread, so the errno and the
    // resolved endpoint are known at once. nullptr + err on failure.
    std::unique_ptr<listener_t> (*listen)(boost::asio::io_context &io, const std::string &address,
                                          const options_t &options, int &err);
    // One connection attempt (connecter.hpp runs them and the session retries).
    std::shared_ptr<connect_attempt_t> (*make_attempt)(boost::asio::io_context &io,
                                                       const std::string &address,
                                                       const options_t &options,
                                                       connect_done_handler_t done);
    // The address a connecting session's monitor events carry, when it is
    // not the endpoint itself (tcp through ZMQ_SOCKS_PROXY). May be null.
    std::string (*event_endpoint)(const std::string &endpoint, const options_t &options);
};

struct pipe_transport_ops_t {
    // `endpoint` is the whole URI. Each returns 0, or -1 with errno set.
    int (*bind)(i_endpoint_host &host, const std::string &endpoint);
    int (*connect)(i_endpoint_host &host, const std::string &endpoint);
    // Releases a name the host bound (unbind/disconnect); -1/ENOENT if none.
    // The pipes the host connected to it are the host's to end.
    int (*unbind)(i_endpoint_host &host, const std::string &endpoint);
    // Socket close: every name the host bound.
    void (*close)(i_endpoint_host &host);
};

struct transport_t {
    const char *scheme;     // before "://"
    const char *capability; // what zmq_has() answers 1 for; null for none
    // Exactly one of the two is set.
    const stream_transport_ops_t *stream;
    const pipe_transport_ops_t *pipes;
};

// The transport for a scheme (case-sensitive, as libzmq); null if none.
const transport_t *find_transport(const std::string &scheme);

// Whether a transport answers zmq_has(capability).
bool has_transport_capability(const char *capability);

// Socket close: every pipe transport releases what the host bound.
void close_pipe_endpoints(i_endpoint_host &host);

} // namespace zlink
