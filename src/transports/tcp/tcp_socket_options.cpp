#include "transports/tcp/tcp_socket_options.hpp"

#include <cerrno>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "transports/socket_options.hpp"

namespace zlink {

int set_type_of_service(int fd, bool is_ipv6_socket, int tos) {
    if (tos == 0)
        return 0;
    // A dual-stack socket carries IPv4 traffic too, so set both fields.
    int err = 0;
    if (is_ipv6_socket) {
        err = set_int_socket_option(fd, IPPROTO_IPV6, IPV6_TCLASS, tos);
        set_int_socket_option(fd, IPPROTO_IP, IP_TOS, tos);
    } else {
        err = set_int_socket_option(fd, IPPROTO_IP, IP_TOS, tos);
    }
    return err;
}

int set_bind_to_device(int fd, const std::string &device) {
    if (device.empty())
        return 0;
#ifdef SO_BINDTODEVICE
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(),
                     static_cast<socklen_t>(device.size())) == 0)
        return 0;
    return errno;
#else
    return ENOTSUP;
#endif
}

int set_tcp_keepalives(int fd, int keepalive, int cnt, int idle, int intvl) {
    if (keepalive == -1)
        return 0; // OS default
    int err = set_int_socket_option(fd, SOL_SOCKET, SO_KEEPALIVE, keepalive);
    if (err != 0 || keepalive != 1)
        return err;
    if (cnt != -1 && (err = set_int_socket_option(fd, IPPROTO_TCP, TCP_KEEPCNT, cnt)) != 0)
        return err;
    if (idle != -1 && (err = set_int_socket_option(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle)) != 0)
        return err;
    if (intvl != -1 && (err = set_int_socket_option(fd, IPPROTO_TCP, TCP_KEEPINTVL, intvl)) != 0)
        return err;
    return 0;
}

int set_tcp_maxrt(int fd, int maxrt_ms) {
    if (maxrt_ms == 0)
        return 0;
#ifdef TCP_USER_TIMEOUT
    return set_int_socket_option(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, maxrt_ms);
#else
    return 0;
#endif
}

int set_tcp_nodelay(int fd) { return set_int_socket_option(fd, IPPROTO_TCP, TCP_NODELAY, 1); }

int apply_pre_connect_tcp_options(int fd, bool is_ipv6_socket, const options_t &options) {
    if (const int err = set_bind_to_device(fd, options.bindtodevice))
        return err;
    set_type_of_service(fd, is_ipv6_socket, options.tos);
    apply_socket_buffer_options(fd, options);
    return 0;
}

int apply_connected_tcp_options(int fd, const options_t &options) {
    int err = set_tcp_nodelay(fd);
    const int rc = set_tcp_keepalives(fd, options.tcp_keepalive, options.tcp_keepalive_cnt,
                                      options.tcp_keepalive_idle, options.tcp_keepalive_intvl);
    if (err == 0)
        err = rc;
    const int rc2 = set_tcp_maxrt(fd, options.tcp_maxrt);
    if (err == 0)
        err = rc2;
    return err;
}

} // namespace zlink
