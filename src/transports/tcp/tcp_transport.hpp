// tcp:// — the transport entry and what its files share. Transports that
// run over tcp (tls, ws) build on tcp_connecter.hpp and listen_tcp's parts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

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

// ZMQ_TCP_ACCEPT_FILTER on an accepted socket: its peer is in one of the
// networks (or there are none).
bool tcp_peer_allowed(int fd, const std::vector<tcp_address_mask_t> &filters);

} // namespace zlink
