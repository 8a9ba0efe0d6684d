// The tcp socket options of options_t, with libzmq's rules for which
// option is set when.
#pragma once

#include <string>

#include "core/options.hpp"

namespace zlink {

// Before bind()/connect(): SO_BINDTODEVICE, ZMQ_TOS, then ZMQ_PRIORITY and
// the kernel buffer sizes (socket_options.hpp). Returns 0, or the errno of
// SO_BINDTODEVICE (EPERM, ENODEV), the only one that makes the bind or
// connect fail; the others are best effort, as in libzmq.
int apply_pre_connect_tcp_options(int fd, bool is_ipv6_socket, const options_t &options);

// On an established (connected or accepted) tcp socket: TCP_NODELAY always,
// keepalives (ZMQ_TCP_KEEPALIVE/_CNT/_IDLE/_INTVL) and ZMQ_TCP_MAXRT
// (TCP_USER_TIMEOUT, ms). Best effort: returns 0, or the first errno seen.
int apply_connected_tcp_options(int fd, const options_t &options);

// Individual setters, exposed for the tests. Each returns 0 or errno.
int set_type_of_service(int fd, bool is_ipv6_socket, int tos);
int set_bind_to_device(int fd, const std::string &device);
int set_tcp_keepalives(int fd, int keepalive, int cnt, int idle, int intvl);
int set_tcp_maxrt(int fd, int maxrt_ms);
int set_tcp_nodelay(int fd);

} // namespace zlink
