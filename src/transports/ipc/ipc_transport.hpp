// ipc:// — unix domain stream sockets: the transport entry and what its
// files share.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "core/options.hpp"
#include "transports/connect_attempt.hpp"
#include "transports/listener.hpp"
#include "transports/transport.hpp"

namespace zlink {

extern const transport_t ipc_transport;

// Binds and listens (ipc_listener.cpp); "*" makes a fresh path in a new
// private directory. errno in err: EINVAL, ENAMETOOLONG, EADDRINUSE,
// ENOENT, EACCES...
std::unique_ptr<listener_t> listen_ipc(boost::asio::io_context &io, const std::string &address,
                                       const options_t &options, int &err);

// One connection attempt (ipc_connecter.cpp).
std::shared_ptr<connect_attempt_t> make_ipc_connect_attempt(boost::asio::io_context &io,
                                                            const std::string &address,
                                                            const options_t &options,
                                                            connect_attempt_t::done_handler_t done);

// ZMQ_IPC_FILTER_UID/GID/PID on an accepted socket: the peer's uid, gid or
// pid is listed, or its user (by uid) is a member of one of the listed
// groups (SO_PEERCRED and the group database).
bool ipc_peer_allowed(int fd, const ipc_peer_filters_t &filters);

} // namespace zlink
