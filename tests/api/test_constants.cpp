// Pins every constant, type layout and function signature of <zmq.h> to
// libzmq 4.3's numbers, written here as literals so a wrong edit of the
// header cannot silently change the ABI.  Builds against the system libzmq
// header too (ZLINK_TESTING_SYSTEM_LIBZMQ), which checks these literals
// against the reference.
#include <zmq.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#if defined ZMQ_BUILD_DRAFT_API && !defined ZLINK_TESTING_SYSTEM_LIBZMQ
#define ZLINK_PIN_DRAFT 1
#endif

// X-macro lists: each entry is checked at compile time (static_assert) and
// reported again at run time so the test output lists what was pinned.
#define ZLINK_STABLE_CONSTANTS(X)                                                                  \
    /* version */                                                                                  \
    X(ZMQ_VERSION_MAJOR, 4)                                                                        \
    X(ZMQ_VERSION_MINOR, 3)                                                                        \
    /* errors */                                                                                   \
    X(ZMQ_HAUSNUMERO, 156384712)                                                                   \
    X(EFSM, 156384763)                                                                             \
    X(ENOCOMPATPROTO, 156384764)                                                                   \
    X(ETERM, 156384765)                                                                            \
    X(EMTHREAD, 156384766)                                                                         \
    /* context options */                                                                          \
    X(ZMQ_IO_THREADS, 1)                                                                           \
    X(ZMQ_MAX_SOCKETS, 2)                                                                          \
    X(ZMQ_SOCKET_LIMIT, 3)                                                                         \
    X(ZMQ_THREAD_PRIORITY, 3)                                                                      \
    X(ZMQ_THREAD_SCHED_POLICY, 4)                                                                  \
    X(ZMQ_MAX_MSGSZ, 5)                                                                            \
    X(ZMQ_MSG_T_SIZE, 6)                                                                           \
    X(ZMQ_THREAD_AFFINITY_CPU_ADD, 7)                                                              \
    X(ZMQ_THREAD_AFFINITY_CPU_REMOVE, 8)                                                           \
    X(ZMQ_THREAD_NAME_PREFIX, 9)                                                                   \
    X(ZMQ_IO_THREADS_DFLT, 1)                                                                      \
    X(ZMQ_MAX_SOCKETS_DFLT, 1023)                                                                  \
    X(ZMQ_THREAD_PRIORITY_DFLT, -1)                                                                \
    X(ZMQ_THREAD_SCHED_POLICY_DFLT, -1)                                                            \
    /* socket types */                                                                             \
    X(ZMQ_PAIR, 0)                                                                                 \
    X(ZMQ_PUB, 1)                                                                                  \
    X(ZMQ_SUB, 2)                                                                                  \
    X(ZMQ_REQ, 3)                                                                                  \
    X(ZMQ_REP, 4)                                                                                  \
    X(ZMQ_DEALER, 5)                                                                               \
    X(ZMQ_ROUTER, 6)                                                                               \
    X(ZMQ_PULL, 7)                                                                                 \
    X(ZMQ_PUSH, 8)                                                                                 \
    X(ZMQ_XPUB, 9)                                                                                 \
    X(ZMQ_XSUB, 10)                                                                                \
    X(ZMQ_STREAM, 11)                                                                              \
    X(ZMQ_XREQ, 5)                                                                                 \
    X(ZMQ_XREP, 6)                                                                                 \
    /* socket options */                                                                           \
    X(ZMQ_AFFINITY, 4)                                                                             \
    X(ZMQ_ROUTING_ID, 5)                                                                           \
    X(ZMQ_SUBSCRIBE, 6)                                                                            \
    X(ZMQ_UNSUBSCRIBE, 7)                                                                          \
    X(ZMQ_RATE, 8)                                                                                 \
    X(ZMQ_RECOVERY_IVL, 9)                                                                         \
    X(ZMQ_SNDBUF, 11)                                                                              \
    X(ZMQ_RCVBUF, 12)                                                                              \
    X(ZMQ_RCVMORE, 13)                                                                             \
    X(ZMQ_FD, 14)                                                                                  \
    X(ZMQ_EVENTS, 15)                                                                              \
    X(ZMQ_TYPE, 16)                                                                                \
    X(ZMQ_LINGER, 17)                                                                              \
    X(ZMQ_RECONNECT_IVL, 18)                                                                       \
    X(ZMQ_BACKLOG, 19)                                                                             \
    X(ZMQ_RECONNECT_IVL_MAX, 21)                                                                   \
    X(ZMQ_MAXMSGSIZE, 22)                                                                          \
    X(ZMQ_SNDHWM, 23)                                                                              \
    X(ZMQ_RCVHWM, 24)                                                                              \
    X(ZMQ_MULTICAST_HOPS, 25)                                                                      \
    X(ZMQ_RCVTIMEO, 27)                                                                            \
    X(ZMQ_SNDTIMEO, 28)                                                                            \
    X(ZMQ_LAST_ENDPOINT, 32)                                                                       \
    X(ZMQ_ROUTER_MANDATORY, 33)                                                                    \
    X(ZMQ_TCP_KEEPALIVE, 34)                                                                       \
    X(ZMQ_TCP_KEEPALIVE_CNT, 35)                                                                   \
    X(ZMQ_TCP_KEEPALIVE_IDLE, 36)                                                                  \
    X(ZMQ_TCP_KEEPALIVE_INTVL, 37)                                                                 \
    X(ZMQ_IMMEDIATE, 39)                                                                           \
    X(ZMQ_XPUB_VERBOSE, 40)                                                                        \
    X(ZMQ_ROUTER_RAW, 41)                                                                          \
    X(ZMQ_IPV6, 42)                                                                                \
    X(ZMQ_MECHANISM, 43)                                                                           \
    X(ZMQ_PLAIN_SERVER, 44)                                                                        \
    X(ZMQ_PLAIN_USERNAME, 45)                                                                      \
    X(ZMQ_PLAIN_PASSWORD, 46)                                                                      \
    X(ZMQ_CURVE_SERVER, 47)                                                                        \
    X(ZMQ_CURVE_PUBLICKEY, 48)                                                                     \
    X(ZMQ_CURVE_SECRETKEY, 49)                                                                     \
    X(ZMQ_CURVE_SERVERKEY, 50)                                                                     \
    X(ZMQ_PROBE_ROUTER, 51)                                                                        \
    X(ZMQ_REQ_CORRELATE, 52)                                                                       \
    X(ZMQ_REQ_RELAXED, 53)                                                                         \
    X(ZMQ_CONFLATE, 54)                                                                            \
    X(ZMQ_ZAP_DOMAIN, 55)                                                                          \
    X(ZMQ_ROUTER_HANDOVER, 56)                                                                     \
    X(ZMQ_TOS, 57)                                                                                 \
    X(ZMQ_CONNECT_ROUTING_ID, 61)                                                                  \
    X(ZMQ_GSSAPI_SERVER, 62)                                                                       \
    X(ZMQ_GSSAPI_PRINCIPAL, 63)                                                                    \
    X(ZMQ_GSSAPI_SERVICE_PRINCIPAL, 64)                                                            \
    X(ZMQ_GSSAPI_PLAINTEXT, 65)                                                                    \
    X(ZMQ_HANDSHAKE_IVL, 66)                                                                       \
    X(ZMQ_SOCKS_PROXY, 68)                                                                         \
    X(ZMQ_XPUB_NODROP, 69)                                                                         \
    X(ZMQ_BLOCKY, 70)                                                                              \
    X(ZMQ_XPUB_MANUAL, 71)                                                                         \
    X(ZMQ_XPUB_WELCOME_MSG, 72)                                                                    \
    X(ZMQ_STREAM_NOTIFY, 73)                                                                       \
    X(ZMQ_INVERT_MATCHING, 74)                                                                     \
    X(ZMQ_HEARTBEAT_IVL, 75)                                                                       \
    X(ZMQ_HEARTBEAT_TTL, 76)                                                                       \
    X(ZMQ_HEARTBEAT_TIMEOUT, 77)                                                                   \
    X(ZMQ_XPUB_VERBOSER, 78)                                                                       \
    X(ZMQ_CONNECT_TIMEOUT, 79)                                                                     \
    X(ZMQ_TCP_MAXRT, 80)                                                                           \
    X(ZMQ_THREAD_SAFE, 81)                                                                         \
    X(ZMQ_MULTICAST_MAXTPDU, 84)                                                                   \
    X(ZMQ_VMCI_BUFFER_SIZE, 85)                                                                    \
    X(ZMQ_VMCI_BUFFER_MIN_SIZE, 86)                                                                \
    X(ZMQ_VMCI_BUFFER_MAX_SIZE, 87)                                                                \
    X(ZMQ_VMCI_CONNECT_TIMEOUT, 88)                                                                \
    X(ZMQ_USE_FD, 89)                                                                              \
    X(ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, 90)                                                           \
    X(ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE, 91)                                                   \
    X(ZMQ_BINDTODEVICE, 92)                                                                        \
    /* message options, flags, mechanisms */                                                       \
    X(ZMQ_MORE, 1)                                                                                 \
    X(ZMQ_SHARED, 3)                                                                               \
    X(ZMQ_DONTWAIT, 1)                                                                             \
    X(ZMQ_SNDMORE, 2)                                                                              \
    X(ZMQ_NULL, 0)                                                                                 \
    X(ZMQ_PLAIN, 1)                                                                                \
    X(ZMQ_CURVE, 2)                                                                                \
    X(ZMQ_GSSAPI, 3)                                                                               \
    X(ZMQ_GROUP_MAX_LENGTH, 255)                                                                   \
    /* deprecated aliases */                                                                       \
    X(ZMQ_IDENTITY, 5)                                                                             \
    X(ZMQ_CONNECT_RID, 61)                                                                         \
    X(ZMQ_TCP_ACCEPT_FILTER, 38)                                                                   \
    X(ZMQ_IPC_FILTER_PID, 58)                                                                      \
    X(ZMQ_IPC_FILTER_UID, 59)                                                                      \
    X(ZMQ_IPC_FILTER_GID, 60)                                                                      \
    X(ZMQ_IPV4ONLY, 31)                                                                            \
    X(ZMQ_DELAY_ATTACH_ON_CONNECT, 39)                                                             \
    X(ZMQ_NOBLOCK, 1)                                                                              \
    X(ZMQ_FAIL_UNROUTABLE, 33)                                                                     \
    X(ZMQ_ROUTER_BEHAVIOR, 33)                                                                     \
    X(ZMQ_SRCFD, 2)                                                                                \
    X(ZMQ_GSSAPI_NT_HOSTBASED, 0)                                                                  \
    X(ZMQ_GSSAPI_NT_USER_NAME, 1)                                                                  \
    X(ZMQ_GSSAPI_NT_KRB5_PRINCIPAL, 2)                                                             \
    /* monitor events */                                                                           \
    X(ZMQ_EVENT_CONNECTED, 0x0001)                                                                 \
    X(ZMQ_EVENT_CONNECT_DELAYED, 0x0002)                                                           \
    X(ZMQ_EVENT_CONNECT_RETRIED, 0x0004)                                                           \
    X(ZMQ_EVENT_LISTENING, 0x0008)                                                                 \
    X(ZMQ_EVENT_BIND_FAILED, 0x0010)                                                               \
    X(ZMQ_EVENT_ACCEPTED, 0x0020)                                                                  \
    X(ZMQ_EVENT_ACCEPT_FAILED, 0x0040)                                                             \
    X(ZMQ_EVENT_CLOSED, 0x0080)                                                                    \
    X(ZMQ_EVENT_CLOSE_FAILED, 0x0100)                                                              \
    X(ZMQ_EVENT_DISCONNECTED, 0x0200)                                                              \
    X(ZMQ_EVENT_MONITOR_STOPPED, 0x0400)                                                           \
    X(ZMQ_EVENT_ALL, 0xFFFF)                                                                       \
    X(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, 0x0800)                                                \
    X(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0x1000)                                                       \
    X(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, 0x2000)                                                 \
    X(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 0x4000)                                                     \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED, 0x10000000)                                             \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND, 0x10000001)                                      \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE, 0x10000002)                                        \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE, 0x10000003)                                            \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED, 0x10000011)                           \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE, 0x10000012)                               \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO, 0x10000013)                                 \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE, 0x10000014)                              \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR, 0x10000015)                                 \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY, 0x10000016)                                 \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME, 0x10000017)                               \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA, 0x10000018)                                        \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, 0x11000001)                                           \
    X(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH, 0x11000002)                                      \
    X(ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED, 0x20000000)                                              \
    X(ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY, 0x20000001)                                          \
    X(ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID, 0x20000002)                                           \
    X(ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION, 0x20000003)                                              \
    X(ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE, 0x20000004)                                      \
    X(ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA, 0x20000005)                                         \
    X(ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED, 0x30000000)                                               \
    /* polling, devices, capabilities */                                                           \
    X(ZMQ_POLLIN, 1)                                                                               \
    X(ZMQ_POLLOUT, 2)                                                                              \
    X(ZMQ_POLLERR, 4)                                                                              \
    X(ZMQ_POLLPRI, 8)                                                                              \
    X(ZMQ_POLLITEMS_DFLT, 16)                                                                      \
    X(ZMQ_HAS_CAPABILITIES, 1)                                                                     \
    X(ZMQ_STREAMER, 1)                                                                             \
    X(ZMQ_FORWARDER, 2)                                                                            \
    X(ZMQ_QUEUE, 3)                                                                                \
    X(ZMQ_DEFINED_STDINT, 1)

// On Linux libzmq's errno fallbacks are not used: the system values apply.
#define ZLINK_LINUX_ERRNO(X)                                                                       \
    X(ENOTSUP, 95)                                                                                 \
    X(EPROTONOSUPPORT, 93)                                                                         \
    X(ENOBUFS, 105)                                                                                \
    X(ENETDOWN, 100)                                                                               \
    X(EADDRINUSE, 98)                                                                              \
    X(EADDRNOTAVAIL, 99)                                                                           \
    X(ECONNREFUSED, 111)                                                                           \
    X(EINPROGRESS, 115)                                                                            \
    X(ENOTSOCK, 88)                                                                                \
    X(EMSGSIZE, 90)                                                                                \
    X(EAFNOSUPPORT, 97)                                                                            \
    X(ENETUNREACH, 101)                                                                            \
    X(ECONNABORTED, 103)                                                                           \
    X(ECONNRESET, 104)                                                                             \
    X(ENOTCONN, 107)                                                                               \
    X(ETIMEDOUT, 110)                                                                              \
    X(EHOSTUNREACH, 113)                                                                           \
    X(ENETRESET, 102)

#define ZLINK_DRAFT_CONSTANTS(X)                                                                   \
    X(ZMQ_SERVER, 12)                                                                              \
    X(ZMQ_CLIENT, 13)                                                                              \
    X(ZMQ_RADIO, 14)                                                                               \
    X(ZMQ_DISH, 15)                                                                                \
    X(ZMQ_GATHER, 16)                                                                              \
    X(ZMQ_SCATTER, 17)                                                                             \
    X(ZMQ_DGRAM, 18)                                                                               \
    X(ZMQ_PEER, 19)                                                                                \
    X(ZMQ_CHANNEL, 20)                                                                             \
    X(ZMQ_ZAP_ENFORCE_DOMAIN, 93)                                                                  \
    X(ZMQ_LOOPBACK_FASTPATH, 94)                                                                   \
    X(ZMQ_METADATA, 95)                                                                            \
    X(ZMQ_MULTICAST_LOOP, 96)                                                                      \
    X(ZMQ_ROUTER_NOTIFY, 97)                                                                       \
    X(ZMQ_XPUB_MANUAL_LAST_VALUE, 98)                                                              \
    X(ZMQ_SOCKS_USERNAME, 99)                                                                      \
    X(ZMQ_SOCKS_PASSWORD, 100)                                                                     \
    X(ZMQ_IN_BATCH_SIZE, 101)                                                                      \
    X(ZMQ_OUT_BATCH_SIZE, 102)                                                                     \
    X(ZMQ_WSS_KEY_PEM, 103)                                                                        \
    X(ZMQ_WSS_CERT_PEM, 104)                                                                       \
    X(ZMQ_WSS_TRUST_PEM, 105)                                                                      \
    X(ZMQ_WSS_HOSTNAME, 106)                                                                       \
    X(ZMQ_WSS_TRUST_SYSTEM, 107)                                                                   \
    X(ZMQ_ONLY_FIRST_SUBSCRIBE, 108)                                                               \
    X(ZMQ_RECONNECT_STOP, 109)                                                                     \
    X(ZMQ_HELLO_MSG, 110)                                                                          \
    X(ZMQ_DISCONNECT_MSG, 111)                                                                     \
    X(ZMQ_PRIORITY, 112)                                                                           \
    X(ZMQ_RECONNECT_STOP_CONN_REFUSED, 0x1)                                                        \
    X(ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED, 0x2)                                                    \
    X(ZMQ_RECONNECT_STOP_AFTER_DISCONNECT, 0x3)                                                    \
    X(ZMQ_ZERO_COPY_RECV, 10)                                                                      \
    X(ZMQ_NOTIFY_CONNECT, 1)                                                                       \
    X(ZMQ_NOTIFY_DISCONNECT, 2)                                                                    \
    X(ZMQ_EVENT_PIPES_STATS, 0x10000)                                                              \
    X(ZMQ_CURRENT_EVENT_VERSION, 1)                                                                \
    X(ZMQ_CURRENT_EVENT_VERSION_DRAFT, 2)                                                          \
    X(ZMQ_EVENT_ALL_V1, 0xFFFF)                                                                    \
    X(ZMQ_EVENT_ALL_V2, 0x1FFFF)

namespace {

#define ZLINK_STATIC_PIN(name, value) static_assert(static_cast<long long>(name) == (value), #name);
ZLINK_STABLE_CONSTANTS(ZLINK_STATIC_PIN)
#if defined __linux__
ZLINK_LINUX_ERRNO(ZLINK_STATIC_PIN)
#endif
#ifdef ZLINK_PIN_DRAFT
ZLINK_DRAFT_CONSTANTS(ZLINK_STATIC_PIN)
#endif

struct pinned_constant {
    const char *name;
    long long actual;
    long long expected;
};

#define ZLINK_TABLE_ENTRY(name, value) {#name, static_cast<long long>(name), (value)},

const pinned_constant stable_constants[] = {ZLINK_STABLE_CONSTANTS(ZLINK_TABLE_ENTRY)
#if defined __linux__
                                                ZLINK_LINUX_ERRNO(ZLINK_TABLE_ENTRY)
#endif
};

TEST(Constants, StableValuesMatchLibzmq) {
    for (const auto &c : stable_constants)
        EXPECT_EQ(c.expected, c.actual) << c.name;
}

#ifdef ZLINK_PIN_DRAFT
const pinned_constant draft_constants[] = {ZLINK_DRAFT_CONSTANTS(ZLINK_TABLE_ENTRY)};

TEST(Constants, DraftValuesMatchLibzmq) {
    for (const auto &c : draft_constants)
        EXPECT_EQ(c.expected, c.actual) << c.name;
}

// Property names are part of the API too (compared as text).
static_assert(std::string_view(ZMQ_MSG_PROPERTY_ROUTING_ID) == "Routing-Id");
static_assert(std::string_view(ZMQ_MSG_PROPERTY_SOCKET_TYPE) == "Socket-Type");
static_assert(std::string_view(ZMQ_MSG_PROPERTY_USER_ID) == "User-Id");
static_assert(std::string_view(ZMQ_MSG_PROPERTY_PEER_ADDRESS) == "Peer-Address");
#ifndef ZMQ_HAVE_POLLER
#error "ZMQ_HAVE_POLLER must be defined with the draft API"
#endif
#endif // ZLINK_PIN_DRAFT

#ifndef ZMQ_HAVE_TIMERS
#error "ZMQ_HAVE_TIMERS must be defined"
#endif

// The header claims libzmq 4.3.5; the reference installed here is 4.3.4.
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
static_assert(ZMQ_VERSION_PATCH >= 4, "ZMQ_VERSION_PATCH");
#else
static_assert(ZMQ_VERSION_PATCH == 5, "ZMQ_VERSION_PATCH");
static_assert(ZMQ_VERSION == 40305, "ZMQ_VERSION");
#endif
static_assert(ZMQ_MAKE_VERSION(1, 2, 3) == 10203, "ZMQ_MAKE_VERSION");
static_assert(ZMQ_VERSION ==
                  ZMQ_VERSION_MAJOR * 10000 + ZMQ_VERSION_MINOR * 100 + ZMQ_VERSION_PATCH,
              "ZMQ_VERSION");

TEST(Constants, VersionMacros) {
    EXPECT_EQ(4, ZMQ_VERSION_MAJOR);
    EXPECT_EQ(3, ZMQ_VERSION_MINOR);
    EXPECT_EQ(ZMQ_MAKE_VERSION(4, 3, ZMQ_VERSION_PATCH), ZMQ_VERSION);
}

// ---- Type layout -------------------------------------------------------------

static_assert(sizeof(zmq_msg_t) == 64, "zmq_msg_t size");
static_assert(alignof(zmq_msg_t) == alignof(void *), "zmq_msg_t alignment");
static_assert(offsetof(zmq_pollitem_t, socket) == 0, "pollitem.socket");
static_assert(std::is_same<decltype(zmq_pollitem_t::socket), void *>::value,
              "pollitem.socket type");
static_assert(std::is_same<decltype(zmq_pollitem_t::fd), zmq_fd_t>::value, "pollitem.fd type");
static_assert(std::is_same<decltype(zmq_pollitem_t::events), short>::value, "pollitem.events type");
static_assert(std::is_same<decltype(zmq_pollitem_t::revents), short>::value,
              "pollitem.revents type");
#if !defined _WIN32
static_assert(std::is_same<zmq_fd_t, int>::value, "zmq_fd_t is int");
#endif

#if defined __x86_64__ && !defined _WIN32
static_assert(sizeof(zmq_pollitem_t) == 16, "pollitem size");
static_assert(offsetof(zmq_pollitem_t, fd) == 8, "pollitem.fd offset");
static_assert(offsetof(zmq_pollitem_t, events) == 12, "pollitem.events");
static_assert(offsetof(zmq_pollitem_t, revents) == 14, "pollitem.revents");
static_assert(alignof(zmq_msg_t) == 8, "zmq_msg_t alignment on x86_64");
#ifdef ZLINK_PIN_DRAFT
static_assert(sizeof(zmq_poller_event_t) == 32, "poller_event size");
static_assert(offsetof(zmq_poller_event_t, socket) == 0, "ev.socket");
static_assert(offsetof(zmq_poller_event_t, fd) == 8, "ev.fd");
static_assert(offsetof(zmq_poller_event_t, user_data) == 16, "ev.user_data");
static_assert(offsetof(zmq_poller_event_t, events) == 24, "ev.events");
#endif
#endif

TEST(Constants, TypeLayout) {
    EXPECT_EQ(64u, sizeof(zmq_msg_t));
    EXPECT_EQ(alignof(void *), alignof(zmq_msg_t));
#if defined __x86_64__ && !defined _WIN32
    EXPECT_EQ(16u, sizeof(zmq_pollitem_t));
    EXPECT_EQ(0u, offsetof(zmq_pollitem_t, socket));
    EXPECT_EQ(8u, offsetof(zmq_pollitem_t, fd));
    EXPECT_EQ(12u, offsetof(zmq_pollitem_t, events));
    EXPECT_EQ(14u, offsetof(zmq_pollitem_t, revents));
#endif
}

// ---- Function signatures ------------------------------------------------------
// decltype(&f) is unevaluated, so this pins the ABI without needing the
// functions to be defined.

#define ZLINK_PIN_SIG(fn, type) static_assert(std::is_same<decltype(&fn), type>::value, #fn);

ZLINK_PIN_SIG(zmq_errno, int (*)(void))
ZLINK_PIN_SIG(zmq_strerror, const char *(*)(int))
ZLINK_PIN_SIG(zmq_version, void (*)(int *, int *, int *))
ZLINK_PIN_SIG(zmq_ctx_new, void *(*)(void))
ZLINK_PIN_SIG(zmq_ctx_term, int (*)(void *))
ZLINK_PIN_SIG(zmq_ctx_shutdown, int (*)(void *))
ZLINK_PIN_SIG(zmq_ctx_set, int (*)(void *, int, int))
ZLINK_PIN_SIG(zmq_ctx_get, int (*)(void *, int))
ZLINK_PIN_SIG(zmq_init, void *(*)(int))
ZLINK_PIN_SIG(zmq_term, int (*)(void *))
ZLINK_PIN_SIG(zmq_ctx_destroy, int (*)(void *))
ZLINK_PIN_SIG(zmq_msg_init, int (*)(zmq_msg_t *))
ZLINK_PIN_SIG(zmq_msg_init_size, int (*)(zmq_msg_t *, size_t))
ZLINK_PIN_SIG(zmq_msg_init_data, int (*)(zmq_msg_t *, void *, size_t, zmq_free_fn *, void *))
ZLINK_PIN_SIG(zmq_msg_send, int (*)(zmq_msg_t *, void *, int))
ZLINK_PIN_SIG(zmq_msg_recv, int (*)(zmq_msg_t *, void *, int))
ZLINK_PIN_SIG(zmq_msg_close, int (*)(zmq_msg_t *))
ZLINK_PIN_SIG(zmq_msg_move, int (*)(zmq_msg_t *, zmq_msg_t *))
ZLINK_PIN_SIG(zmq_msg_copy, int (*)(zmq_msg_t *, zmq_msg_t *))
ZLINK_PIN_SIG(zmq_msg_data, void *(*)(zmq_msg_t *))
ZLINK_PIN_SIG(zmq_msg_size, size_t (*)(const zmq_msg_t *))
ZLINK_PIN_SIG(zmq_msg_more, int (*)(const zmq_msg_t *))
ZLINK_PIN_SIG(zmq_msg_get, int (*)(const zmq_msg_t *, int))
ZLINK_PIN_SIG(zmq_msg_set, int (*)(zmq_msg_t *, int, int))
ZLINK_PIN_SIG(zmq_msg_gets, const char *(*)(const zmq_msg_t *, const char *))
ZLINK_PIN_SIG(zmq_socket, void *(*)(void *, int))
ZLINK_PIN_SIG(zmq_close, int (*)(void *))
ZLINK_PIN_SIG(zmq_setsockopt, int (*)(void *, int, const void *, size_t))
ZLINK_PIN_SIG(zmq_getsockopt, int (*)(void *, int, void *, size_t *))
ZLINK_PIN_SIG(zmq_bind, int (*)(void *, const char *))
ZLINK_PIN_SIG(zmq_connect, int (*)(void *, const char *))
ZLINK_PIN_SIG(zmq_unbind, int (*)(void *, const char *))
ZLINK_PIN_SIG(zmq_disconnect, int (*)(void *, const char *))
ZLINK_PIN_SIG(zmq_send, int (*)(void *, const void *, size_t, int))
ZLINK_PIN_SIG(zmq_send_const, int (*)(void *, const void *, size_t, int))
ZLINK_PIN_SIG(zmq_recv, int (*)(void *, void *, size_t, int))
ZLINK_PIN_SIG(zmq_socket_monitor, int (*)(void *, const char *, int))
ZLINK_PIN_SIG(zmq_poll, int (*)(zmq_pollitem_t *, int, long))
ZLINK_PIN_SIG(zmq_proxy, int (*)(void *, void *, void *))
ZLINK_PIN_SIG(zmq_proxy_steerable, int (*)(void *, void *, void *, void *))
ZLINK_PIN_SIG(zmq_has, int (*)(const char *))
ZLINK_PIN_SIG(zmq_device, int (*)(int, void *, void *))
ZLINK_PIN_SIG(zmq_sendmsg, int (*)(void *, zmq_msg_t *, int))
ZLINK_PIN_SIG(zmq_recvmsg, int (*)(void *, zmq_msg_t *, int))
ZLINK_PIN_SIG(zmq_sendiov, int (*)(void *, struct iovec *, size_t, int))
ZLINK_PIN_SIG(zmq_recviov, int (*)(void *, struct iovec *, size_t *, int))
ZLINK_PIN_SIG(zmq_z85_encode, char *(*)(char *, const uint8_t *, size_t))
ZLINK_PIN_SIG(zmq_z85_decode, uint8_t *(*)(uint8_t *, const char *))
ZLINK_PIN_SIG(zmq_curve_keypair, int (*)(char *, char *))
ZLINK_PIN_SIG(zmq_curve_public, int (*)(char *, const char *))
ZLINK_PIN_SIG(zmq_atomic_counter_new, void *(*)(void))
ZLINK_PIN_SIG(zmq_atomic_counter_set, void (*)(void *, int))
ZLINK_PIN_SIG(zmq_atomic_counter_inc, int (*)(void *))
ZLINK_PIN_SIG(zmq_atomic_counter_dec, int (*)(void *))
ZLINK_PIN_SIG(zmq_atomic_counter_value, int (*)(void *))
ZLINK_PIN_SIG(zmq_atomic_counter_destroy, void (*)(void **))
ZLINK_PIN_SIG(zmq_timers_new, void *(*)(void))
ZLINK_PIN_SIG(zmq_timers_destroy, int (*)(void **))
ZLINK_PIN_SIG(zmq_timers_add, int (*)(void *, size_t, zmq_timer_fn *, void *))
ZLINK_PIN_SIG(zmq_timers_cancel, int (*)(void *, int))
ZLINK_PIN_SIG(zmq_timers_set_interval, int (*)(void *, int, size_t))
ZLINK_PIN_SIG(zmq_timers_reset, int (*)(void *, int))
ZLINK_PIN_SIG(zmq_timers_timeout, long (*)(void *))
ZLINK_PIN_SIG(zmq_timers_execute, int (*)(void *))
ZLINK_PIN_SIG(zmq_stopwatch_start, void *(*)(void))
ZLINK_PIN_SIG(zmq_stopwatch_intermediate, unsigned long (*)(void *))
ZLINK_PIN_SIG(zmq_stopwatch_stop, unsigned long (*)(void *))
ZLINK_PIN_SIG(zmq_sleep, void (*)(int))
ZLINK_PIN_SIG(zmq_threadstart, void *(*)(zmq_thread_fn *, void *))
ZLINK_PIN_SIG(zmq_threadclose, void (*)(void *))
static_assert(std::is_same<zmq_free_fn, void(void *, void *)>::value, "");
static_assert(std::is_same<zmq_timer_fn, void(int, void *)>::value, "");
static_assert(std::is_same<zmq_thread_fn, void(void *)>::value, "");

#ifdef ZLINK_PIN_DRAFT
ZLINK_PIN_SIG(zmq_ctx_set_ext, int (*)(void *, int, const void *, size_t))
ZLINK_PIN_SIG(zmq_ctx_get_ext, int (*)(void *, int, void *, size_t *))
ZLINK_PIN_SIG(zmq_join, int (*)(void *, const char *))
ZLINK_PIN_SIG(zmq_leave, int (*)(void *, const char *))
ZLINK_PIN_SIG(zmq_connect_peer, uint32_t (*)(void *, const char *))
ZLINK_PIN_SIG(zmq_msg_set_routing_id, int (*)(zmq_msg_t *, uint32_t))
ZLINK_PIN_SIG(zmq_msg_routing_id, uint32_t (*)(zmq_msg_t *))
ZLINK_PIN_SIG(zmq_msg_set_group, int (*)(zmq_msg_t *, const char *))
ZLINK_PIN_SIG(zmq_msg_group, const char *(*)(zmq_msg_t *))
ZLINK_PIN_SIG(zmq_msg_init_buffer, int (*)(zmq_msg_t *, const void *, size_t))
ZLINK_PIN_SIG(zmq_poller_new, void *(*)(void))
ZLINK_PIN_SIG(zmq_poller_destroy, int (*)(void **))
ZLINK_PIN_SIG(zmq_poller_size, int (*)(void *))
ZLINK_PIN_SIG(zmq_poller_add, int (*)(void *, void *, void *, short))
ZLINK_PIN_SIG(zmq_poller_modify, int (*)(void *, void *, short))
ZLINK_PIN_SIG(zmq_poller_remove, int (*)(void *, void *))
ZLINK_PIN_SIG(zmq_poller_wait, int (*)(void *, zmq_poller_event_t *, long))
ZLINK_PIN_SIG(zmq_poller_wait_all, int (*)(void *, zmq_poller_event_t *, int, long))
ZLINK_PIN_SIG(zmq_poller_fd, int (*)(void *, zmq_fd_t *))
ZLINK_PIN_SIG(zmq_poller_add_fd, int (*)(void *, zmq_fd_t, void *, short))
ZLINK_PIN_SIG(zmq_poller_modify_fd, int (*)(void *, zmq_fd_t, short))
ZLINK_PIN_SIG(zmq_poller_remove_fd, int (*)(void *, zmq_fd_t))
ZLINK_PIN_SIG(zmq_socket_get_peer_state, int (*)(void *, const void *, size_t))
ZLINK_PIN_SIG(zmq_socket_monitor_versioned, int (*)(void *, const char *, uint64_t, int, int))
ZLINK_PIN_SIG(zmq_socket_monitor_pipes_stats, int (*)(void *))
#endif

// Runtime side of the version contract: the library agrees with the header.
TEST(Constants, LibraryVersionMatchesHeader) {
    int major = -1, minor = -1, patch = -1;
    zmq_version(&major, &minor, &patch);
    EXPECT_EQ(ZMQ_VERSION_MAJOR, major);
    EXPECT_EQ(ZMQ_VERSION_MINOR, minor);
    EXPECT_EQ(ZMQ_VERSION_PATCH, patch);
}

} // namespace
