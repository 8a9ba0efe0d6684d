// PUB/SUB over inproc: prefix filtering, multiple subscriptions, UNSUBSCRIBE,
// the empty subscription, ZMQ_INVERT_MATCHING, fan-out, and drop-at-HWM.
//
// "Was not delivered" is proven without sleeping: after the filtered message,
// the publisher sends a marker on the same pipe; the marker must come first.
#include "testutil.hpp"

using namespace testutil;

namespace {

using Frames = std::vector<std::string>;

struct PubSub {
    PubSub() : pub(ctx, ZMQ_PUB), sub(ctx, ZMQ_SUB) {
        ep = inproc_ep();
        pub.bind(ep);
        sub.connect(ep);
    }
    void subscribe(const std::string &t) { sub.set_str(ZMQ_SUBSCRIBE, t); }
    void unsubscribe(const std::string &t) { sub.set_str(ZMQ_UNSUBSCRIBE, t); }
    // Subscribes to a private marker topic last: when it works, everything
    // set before it on this pipe has been applied by the publisher.
    void sync() {
        subscribe("~mark");
        sync_pub_sub(pub, sub, "~mark");
    }
    // Publishes `topics` then a marker; returns what SUB got before the marker.
    Frames deliver(const Frames &topics) {
        for (const auto &t : topics)
            send_ok(pub, t);
        send_ok(pub, "~mark.end");
        Frames got;
        for (std::string m = recv_ok(sub); m != "~mark.end"; m = recv_ok(sub)) {
            got.push_back(m);
            if (m == "<recv failed>")
                break;
        }
        return got;
    }
    Ctx ctx;
    Sock pub, sub;
    std::string ep;
};

TEST(PubSub, PrefixFiltering) {
    PubSub t;
    t.subscribe("weather.");
    t.sync();
    EXPECT_EQ((Frames{"weather.paris", "weather."}),
              t.deliver({"weather.paris", "sport.tennis", "weather.", "weather", "xweather.x"}));
}

TEST(PubSub, NoSubscriptionReceivesNothing) {
    PubSub t;
    t.sync(); // only the marker topic
    EXPECT_EQ(Frames{}, t.deliver({"a", "b", ""}));
}

TEST(PubSub, EmptySubscriptionReceivesEverything) {
    PubSub t;
    t.subscribe("");
    t.sync();
    EXPECT_EQ((Frames{"a", "", "zzz"}), t.deliver({"a", "", "zzz"}));
}

TEST(PubSub, MultipleSubscriptionsAreAUnion) {
    PubSub t;
    t.subscribe("A");
    t.subscribe("B");
    t.subscribe("AB"); // overlaps A: still delivered once
    t.sync();
    EXPECT_EQ((Frames{"A1", "B1", "AB1"}), t.deliver({"A1", "B1", "C1", "AB1"}));
}

TEST(PubSub, BinaryTopicsMatchBytewise) {
    PubSub t;
    t.subscribe(std::string("\x00\xff", 2));
    t.sync();
    const std::string hit("\x00\xff\x01", 3), miss("\x00\xfe", 2);
    EXPECT_EQ((Frames{hit}), t.deliver({miss, hit}));
}

TEST(PubSub, UnsubscribeStopsDelivery) {
    PubSub t;
    t.subscribe("A");
    t.subscribe("B");
    t.sync();
    EXPECT_EQ((Frames{"A1", "B1"}), t.deliver({"A1", "B1"}));
    t.unsubscribe("A");
    t.sync();
    EXPECT_EQ((Frames{"B2"}), t.deliver({"A2", "B2"}));
}

TEST(PubSub, SubscriptionsAreCounted) {
    PubSub t;
    t.subscribe("A");
    t.subscribe("A");
    t.unsubscribe("A"); // one of two removed: still subscribed
    t.sync();
    EXPECT_EQ((Frames{"A1"}), t.deliver({"A1"}));
    t.unsubscribe("A");
    t.sync();
    EXPECT_EQ(Frames{}, t.deliver({"A2"}));
}

TEST(PubSub, UnsubscribeUnknownTopicIsHarmless) {
    PubSub t;
    t.subscribe("A");
    t.unsubscribe("never-subscribed");
    t.sync();
    EXPECT_EQ((Frames{"A1"}), t.deliver({"A1"}));
}

TEST(PubSub, InvertMatchingDeliversNonMatching) {
    Ctx ctx;
    Sock pub(ctx, ZMQ_PUB), sub(ctx, ZMQ_SUB);
    // Both ends must invert: the SUB filters, the PUB filters before sending.
    pub.set_int(ZMQ_INVERT_MATCHING, 1);
    sub.set_int(ZMQ_INVERT_MATCHING, 1);
    const std::string ep = inproc_ep();
    pub.bind(ep);
    sub.set_str(ZMQ_SUBSCRIBE, "skip");
    sub.connect(ep);
    // Sync with a topic that is not excluded.
    sync_pub_sub(pub, sub, "keep");
    send_ok(pub, "skip.me");
    send_ok(pub, "keep.me");
    send_ok(pub, "skip");
    send_ok(pub, "last");
    EXPECT_EQ("keep.me", recv_ok(sub));
    EXPECT_EQ("last", recv_ok(sub));
    EXPECT_EQ(1, sub.get_int(ZMQ_INVERT_MATCHING));
}

TEST(PubSub, FanOutToAllMatchingSubscribers) {
    Ctx ctx;
    Sock pub(ctx, ZMQ_PUB), s1(ctx, ZMQ_SUB), s2(ctx, ZMQ_SUB), s3(ctx, ZMQ_SUB);
    const std::string ep = inproc_ep();
    pub.bind(ep);
    s1.set_str(ZMQ_SUBSCRIBE, "x");
    s2.set_str(ZMQ_SUBSCRIBE, "x");
    s3.set_str(ZMQ_SUBSCRIBE, "y");
    for (Sock *s : {&s1, &s2, &s3}) {
        s->set_str(ZMQ_SUBSCRIBE, "~mark");
        s->connect(ep);
    }
    for (Sock *s : {&s1, &s2, &s3})
        sync_pub_sub(pub, *s, "~mark");
    // Drain leftovers of the other subscribers' syncs.
    send_ok(pub, "~mark.final");
    for (Sock *s : {&s1, &s2, &s3})
        while (recv_ok(*s) != "~mark.final") {
        }
    send_multipart_ok(pub, {"x-topic", "body"});
    send_ok(pub, "~mark.end");
    EXPECT_EQ((Frames{"x-topic", "body"}), recv_multipart_ok(s1));
    EXPECT_EQ((Frames{"x-topic", "body"}), recv_multipart_ok(s2));
    EXPECT_EQ("~mark.end", recv_ok(s3));
}

TEST(PubSub, FilterAppliesToFirstFrameOnly) {
    PubSub t;
    t.subscribe("T");
    t.sync();
    send_multipart_ok(t.pub, {"T", "not-a-topic"});
    send_multipart_ok(t.pub, {"U", "T-looks-like-topic"});
    send_ok(t.pub, "~mark.end");
    EXPECT_EQ((Frames{"T", "not-a-topic"}), recv_multipart_ok(t.sub));
    EXPECT_EQ("~mark.end", recv_ok(t.sub));
}

TEST(PubSub, PublishWithoutSubscribersSucceeds) {
    Ctx ctx;
    Sock pub(ctx, ZMQ_PUB);
    pub.bind(inproc_ep());
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(3, zmq_send(pub, "abc", 3, ZMQ_DONTWAIT));
    Sock lone(ctx, ZMQ_PUB); // not even bound
    EXPECT_EQ(3, zmq_send(lone, "abc", 3, 0));
}

TEST(PubSub, PubDropsWhenSubscriberIsSlow) {
    Ctx ctx;
    Sock pub(ctx, ZMQ_PUB), sub(ctx, ZMQ_SUB);
    pub.set_int(ZMQ_SNDHWM, 100);
    sub.set_int(ZMQ_RCVHWM, 100);
    const std::string ep = inproc_ep();
    pub.bind(ep);
    sub.set_str(ZMQ_SUBSCRIBE, "");
    sub.connect(ep);
    sync_pub_sub(pub, sub, "");
    constexpr int kSent = 10000;
    for (int i = 0; i < kSent; ++i)
        ASSERT_EQ(4, zmq_send(pub, "data", 4, ZMQ_DONTWAIT))
            << "PUB must never block or fail at HWM";
    // Blocking send never blocks either.
    ASSERT_EQ(4, zmq_send(pub, "data", 4, 0));
    int got = 0;
    while (recv_err(sub, ZMQ_DONTWAIT) == 0)
        ++got;
    EXPECT_GE(got, 100);
    EXPECT_LE(got, 100 + 100 + 64);
    // After draining, delivery resumes (once the publisher has learnt that
    // the pipe has room again, hence the retrying sync).
    sync_pub_sub(pub, sub, "again");
}

TEST(PubSub, DroppedMultipartIsNeverPartial) {
    Ctx ctx;
    Sock pub(ctx, ZMQ_PUB), sub(ctx, ZMQ_SUB);
    pub.set_int(ZMQ_SNDHWM, 10);
    sub.set_int(ZMQ_RCVHWM, 10);
    const std::string ep = inproc_ep();
    pub.bind(ep);
    sub.set_str(ZMQ_SUBSCRIBE, "");
    sub.connect(ep);
    sync_pub_sub(pub, sub, "");
    for (int i = 0; i < 500; ++i)
        send_multipart_ok(pub, {"p1", "p2", "p3"}, ZMQ_DONTWAIT);
    int complete = 0;
    while (poll_in(sub, 0)) {
        EXPECT_EQ((Frames{"p1", "p2", "p3"}), recv_multipart_ok(sub));
        ++complete;
    }
    EXPECT_GE(complete, 10);
    EXPECT_LE(complete, 10 + 10 + 64);
}

TEST(PubSub, SubscribeOptionOnlyOnSub) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pub(ctx, ZMQ_PUB);
    EXPECT_ZMQ_ERR(zmq_setsockopt(push, ZMQ_SUBSCRIBE, "a", 1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_setsockopt(pub, ZMQ_SUBSCRIBE, "a", 1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_setsockopt(pub, ZMQ_UNSUBSCRIBE, "a", 1), EINVAL);
}

TEST(PubSub, ConnectBeforeBindKeepsSubscriptions) {
    Ctx ctx;
    Sock pub(ctx, ZMQ_PUB), sub(ctx, ZMQ_SUB);
    const std::string ep = inproc_ep();
    sub.set_str(ZMQ_SUBSCRIBE, "news");
    sub.connect(ep); // nothing bound yet
    pub.bind(ep);
    sync_pub_sub(pub, sub, "news");
    send_ok(pub, "other");
    send_ok(pub, "news!");
    EXPECT_EQ("news!", recv_ok(sub));
}

TEST(PubSub, SubscribeAfterConnectIsForwarded) {
    Ctx ctx;
    Sock pub(ctx, ZMQ_PUB), sub(ctx, ZMQ_SUB);
    const std::string ep = inproc_ep();
    pub.bind(ep);
    sub.connect(ep);
    sub.set_str(ZMQ_SUBSCRIBE, "late");
    sync_pub_sub(pub, sub, "late");
    send_ok(pub, "late.news");
    EXPECT_EQ("late.news", recv_ok(sub));
}

} // namespace
