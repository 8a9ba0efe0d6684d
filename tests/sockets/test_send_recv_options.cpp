// Send/recv flags and endpoint lifecycle over inproc: ZMQ_SNDTIMEO,
// ZMQ_RCVTIMEO, ZMQ_DONTWAIT, ZMQ_SNDMORE, ZMQ_IMMEDIATE, connect-before-bind,
// unbind and disconnect. Timeouts are asserted by errno, never by time.
#include "testutil.hpp"

using namespace testutil;

namespace {

using Frames = std::vector<std::string>;

TEST(Options, RcvtimeoGivesEagain) {
    Ctx ctx;
    for (int type :
         {ZMQ_PULL, ZMQ_SUB, ZMQ_PAIR, ZMQ_DEALER, ZMQ_ROUTER, ZMQ_REP, ZMQ_XSUB, ZMQ_XPUB}) {
        Sock s(ctx, type);
        s.bind(inproc_ep());
        s.set_int(ZMQ_RCVTIMEO, 10);
        EXPECT_EQ(EAGAIN, recv_err(s)) << "type " << type;
        s.set_int(ZMQ_RCVTIMEO, 0);
        EXPECT_EQ(EAGAIN, recv_err(s)) << "type " << type;
    }
}

TEST(Options, SndtimeoGivesEagainWithoutPeer) {
    Ctx ctx;
    for (int type : {ZMQ_PUSH, ZMQ_PAIR, ZMQ_DEALER, ZMQ_REQ}) {
        Sock s(ctx, type);
        s.bind(inproc_ep());
        s.set_int(ZMQ_SNDTIMEO, 10);
        EXPECT_EQ(EAGAIN, send_err(s, "x")) << "type " << type;
        s.set_int(ZMQ_SNDTIMEO, 0);
        EXPECT_EQ(EAGAIN, send_err(s, "x")) << "type " << type;
    }
}

TEST(Options, TimeoutOptionsRoundTrip) {
    Ctx ctx;
    Sock s(ctx, ZMQ_PAIR);
    // Sock sets 3000 ms; a raw socket defaults to -1 (infinite).
    void *raw = zmq_socket(ctx, ZMQ_PAIR);
    int v = 0;
    size_t len = sizeof v;
    ASSERT_EQ(0, zmq_getsockopt(raw, ZMQ_RCVTIMEO, &v, &len));
    EXPECT_EQ(-1, v);
    ASSERT_EQ(0, zmq_getsockopt(raw, ZMQ_SNDTIMEO, &v, &len));
    EXPECT_EQ(-1, v);
    zmq_close(raw);
    s.set_int(ZMQ_RCVTIMEO, 123);
    EXPECT_EQ(123, s.get_int(ZMQ_RCVTIMEO));
    s.set_int(ZMQ_SNDTIMEO, 456);
    EXPECT_EQ(456, s.get_int(ZMQ_SNDTIMEO));
}

TEST(Options, DontwaitRecvIsEagainThenDelivers) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    push.connect(ep);
    EXPECT_EQ(EAGAIN, recv_err(pull, ZMQ_DONTWAIT));
    send_ok(push, "now");
    ASSERT_TRUE(poll_in(pull));
    EXPECT_EQ("now", recv_ok(pull, ZMQ_DONTWAIT));
}

TEST(Options, SndmoreFramesStayTogether) {
    Ctx ctx;
    Sock a(ctx, ZMQ_PAIR), b(ctx, ZMQ_PAIR);
    const std::string ep = inproc_ep();
    a.bind(ep);
    b.connect(ep);
    EXPECT_EQ(1, zmq_send(a, "1", 1, ZMQ_SNDMORE));
    // Not flushed until the last frame: nothing is visible yet.
    EXPECT_EQ(EAGAIN, recv_err(b, ZMQ_DONTWAIT));
    EXPECT_EQ(1, zmq_send(a, "2", 1, ZMQ_SNDMORE | ZMQ_DONTWAIT));
    EXPECT_EQ(EAGAIN, recv_err(b, ZMQ_DONTWAIT));
    EXPECT_EQ(1, zmq_send(a, "3", 1, 0));
    EXPECT_EQ((Frames{"1", "2", "3"}), recv_multipart_ok(b));
}

TEST(Options, ZmqSendConstAndMsgSendAgree) {
    Ctx ctx;
    Sock a(ctx, ZMQ_PAIR), b(ctx, ZMQ_PAIR);
    const std::string ep = inproc_ep();
    a.bind(ep);
    b.connect(ep);
    static const char kConst[] = "constant";
    EXPECT_EQ(8, zmq_send_const(a, kConst, 8, ZMQ_SNDMORE));
    zmq_msg_t m;
    zmq_msg_init_size(&m, 3);
    memcpy(zmq_msg_data(&m), "msg", 3);
    EXPECT_EQ(3, zmq_msg_send(&m, a, 0));
    zmq_msg_close(&m);
    EXPECT_EQ((Frames{"constant", "msg"}), recv_multipart_ok(b));
}

TEST(Options, ImmediateWithoutAnyConnectionIsEagain) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH);
    push.set_int(ZMQ_IMMEDIATE, 1);
    EXPECT_EQ(1, push.get_int(ZMQ_IMMEDIATE));
    EXPECT_EQ(EAGAIN, send_err(push, "x", ZMQ_DONTWAIT));
    push.set_int(ZMQ_SNDTIMEO, 10);
    EXPECT_EQ(EAGAIN, send_err(push, "x"));
}

TEST(Options, ImmediateWithBoundPeerSends) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    push.set_int(ZMQ_IMMEDIATE, 1);
    push.connect(ep);
    EXPECT_EQ(0, send_err(push, "x", ZMQ_DONTWAIT));
    EXPECT_EQ("x", recv_ok(pull));
}

// libzmq creates the inproc pipe at connect time even before the bind, and
// ZMQ_IMMEDIATE does not change that: messages queue and arrive after bind.
TEST(Options, ImmediateDoesNotBlockInprocConnectBeforeBind) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    push.set_int(ZMQ_IMMEDIATE, 1);
    push.connect(ep);
    EXPECT_EQ(0, send_err(push, "queued", ZMQ_DONTWAIT));
    pull.bind(ep);
    EXPECT_EQ("queued", recv_ok(pull));
}

TEST(Options, ConnectBeforeBindDeliversEarlyMessages) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    push.connect(ep);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(0, send_err(push, "early" + std::to_string(i), ZMQ_DONTWAIT));
    send_multipart_ok(push, {"multi", "part"}, ZMQ_DONTWAIT);
    pull.bind(ep);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ("early" + std::to_string(i), recv_ok(pull));
    EXPECT_EQ((Frames{"multi", "part"}), recv_multipart_ok(pull));
    send_ok(push, "late");
    EXPECT_EQ("late", recv_ok(pull));
}

TEST(Options, ConnectBeforeBindBothDirections) {
    Ctx ctx;
    Sock client(ctx, ZMQ_DEALER), server(ctx, ZMQ_ROUTER);
    const std::string ep = inproc_ep();
    client.set_str(ZMQ_ROUTING_ID, "early-bird");
    client.connect(ep);
    send_ok(client, "request");
    server.bind(ep);
    // The routing id sent before the bind is still honoured.
    EXPECT_EQ((Frames{"early-bird", "request"}), recv_multipart_ok(server));
    send_multipart_ok(server, {"early-bird", "reply"});
    EXPECT_EQ("reply", recv_ok(client));
}

TEST(Options, ConnectBeforeBindHwmStillApplies) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    push.set_int(ZMQ_SNDHWM, 4);
    push.connect(ep);
    int n = 0;
    while (n < 1000 && zmq_send(push, "m", 1, ZMQ_DONTWAIT) == 1)
        ++n;
    EXPECT_EQ(EAGAIN, zmq_errno());
    EXPECT_GE(n, 4);
    EXPECT_LE(n, 4 + 64);
    pull.bind(ep);
    for (int i = 0; i < n; ++i)
        ASSERT_EQ("m", recv_ok(pull));
}

TEST(Options, UnbindFreesNameButKeepsExistingConnection) {
    Ctx ctx;
    Sock pull(ctx, ZMQ_PULL), push(ctx, ZMQ_PUSH), other(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    push.connect(ep);
    send_ok(push, "before");
    EXPECT_EQ("before", recv_ok(pull));
    ASSERT_EQ(0, zmq_unbind(pull, ep.c_str()));
    // The name can be bound by someone else right away.
    other.bind(ep);
    // libzmq keeps already-established inproc connections after unbind.
    send_ok(push, "after");
    EXPECT_EQ("after", recv_ok(pull));
}

TEST(Options, NewConnectAfterUnbindGoesToNewBinder) {
    Ctx ctx;
    Sock first(ctx, ZMQ_PULL), second(ctx, ZMQ_PULL), push(ctx, ZMQ_PUSH);
    const std::string ep = inproc_ep();
    first.bind(ep);
    ASSERT_EQ(0, zmq_unbind(first, ep.c_str()));
    second.bind(ep);
    push.connect(ep);
    send_ok(push, "hello");
    EXPECT_EQ("hello", recv_ok(second));
    EXPECT_EQ(EAGAIN, recv_err(first, ZMQ_DONTWAIT));
}

TEST(Options, DisconnectStopsSendingToThatPeer) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    push.connect(ep);
    send_ok(push, "one");
    EXPECT_EQ("one", recv_ok(pull));
    ASSERT_EQ(0, zmq_disconnect(push, ep.c_str()));
    // No peer left: would block.
    EXPECT_EQ(EAGAIN, send_err(push, "two", ZMQ_DONTWAIT));
    EXPECT_ZMQ_ERR(zmq_disconnect(push, ep.c_str()), ENOENT);
    // Reconnecting restores the flow.
    push.connect(ep);
    send_ok(push, "three");
    EXPECT_EQ("three", recv_ok(pull));
}

TEST(Options, LastEndpointReportsInprocName) {
    Ctx ctx;
    Sock s(ctx, ZMQ_PAIR);
    const std::string ep = inproc_ep();
    s.bind(ep);
    char buf[512];
    size_t len = sizeof buf;
    ASSERT_EQ(0, zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &len));
    EXPECT_EQ(ep, std::string(buf)); // NUL-terminated, len includes the NUL
    EXPECT_EQ(ep.size() + 1, len);
}

TEST(Options, EventsReflectReadiness) {
    Ctx ctx;
    Sock a(ctx, ZMQ_PAIR), b(ctx, ZMQ_PAIR);
    const std::string ep = inproc_ep();
    a.bind(ep);
    b.connect(ep);
    EXPECT_EQ(ZMQ_POLLOUT, b.get_int(ZMQ_EVENTS) & (ZMQ_POLLIN | ZMQ_POLLOUT));
    send_ok(b, "x");
    ASSERT_TRUE(poll_in(a));
    EXPECT_TRUE(a.get_int(ZMQ_EVENTS) & ZMQ_POLLIN);
    recv_ok(a);
    EXPECT_FALSE(a.get_int(ZMQ_EVENTS) & ZMQ_POLLIN);
}

TEST(Options, PollTimesOutWithZeroReady) {
    Ctx ctx;
    Sock s(ctx, ZMQ_PULL);
    s.bind(inproc_ep());
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    EXPECT_EQ(0, zmq_poll(&item, 1, 10));
    EXPECT_EQ(0, item.revents);
}

} // namespace

// A DEALER's peer goes away between two parts of a message: the rest of the
// message is taken and dropped, never an error or a hang (libzmq's
// non-blocking -1/EAGAIN for one part depends on when it happens to process
// its commands, so only the blocking form is pinned).
TEST(Options, PeerGoneMidMessageBlockingPartIsDroppedSilently) {
    Ctx ctx;
    Sock dealer(ctx, ZMQ_DEALER);
    auto peer = std::make_unique<Sock>(ctx, ZMQ_ROUTER);
    const std::string ep = inproc_ep();
    peer->bind(ep);
    dealer.connect(ep);
    send_ok(dealer, "part1", ZMQ_SNDMORE);
    peer->close();
    EXPECT_EQ(5, zmq_send(dealer, "part2", 5, ZMQ_SNDMORE));
    EXPECT_EQ(5, zmq_send(dealer, "last!", 5, 0));
}
