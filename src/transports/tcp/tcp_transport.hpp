// tcp:// — the transport entry and what its files share. Transports that
// run over tcp (tls, ws) build on tcp_connecter.hpp and listen_tcp's parts.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/options.hpp"
#include "transports/listener.hpp"
#include "transports/transport.hpp"

namespace zlink {

extern const transport_t tcp_transport;

// Binds and listens (tcp_listener.cpp); errno in err: EINVAL, ENODEV
// (unknown interface), EADDRINUSE, EADDRNOTAVAIL, EACCES, EPERM/ENODEV
// (ZMQ_BINDTODEVICE)...
std::unique_ptr<listener_t> listen_tcp(boost::asio::io_context &io, const std::string &address,
                                       const options_t &options, int &err);

// listen_tcp for a transport over tcp (tls): the endpoint reads
// "<scheme>://..." and each accepted socket becomes make_stream's stream.
using tcp_stream_factory_t =
    std::function<std::unique_ptr<i_asio_transport>(boost::asio::ip::tcp::socket)>;
std::unique_ptr<listener_t> listen_tcp_as(boost::asio::io_context &io, const std::string &address,
                                          const options_t &options, int &err,
                                          const std::string &scheme,
                                          tcp_stream_factory_t make_stream);

// ZMQ_TCP_ACCEPT_FILTER on an accepted socket: its peer is in one of the
// networks (or there are none).
bool tcp_peer_allowed(int fd, const std::vector<tcp_address_mask_t> &filters);

} // namespace zlink
