// Message integrity for every socket pattern over inproc: 0-byte and 1 MiB
// frames, multipart atomicity (ZMQ_RCVMORE), ordering and content.
#include "testutil.hpp"

#include <memory>
#include <thread>

using namespace testutil;

namespace {

// One pattern = a sender socket and a receiver socket plus how application
// frames are wrapped/unwrapped (ROUTER ids, REQ/REP turn-taking, SUB filter).
struct Pattern {
    const char *name;
    int tx_type;
    int rx_type;
};

const Pattern kPatterns[] = {
    {"PAIR_PAIR", ZMQ_PAIR, ZMQ_PAIR},
    {"PUSH_PULL", ZMQ_PUSH, ZMQ_PULL},
    {"DEALER_DEALER", ZMQ_DEALER, ZMQ_DEALER},
    {"DEALER_ROUTER", ZMQ_DEALER, ZMQ_ROUTER},
    {"ROUTER_DEALER", ZMQ_ROUTER, ZMQ_DEALER},
    {"REQ_REP", ZMQ_REQ, ZMQ_REP},
    {"REQ_ROUTER", ZMQ_REQ, ZMQ_ROUTER},
    {"DEALER_REP", ZMQ_DEALER, ZMQ_REP},
    {"PUB_SUB", ZMQ_PUB, ZMQ_SUB},
    {"XPUB_XSUB", ZMQ_XPUB, ZMQ_XSUB},
    {"PUB_XSUB", ZMQ_PUB, ZMQ_XSUB},
    {"XPUB_SUB", ZMQ_XPUB, ZMQ_SUB},
};

// Keeps ctest names readable (gtest appends the printed parameter).
void PrintTo(const Pattern &p, std::ostream *os) { *os << p.name; }

class Messages : public ::testing::TestWithParam<Pattern> {
  protected:
    void SetUp() override {
        const Pattern &p = GetParam();
        tx_ = std::make_unique<Sock>(ctx_, p.tx_type);
        rx_ = std::make_unique<Sock>(ctx_, p.rx_type);
        if (p.tx_type == ZMQ_ROUTER) {
            // The receiver needs a known id so the ROUTER can address it.
            rx_->set_str(ZMQ_ROUTING_ID, "rx");
        }
        const std::string ep = inproc_ep();
        tx_->bind(ep);
        if (p.rx_type == ZMQ_SUB)
            rx_->set_str(ZMQ_SUBSCRIBE, "");
        rx_->connect(ep);
        if (p.rx_type == ZMQ_XSUB)
            send_ok(*rx_, std::string("\x01", 1));
        if (p.tx_type == ZMQ_XPUB)
            EXPECT_EQ(std::string("\x01", 1), recv_ok(*tx_));
        else if (p.tx_type == ZMQ_PUB)
            sync_pub_sub(*tx_, *rx_, "");
        else if (p.tx_type == ZMQ_ROUTER) {
            // Wait until the ROUTER knows the peer: the peer says hello first.
            send_ok(*rx_, "hello");
            EXPECT_EQ((std::vector<std::string>{"rx", "hello"}), recv_multipart_ok(*tx_));
        }
    }

    // Sends one application message (frames) from tx to rx.
    void send(const std::vector<std::string> &frames) {
        const Pattern &p = GetParam();
        std::vector<std::string> wire;
        if (p.tx_type == ZMQ_ROUTER)
            wire.push_back("rx");
        if (p.tx_type == ZMQ_DEALER && p.rx_type == ZMQ_REP)
            wire.push_back("");
        wire.insert(wire.end(), frames.begin(), frames.end());
        send_multipart_ok(*tx_, wire);
    }

    // Receives one application message on rx, stripping envelopes, and
    // completes the REQ/REP turn so the next send is legal.
    std::vector<std::string> recv() {
        const Pattern &p = GetParam();
        std::vector<std::string> got = recv_multipart_ok(*rx_);
        std::vector<std::string> env;
        if (p.rx_type == ZMQ_ROUTER && !got.empty()) {
            env.push_back(got.front());
            got.erase(got.begin());
            if (p.tx_type == ZMQ_REQ && !got.empty()) {
                EXPECT_EQ("", got.front()) << "REQ must add an empty delimiter";
                env.push_back(got.front());
                got.erase(got.begin());
            }
        }
        if (p.rx_type == ZMQ_REP)
            send_ok(*rx_, "ack");
        if (p.rx_type == ZMQ_ROUTER && p.tx_type == ZMQ_REQ) {
            env.push_back("ack");
            send_multipart_ok(*rx_, env);
        }
        if (p.tx_type == ZMQ_REQ) {
            EXPECT_EQ("ack", recv_ok(*tx_));
        }
        if (p.tx_type == ZMQ_DEALER && p.rx_type == ZMQ_REP) {
            EXPECT_EQ((std::vector<std::string>{"", "ack"}), recv_multipart_ok(*tx_));
        }
        return got;
    }

    Ctx ctx_;
    std::unique_ptr<Sock> tx_, rx_;
};

TEST_P(Messages, SingleFrameRoundTrip) {
    send({"hello world"});
    EXPECT_EQ((std::vector<std::string>{"hello world"}), recv());
}

TEST_P(Messages, ZeroByteFrame) {
    send({""});
    EXPECT_EQ((std::vector<std::string>{""}), recv());
    EXPECT_FALSE(rcvmore(*rx_));
}

TEST_P(Messages, OneMebibyteFrameIntact) {
    const std::string big = pattern(1 << 20, 42);
    send({big});
    const auto got = recv();
    ASSERT_EQ(1u, got.size());
    ASSERT_EQ(big.size(), got[0].size());
    EXPECT_TRUE(got[0] == big) << "1 MiB payload corrupted";
}

TEST_P(Messages, MultipartArrivesWholeWithRcvmore) {
    const std::vector<std::string> frames = {"a", "", pattern(70000, 3), "d", std::string(1, '\0')};
    send(frames);
    // The first frame only appears once the whole message is there: every
    // later frame must be readable without blocking.
    std::vector<std::string> got;
    ASSERT_TRUE(poll_in(*rx_));
    const Pattern &p = GetParam();
    int envelope = 0;
    if (p.rx_type == ZMQ_ROUTER)
        envelope = p.tx_type == ZMQ_REQ ? 2 : 1;
    for (int i = 0; i < envelope; ++i) {
        recv_ok(*rx_, ZMQ_DONTWAIT);
        ASSERT_TRUE(rcvmore(*rx_));
    }
    for (size_t i = 0; i < frames.size(); ++i) {
        got.push_back(recv_ok(*rx_, ZMQ_DONTWAIT));
        EXPECT_EQ(i + 1 < frames.size(), rcvmore(*rx_)) << "frame " << i;
    }
    EXPECT_TRUE(got == frames);
    // A REP that holds an unanswered request refuses a second recv.
    EXPECT_EQ(p.rx_type == ZMQ_REP ? EFSM : EAGAIN, recv_err(*rx_, ZMQ_DONTWAIT));
}

TEST_P(Messages, MsgMoreAndZmqMoreProperty) {
    send({"one", "two"});
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    const Pattern &p = GetParam();
    int skip = 0;
    if (p.rx_type == ZMQ_ROUTER)
        skip = p.tx_type == ZMQ_REQ ? 2 : 1;
    for (int i = 0; i < skip; ++i)
        ASSERT_GE(zmq_msg_recv(&msg, *rx_, 0), 0);
    ASSERT_EQ(3, zmq_msg_recv(&msg, *rx_, 0));
    EXPECT_EQ(1, zmq_msg_more(&msg));
    EXPECT_EQ(1, zmq_msg_get(&msg, ZMQ_MORE));
    ASSERT_EQ(3, zmq_msg_recv(&msg, *rx_, 0));
    EXPECT_EQ(0, zmq_msg_more(&msg));
    EXPECT_EQ(0, zmq_msg_get(&msg, ZMQ_MORE));
    EXPECT_EQ(0, memcmp("two", zmq_msg_data(&msg), 3));
    zmq_msg_close(&msg);
}

TEST_P(Messages, ManyMessagesKeepOrderAndContent) {
    for (int i = 0; i < 200; ++i) {
        const std::string body =
            "msg-" + std::to_string(i) + "-" + pattern(static_cast<size_t>(i) * 37, i);
        send({body, std::to_string(i)});
        // REQ/REP must alternate; the others may batch, but receiving as we go
        // keeps PUB under its HWM as well.
        const auto got = recv();
        ASSERT_EQ(2u, got.size());
        ASSERT_TRUE(got[0] == body) << "message " << i;
        ASSERT_EQ(std::to_string(i), got[1]);
    }
}

TEST_P(Messages, RecvIntoShortBufferTruncates) {
    send({"0123456789"});
    const Pattern &p = GetParam();
    int skip = 0;
    if (p.rx_type == ZMQ_ROUTER)
        skip = p.tx_type == ZMQ_REQ ? 2 : 1;
    char buf[64];
    for (int i = 0; i < skip; ++i)
        ASSERT_GE(zmq_recv(*rx_, buf, sizeof buf, 0), 0);
    char small[4] = {0, 0, 0, 0};
    // zmq_recv reports the full frame size but copies only what fits.
    EXPECT_EQ(10, zmq_recv(*rx_, small, sizeof small, 0));
    EXPECT_EQ(0, memcmp("0123", small, 4));
}

std::string pattern_name(const ::testing::TestParamInfo<Pattern> &info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(AllPatterns, Messages, ::testing::ValuesIn(kPatterns), pattern_name);

// Bulk one-way stream (no turn-taking) with a concurrent receiver thread:
// integrity under real producer/consumer concurrency.
TEST(MessagesStream, ConcurrentPushPullKeepsOrder) {
    Ctx ctx;
    Sock push(ctx, ZMQ_PUSH), pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    push.connect(ep);
    constexpr int kCount = 20000;
    std::thread rx([&] {
        for (int i = 0; i < kCount; ++i) {
            const std::string got = recv_ok(pull);
            if (got != std::to_string(i)) {
                ADD_FAILURE() << "expected " << i << " got " << got;
                return;
            }
        }
    });
    for (int i = 0; i < kCount; ++i)
        send_ok(push, std::to_string(i));
    rx.join();
}

TEST(MessagesStream, SenderClosedMidMultipartDeliversNothingPartial) {
    Ctx ctx;
    Sock pull(ctx, ZMQ_PULL);
    const std::string ep = inproc_ep();
    pull.bind(ep);
    {
        Sock push(ctx, ZMQ_PUSH);
        push.connect(ep);
        send_ok(push, "complete");
        send_ok(push, "partial-1", ZMQ_SNDMORE);
        send_ok(push, "partial-2", ZMQ_SNDMORE);
    } // closed with an unfinished message
    EXPECT_EQ("complete", recv_ok(pull));
    EXPECT_FALSE(rcvmore(pull));
    // Nothing of the unfinished message may ever show up.
    EXPECT_FALSE(poll_in(pull, 200));
}

} // namespace
