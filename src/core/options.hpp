// Socket options shared by every socket type (libzmq names, types, defaults).
// Options specific to one socket type live in that type (xsetsockopt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <zmq.h>

#include "core/accept_filters.hpp"

namespace zlink {

struct options_t {
    int type = -1;
    int sndhwm = 1000;
    int rcvhwm = 1000;
    uint64_t affinity = 0;
    std::string routing_id; // ZMQ_ROUTING_ID (1..255 bytes)
    int rate = 100;
    int recovery_ivl = 10000;
    int multicast_hops = 1;
    int multicast_maxtpdu = 1500;
    int sndbuf = -1;
    int rcvbuf = -1;
    int tos = 0;
    int priority = 0;
    int linger = -1; // ms, -1 forever (ctx term waits)
    int connect_timeout = 0;
    int tcp_maxrt = 0;
    int reconnect_stop = 0;         // ZMQ_RECONNECT_STOP: stored, not acted on
    bool loopback_fastpath = false; // stored only (a Windows TCP option in libzmq)
    bool multicast_loop = true;     // stored only (no multicast transports)
    int reconnect_ivl = 100;
    int reconnect_ivl_max = 0;
    int backlog = 100;
    int64_t maxmsgsize = -1;
    int rcvtimeo = -1;
    int sndtimeo = -1;
    bool ipv6 = false;
    bool immediate = false;
    bool conflate = false;
    bool invert_matching = false;
    int tcp_keepalive = -1;
    int tcp_keepalive_cnt = -1;
    int tcp_keepalive_idle = -1;
    int tcp_keepalive_intvl = -1;
    int handshake_ivl = 30000;
    int heartbeat_ivl = 0;
    int heartbeat_ttl = 0;
    int heartbeat_timeout = -1;
    int use_fd = -1;
    std::string bindtodevice;
    std::string socks_proxy;    // bytes as set (libzmq keeps a NUL counted in size)
    std::string socks_username; // ZMQ_SOCKS_USERNAME (99): non-empty means RFC 1929 auth
    std::string socks_password; // ZMQ_SOCKS_PASSWORD (100)
    std::vector<tcp_address_mask_t> tcp_accept_filters; // ZMQ_TCP_ACCEPT_FILTER
    ipc_peer_filters_t ipc_filters;                     // ZMQ_IPC_FILTER_UID/GID/PID
    std::string connect_routing_id;                     // consumed by the next connect
    // Security.
    int mechanism = 0; // ZMQ_NULL
    bool as_server = false;
    std::string plain_username;
    std::string plain_password;
    std::string zap_domain;
    bool zap_enforce_domain = false;
    // CURVE long-term keys (binary; zero until set), options_curve.cpp.
    uint8_t curve_public_key[32] = {};
    uint8_t curve_secret_key[32] = {};
    uint8_t curve_server_key[32] = {};
    std::map<std::string, std::string> app_metadata; // ZMQ_METADATA "X-name:value"
    // Behaviour flags set by the socket type.
    bool recv_routing_id = false; // the first message of a pipe is the peer's id
    bool raw_socket = false;      // STREAM
    bool raw_notify = true;       // ZMQ_STREAM_NOTIFY
    bool filter = false;          // SUB/XSUB filtering done by the publisher side
    // zlink feature flags (zlink.h); -1: not set, the engine resolves
    // environment > this value > default (core/feature_flags.hpp).
    int zlink_speculative_write = -1; // ZLINK_SPECULATIVE_WRITE, 0/1
    int zlink_write_batch_bytes = -1; // ZLINK_WRITE_BATCH_BYTES, >= 1
    int zlink_app_thread_write = -1;  // ZLINK_APP_THREAD_WRITE = ZMQ_ASIO_APP_THREAD_WRITE, 0/1
    int asio_zerocopy_write = -1;     // ZMQ_ASIO_ZEROCOPY_WRITE, 0/1
    int asio_lazy_compact = -1;       // ZMQ_ASIO_LAZY_COMPACT, 0/1 (no effect: nothing compacts)
    int asio_write_batching = -1;     // ZMQ_ASIO_WRITE_BATCHING, 0/1
    int asio_handshake_zerocopy = -1; // ZMQ_ASIO_HANDSHAKE_ZEROCOPY, 0/1
    int zlink_recv_spin_us = -1;      // ZLINK_RECV_SPIN_US, 0..10000
    int zlink_lazy_wake = -1;         // ZLINK_LAZY_WAKE, 0/1
    int zlink_reactor_read = -1;      // ZLINK_REACTOR_READ, 0/1
    int zlink_tls_batch = -1;         // ZLINK_TLS_BATCH, 0/1
    // tls:// (zlink.h, ZMQ_TLS_*): PEM text or file paths, as set.
    std::string tls_cert, tls_key, tls_ca, tls_hostname, tls_password;
    bool tls_verify = true;
    bool tls_require_client_cert = false;
    int tls_trust_system = -1; // -1: yes unless tls_ca is set

    // ZMQ_CONFLATE applies to DEALER/PULL/PUSH/PUB/SUB only (libzmq's rule).
    bool effective_conflate() const {
        return conflate && (type == ZMQ_DEALER || type == ZMQ_PULL || type == ZMQ_PUSH ||
                            type == ZMQ_PUB || type == ZMQ_SUB);
    }

    // Generic option handling. Returns 0, or -1 with errno EINVAL.
    int setsockopt(int option, const void *value, size_t size);
    int getsockopt(int option, void *value, size_t *size) const;
    // The field of a ZMQ_TLS_* string option; null for any other option.
    std::string *tls_string(int option);
    // The field of an on/off (0/1) zlink or ZMQ_ASIO_* flag; null otherwise.
    int *on_off_flag(int option);
    // ZMQ_CURVE_SERVER / _PUBLICKEY / _SECRETKEY / _SERVERKEY (EINVAL when
    // built without CURVE, as libzmq).
    int set_curve_option(int option, const void *value, size_t size);
    int get_curve_option(int option, void *value, size_t *size) const;
};

// Helpers shared by socket types for option parsing.
bool option_int(const void *value, size_t size, int *out);
int option_put_int(void *value, size_t *size, int v);
// Zero value[used..capacity), as libzmq does after what it returns.
void option_zero_tail(void *value, size_t used, size_t capacity);

} // namespace zlink
