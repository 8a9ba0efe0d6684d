// Socket options that every socket type shares: defaults, value sizes,
// set/get round trips and the EINVAL paths (ranges, lengths, ids).
// Type-specific and string options are in test_sockopt_types.cpp.
#include "testutil.hpp"

#include <cstdint>

using namespace testutil;

namespace {

struct int_default {
    int option;
    const char *name;
    int value;
};

#define OPT(o) o, #o

// Defaults of int-valued options, as libzmq 4.3 reports them on a DEALER.
const int_default int_defaults[] = {
    {OPT(ZMQ_RATE), 100},
    {OPT(ZMQ_RECOVERY_IVL), 10000},
    {OPT(ZMQ_SNDBUF), -1},
    {OPT(ZMQ_RCVBUF), -1},
    {OPT(ZMQ_RCVMORE), 0},
    {OPT(ZMQ_EVENTS), 0}, // a DEALER without peers can neither send nor receive
    {OPT(ZMQ_TYPE), ZMQ_DEALER},
    {OPT(ZMQ_LINGER), -1},
    {OPT(ZMQ_RECONNECT_IVL), 100},
    {OPT(ZMQ_BACKLOG), 100},
    {OPT(ZMQ_RECONNECT_IVL_MAX), 0},
    {OPT(ZMQ_SNDHWM), 1000},
    {OPT(ZMQ_RCVHWM), 1000},
    {OPT(ZMQ_MULTICAST_HOPS), 1},
    {OPT(ZMQ_RCVTIMEO), -1},
    {OPT(ZMQ_SNDTIMEO), -1},
    {OPT(ZMQ_IPV4ONLY), 1},
    {OPT(ZMQ_TCP_KEEPALIVE), -1},
    {OPT(ZMQ_TCP_KEEPALIVE_CNT), -1},
    {OPT(ZMQ_TCP_KEEPALIVE_IDLE), -1},
    {OPT(ZMQ_TCP_KEEPALIVE_INTVL), -1},
    {OPT(ZMQ_IMMEDIATE), 0},
    {OPT(ZMQ_IPV6), 0},
    {OPT(ZMQ_MECHANISM), ZMQ_NULL},
    {OPT(ZMQ_PLAIN_SERVER), 0},
    {OPT(ZMQ_CONFLATE), 0},
    {OPT(ZMQ_TOS), 0},
    {OPT(ZMQ_HANDSHAKE_IVL), 30000},
    {OPT(ZMQ_INVERT_MATCHING), 0},
    {OPT(ZMQ_HEARTBEAT_IVL), 0},
    {OPT(ZMQ_HEARTBEAT_TTL), 0},
    {OPT(ZMQ_HEARTBEAT_TIMEOUT), -1},
    {OPT(ZMQ_CONNECT_TIMEOUT), 0},
    {OPT(ZMQ_TCP_MAXRT), 0},
    {OPT(ZMQ_THREAD_SAFE), 0},
    {OPT(ZMQ_MULTICAST_MAXTPDU), 1500},
    {OPT(ZMQ_USE_FD), -1},
};

struct int_roundtrip {
    int option;
    const char *name;
    int set;
    int expect; // what getsockopt reports afterwards
};

const int_roundtrip int_roundtrips[] = {
    {OPT(ZMQ_RATE), 200, 200},
    {OPT(ZMQ_RECOVERY_IVL), 0, 0},
    {OPT(ZMQ_SNDBUF), 65536, 65536},
    {OPT(ZMQ_SNDBUF), 0, 0},
    {OPT(ZMQ_RCVBUF), 131072, 131072},
    {OPT(ZMQ_LINGER), 0, 0},
    {OPT(ZMQ_LINGER), 250, 250},
    {OPT(ZMQ_LINGER), -1, -1},
    {OPT(ZMQ_RECONNECT_IVL), -1, -1},
    {OPT(ZMQ_RECONNECT_IVL), 0, 0},
    {OPT(ZMQ_RECONNECT_IVL), 500, 500},
    {OPT(ZMQ_BACKLOG), 0, 0},
    {OPT(ZMQ_BACKLOG), 1000, 1000},
    {OPT(ZMQ_RECONNECT_IVL_MAX), 5000, 5000},
    {OPT(ZMQ_SNDHWM), 0, 0},
    {OPT(ZMQ_SNDHWM), 7, 7},
    {OPT(ZMQ_RCVHWM), 0, 0},
    {OPT(ZMQ_RCVHWM), 100000, 100000},
    {OPT(ZMQ_MULTICAST_HOPS), 16, 16},
    {OPT(ZMQ_RCVTIMEO), 0, 0},
    {OPT(ZMQ_RCVTIMEO), 1500, 1500},
    {OPT(ZMQ_SNDTIMEO), 0, 0},
    {OPT(ZMQ_SNDTIMEO), 1500, 1500},
    {OPT(ZMQ_TCP_KEEPALIVE), 0, 0},
    {OPT(ZMQ_TCP_KEEPALIVE), 1, 1},
    {OPT(ZMQ_TCP_KEEPALIVE_CNT), 5, 5},
    {OPT(ZMQ_TCP_KEEPALIVE_IDLE), 60, 60},
    {OPT(ZMQ_TCP_KEEPALIVE_INTVL), 10, 10},
    {OPT(ZMQ_IMMEDIATE), 1, 1},
    {OPT(ZMQ_CONFLATE), 1, 1},
    {OPT(ZMQ_TOS), 0x28, 0x28},
    {OPT(ZMQ_HANDSHAKE_IVL), 0, 0},
    {OPT(ZMQ_HANDSHAKE_IVL), 1000, 1000},
    {OPT(ZMQ_INVERT_MATCHING), 1, 1},
    {OPT(ZMQ_INVERT_MATCHING), 7, 1}, // normalised to a boolean
    {OPT(ZMQ_HEARTBEAT_IVL), 250, 250},
    {OPT(ZMQ_HEARTBEAT_TTL), 1500, 1500},
    {OPT(ZMQ_HEARTBEAT_TTL), 1550, 1500}, // kept in units of 100 ms
    {OPT(ZMQ_HEARTBEAT_TTL), 99, 0},
    {OPT(ZMQ_HEARTBEAT_TTL), 6553500, 6553500},
    {OPT(ZMQ_HEARTBEAT_TIMEOUT), 0, 0},
    {OPT(ZMQ_HEARTBEAT_TIMEOUT), 3000, 3000},
    {OPT(ZMQ_CONNECT_TIMEOUT), 2000, 2000},
    {OPT(ZMQ_TCP_MAXRT), 3000, 3000},
    {OPT(ZMQ_MULTICAST_MAXTPDU), 9000, 9000},
    {OPT(ZMQ_USE_FD), -1, -1},
    {OPT(ZMQ_PLAIN_SERVER), 1, 1},
    {OPT(ZMQ_PLAIN_SERVER), 0, 0},
};

struct int_invalid {
    int option;
    const char *name;
    int value;
};

const int_invalid int_invalids[] = {
    {OPT(ZMQ_RATE), 0},
    {OPT(ZMQ_RATE), -1},
    {OPT(ZMQ_RECOVERY_IVL), -1},
    {OPT(ZMQ_SNDBUF), -2},
    {OPT(ZMQ_RCVBUF), -2},
    {OPT(ZMQ_LINGER), -2},
    {OPT(ZMQ_RECONNECT_IVL), -2},
    {OPT(ZMQ_BACKLOG), -1},
    {OPT(ZMQ_RECONNECT_IVL_MAX), -1},
    {OPT(ZMQ_SNDHWM), -1},
    {OPT(ZMQ_RCVHWM), -1},
    {OPT(ZMQ_MULTICAST_HOPS), 0},
    {OPT(ZMQ_MULTICAST_HOPS), -1},
    {OPT(ZMQ_RCVTIMEO), -2},
    {OPT(ZMQ_SNDTIMEO), -2},
    {OPT(ZMQ_IPV4ONLY), 2},
    {OPT(ZMQ_IPV4ONLY), -1},
    {OPT(ZMQ_IPV6), 2},
    {OPT(ZMQ_IPV6), -1},
    {OPT(ZMQ_IMMEDIATE), 2},
    {OPT(ZMQ_IMMEDIATE), -1},
    {OPT(ZMQ_CONFLATE), 2},
    {OPT(ZMQ_PLAIN_SERVER), 2},
    {OPT(ZMQ_PLAIN_SERVER), -1},
    {OPT(ZMQ_TCP_KEEPALIVE), 2},
    {OPT(ZMQ_TCP_KEEPALIVE), -2},
    {OPT(ZMQ_TCP_KEEPALIVE_CNT), -2},
    {OPT(ZMQ_TCP_KEEPALIVE_IDLE), -2},
    {OPT(ZMQ_TCP_KEEPALIVE_INTVL), -2},
    {OPT(ZMQ_TOS), -1},
    {OPT(ZMQ_HANDSHAKE_IVL), -1},
    {OPT(ZMQ_HEARTBEAT_IVL), -1},
    {OPT(ZMQ_HEARTBEAT_TTL), 6553600},
    {OPT(ZMQ_HEARTBEAT_TIMEOUT), -1},
    {OPT(ZMQ_CONNECT_TIMEOUT), -1},
    {OPT(ZMQ_TCP_MAXRT), -1},
    {OPT(ZMQ_MULTICAST_MAXTPDU), 0},
    {OPT(ZMQ_MULTICAST_MAXTPDU), -1},
    {OPT(ZMQ_USE_FD), -2},
};

// int-valued options, used for the length checks.
const int all_int_options[] = {
    ZMQ_RATE,
    ZMQ_RECOVERY_IVL,
    ZMQ_SNDBUF,
    ZMQ_RCVBUF,
    ZMQ_LINGER,
    ZMQ_RECONNECT_IVL,
    ZMQ_BACKLOG,
    ZMQ_RECONNECT_IVL_MAX,
    ZMQ_SNDHWM,
    ZMQ_RCVHWM,
    ZMQ_MULTICAST_HOPS,
    ZMQ_RCVTIMEO,
    ZMQ_SNDTIMEO,
    ZMQ_IPV4ONLY,
    ZMQ_TCP_KEEPALIVE,
    ZMQ_TCP_KEEPALIVE_CNT,
    ZMQ_TCP_KEEPALIVE_IDLE,
    ZMQ_TCP_KEEPALIVE_INTVL,
    ZMQ_IMMEDIATE,
    ZMQ_IPV6,
    ZMQ_PLAIN_SERVER,
    ZMQ_CONFLATE,
    ZMQ_TOS,
    ZMQ_HANDSHAKE_IVL,
    ZMQ_HEARTBEAT_IVL,
    ZMQ_HEARTBEAT_TTL,
    ZMQ_HEARTBEAT_TIMEOUT,
    ZMQ_CONNECT_TIMEOUT,
    ZMQ_TCP_MAXRT,
    ZMQ_MULTICAST_MAXTPDU,
    ZMQ_USE_FD,
};

class Sockopt : public ctx_test {};

} // namespace

TEST_F(Sockopt, IntDefaults) {
    void *s = make(ZMQ_DEALER);
    for (const auto &d : int_defaults) {
        int v = -12345;
        size_t len = sizeof v;
        ASSERT_EQ(0, zmq_getsockopt(s, d.option, &v, &len))
            << d.name << ": " << zmq_strerror(zmq_errno());
        EXPECT_EQ(sizeof(int), len) << d.name;
        EXPECT_EQ(d.value, v) << d.name;
    }
}

TEST_F(Sockopt, Int64Defaults) {
    void *s = make(ZMQ_DEALER);
    uint64_t affinity = 99;
    size_t len = sizeof affinity;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_AFFINITY, &affinity, &len));
    EXPECT_EQ(sizeof(uint64_t), len);
    EXPECT_EQ(0u, affinity);

    int64_t maxmsg = 99;
    len = sizeof maxmsg;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, &len));
    EXPECT_EQ(sizeof(int64_t), len);
    EXPECT_EQ(-1, maxmsg);
}

TEST_F(Sockopt, IntRoundTrips) {
    for (const auto &r : int_roundtrips) {
        void *s = make(ZMQ_DEALER);
        ASSERT_EQ(0, set_int(s, r.option, r.set))
            << r.name << "=" << r.set << ": " << zmq_strerror(zmq_errno());
        EXPECT_EQ(r.expect, get_int(s, r.option)) << r.name << " set to " << r.set;
        close(s);
    }
}

TEST_F(Sockopt, Int64RoundTrips) {
    void *s = make(ZMQ_DEALER);
    const uint64_t aff = 0x5;
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_AFFINITY, &aff, sizeof aff));
    uint64_t got = 0;
    size_t len = sizeof got;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_AFFINITY, &got, &len));
    EXPECT_EQ(aff, got);

    for (int64_t m : {int64_t(0), int64_t(5), int64_t(1) << 40, int64_t(-1)}) {
        ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &m, sizeof m));
        int64_t g = 12345;
        len = sizeof g;
        ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_MAXMSGSIZE, &g, &len));
        EXPECT_EQ(m, g);
    }
}

TEST_F(Sockopt, OutOfRangeValuesAreEinval) {
    for (const auto &r : int_invalids) {
        void *s = make(ZMQ_DEALER);
        int before = -12345;
        size_t len = sizeof before;
        ASSERT_EQ(0, zmq_getsockopt(s, r.option, &before, &len)) << r.name;
        errno = 0;
        EXPECT_EQ(-1, set_int(s, r.option, r.value)) << r.name << "=" << r.value;
        EXPECT_EQ(EINVAL, errno) << r.name << "=" << r.value;
        EXPECT_EQ(before, get_int(s, r.option)) << r.name << " unchanged after rejection";
        close(s);
    }
}

// int options take exactly sizeof(int) bytes, both ways.
TEST_F(Sockopt, IntOptionsRequireExactLength) {
    void *s = make(ZMQ_DEALER);
    for (int opt : all_int_options) {
        int64_t wide = 1;
        EXPECT_ZMQ_ERR(zmq_setsockopt(s, opt, &wide, sizeof wide), EINVAL);
        char narrow = 1;
        EXPECT_ZMQ_ERR(zmq_setsockopt(s, opt, &narrow, 1), EINVAL);
        EXPECT_ZMQ_ERR(zmq_setsockopt(s, opt, nullptr, 0), EINVAL);

        size_t len = sizeof wide;
        EXPECT_ZMQ_ERR(zmq_getsockopt(s, opt, &wide, &len), EINVAL);
        len = 2;
        EXPECT_ZMQ_ERR(zmq_getsockopt(s, opt, &wide, &len), EINVAL);
    }
}

TEST_F(Sockopt, Int64OptionsRequireExactLength) {
    void *s = make(ZMQ_DEALER);
    for (int opt : {ZMQ_AFFINITY, ZMQ_MAXMSGSIZE}) {
        int v = 1;
        EXPECT_ZMQ_ERR(zmq_setsockopt(s, opt, &v, sizeof v), EINVAL);
        size_t len = sizeof v;
        EXPECT_ZMQ_ERR(zmq_getsockopt(s, opt, &v, &len), EINVAL);
    }
}

TEST_F(Sockopt, UnknownOptionIdsAreEinval) {
    void *s = make(ZMQ_DEALER);
    for (int opt : {-1, 0, 1, 2, 3, 9999, 1 << 20}) {
        int v = 1;
        EXPECT_ZMQ_ERR(zmq_setsockopt(s, opt, &v, sizeof v), EINVAL);
        size_t len = sizeof v;
        EXPECT_ZMQ_ERR(zmq_getsockopt(s, opt, &v, &len), EINVAL);
    }
}

TEST_F(Sockopt, ReadOnlyOptionsRejectSet) {
    void *s = make(ZMQ_DEALER);
    int v = 1;
    for (int opt : {ZMQ_TYPE, ZMQ_RCVMORE, ZMQ_FD, ZMQ_EVENTS, ZMQ_MECHANISM, ZMQ_THREAD_SAFE})
        EXPECT_ZMQ_ERR(zmq_setsockopt(s, opt, &v, sizeof v), EINVAL);
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZMQ_LAST_ENDPOINT, "x", 1), EINVAL);
}

TEST_F(Sockopt, TypeReportsSocketType) {
    for (int t = ZMQ_PAIR; t <= ZMQ_STREAM; ++t) {
        void *s = make(t);
        EXPECT_EQ(t, get_int(s, ZMQ_TYPE));
        EXPECT_EQ(0, get_int(s, ZMQ_THREAD_SAFE)) << "type " << t;
        close(s);
    }
}

// SUB and XSUB default to linger 0: their unsent subscriptions don't matter.
TEST_F(Sockopt, LingerDefaultDependsOnType) {
    for (int t = ZMQ_PAIR; t <= ZMQ_STREAM; ++t) {
        void *s = make(t);
        const int expected = (t == ZMQ_SUB || t == ZMQ_XSUB) ? 0 : -1;
        EXPECT_EQ(expected, get_int(s, ZMQ_LINGER)) << "type " << t;
        close(s);
    }
}

TEST_F(Sockopt, EventsDefaultDependsOnType) {
    // Types that drop or route instead of blocking can always send.
    for (int t : {ZMQ_PUB, ZMQ_XPUB, ZMQ_ROUTER, ZMQ_XSUB, ZMQ_STREAM}) {
        void *s = make(t);
        EXPECT_EQ(ZMQ_POLLOUT, get_int(s, ZMQ_EVENTS)) << "type " << t;
    }
    for (int t : {ZMQ_PAIR, ZMQ_SUB, ZMQ_REQ, ZMQ_REP, ZMQ_DEALER, ZMQ_PUSH, ZMQ_PULL}) {
        void *s = make(t);
        EXPECT_EQ(0, get_int(s, ZMQ_EVENTS)) << "type " << t;
    }
}

TEST_F(Sockopt, FdIsAValidDescriptor) {
    void *s = make(ZMQ_PAIR);
    int fd = -1;
    size_t len = sizeof fd;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_FD, &fd, &len));
    EXPECT_EQ(sizeof(int), len);
    EXPECT_GE(fd, 0);
    // The same descriptor every time.
    int fd2 = -1;
    len = sizeof fd2;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_FD, &fd2, &len));
    EXPECT_EQ(fd, fd2);
    // A larger buffer is accepted and the length corrected.
    int64_t wide = -1;
    len = sizeof wide;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_FD, &wide, &len));
    EXPECT_EQ(sizeof(int), len);
    char narrow;
    len = 1;
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZMQ_FD, &narrow, &len), EINVAL);
}

TEST_F(Sockopt, Ipv6AndIpv4OnlyAreLinked) {
    void *s = make(ZMQ_DEALER);
    ASSERT_EQ(0, set_int(s, ZMQ_IPV6, 1));
    EXPECT_EQ(1, get_int(s, ZMQ_IPV6));
    EXPECT_EQ(0, get_int(s, ZMQ_IPV4ONLY));
    ASSERT_EQ(0, set_int(s, ZMQ_IPV4ONLY, 1));
    EXPECT_EQ(0, get_int(s, ZMQ_IPV6));
    EXPECT_EQ(1, get_int(s, ZMQ_IPV4ONLY));
    ASSERT_EQ(0, set_int(s, ZMQ_IPV4ONLY, 0));
    EXPECT_EQ(1, get_int(s, ZMQ_IPV6));
}

TEST_F(Sockopt, NewSocketsInheritContextIpv6) {
    ASSERT_EQ(0, zmq_ctx_set(ctx, ZMQ_IPV6, 1));
    void *s = make(ZMQ_DEALER);
    EXPECT_EQ(1, get_int(s, ZMQ_IPV6));
    EXPECT_EQ(0, get_int(s, ZMQ_IPV4ONLY));
}

TEST_F(Sockopt, MechanismFollowsPlainOptions) {
    void *s = make(ZMQ_DEALER);
    EXPECT_EQ(ZMQ_NULL, get_int(s, ZMQ_MECHANISM));
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_PLAIN_USERNAME, "admin", 5));
    EXPECT_EQ(ZMQ_PLAIN, get_int(s, ZMQ_MECHANISM));
    EXPECT_EQ(0, get_int(s, ZMQ_PLAIN_SERVER));
    // NULL with length 0 clears the credential and the mechanism.
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_PLAIN_USERNAME, nullptr, 0));
    EXPECT_EQ(ZMQ_NULL, get_int(s, ZMQ_MECHANISM));
    ASSERT_EQ(0, set_int(s, ZMQ_PLAIN_SERVER, 1));
    EXPECT_EQ(ZMQ_PLAIN, get_int(s, ZMQ_MECHANISM));
    EXPECT_EQ(1, get_int(s, ZMQ_PLAIN_SERVER));
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_PLAIN_PASSWORD, "secret", 6));
    EXPECT_EQ(ZMQ_PLAIN, get_int(s, ZMQ_MECHANISM));
}

TEST_F(Sockopt, RcvmoreReflectsMultipart) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    EXPECT_EQ(0, get_int(b, ZMQ_RCVMORE));
    ASSERT_EQ(1, zmq_send(a, "1", 1, ZMQ_SNDMORE));
    ASSERT_EQ(1, zmq_send(a, "2", 1, 0));
    EXPECT_EQ("1", recv_str(b));
    EXPECT_EQ(1, get_int(b, ZMQ_RCVMORE));
    EXPECT_EQ("2", recv_str(b));
    EXPECT_EQ(0, get_int(b, ZMQ_RCVMORE));
}

TEST_F(Sockopt, RcvtimeoAndSndtimeoBoundBlockingCalls) {
    void *pull = make(ZMQ_PULL);
    ASSERT_EQ(0, zmq_bind(pull, inproc_ep("timeo").c_str()));
    ASSERT_EQ(0, set_int(pull, ZMQ_RCVTIMEO, 20));
    char buf[4];
    EXPECT_ZMQ_ERR(zmq_recv(pull, buf, sizeof buf, 0), EAGAIN);

    void *push = make(ZMQ_PUSH); // no peer: cannot send
    ASSERT_EQ(0, set_int(push, ZMQ_SNDTIMEO, 20));
    EXPECT_ZMQ_ERR(zmq_send(push, "x", 1, 0), EAGAIN);
    ASSERT_EQ(0, set_int(push, ZMQ_SNDTIMEO, 0));
    EXPECT_ZMQ_ERR(zmq_send(push, "x", 1, 0), EAGAIN);
}

TEST_F(Sockopt, SndhwmLimitsQueuedMessages) {
    const std::string ep = inproc_ep("hwm");
    void *push = make(ZMQ_PUSH);
    ASSERT_EQ(0, set_int(push, ZMQ_SNDHWM, 5));
    void *pull = make(ZMQ_PULL);
    ASSERT_EQ(0, set_int(pull, ZMQ_RCVHWM, 5));
    ASSERT_EQ(0, zmq_bind(pull, ep.c_str()));
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    int sent = 0;
    while (sent < 1000 && zmq_send(push, "x", 1, ZMQ_DONTWAIT) == 1)
        ++sent;
    EXPECT_EQ(EAGAIN, zmq_errno());
    // inproc: the pipe holds sndhwm + rcvhwm messages.
    EXPECT_EQ(10, sent);
    for (int i = 0; i < sent; ++i)
        ASSERT_EQ("x", recv_str(pull));
}

TEST_F(Sockopt, MaxmsgsizeAcceptsAnyInt64) {
    // libzmq does not range-check ZMQ_MAXMSGSIZE: every value < -1 is taken.
    void *s = make(ZMQ_DEALER);
    int64_t v = -2;
    EXPECT_EQ(0, zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &v, sizeof v));
}

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
// zlink's feature-flag options (zlink.h) follow libzmq's int conventions.
#include <zlink.h>

TEST_F(Sockopt, ZlinkSpeculativeWriteIsABooleanInt) {
    void *s = make(ZMQ_DEALER);
    EXPECT_EQ(1, get_int(s, ZLINK_SPECULATIVE_WRITE)) << "default: on";
    ASSERT_EQ(0, set_int(s, ZLINK_SPECULATIVE_WRITE, 0));
    EXPECT_EQ(0, get_int(s, ZLINK_SPECULATIVE_WRITE));
    ASSERT_EQ(0, set_int(s, ZLINK_SPECULATIVE_WRITE, 1));
    EXPECT_EQ(1, get_int(s, ZLINK_SPECULATIVE_WRITE));
    EXPECT_ZMQ_ERR(set_int(s, ZLINK_SPECULATIVE_WRITE, 2), EINVAL);
    EXPECT_ZMQ_ERR(set_int(s, ZLINK_SPECULATIVE_WRITE, -1), EINVAL);
    const int64_t wide = 0;
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZLINK_SPECULATIVE_WRITE, &wide, sizeof wide), EINVAL);
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZLINK_SPECULATIVE_WRITE, nullptr, sizeof(int)), EINVAL);
    EXPECT_EQ(1, get_int(s, ZLINK_SPECULATIVE_WRITE)) << "refused values change nothing";
}

TEST_F(Sockopt, ZlinkWriteBatchBytesIsAPositiveInt) {
    void *s = make(ZMQ_PUSH);
    EXPECT_EQ(32768, get_int(s, ZLINK_WRITE_BATCH_BYTES)) << "default: the copy buffer";
    ASSERT_EQ(0, set_int(s, ZLINK_WRITE_BATCH_BYTES, 1));
    EXPECT_EQ(1, get_int(s, ZLINK_WRITE_BATCH_BYTES));
    ASSERT_EQ(0, set_int(s, ZLINK_WRITE_BATCH_BYTES, 1 << 20));
    EXPECT_EQ(1 << 20, get_int(s, ZLINK_WRITE_BATCH_BYTES));
    EXPECT_ZMQ_ERR(set_int(s, ZLINK_WRITE_BATCH_BYTES, 0), EINVAL);
    EXPECT_ZMQ_ERR(set_int(s, ZLINK_WRITE_BATCH_BYTES, -5), EINVAL);
    const char small = 1;
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZLINK_WRITE_BATCH_BYTES, &small, sizeof small), EINVAL);
    EXPECT_EQ(1 << 20, get_int(s, ZLINK_WRITE_BATCH_BYTES));
}

TEST_F(Sockopt, ZlinkFlagGetsWantExactlyAnInt) {
    void *s = make(ZMQ_PAIR);
    int64_t wide = 0;
    size_t len = sizeof wide;
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZLINK_SPECULATIVE_WRITE, &wide, &len), EINVAL);
    char small = 0;
    len = sizeof small;
    EXPECT_ZMQ_ERR(zmq_getsockopt(s, ZLINK_WRITE_BATCH_BYTES, &small, &len), EINVAL);
}
#endif
