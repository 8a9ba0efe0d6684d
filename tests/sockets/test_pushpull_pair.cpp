// PUSH/PULL and PAIR over inproc: exchange, load balancing, fair queueing,
// multipart atomicity across load balancing, exclusive PAIR peer.
#include "testutil.hpp"

using namespace testutil;

namespace {

using Frames = std::vector<std::string>;

TEST(PushPull, BasicPipeline) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    push.connect(ep);
    for (int i = 0; i < 50; ++i)
        send_ok(push, std::to_string(i));
    for (int i = 0; i < 50; ++i)
        EXPECT_EQ(std::to_string(i), recv_ok(pull));
    EXPECT_EQ(EAGAIN, recv_err(pull, ZMQ_DONTWAIT));
}

TEST(PushPull, PushBindsPullConnects) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    push.bind(ep);
    pull.connect(ep);
    send_multipart_ok(push, {"a", "b"});
    EXPECT_EQ((Frames{"a", "b"}), recv_multipart_ok(pull));
}

TEST(PushPull, LoadBalancesRoundRobinWholeMessages) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), p1(ctx, ZMQ_PULL), p2(ctx, ZMQ_PULL), p3(ctx, ZMQ_PULL);
    const std::string e1 = inproc_ep("1"), e2 = inproc_ep("2"), e3 = inproc_ep("3");
    p1.bind(e1);
    p2.bind(e2);
    p3.bind(e3);
    push.connect(e1);
    push.connect(e2);
    push.connect(e3);
    for (int i = 0; i < 9; ++i)
        send_multipart_ok(push, {"part1", "part2", std::to_string(i)});
    int total = 0;
    for (Sock *p : {&p1, &p2, &p3}) {
        int n = 0;
        while (poll_in(*p, 100)) {
            const Frames f = recv_multipart_ok(*p);
            ASSERT_EQ(3u, f.size());
            EXPECT_EQ("part1", f[0]);
            EXPECT_EQ("part2", f[1]);
            ++n;
        }
        EXPECT_EQ(3, n) << "round robin gives each peer a third";
        total += n;
    }
    EXPECT_EQ(9, total);
}

TEST(PushPull, FairQueuesFromManyPushers) {
    Ctx ctx;
    Sock pull(ctx, ZMQ_PULL), a(ctx, ZMQ_PUSH), b(ctx, ZMQ_PUSH);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    a.connect(ep);
    b.connect(ep);
    for (int i = 0; i < 20; ++i) {
        send_multipart_ok(a, {"a", std::to_string(i)});
        send_multipart_ok(b, {"b", std::to_string(i)});
    }
    int na = 0, nb = 0;
    for (int i = 0; i < 40; ++i) {
        const Frames f = recv_multipart_ok(pull);
        ASSERT_EQ(2u, f.size());
        int &n = f[0] == "a" ? na : nb;
        EXPECT_EQ(std::to_string(n), f[1]) << "per-sender order";
        ++n;
    }
    EXPECT_EQ(20, na);
    EXPECT_EQ(20, nb);
}

TEST(PushPull, FairQueueDoesNotStarveAPeer) {
    // With two backlogged senders, both appear within the first few
    // messages: the PULL alternates instead of draining one pipe first.
    Ctx ctx;
    Sock pull(ctx, ZMQ_PULL), a(ctx, ZMQ_PUSH), b(ctx, ZMQ_PUSH);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    a.connect(ep);
    b.connect(ep);
    for (int i = 0; i < 100; ++i) {
        send_ok(a, "a");
        send_ok(b, "b");
    }
    int na = 0, nb = 0;
    for (int i = 0; i < 100; ++i)
        (recv_ok(pull) == "a" ? na : nb)++;
    EXPECT_GT(na, 0);
    EXPECT_GT(nb, 0);
}

TEST(PushPull, SendWithoutPeerBlocksUntilConnected) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH);
    push.bind(inproc_ep());
    EXPECT_EQ(EAGAIN, send_err(push, "x", ZMQ_DONTWAIT));
    push.set_int(ZMQ_SNDTIMEO, 20);
    EXPECT_EQ(EAGAIN, send_err(push, "x"));
}

TEST(PushPull, DisconnectedPullerNoLongerReceives) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), p1(ctx, ZMQ_PULL), p2(ctx, ZMQ_PULL);
    const std::string e1 = inproc_ep("1"), e2 = inproc_ep("2");
    p1.bind(e1);
    p2.bind(e2);
    push.connect(e1);
    push.connect(e2);
    ASSERT_EQ(0, zmq_disconnect(push, e1.c_str()));
    for (int i = 0; i < 4; ++i)
        send_ok(push, "to-p2");
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ("to-p2", recv_ok(p2));
    EXPECT_EQ(EAGAIN, recv_err(p1, ZMQ_DONTWAIT));
}

TEST(Pair, BidirectionalExchange) {
    Ctx ctx;
    Sock a(ctx, ZMQ_PAIR), b(ctx, ZMQ_PAIR);
    const std::string ep = inproc_ep();
    a.bind(ep);
    b.connect(ep);
    send_ok(b, "ping");
    EXPECT_EQ("ping", recv_ok(a));
    send_ok(a, "pong");
    EXPECT_EQ("pong", recv_ok(b));
    send_multipart_ok(a, {"1", "", "3"});
    EXPECT_EQ((Frames{"1", "", "3"}), recv_multipart_ok(b));
}

TEST(Pair, BothDirectionsConcurrentlyQueued) {
    Ctx ctx;
    Sock a(ctx, ZMQ_PAIR), b(ctx, ZMQ_PAIR);
    const std::string ep = inproc_ep();
    a.bind(ep);
    b.connect(ep);
    for (int i = 0; i < 100; ++i) {
        send_ok(a, "a" + std::to_string(i));
        send_ok(b, "b" + std::to_string(i));
    }
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ("b" + std::to_string(i), recv_ok(a));
        EXPECT_EQ("a" + std::to_string(i), recv_ok(b));
    }
}

TEST(Pair, SecondPeerIsRefused) {
    Ctx ctx;
    Sock a(ctx, ZMQ_PAIR), b(ctx, ZMQ_PAIR), intruder(ctx, ZMQ_PAIR);
    const std::string ep = inproc_ep();
    a.bind(ep);
    b.connect(ep);
    send_ok(b, "first");
    EXPECT_EQ("first", recv_ok(a));
    intruder.connect(ep); // connect itself succeeds
    zmq_send(intruder, "intruder", 8, ZMQ_DONTWAIT);
    send_ok(b, "second");
    EXPECT_EQ("second", recv_ok(a));
    // Traffic from a still goes to the original peer only.
    send_ok(a, "reply");
    EXPECT_EQ("reply", recv_ok(b));
    EXPECT_EQ(EAGAIN, recv_err(intruder, ZMQ_DONTWAIT));
    EXPECT_EQ(EAGAIN, recv_err(a, ZMQ_DONTWAIT));
}

TEST(Pair, SendWithoutPeerWouldBlock) {
    Ctx ctx;
    Sock a(ctx, ZMQ_PAIR);
    a.bind(inproc_ep());
    EXPECT_EQ(EAGAIN, send_err(a, "x", ZMQ_DONTWAIT));
    EXPECT_EQ(EAGAIN, recv_err(a, ZMQ_DONTWAIT));
}

TEST(Pair, ReconnectAfterPeerLeaves) {
    Ctx ctx;
    Sock a(ctx, ZMQ_PAIR);
    const std::string ep = inproc_ep();
    a.bind(ep);
    {
        Sock b(ctx, ZMQ_PAIR);
        b.connect(ep);
        send_ok(b, "one");
        EXPECT_EQ("one", recv_ok(a));
    }
    // A new peer can take the place once the old one has gone. The binder
    // learns of the departure asynchronously, so a too-early newcomer may be
    // refused like an intruder: retry with a fresh socket.
    bool ok = false;
    for (int attempt = 0; attempt < 30 && !ok; ++attempt) {
        Sock c(ctx, ZMQ_PAIR);
        c.connect(ep);
        send_ok(c, "two");
        if (!poll_in(a, 100))
            continue;
        EXPECT_EQ("two", recv_ok(a));
        send_ok(a, "back");
        EXPECT_EQ("back", recv_ok(c));
        ok = true;
    }
    EXPECT_TRUE(ok);
}

} // namespace
