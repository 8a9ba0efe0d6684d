#include "core/options.hpp"

#include <cerrno>
#include <cstring>

#include <zlink.h>
#include <zmq.h>

#include "core/feature_flags.hpp"
#include "core/recv_wait.hpp"

namespace zlink {

bool option_int(const void *value, size_t size, int *out) {
    if (!value || size != sizeof(int))
        return false;
    std::memcpy(out, value, sizeof(int));
    return true;
}

// libzmq clears the whole caller buffer past the value (and past a string's
// terminator), so a too-large buffer reads back as zeros, not stale bytes.
void option_zero_tail(void *value, size_t used, size_t capacity) {
    if (capacity > used)
        std::memset(static_cast<char *>(value) + used, 0, capacity - used);
}

int option_put_int(void *value, size_t *size, int v) {
    if (!value || !size || *size < sizeof(int)) {
        errno = EINVAL;
        return -1;
    }
    std::memcpy(value, &v, sizeof v);
    option_zero_tail(value, sizeof v, *size);
    *size = sizeof v;
    return 0;
}

namespace {

int put_bytes(void *value, size_t *size, const std::string &s, bool with_nul) {
    const size_t need = s.size() + (with_nul ? 1 : 0);
    if (!value || !size || *size < need) {
        errno = EINVAL;
        return -1;
    }
    std::memcpy(value, s.data(), s.size());
    option_zero_tail(value, s.size(), *size); // includes the terminator
    *size = need;
    return 0;
}

template <typename T>
int put_scalar(void *value, size_t *size, T v) {
    if (!value || !size || *size < sizeof(T)) {
        errno = EINVAL;
        return -1;
    }
    std::memcpy(value, &v, sizeof v);
    *size = sizeof v;
    return 0;
}

// libzmq keeps string options byte for byte (a NUL passed in is kept and
// read back); only ZMQ_METADATA, a zlink parse, drops a trailing NUL.
std::string as_bytes(const void *value, size_t size) {
    return value && size ? std::string(static_cast<const char *>(value), size) : std::string();
}
std::string as_string(const void *value, size_t size) {
    if (!value || size == 0)
        return std::string();
    const char *p = static_cast<const char *>(value);
    if (p[size - 1] == '\0')
        --size;
    return std::string(p, size);
}

int einval() {
    errno = EINVAL;
    return -1;
}

} // namespace

int options_t::setsockopt(int option, const void *value, size_t size) {
    int v = 0;
    const bool is_int = option_int(value, size, &v);

    // Integer options with a lower bound.
    struct int_opt {
        int id;
        int *field;
        int min;
    };
    const int_opt ints[] = {
        {ZMQ_SNDHWM, &sndhwm, 0},
        {ZMQ_RCVHWM, &rcvhwm, 0},
        {ZMQ_RATE, &rate, 1},
        {ZMQ_RECOVERY_IVL, &recovery_ivl, 0},
        {ZMQ_MULTICAST_HOPS, &multicast_hops, 1},
        {ZMQ_MULTICAST_MAXTPDU, &multicast_maxtpdu, 1},
        {ZMQ_SNDBUF, &sndbuf, -1},
        {ZMQ_RCVBUF, &rcvbuf, -1},
        {ZMQ_TOS, &tos, 0},
        {ZMQ_LINGER, &linger, -1},
        {ZMQ_CONNECT_TIMEOUT, &connect_timeout, 0},
        {ZMQ_TCP_MAXRT, &tcp_maxrt, 0},
        {ZMQ_TCP_KEEPALIVE_CNT, &tcp_keepalive_cnt, -1},
        {ZMQ_TCP_KEEPALIVE_IDLE, &tcp_keepalive_idle, -1},
        {ZMQ_TCP_KEEPALIVE_INTVL, &tcp_keepalive_intvl, -1},
        {ZMQ_RECONNECT_IVL, &reconnect_ivl, -1},
        {ZMQ_RECONNECT_IVL_MAX, &reconnect_ivl_max, 0},
        {ZMQ_BACKLOG, &backlog, 0},
        {ZMQ_RCVTIMEO, &rcvtimeo, -1},
        {ZMQ_SNDTIMEO, &sndtimeo, -1},
        {ZMQ_HANDSHAKE_IVL, &handshake_ivl, 0},
        {ZMQ_HEARTBEAT_IVL, &heartbeat_ivl, 0},
        {ZMQ_HEARTBEAT_TIMEOUT, &heartbeat_timeout, 0},
        {ZMQ_USE_FD, &use_fd, -1},
    };
    for (const auto &o : ints) {
        if (o.id != option)
            continue;
        if (!is_int || v < o.min)
            return einval();
        *o.field = v;
        return 0;
    }

    switch (option) {
    case ZMQ_AFFINITY:
        if (!value || size != sizeof(uint64_t))
            return einval();
        std::memcpy(&affinity, value, sizeof affinity);
        return 0;
    case ZMQ_MAXMSGSIZE:
        if (!value || size != sizeof(int64_t))
            return einval();
        std::memcpy(&maxmsgsize, value, sizeof maxmsgsize);
        return 0;
    case ZMQ_ROUTING_ID:
        if (!value || size < 1 || size > 255)
            return einval();
        routing_id.assign(static_cast<const char *>(value), size);
        return 0;
    case ZMQ_CONNECT_ROUTING_ID:
        // libzmq accepts it only where a connect can name its peer.
        if (type != ZMQ_ROUTER && type != ZMQ_REP && type != ZMQ_STREAM)
            return einval();
        if (!value || size < 1) // no length limit in libzmq: the id stays local
            return einval();
        connect_routing_id.assign(static_cast<const char *>(value), size);
        return 0;
    case ZMQ_IPV6:
        if (!is_int || (v != 0 && v != 1))
            return einval();
        ipv6 = v != 0;
        return 0;
    case ZMQ_IPV4ONLY:
        if (!is_int || (v != 0 && v != 1))
            return einval();
        ipv6 = v == 0;
        return 0;
    case ZMQ_IMMEDIATE:
        if (!is_int || (v != 0 && v != 1))
            return einval();
        immediate = v != 0;
        return 0;
    case ZMQ_CONFLATE:
        if (!is_int || (v != 0 && v != 1))
            return einval();
        conflate = v != 0;
        return 0;
    case ZMQ_INVERT_MATCHING: // libzmq: any int, read as a boolean
        if (!is_int)
            return einval();
        invert_matching = v != 0;
        return 0;
    case ZMQ_TCP_KEEPALIVE:
        if (!is_int || v < -1 || v > 1)
            return einval();
        tcp_keepalive = v;
        return 0;
    case ZMQ_HEARTBEAT_TTL:
        // Carried on the wire in deciseconds (16 bits); libzmq checks the
        // value after the division, so -99..-1 read back as 0.
        if (!is_int || v / 100 < 0 || v / 100 > 65535)
            return einval();
        heartbeat_ttl = v / 100 * 100; // kept in whole deciseconds, as sent
        return 0;
    case ZMQ_PLAIN_SERVER:
        if (!is_int || (v != 0 && v != 1))
            return einval();
        as_server = v != 0;
        mechanism = ZMQ_PLAIN;
        return 0;
    case ZMQ_PLAIN_USERNAME:
    case ZMQ_PLAIN_PASSWORD: {
        if (size > 255 || (value && size == 0) || (!value && size != 0))
            return einval();
        if (!value) {
            // libzmq: a NULL value switches back to the NULL mechanism.
            mechanism = ZMQ_NULL;
            as_server = false;
            return 0;
        }
        std::string s(static_cast<const char *>(value), size);
        (option == ZMQ_PLAIN_USERNAME ? plain_username : plain_password) = s;
        mechanism = ZMQ_PLAIN;
        as_server = false;
        return 0;
    }
    case ZMQ_ZAP_DOMAIN:
        if (size > 255 || size == 0)
            return einval();
        zap_domain = as_bytes(value, size);
        return 0;
    // libzmq: NULL/0 clears; an empty non-NULL value is EINVAL.
    case ZMQ_BINDTODEVICE:
        if ((value == nullptr) != (size == 0) || size > 16)
            return einval();
        bindtodevice = as_bytes(value, size);
        return 0;
    case ZMQ_SOCKS_PROXY:
        if ((value == nullptr) != (size == 0))
            return einval();
        socks_proxy = as_bytes(value, size);
        return 0;
    case ZMQ_SOCKS_USERNAME:
    case ZMQ_SOCKS_PASSWORD: {
        // NULL or "" both mean none (an empty username: no authentication).
        // libzmq 4.3.4 crashes on NULL with a size; zlink says EINVAL.
        if (size > 255 || (!value && size != 0))
            return einval();
        std::string &field = option == ZMQ_SOCKS_USERNAME ? socks_username : socks_password;
        field.assign(value ? static_cast<const char *>(value) : "", size);
        return 0;
    }
    case ZMQ_TCP_ACCEPT_FILTER: {
        if (!value && size == 0) { // NULL clears the list
            tcp_accept_filters.clear();
            return 0;
        }
        const char *text = static_cast<const char *>(value);
        if (!value || size == 0 || size > 255 || text[0] == '\0')
            return einval();
        // Read up to a NUL, as libzmq does; parsed with the current ZMQ_IPV6.
        tcp_address_mask_t mask;
        if (!mask.parse(std::string(text, strnlen(text, size)), ipv6))
            return einval();
        tcp_accept_filters.push_back(mask);
        return 0;
    }
    case ZMQ_IPC_FILTER_UID:
    case ZMQ_IPC_FILTER_GID:
    case ZMQ_IPC_FILTER_PID: {
        static_assert(sizeof(uid_t) == sizeof(int) && sizeof(gid_t) == sizeof(int) &&
                          sizeof(pid_t) == sizeof(int),
                      "the ids are passed as int-sized values");
        if (!value && size == 0) { // NULL clears that list
            if (option == ZMQ_IPC_FILTER_UID)
                ipc_filters.uids.clear();
            else if (option == ZMQ_IPC_FILTER_GID)
                ipc_filters.gids.clear();
            else
                ipc_filters.pids.clear();
            return 0;
        }
        if (!is_int)
            return einval();
        if (option == ZMQ_IPC_FILTER_UID)
            ipc_filters.uids.push_back(static_cast<uid_t>(v));
        else if (option == ZMQ_IPC_FILTER_GID)
            ipc_filters.gids.push_back(static_cast<gid_t>(v));
        else
            ipc_filters.pids.push_back(static_cast<pid_t>(v));
        return 0;
    }
#ifdef ZMQ_ZAP_ENFORCE_DOMAIN
    case ZMQ_ZAP_ENFORCE_DOMAIN: // libzmq: any int, read as a boolean
        if (!is_int)
            return einval();
        zap_enforce_domain = v != 0;
        return 0;
#endif
    // Answered by libzmq 4.3.4 even without its draft API. Stored and read
    // back; zlink has no Windows loopback fast path, no multicast, and does
    // not act on ZMQ_RECONNECT_STOP yet.
    case ZMQ_LOOPBACK_FASTPATH:
        if (!is_int)
            return einval();
        loopback_fastpath = v != 0;
        return 0;
    case ZMQ_MULTICAST_LOOP:
        if (!is_int)
            return einval();
        multicast_loop = v != 0;
        return 0;
    case ZMQ_RECONNECT_STOP:
        if (!is_int)
            return einval();
        reconnect_stop = v;
        return 0;
#ifdef ZMQ_METADATA
    case ZMQ_METADATA: {
        // "X-Name:value": user properties sent in the READY command.
        std::string s = as_string(value, size);
        const size_t colon = s.find(':');
        if (s.size() < 3 || s.compare(0, 2, "X-") != 0 || colon == std::string::npos ||
            colon == 2 || colon == s.size() - 1)
            return einval();
        app_metadata[s.substr(0, colon)] = s.substr(colon + 1);
        return 0;
    }
#endif
    case ZLINK_SPECULATIVE_WRITE:
    case ZLINK_APP_THREAD_WRITE:
    case ZMQ_ASIO_APP_THREAD_WRITE:
    case ZMQ_ASIO_ZEROCOPY_WRITE:
    case ZMQ_ASIO_LAZY_COMPACT:
    case ZMQ_ASIO_WRITE_BATCHING:
    case ZMQ_ASIO_HANDSHAKE_ZEROCOPY:
    case ZLINK_LAZY_WAKE:
    case ZLINK_REACTOR_READ:
    case ZLINK_TLS_BATCH:
        if (!is_int || (v != 0 && v != 1))
            return einval();
        *on_off_flag(option) = v;
        return 0;
    case ZLINK_WRITE_BATCH_BYTES:
        if (!is_int || v < 1)
            return einval();
        zlink_write_batch_bytes = v;
        return 0;
    case ZLINK_RECV_SPIN_US:
        if (!is_int || v < 0 || v > recv_spin_us_max)
            return einval();
        zlink_recv_spin_us = v;
        return 0;
    case ZMQ_TLS_CERT:
    case ZMQ_TLS_KEY:
    case ZMQ_TLS_CA:
    case ZMQ_TLS_HOSTNAME:
    case ZMQ_TLS_PASSWORD:
        if (!value && size != 0)
            return einval();
        *tls_string(option) = as_string(value, size);
        return 0;
    case ZMQ_TLS_VERIFY:
    case ZMQ_TLS_REQUIRE_CLIENT_CERT:
    case ZMQ_TLS_TRUST_SYSTEM:
        if (!is_int || (v != 0 && v != 1))
            return einval();
        if (option == ZMQ_TLS_VERIFY)
            tls_verify = v != 0;
        else if (option == ZMQ_TLS_REQUIRE_CLIENT_CERT)
            tls_require_client_cert = v != 0;
        else
            tls_trust_system = v;
        return 0;
    case ZMQ_CURVE_SERVER:
    case ZMQ_CURVE_PUBLICKEY:
    case ZMQ_CURVE_SECRETKEY:
    case ZMQ_CURVE_SERVERKEY:
        return set_curve_option(option, value, size);
    default:
        return einval();
    }
}

int *options_t::on_off_flag(int option) {
    switch (option) {
    case ZLINK_SPECULATIVE_WRITE:
        return &zlink_speculative_write;
    case ZLINK_APP_THREAD_WRITE:
    case ZMQ_ASIO_APP_THREAD_WRITE:
        return &zlink_app_thread_write;
    case ZMQ_ASIO_ZEROCOPY_WRITE:
        return &asio_zerocopy_write;
    case ZMQ_ASIO_LAZY_COMPACT:
        return &asio_lazy_compact;
    case ZMQ_ASIO_WRITE_BATCHING:
        return &asio_write_batching;
    case ZMQ_ASIO_HANDSHAKE_ZEROCOPY:
        return &asio_handshake_zerocopy;
    case ZLINK_LAZY_WAKE:
        return &zlink_lazy_wake;
    case ZLINK_REACTOR_READ:
        return &zlink_reactor_read;
    case ZLINK_TLS_BATCH:
        return &zlink_tls_batch;
    default:
        return nullptr;
    }
}

std::string *options_t::tls_string(int option) {
    switch (option) {
    case ZMQ_TLS_CERT:
        return &tls_cert;
    case ZMQ_TLS_KEY:
        return &tls_key;
    case ZMQ_TLS_CA:
        return &tls_ca;
    case ZMQ_TLS_HOSTNAME:
        return &tls_hostname;
    case ZMQ_TLS_PASSWORD:
        return &tls_password;
    default:
        return nullptr;
    }
}

int options_t::getsockopt(int option, void *value, size_t *size) const {
    struct int_opt {
        int id;
        int v;
    };
    const int_opt ints[] = {
        {ZMQ_TYPE, type},
        {ZMQ_SNDHWM, sndhwm},
        {ZMQ_RCVHWM, rcvhwm},
        {ZMQ_RATE, rate},
        {ZMQ_RECOVERY_IVL, recovery_ivl},
        {ZMQ_MULTICAST_HOPS, multicast_hops},
        {ZMQ_MULTICAST_MAXTPDU, multicast_maxtpdu},
        {ZMQ_SNDBUF, sndbuf},
        {ZMQ_RCVBUF, rcvbuf},
        {ZMQ_TOS, tos},
        {ZMQ_LINGER, linger},
        {ZMQ_CONNECT_TIMEOUT, connect_timeout},
        {ZMQ_TCP_MAXRT, tcp_maxrt},
        {ZMQ_RECONNECT_IVL, reconnect_ivl},
        {ZMQ_RECONNECT_IVL_MAX, reconnect_ivl_max},
        {ZMQ_BACKLOG, backlog},
        {ZMQ_RCVTIMEO, rcvtimeo},
        {ZMQ_SNDTIMEO, sndtimeo},
        {ZMQ_IPV6, ipv6 ? 1 : 0},
        {ZMQ_IPV4ONLY, ipv6 ? 0 : 1},
        {ZMQ_IMMEDIATE, immediate ? 1 : 0},
        {ZMQ_CONFLATE, conflate ? 1 : 0},
        {ZMQ_INVERT_MATCHING, invert_matching ? 1 : 0},
        {ZMQ_TCP_KEEPALIVE, tcp_keepalive},
        {ZMQ_TCP_KEEPALIVE_CNT, tcp_keepalive_cnt},
        {ZMQ_TCP_KEEPALIVE_IDLE, tcp_keepalive_idle},
        {ZMQ_TCP_KEEPALIVE_INTVL, tcp_keepalive_intvl},
        {ZMQ_HANDSHAKE_IVL, handshake_ivl},
        {ZMQ_HEARTBEAT_IVL, heartbeat_ivl},
        {ZMQ_HEARTBEAT_TTL, heartbeat_ttl},
        {ZMQ_HEARTBEAT_TIMEOUT, heartbeat_timeout},
        {ZMQ_USE_FD, use_fd},
        {ZMQ_MECHANISM, mechanism},
        {ZMQ_PLAIN_SERVER, (mechanism == ZMQ_PLAIN && as_server) ? 1 : 0},
#ifdef ZMQ_ZAP_ENFORCE_DOMAIN
        {ZMQ_ZAP_ENFORCE_DOMAIN, zap_enforce_domain ? 1 : 0},
#endif
        {ZMQ_LOOPBACK_FASTPATH, loopback_fastpath ? 1 : 0},
        {ZMQ_MULTICAST_LOOP, multicast_loop ? 1 : 0},
        {ZMQ_RECONNECT_STOP, reconnect_stop},
        // What the socket would use: its own setting or the default (the
        // environment can still override it when a connection starts).
        {ZLINK_SPECULATIVE_WRITE,
         zlink_speculative_write != -1 ? zlink_speculative_write : speculative_write_default},
        {ZLINK_WRITE_BATCH_BYTES,
         zlink_write_batch_bytes != -1 ? zlink_write_batch_bytes : write_batch_bytes_default},
        {ZLINK_APP_THREAD_WRITE,
         zlink_app_thread_write != -1 ? zlink_app_thread_write : app_thread_write_default},
        {ZMQ_ASIO_APP_THREAD_WRITE,
         zlink_app_thread_write != -1 ? zlink_app_thread_write : app_thread_write_default},
        {ZMQ_ASIO_ZEROCOPY_WRITE,
         asio_zerocopy_write != -1 ? asio_zerocopy_write : zerocopy_write_default},
        {ZMQ_ASIO_LAZY_COMPACT, asio_lazy_compact != -1 ? asio_lazy_compact : lazy_compact_default},
        {ZMQ_ASIO_WRITE_BATCHING,
         asio_write_batching != -1 ? asio_write_batching : write_batching_default},
        {ZMQ_ASIO_HANDSHAKE_ZEROCOPY,
         asio_handshake_zerocopy != -1 ? asio_handshake_zerocopy : handshake_zerocopy_default},
        {ZLINK_RECV_SPIN_US, zlink_recv_spin_us != -1 ? zlink_recv_spin_us : recv_spin_us_default},
        {ZLINK_LAZY_WAKE, zlink_lazy_wake != -1 ? zlink_lazy_wake : lazy_wake_default},
        {ZLINK_REACTOR_READ, zlink_reactor_read != -1 ? zlink_reactor_read : reactor_read_default},
        {ZLINK_TLS_BATCH, zlink_tls_batch != -1 ? zlink_tls_batch : tls_batch_default},
        {ZMQ_TLS_VERIFY, tls_verify ? 1 : 0},
        {ZMQ_TLS_REQUIRE_CLIENT_CERT, tls_require_client_cert ? 1 : 0},
        {ZMQ_TLS_TRUST_SYSTEM, tls_trust_system != -1 ? tls_trust_system
                               : tls_ca.empty()       ? 1
                                                      : 0},
    };
    for (const auto &o : ints) {
        if (o.id != option)
            continue;
        // libzmq's option table wants exactly sizeof(int) here.
        if (!size || *size != sizeof(int))
            return einval();
        return option_put_int(value, size, o.v);
    }
    switch (option) {
    case ZMQ_AFFINITY:
        if (!size || *size != sizeof(uint64_t))
            return einval();
        return put_scalar<uint64_t>(value, size, affinity);
    case ZMQ_MAXMSGSIZE:
        if (!size || *size != sizeof(int64_t))
            return einval();
        return put_scalar<int64_t>(value, size, maxmsgsize);
    case ZMQ_ROUTING_ID:
        return put_bytes(value, size, routing_id, false);
    case ZMQ_PLAIN_USERNAME:
        return put_bytes(value, size, plain_username, true);
    case ZMQ_PLAIN_PASSWORD:
        return put_bytes(value, size, plain_password, true);
    case ZMQ_ZAP_DOMAIN:
        return put_bytes(value, size, zap_domain, true);
    case ZMQ_BINDTODEVICE:
        return put_bytes(value, size, bindtodevice, true);
    case ZMQ_SOCKS_PROXY:
        return put_bytes(value, size, socks_proxy, true);
    case ZMQ_SOCKS_USERNAME:
        return put_bytes(value, size, socks_username, true);
    case ZMQ_SOCKS_PASSWORD:
        return put_bytes(value, size, socks_password, true);
    case ZMQ_TLS_CERT:
    case ZMQ_TLS_KEY:
    case ZMQ_TLS_CA:
    case ZMQ_TLS_HOSTNAME:
    case ZMQ_TLS_PASSWORD:
        return put_bytes(value, size, *const_cast<options_t *>(this)->tls_string(option), true);
    case ZMQ_CURVE_SERVER:
    case ZMQ_CURVE_PUBLICKEY:
    case ZMQ_CURVE_SECRETKEY:
    case ZMQ_CURVE_SERVERKEY:
        return get_curve_option(option, value, size);
    default:
        return einval();
    }
}

} // namespace zlink
