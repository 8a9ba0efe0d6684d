// XPUB/XSUB over inproc: subscription messages (\x01topic / \x00topic),
// ZMQ_XPUB_VERBOSE, ZMQ_XPUB_VERBOSER, ZMQ_XPUB_MANUAL, ZMQ_XPUB_WELCOME_MSG,
// ZMQ_XPUB_NODROP and XSUB sending subscriptions upstream.
//
// Ordering trick: frames from one subscriber travel one pipe in order, so a
// later, distinct subscription proves that an earlier one was suppressed.
#include "testutil.hpp"

using namespace testutil;

namespace {

using Frames = std::vector<std::string>;

std::string sub_msg(const std::string &t) { return std::string(1, '\x01') + t; }
std::string unsub_msg(const std::string &t) { return std::string(1, '\x00') + t; }

TEST(Xpub, ReceivesSubscribeAndUnsubscribe) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), sub(ctx, ZMQ_SUB);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    sub.connect(ep);
    sub.set_str(ZMQ_SUBSCRIBE, "topic");
    EXPECT_EQ(sub_msg("topic"), recv_ok(xpub));
    EXPECT_FALSE(rcvmore(xpub));
    // Subscription is active now: delivery works without any retry.
    send_ok(xpub, "topic.1");
    send_ok(xpub, "other");
    EXPECT_EQ("topic.1", recv_ok(sub));
    sub.set_str(ZMQ_UNSUBSCRIBE, "topic");
    EXPECT_EQ(unsub_msg("topic"), recv_ok(xpub));
    EXPECT_EQ(EAGAIN, recv_err(xpub, ZMQ_DONTWAIT));
}

TEST(Xpub, EmptySubscriptionIsOneByte) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), sub(ctx, ZMQ_SUB);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    sub.set_str(ZMQ_SUBSCRIBE, "");
    sub.connect(ep);
    EXPECT_EQ(sub_msg(""), recv_ok(xpub));
}

// The sequence used by the verbose tests: s1 and s2 both subscribe A, then
// distinct topics interleave with unsubscriptions of A.
Frames run_sequence(int verbose_opt) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), s1(ctx, ZMQ_SUB), s2(ctx, ZMQ_SUB);
    if (verbose_opt)
        xpub.set_int(verbose_opt, 1);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    s1.connect(ep);
    s2.connect(ep);
    Frames got;
    s1.set_str(ZMQ_SUBSCRIBE, "A");
    got.push_back(recv_ok(xpub));
    s2.set_str(ZMQ_SUBSCRIBE, "A");
    s2.set_str(ZMQ_SUBSCRIBE, "B");
    got.push_back(recv_ok(xpub));
    if (got.back() != sub_msg("B"))
        got.push_back(recv_ok(xpub));
    s1.set_str(ZMQ_UNSUBSCRIBE, "A");
    s1.set_str(ZMQ_SUBSCRIBE, "C");
    got.push_back(recv_ok(xpub));
    if (got.back() != sub_msg("C"))
        got.push_back(recv_ok(xpub));
    s2.set_str(ZMQ_UNSUBSCRIBE, "A");
    got.push_back(recv_ok(xpub));
    EXPECT_EQ(EAGAIN, recv_err(xpub, ZMQ_DONTWAIT));
    return got;
}

TEST(Xpub, DefaultForwardsFirstSubscribeAndLastUnsubscribeOnly) {
    EXPECT_EQ((Frames{sub_msg("A"), sub_msg("B"), sub_msg("C"), unsub_msg("A")}), run_sequence(0));
}

TEST(Xpub, VerboseForwardsEverySubscribe) {
    EXPECT_EQ((Frames{sub_msg("A"), sub_msg("A"), sub_msg("B"), sub_msg("C"), unsub_msg("A")}),
              run_sequence(ZMQ_XPUB_VERBOSE));
}

TEST(Xpub, VerboserForwardsEveryUnsubscribeToo) {
    EXPECT_EQ((Frames{sub_msg("A"), sub_msg("A"), sub_msg("B"), unsub_msg("A"), sub_msg("C"),
                      unsub_msg("A")}),
              run_sequence(ZMQ_XPUB_VERBOSER));
}

TEST(Xpub, ClosingSubscriberUnsubscribes) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    {
        Sock sub(ctx, ZMQ_SUB);
        sub.connect(ep);
        sub.set_str(ZMQ_SUBSCRIBE, "gone");
        EXPECT_EQ(sub_msg("gone"), recv_ok(xpub));
    }
    EXPECT_EQ(unsub_msg("gone"), recv_ok(xpub));
}

TEST(Xpub, ManualModeOnlyDeliversWhatXpubSubscribes) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), xsub(ctx, ZMQ_XSUB);
    xpub.set_int(ZMQ_XPUB_MANUAL, 1);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    xsub.connect(ep);
    send_ok(xsub, sub_msg("A"));
    EXPECT_EQ(sub_msg("A"), recv_ok(xpub));
    // Nothing was subscribed yet: A is not delivered.
    // The XPUB substitutes its own choice for the pipe it just read from.
    xpub.set_str(ZMQ_SUBSCRIBE, "B");
    send_ok(xpub, "A1");
    send_ok(xpub, "B1");
    EXPECT_EQ("B1", recv_ok(xsub));
    // Manual mode reports duplicates too.
    send_ok(xsub, sub_msg("A"));
    EXPECT_EQ(sub_msg("A"), recv_ok(xpub));
    xpub.set_str(ZMQ_SUBSCRIBE, "A");
    send_ok(xpub, "A2");
    EXPECT_EQ("A2", recv_ok(xsub));
    // Unsubscribe in manual mode is also the XPUB's decision. XSUB counts
    // its own subscriptions (A twice), so only the second \x00A goes out.
    send_ok(xsub, unsub_msg("A"));
    send_ok(xsub, unsub_msg("A"));
    EXPECT_EQ(unsub_msg("A"), recv_ok(xpub));
    xpub.set_str(ZMQ_UNSUBSCRIBE, "A");
    send_ok(xpub, "A3");
    send_ok(xpub, "B3");
    EXPECT_EQ("B3", recv_ok(xsub));
}

TEST(Xpub, WelcomeMessageSentOnConnect) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), sub(ctx, ZMQ_SUB);
    xpub.set_str(ZMQ_XPUB_WELCOME_MSG, "welcome!");
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    sub.set_str(ZMQ_SUBSCRIBE, "wel");
    sub.connect(ep);
    // The XPUB must get to run to attach the new peer (libzmq attaches the
    // bound side lazily), so read the subscription first.
    EXPECT_EQ(sub_msg("wel"), recv_ok(xpub));
    EXPECT_EQ("welcome!", recv_ok(sub));
}

TEST(Xpub, WelcomeMessageFilteredBySubscriber) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), sub(ctx, ZMQ_SUB);
    xpub.set_str(ZMQ_XPUB_WELCOME_MSG, "welcome!");
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    sub.set_str(ZMQ_SUBSCRIBE, "news");
    sub.connect(ep);
    EXPECT_EQ(sub_msg("news"), recv_ok(xpub));
    send_ok(xpub, "news.1");
    EXPECT_EQ("news.1", recv_ok(sub));
}

TEST(Xpub, NoDropReturnsEagainAtHwm) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), sub(ctx, ZMQ_SUB);
    xpub.set_int(ZMQ_XPUB_NODROP, 1);
    xpub.set_int(ZMQ_SNDHWM, 10);
    sub.set_int(ZMQ_RCVHWM, 10);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    sub.set_str(ZMQ_SUBSCRIBE, "");
    sub.connect(ep);
    EXPECT_EQ(sub_msg(""), recv_ok(xpub));
    int sent = 0, err = 0;
    for (; sent < 10000; ++sent) {
        if (zmq_send(xpub, "m", 1, ZMQ_DONTWAIT) < 0) {
            err = zmq_errno();
            break;
        }
    }
    EXPECT_EQ(EAGAIN, err);
    EXPECT_GE(sent, 10);
    EXPECT_LE(sent, 10 + 10 + 64);
    xpub.set_int(ZMQ_SNDTIMEO, 20);
    EXPECT_EQ(EAGAIN, send_err(xpub, "m"));
    // Nothing was dropped.
    for (int i = 0; i < sent; ++i)
        ASSERT_EQ("m", recv_ok(sub)) << i;
    EXPECT_EQ(EAGAIN, recv_err(sub, ZMQ_DONTWAIT));
}

TEST(Xpub, PassesNonSubscriptionMessagesUpstream) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), xsub(ctx, ZMQ_XSUB);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    xsub.connect(ep);
    send_ok(xsub, "hello upstream");
    EXPECT_EQ("hello upstream", recv_ok(xpub));
}

TEST(Xpub, XpubOptionsRejectedOnOtherSockets) {
    Ctx ctx;
    Sock sub(ctx, ZMQ_SUB), xsub(ctx, ZMQ_XSUB);
    int one = 1;
    for (int opt : {ZMQ_XPUB_VERBOSE, ZMQ_XPUB_VERBOSER, ZMQ_XPUB_MANUAL, ZMQ_XPUB_NODROP}) {
        EXPECT_ZMQ_ERR(zmq_setsockopt(sub, opt, &one, sizeof one), EINVAL);
        EXPECT_ZMQ_ERR(zmq_setsockopt(xsub, opt, &one, sizeof one), EINVAL);
    }
}

TEST(Xsub, SendsSubscriptionFramesVerbatim) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), xsub(ctx, ZMQ_XSUB);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    xsub.connect(ep);
    const std::string binary = sub_msg(std::string("\x00\x01\xff", 3));
    send_ok(xsub, binary);
    EXPECT_EQ(binary, recv_ok(xpub));
    send_ok(xsub, unsub_msg(std::string("\x00\x01\xff", 3)));
    EXPECT_EQ(unsub_msg(std::string("\x00\x01\xff", 3)), recv_ok(xpub));
}

TEST(Xsub, ForwardsUnsubscribeOnlyWhenLastReferenceGoes) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), xsub(ctx, ZMQ_XSUB);
    xpub.set_int(ZMQ_XPUB_VERBOSER, 1);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    xsub.connect(ep);
    // Every subscribe is forwarded...
    send_ok(xsub, sub_msg("A"));
    send_ok(xsub, sub_msg("A"));
    EXPECT_EQ(sub_msg("A"), recv_ok(xpub));
    EXPECT_EQ(sub_msg("A"), recv_ok(xpub));
    // ...but an unsubscribe only when XSUB's own count drops to zero.
    send_ok(xsub, unsub_msg("A"));
    send_ok(xsub, sub_msg("B"));
    EXPECT_EQ(sub_msg("B"), recv_ok(xpub));
    send_ok(xsub, unsub_msg("A"));
    EXPECT_EQ(unsub_msg("A"), recv_ok(xpub));
    // Unsubscribing something never subscribed sends nothing.
    send_ok(xsub, unsub_msg("never"));
    send_ok(xsub, sub_msg("C"));
    EXPECT_EQ(sub_msg("C"), recv_ok(xpub));
}

TEST(Xsub, SubscriptionsBeforeConnectAreReplayed) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), xsub(ctx, ZMQ_XSUB);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    send_ok(xsub, sub_msg("early")); // no peer yet
    xsub.connect(ep);
    EXPECT_EQ(sub_msg("early"), recv_ok(xpub));
}

TEST(Xsub, DrivesFilteringOnPub) {
    Ctx ctx;
    Sock pub(ctx, ZMQ_PUB), xsub(ctx, ZMQ_XSUB);
    const std::string ep = inproc_ep();
    pub.bind(ep);
    xsub.connect(ep);
    send_ok(xsub, sub_msg("A"));
    sync_pub_sub(pub, xsub, "A");
    send_ok(pub, "B1");
    send_ok(pub, "A2");
    EXPECT_EQ("A2", recv_ok(xsub));
    // Drop A, add C: once C flows, A's removal has been applied.
    send_ok(xsub, unsub_msg("A"));
    send_ok(xsub, sub_msg("C"));
    sync_pub_sub(pub, xsub, "C");
    send_ok(pub, "A3");
    send_ok(pub, "C3");
    EXPECT_EQ("C3", recv_ok(xsub));
}

TEST(Xsub, XsubFiltersOnlyViaPublisher) {
    // XSUB itself applies no filter: with XPUB verbose delivering everything
    // via the empty subscription, all topics arrive.
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), xsub(ctx, ZMQ_XSUB);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    xsub.connect(ep);
    send_ok(xsub, sub_msg(""));
    EXPECT_EQ(sub_msg(""), recv_ok(xpub));
    send_multipart_ok(xpub, {"x", "y"});
    send_ok(xpub, "z");
    EXPECT_EQ((Frames{"x", "y"}), recv_multipart_ok(xsub));
    EXPECT_EQ("z", recv_ok(xsub));
}

TEST(Xsub, NoSubscriptionMeansNothingFromXpub) {
    Ctx ctx;
    Sock xpub(ctx, ZMQ_XPUB), xsub(ctx, ZMQ_XSUB);
    const std::string ep = inproc_ep();
    xpub.bind(ep);
    xsub.connect(ep);
    send_ok(xsub, sub_msg("only"));
    EXPECT_EQ(sub_msg("only"), recv_ok(xpub));
    send_ok(xpub, "nope");
    send_ok(xpub, "only.this");
    EXPECT_EQ("only.this", recv_ok(xsub));
}

} // namespace
