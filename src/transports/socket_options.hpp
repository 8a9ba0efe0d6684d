// Socket options of options_t that every kernel-socket transport applies,
// and small fd helpers. Options of one transport live in its folder
// (tcp/tcp_socket_options.hpp).
#pragma once

#include "core/options.hpp"

namespace zlink {

// Before bind()/connect(): ZMQ_PRIORITY and the kernel buffer sizes (they
// must precede the handshake for window scaling). Best effort, as in libzmq.
void apply_socket_buffer_options(int fd, const options_t &options);

// Individual setters, exposed for the tests. Each returns 0 or errno.
int set_socket_buffers(int fd, int sndbuf, int rcvbuf);
int set_non_blocking(int fd);
// FD_CLOEXEC, as libzmq does for every socket it opens (no leaks into exec'd children).
int set_close_on_exec(int fd);
// setsockopt of one int; 0 or errno.
int set_int_socket_option(int fd, int level, int name, int value);

} // namespace zlink
