// High-water marks and ZMQ_CONFLATE over inproc. How many messages fit is
// implementation-specific (libzmq: SNDHWM + RCVHWM for inproc), so the tests
// assert bounds: at least the HWM, at most the sum plus some slack.
#include "testutil.hpp"

#include <thread>

using namespace testutil;

namespace {

using Frames = std::vector<std::string>;
constexpr int kSlack = 64;

// Fills the pipe from `tx` with DONTWAIT sends; returns how many fit.
int fill(void *tx, int limit = 100000) {
    int n = 0;
    for (; n < limit; ++n) {
        if (zmq_send(tx, "m", 1, ZMQ_DONTWAIT) < 0) {
            EXPECT_EQ(EAGAIN, zmq_errno());
            break;
        }
    }
    return n;
}

struct HwmCase {
    const char *name;
    int tx, rx;
};

void PrintTo(const HwmCase &c, std::ostream *os) { *os << c.name; }

class BlockingHwm : public ::testing::TestWithParam<HwmCase> {};

TEST_P(BlockingHwm, FullPipeGivesEagainAndDrains) {
    Ctx ctx;
    Sock tx(ctx, GetParam().tx), rx(ctx, GetParam().rx);
    tx.set_int(ZMQ_SNDHWM, 10);
    rx.set_int(ZMQ_RCVHWM, 20);
    const std::string ep = inproc_ep();
    rx.bind(ep);
    tx.connect(ep);
    const int n = fill(tx);
    EXPECT_GE(n, 10);
    EXPECT_LE(n, 10 + 20 + kSlack);
    // Blocking send with a timeout also reports EAGAIN.
    tx.set_int(ZMQ_SNDTIMEO, 20);
    EXPECT_EQ(EAGAIN, send_err(tx, "m"));
    for (int i = 0; i < n; ++i)
        ASSERT_EQ("m", recv_ok(rx)) << i;
    EXPECT_EQ(EAGAIN, recv_err(rx, ZMQ_DONTWAIT));
    // Room again: a blocking send goes through once the sender hears of it.
    tx.set_int(ZMQ_SNDTIMEO, wait_ms);
    send_ok(tx, "again");
    EXPECT_EQ("again", recv_ok(rx));
}

TEST_P(BlockingHwm, BindSideSending) {
    Ctx ctx;
    Sock tx(ctx, GetParam().tx), rx(ctx, GetParam().rx);
    tx.set_int(ZMQ_SNDHWM, 5);
    rx.set_int(ZMQ_RCVHWM, 5);
    const std::string ep = inproc_ep();
    tx.bind(ep);
    rx.connect(ep);
    // The binder may only learn of the peer when it runs; a blocking send
    // with timeout waits for it.
    send_ok(tx, "first");
    const int n = 1 + fill(tx);
    EXPECT_GE(n, 5);
    EXPECT_LE(n, 5 + 5 + kSlack);
    for (int i = 0; i < n; ++i)
        ASSERT_NE("<recv failed>", recv_ok(rx));
}

TEST_P(BlockingHwm, AtHwmNewMultipartIsRefusedWhole) {
    Ctx ctx;
    Sock tx(ctx, GetParam().tx), rx(ctx, GetParam().rx);
    tx.set_int(ZMQ_SNDHWM, 3);
    rx.set_int(ZMQ_RCVHWM, 3);
    const std::string ep = inproc_ep();
    rx.bind(ep);
    tx.connect(ep);
    int n = 0;
    for (; n < 1000; ++n) {
        if (zmq_send(tx, "h", 1, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
            EXPECT_EQ(EAGAIN, zmq_errno());
            break;
        }
        // Once the first frame is in, the rest of the message always fits.
        ASSERT_EQ(1, zmq_send(tx, "b", 1, ZMQ_SNDMORE | ZMQ_DONTWAIT));
        ASSERT_EQ(1, zmq_send(tx, "t", 1, ZMQ_DONTWAIT));
    }
    EXPECT_GE(n, 3);
    EXPECT_LE(n, 3 + 3 + kSlack);
    for (int i = 0; i < n; ++i)
        ASSERT_EQ((Frames{"h", "b", "t"}), recv_multipart_ok(rx));
    EXPECT_EQ(EAGAIN, recv_err(rx, ZMQ_DONTWAIT));
}

TEST_P(BlockingHwm, ZeroMeansUnlimited) {
    Ctx ctx;
    Sock tx(ctx, GetParam().tx), rx(ctx, GetParam().rx);
    tx.set_int(ZMQ_SNDHWM, 0);
    rx.set_int(ZMQ_RCVHWM, 0);
    const std::string ep = inproc_ep();
    rx.bind(ep);
    tx.connect(ep);
    EXPECT_EQ(20000, fill(tx, 20000));
    for (int i = 0; i < 20000; ++i)
        ASSERT_EQ("m", recv_ok(rx));
}

TEST_P(BlockingHwm, BlockedSenderResumesWhenReceiverDrains) {
    Ctx ctx;
    Sock tx(ctx, GetParam().tx), rx(ctx, GetParam().rx);
    tx.set_int(ZMQ_SNDHWM, 2);
    rx.set_int(ZMQ_RCVHWM, 2);
    const std::string ep = inproc_ep();
    rx.bind(ep);
    tx.connect(ep);
    constexpr int kTotal = 500;
    std::thread reader([&] {
        for (int i = 0; i < kTotal; ++i)
            if (recv_ok(rx) != std::to_string(i))
                return;
    });
    for (int i = 0; i < kTotal; ++i)
        ASSERT_EQ(0, send_err(tx, std::to_string(i))) << i;
    reader.join();
}

const HwmCase kBlocking[] = {
    {"PUSH_PULL", ZMQ_PUSH, ZMQ_PULL},
    {"DEALER_DEALER", ZMQ_DEALER, ZMQ_DEALER},
    {"PAIR_PAIR", ZMQ_PAIR, ZMQ_PAIR},
};

INSTANTIATE_TEST_SUITE_P(Types, BlockingHwm, ::testing::ValuesIn(kBlocking),
                         [](const ::testing::TestParamInfo<HwmCase> &i) { return i.param.name; });

TEST(Hwm, DefaultsAreOneThousand) {
    Ctx ctx;
    Sock s(ctx, ZMQ_PUSH);
    EXPECT_EQ(1000, s.get_int(ZMQ_SNDHWM));
    EXPECT_EQ(1000, s.get_int(ZMQ_RCVHWM));
    s.set_int(ZMQ_SNDHWM, 7);
    EXPECT_EQ(7, s.get_int(ZMQ_SNDHWM));
    int bad = -1;
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZMQ_SNDHWM, &bad, sizeof bad), EINVAL);
    EXPECT_ZMQ_ERR(zmq_setsockopt(s, ZMQ_RCVHWM, &bad, sizeof bad), EINVAL);
}

TEST(Hwm, RouterWithoutMandatoryDropsWhenFull) {
    Ctx ctx;
    Sock router(ctx, ZMQ_ROUTER), dealer(ctx, ZMQ_DEALER);
    router.set_int(ZMQ_SNDHWM, 5);
    dealer.set_int(ZMQ_RCVHWM, 5);
    const std::string ep = inproc_ep();
    router.bind(ep);
    dealer.set_str(ZMQ_ROUTING_ID, "D");
    dealer.connect(ep);
    send_ok(dealer, "hi");
    EXPECT_EQ((Frames{"D", "hi"}), recv_multipart_ok(router));
    for (int i = 0; i < 1000; ++i) {
        ASSERT_EQ(1, zmq_send(router, "D", 1, ZMQ_SNDMORE | ZMQ_DONTWAIT));
        ASSERT_EQ(1, zmq_send(router, "x", 1, ZMQ_DONTWAIT));
    }
    int got = 0;
    while (recv_err(dealer, ZMQ_DONTWAIT) == 0)
        ++got;
    EXPECT_GE(got, 5);
    EXPECT_LE(got, 5 + 5 + kSlack);
}

TEST(Conflate, KeepsOnlyLastMessage) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    push.bind(ep);
    pull.set_int(ZMQ_CONFLATE, 1);
    pull.connect(ep);
    for (int i = 0; i < 100; ++i)
        send_ok(push, "v" + std::to_string(i));
    EXPECT_EQ("v99", recv_ok(pull));
    EXPECT_EQ(EAGAIN, recv_err(pull, ZMQ_DONTWAIT));
    send_ok(push, "v100");
    EXPECT_EQ("v100", recv_ok(pull));
}

TEST(Conflate, SenderSideConflateNeverBlocks) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    push.set_int(ZMQ_CONFLATE, 1);
    push.set_int(ZMQ_SNDHWM, 1);
    push.connect(ep);
    for (int i = 0; i < 1000; ++i)
        ASSERT_EQ(0, send_err(push, "v" + std::to_string(i), ZMQ_DONTWAIT));
    EXPECT_EQ("v999", recv_ok(pull));
    EXPECT_EQ(EAGAIN, recv_err(pull, ZMQ_DONTWAIT));
}

TEST(Conflate, DealerAndSub) {
    Ctx ctx;
    Sock pub(ctx, ZMQ_PUB), sub(ctx, ZMQ_SUB);
    const std::string ep = inproc_ep();
    pub.bind(ep);
    sub.set_int(ZMQ_CONFLATE, 1);
    sub.set_str(ZMQ_SUBSCRIBE, "");
    sub.connect(ep);
    sync_pub_sub(pub, sub, "");
    for (int i = 0; i < 50; ++i)
        send_ok(pub, "p" + std::to_string(i));
    EXPECT_EQ("p49", recv_ok(sub));
    EXPECT_EQ(EAGAIN, recv_err(sub, ZMQ_DONTWAIT));

    Sock a(ctx, ZMQ_DEALER), b(ctx, ZMQ_DEALER);
    const std::string ep2 = inproc_ep("dealer");
    a.bind(ep2);
    b.set_int(ZMQ_CONFLATE, 1);
    b.connect(ep2);
    for (int i = 0; i < 50; ++i)
        send_ok(a, "d" + std::to_string(i));
    EXPECT_EQ("d49", recv_ok(b));
}

TEST(Conflate, OptionRoundTrips) {
    Ctx ctx;
    Sock s(ctx, ZMQ_PULL);
    EXPECT_EQ(0, s.get_int(ZMQ_CONFLATE));
    s.set_int(ZMQ_CONFLATE, 1);
    EXPECT_EQ(1, s.get_int(ZMQ_CONFLATE));
}

} // namespace
