// REQ/REP over inproc: the strict send/recv state machine (EFSM),
// ZMQ_REQ_CORRELATE, ZMQ_REQ_RELAXED, and envelopes through DEALER/ROUTER.
#include "testutil.hpp"

using namespace testutil;

namespace {

using Frames = std::vector<std::string>;

TEST(ReqRep, BasicRequestReply) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), rep(ctx, ZMQ_REP);
    const std::string ep = inproc_ep();
    rep.bind(ep);
    req.connect(ep);
    for (int i = 0; i < 10; ++i) {
        send_ok(req, "req" + std::to_string(i));
        EXPECT_EQ("req" + std::to_string(i), recv_ok(rep));
        send_ok(rep, "rep" + std::to_string(i));
        EXPECT_EQ("rep" + std::to_string(i), recv_ok(req));
    }
}

TEST(ReqRep, MultipartRequestAndReply) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), rep(ctx, ZMQ_REP);
    const std::string ep = inproc_ep();
    rep.bind(ep);
    req.connect(ep);
    send_multipart_ok(req, {"a", "", "c"});
    EXPECT_EQ((Frames{"a", "", "c"}), recv_multipart_ok(rep));
    send_multipart_ok(rep, {"x", "y"});
    EXPECT_EQ((Frames{"x", "y"}), recv_multipart_ok(req));
}

TEST(ReqRep, ReqRecvBeforeSendIsEfsm) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ);
    EXPECT_EQ(EFSM, recv_err(req));
    EXPECT_EQ(EFSM, recv_err(req, ZMQ_DONTWAIT));
}

TEST(ReqRep, ReqSecondSendIsEfsm) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), rep(ctx, ZMQ_REP);
    const std::string ep = inproc_ep();
    rep.bind(ep);
    req.connect(ep);
    send_ok(req, "first");
    EXPECT_EQ(EFSM, send_err(req, "second"));
    EXPECT_EQ(EFSM, send_err(req, "second", ZMQ_DONTWAIT));
    // The state machine is intact: the exchange still completes.
    EXPECT_EQ("first", recv_ok(rep));
    send_ok(rep, "reply");
    EXPECT_EQ("reply", recv_ok(req));
    EXPECT_EQ(EFSM, recv_err(req, ZMQ_DONTWAIT));
    send_ok(req, "third");
    EXPECT_EQ("third", recv_ok(rep));
}

TEST(ReqRep, RepSendBeforeRecvIsEfsm) {
    Ctx ctx;
    Sock rep(ctx, ZMQ_REP);
    EXPECT_EQ(EFSM, send_err(rep, "nope"));
    EXPECT_EQ(EFSM, send_err(rep, "nope", ZMQ_DONTWAIT));
}

TEST(ReqRep, RepSecondRecvIsEfsmAndSecondSendToo) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), rep(ctx, ZMQ_REP);
    const std::string ep = inproc_ep();
    rep.bind(ep);
    req.connect(ep);
    send_ok(req, "q");
    EXPECT_EQ("q", recv_ok(rep));
    EXPECT_EQ(EFSM, recv_err(rep));
    send_ok(rep, "a");
    EXPECT_EQ(EFSM, send_err(rep, "again"));
    EXPECT_EQ("a", recv_ok(req));
}

TEST(ReqRep, ReqRecvTimeoutKeepsWaitingState) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), rep(ctx, ZMQ_REP);
    const std::string ep = inproc_ep();
    rep.bind(ep);
    req.connect(ep);
    req.set_int(ZMQ_RCVTIMEO, 20);
    send_ok(req, "q");
    EXPECT_EQ(EAGAIN, recv_err(req));
    // Still waiting for the reply: sending is still refused.
    EXPECT_EQ(EFSM, send_err(req, "q2"));
    EXPECT_EQ("q", recv_ok(rep));
    send_ok(rep, "late");
    req.set_int(ZMQ_RCVTIMEO, wait_ms);
    EXPECT_EQ("late", recv_ok(req));
}

TEST(ReqRep, ReqPrependsEmptyDelimiterSeenByRouter) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), router(ctx, ZMQ_ROUTER);
    const std::string ep = inproc_ep();
    router.bind(ep);
    req.set_str(ZMQ_ROUTING_ID, "client");
    req.connect(ep);
    send_multipart_ok(req, {"hello", "world"});
    EXPECT_EQ((Frames{"client", "", "hello", "world"}), recv_multipart_ok(router));
    send_multipart_ok(router, {"client", "", "reply"});
    EXPECT_EQ((Frames{"reply"}), recv_multipart_ok(req));
}

TEST(ReqRep, ReqDropsReplyWithoutDelimiter) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), router(ctx, ZMQ_ROUTER);
    const std::string ep = inproc_ep();
    router.bind(ep);
    req.set_str(ZMQ_ROUTING_ID, "client");
    req.connect(ep);
    send_ok(req, "q");
    EXPECT_EQ((Frames{"client", "", "q"}), recv_multipart_ok(router));
    // Malformed reply (no empty delimiter) is discarded, then a good one
    // is delivered.
    send_multipart_ok(router, {"client", "bad"});
    send_multipart_ok(router, {"client", "", "good"});
    EXPECT_EQ((Frames{"good"}), recv_multipart_ok(req));
}

TEST(ReqRep, RepKeepsEnvelopeFromDealer) {
    Ctx ctx;
    Sock dealer(ctx, ZMQ_DEALER), rep(ctx, ZMQ_REP);
    const std::string ep = inproc_ep();
    rep.bind(ep);
    dealer.connect(ep);
    send_multipart_ok(dealer, {"hop1", "hop2", "", "request"});
    EXPECT_EQ((Frames{"request"}), recv_multipart_ok(rep));
    send_multipart_ok(rep, {"reply", "more"});
    EXPECT_EQ((Frames{"hop1", "hop2", "", "reply", "more"}), recv_multipart_ok(dealer));
}

TEST(ReqRep, RepServesRouterWithEnvelope) {
    Ctx ctx;
    Sock router(ctx, ZMQ_ROUTER), rep(ctx, ZMQ_REP);
    const std::string ep = inproc_ep();
    router.bind(ep);
    rep.set_str(ZMQ_ROUTING_ID, "worker");
    rep.set_int(ZMQ_PROBE_ROUTER, 0);
    rep.connect(ep);
    // Wait until the router knows the worker: mandatory send retried.
    router.set_int(ZMQ_ROUTER_MANDATORY, 1);
    int rc = -1;
    for (int i = 0; i < 300 && rc < 0; ++i) {
        rc = zmq_send(router, "worker", 6, ZMQ_SNDMORE);
        if (rc < 0) {
            ASSERT_EQ(EHOSTUNREACH, zmq_errno());
            poll_in(router, 10);
        }
    }
    ASSERT_EQ(6, rc);
    send_multipart_ok(router, {"client-7", "", "job"});
    EXPECT_EQ((Frames{"job"}), recv_multipart_ok(rep));
    send_ok(rep, "done");
    EXPECT_EQ((Frames{"worker", "client-7", "", "done"}), recv_multipart_ok(router));
}

TEST(ReqRep, RepDropsRequestWithoutDelimiter) {
    Ctx ctx;
    Sock dealer(ctx, ZMQ_DEALER), rep(ctx, ZMQ_REP);
    const std::string ep = inproc_ep();
    rep.bind(ep);
    dealer.connect(ep);
    // Envelope never terminated by an empty frame: REP discards it.
    send_multipart_ok(dealer, {"no", "delimiter"});
    send_multipart_ok(dealer, {"", "valid"});
    EXPECT_EQ((Frames{"valid"}), recv_multipart_ok(rep));
}

TEST(ReqRep, ReqLoadBalancesAcrossReps) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), rep1(ctx, ZMQ_REP), rep2(ctx, ZMQ_REP);
    const std::string e1 = inproc_ep("1"), e2 = inproc_ep("2");
    rep1.bind(e1);
    rep2.bind(e2);
    req.connect(e1);
    req.connect(e2);
    int n1 = 0, n2 = 0;
    for (int i = 0; i < 6; ++i) {
        send_ok(req, "q");
        zmq_pollitem_t items[2] = {{rep1, 0, ZMQ_POLLIN, 0}, {rep2, 0, ZMQ_POLLIN, 0}};
        ASSERT_EQ(1, zmq_poll(items, 2, wait_ms));
        Sock &rep = (items[0].revents & ZMQ_POLLIN) ? rep1 : rep2;
        (&rep == &rep1 ? n1 : n2)++;
        EXPECT_EQ("q", recv_ok(rep));
        send_ok(rep, "a");
        EXPECT_EQ("a", recv_ok(req));
    }
    EXPECT_EQ(3, n1);
    EXPECT_EQ(3, n2);
}

TEST(ReqRep, CorrelateAddsRequestIdFrame) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), router(ctx, ZMQ_ROUTER);
    const std::string ep = inproc_ep();
    router.bind(ep);
    req.set_str(ZMQ_ROUTING_ID, "c");
    req.set_int(ZMQ_REQ_CORRELATE, 1);
    req.connect(ep);
    send_ok(req, "q1");
    const Frames f = recv_multipart_ok(router);
    ASSERT_EQ(4u, f.size());
    EXPECT_EQ("c", f[0]);
    EXPECT_EQ(4u, f[1].size()) << "request id is a 4-byte frame";
    EXPECT_EQ("", f[2]);
    EXPECT_EQ("q1", f[3]);
    // A reply carrying a different request id is dropped; the right one passes.
    std::string wrong = f[1];
    wrong[3] = static_cast<char>(wrong[3] ^ 0x5a);
    send_multipart_ok(router, {"c", wrong, "", "stale"});
    send_multipart_ok(router, {"c", f[1], "", "fresh"});
    EXPECT_EQ((Frames{"fresh"}), recv_multipart_ok(req));
}

TEST(ReqRep, RelaxedAllowsResendAndCorrelateDropsOldReply) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), router(ctx, ZMQ_ROUTER);
    const std::string ep = inproc_ep();
    router.bind(ep);
    req.set_str(ZMQ_ROUTING_ID, "c");
    req.set_int(ZMQ_REQ_RELAXED, 1);
    req.set_int(ZMQ_REQ_CORRELATE, 1);
    req.connect(ep);
    send_ok(req, "first");
    send_ok(req, "second"); // no EFSM in relaxed mode
    const Frames f1 = recv_multipart_ok(router);
    const Frames f2 = recv_multipart_ok(router);
    ASSERT_EQ(4u, f1.size());
    ASSERT_EQ(4u, f2.size());
    EXPECT_EQ("first", f1[3]);
    EXPECT_EQ("second", f2[3]);
    EXPECT_NE(f1[1], f2[1]);
    // Reply to the abandoned request is ignored, the current one delivered.
    send_multipart_ok(router, {"c", f1[1], "", "reply-first"});
    send_multipart_ok(router, {"c", f2[1], "", "reply-second"});
    EXPECT_EQ((Frames{"reply-second"}), recv_multipart_ok(req));
}

TEST(ReqRep, RelaxedWithoutCorrelateStillSends) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ), rep(ctx, ZMQ_REP);
    const std::string ep = inproc_ep();
    rep.bind(ep);
    req.set_int(ZMQ_REQ_RELAXED, 1);
    req.connect(ep);
    send_ok(req, "one");
    send_ok(req, "two");
    EXPECT_EQ("one", recv_ok(rep));
    send_ok(rep, "r1");
    EXPECT_EQ("two", recv_ok(rep));
    send_ok(rep, "r2");
    // Without correlation the first reply on the pipe is taken as the answer.
    EXPECT_EQ("r1", recv_ok(req));
}

TEST(ReqRep, RepRoutesRepliesToTheRightRequester) {
    Ctx ctx;
    Sock rep(ctx, ZMQ_REP), c1(ctx, ZMQ_REQ), c2(ctx, ZMQ_REQ);
    const std::string ep = inproc_ep();
    rep.bind(ep);
    c1.connect(ep);
    c2.connect(ep);
    send_ok(c1, "from-c1");
    send_ok(c2, "from-c2");
    for (int i = 0; i < 2; ++i) {
        const std::string q = recv_ok(rep);
        send_ok(rep, "answer-" + q);
    }
    EXPECT_EQ("answer-from-c1", recv_ok(c1));
    EXPECT_EQ("answer-from-c2", recv_ok(c2));
}

TEST(ReqRep, RelaxedRecvBeforeAnySendIsStillEfsm) {
    Ctx ctx;
    Sock req(ctx, ZMQ_REQ);
    req.set_int(ZMQ_REQ_RELAXED, 1);
    EXPECT_EQ(EFSM, recv_err(req, ZMQ_DONTWAIT));
}

TEST(ReqRep, ReqAndRepRefuseNonsenseOptions) {
    Ctx ctx;
    Sock rep(ctx, ZMQ_REP);
    int one = 1;
    EXPECT_ZMQ_ERR(zmq_setsockopt(rep, ZMQ_REQ_CORRELATE, &one, sizeof one), EINVAL);
    EXPECT_ZMQ_ERR(zmq_setsockopt(rep, ZMQ_REQ_RELAXED, &one, sizeof one), EINVAL);
}

} // namespace
