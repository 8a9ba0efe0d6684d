#include "transports/socket_options.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>

namespace zlink {

int set_int_socket_option(int fd, int level, int name, int value) {
    if (::setsockopt(fd, level, name, &value, sizeof value) == 0)
        return 0;
    return errno;
}

int set_socket_buffers(int fd, int sndbuf, int rcvbuf) {
    int err = 0;
    // libzmq treats any non-negative value as a request (-1 = OS default).
    if (sndbuf >= 0)
        err = set_int_socket_option(fd, SOL_SOCKET, SO_SNDBUF, sndbuf);
    if (rcvbuf >= 0) {
        const int rc = set_int_socket_option(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf);
        if (err == 0)
            err = rc;
    }
    return err;
}

int set_non_blocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL, 0);
    if (flags == -1)
        return errno;
    if (flags & O_NONBLOCK)
        return 0;
    return ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 ? 0 : errno;
}

int set_close_on_exec(int fd) {
    const int flags = ::fcntl(fd, F_GETFD, 0);
    if (flags == -1)
        return errno;
    return ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0 ? 0 : errno;
}

void apply_socket_buffer_options(int fd, const options_t &options) {
#ifdef SO_PRIORITY
    if (options.priority != 0)
        set_int_socket_option(fd, SOL_SOCKET, SO_PRIORITY, options.priority);
#endif
    set_socket_buffers(fd, options.sndbuf, options.rcvbuf);
}

} // namespace zlink
