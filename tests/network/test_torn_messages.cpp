// A multipart message is delivered whole or not at all, whatever happens to
// the connection (issue 9 item 1). A relay (support/fault_proxy) cuts the
// tcp connection (RST or FIN) before and inside every data frame of a
// message on the wire; the receiver must only ever see whole messages, in
// the sender's order, none twice, and traffic must resume after the
// reconnect. Each message is "m<seq>", 1000 bytes (a long frame), "e<seq>".
// The same under load: every connection is reset after some 100 KB while
// the sender's pipe is full, as a relay resetting every ~200 KB did.
#include "fault_proxy.hpp"
#include "net_testutil.hpp"

#include <cstdio>
#include <set>

using namespace testutil;
using fault::dir;
using fault::end_kind;

namespace {

constexpr int kParts = 3;

std::string part_of(long long seq, int i) {
    char buf[16];
    switch (i) {
    case 0:
        std::snprintf(buf, sizeof buf, "m%06lld", seq);
        return buf;
    case 1:
        return std::string(1000, char('a' + seq % 26));
    default:
        std::snprintf(buf, sizeof buf, "e%06lld", seq);
        return buf;
    }
}

// Body sizes of one message's data frames on the wire (before the parts:
// envelope frames such as REQ's request id and delimiter).
std::vector<size_t> wire_bodies(std::vector<size_t> envelope = {}) {
    for (int i = 0; i < kParts; ++i)
        envelope.push_back(part_of(0, i).size());
    return envelope;
}

// Cut points inside a frame of `body` bytes: its boundary, between flags
// and size, inside a long size, between header and body, mid-body.
std::vector<uint64_t> offsets_in(size_t body) {
    const uint64_t header = body > 255 ? 9 : 2;
    std::vector<uint64_t> out = {0, 1};
    if (header == 9)
        out.push_back(5);
    if (body > 0)
        out.push_back(header);
    if (body > 1)
        out.push_back(header + body / 2);
    return out;
}

// Sends one message (envelope frames first) without blocking; false when
// the socket would block, or (libzmq) when the pipe died mid-message: then
// a later part fails with EAGAIN and the socket drops the rest.
bool send_message(void *s, const std::vector<std::string> &envelope, long long seq) {
    std::vector<std::string> frames = envelope;
    for (int i = 0; i < kParts; ++i)
        frames.push_back(part_of(seq, i));
    for (size_t i = 0; i < frames.size(); ++i) {
        const int flags = ZMQ_DONTWAIT | (i + 1 < frames.size() ? ZMQ_SNDMORE : 0);
        if (zmq_send(s, frames[i].data(), frames[i].size(), flags) < 0)
            return false;
    }
    return true;
}

// One whole message if one arrives within timeout_ms. Once its first part
// is there the rest must be too: a missing last part fails (never blocks).
bool recv_message(void *s, int timeout_ms, std::vector<std::string> &out) {
    out.clear();
    zmq_pollitem_t it{s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, timeout_ms) != 1)
        return false;
    int more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            if (out.empty() && zmq_errno() == EAGAIN)
                return false;
            ADD_FAILURE() << "part " << out.size()
                          << " of a message: " << zmq_strerror(zmq_errno());
            return false;
        }
        out.emplace_back(static_cast<const char *>(zmq_msg_data(&m)), zmq_msg_size(&m));
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
    }
    return true;
}

// Every delivered message whole and delivered once. A receiver that
// connects keeps one pipe across reconnects, so its order is the sender's.
// A binding one gets a pipe per connection and fair-queues between them:
// what the old connection brought may still come after the first messages
// of the new one (libzmq the same), so only each connection's order is
// checked: the messages must split into at most one increasing run per
// connection the relay accepted.
struct order_checker {
    bool strict = true;
    long long last = -1;   // newest seq so far
    long long latest = -1; // the one just taken
    std::set<long long> seen;
    std::multiset<long long> run_tails; // greedy split into increasing runs

    ::testing::AssertionResult take(const std::vector<std::string> &m, size_t strip) {
        std::string shown;
        for (const auto &p : m)
            shown += "[" + p.substr(0, 10) + (p.size() > 10 ? "..]" : "]");
        if (m.size() != strip + kParts)
            return ::testing::AssertionFailure() << "torn message " << shown;
        long long seq = -1;
        if (std::sscanf(m[strip].c_str(), "m%lld", &seq) != 1)
            return ::testing::AssertionFailure() << "message starts mid-way " << shown;
        for (int i = 0; i < kParts; ++i)
            if (m[strip + size_t(i)] != part_of(seq, i))
                return ::testing::AssertionFailure() << "mixed message " << shown;
        if (!seen.insert(seq).second)
            return ::testing::AssertionFailure() << "seq " << seq << " delivered twice";
        if (strict && seq < last)
            return ::testing::AssertionFailure() << "seq " << seq << " after " << last;
        auto it = run_tails.lower_bound(seq);
        if (it != run_tails.begin())
            run_tails.erase(std::prev(it));
        run_tails.insert(seq);
        last = std::max(last, seq);
        latest = seq;
        return ::testing::AssertionSuccess();
    }
    size_t runs() const { return run_tails.size(); }
};

class TornMessages : public net_test {
  protected:
    // binder binds tcp; the relay forwards to it; connecter dials the relay.
    void link(void *binder, void *connecter) {
        const std::string target = bind_any(binder, transport::tcp4);
        ASSERT_FALSE(target.empty());
        proxy.reset(new fault::fault_proxy(target));
        set_int(connecter, ZMQ_RECONNECT_IVL, 10);
        ASSERT_EQ(0, zmq_connect(connecter, proxy->endpoint().c_str()));
    }
    void TearDown() override {
        net_test::TearDown(); // sockets first, then the relay
        proxy.reset();
    }

    // One-way traffic: sender -> receiver, cut in direction d.
    void run_one_way(void *sender, void *receiver, dir d, const std::vector<std::string> &envelope,
                     size_t strip, const std::vector<size_t> &bodies);
    // Traffic flows: send until the message just sent is received.
    bool sync_one_way(void *sender, void *receiver, const std::vector<std::string> &envelope,
                      size_t strip);
    void drain(void *receiver, size_t strip, int timeout_ms);
    // Messages sent as fast as the pipe takes them; every connection reset
    // after some 100 KB in direction d.
    void run_under_load(void *sender, void *receiver, dir d,
                        const std::vector<std::string> &envelope, size_t strip);

    std::unique_ptr<fault::fault_proxy> proxy;
    order_checker checker;
    long long next_seq = 0, last_sent = -1;
};

void TornMessages::drain(void *receiver, size_t strip, int timeout_ms) {
    std::vector<std::string> m;
    while (recv_message(receiver, timeout_ms, m)) {
        EXPECT_TRUE(checker.take(m, strip));
        timeout_ms = 0;
    }
}

bool TornMessages::sync_one_way(void *sender, void *receiver,
                                const std::vector<std::string> &envelope, size_t strip) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        if (send_message(sender, envelope, next_seq))
            last_sent = next_seq++;
        drain(receiver, strip, 30);
        // A bound PAIR lets a dead peer's pipe go only once it reads the
        // end of it (libzmq too): poll its input as an application would.
        zmq_pollitem_t it{sender, 0, ZMQ_POLLIN, 0};
        zmq_poll(&it, 1, 0);
        if (last_sent >= 0 && checker.last == last_sent)
            return true;
    }
    return false;
}

void TornMessages::run_one_way(void *sender, void *receiver, dir d,
                               const std::vector<std::string> &envelope, size_t strip,
                               const std::vector<size_t> &bodies) {
    ASSERT_TRUE(sync_one_way(sender, receiver, envelope, strip)) << "no traffic at all";
    int cuts = proxy->ended();
    for (end_kind how : {end_kind::rst, end_kind::fin}) {
        // Every frame of one message, and the boundary before the next one.
        for (size_t frame = 0; frame <= bodies.size(); ++frame) {
            const size_t body = frame < bodies.size() ? bodies[frame] : bodies[0];
            for (uint64_t offset : offsets_in(body)) {
                if (frame == bodies.size() && offset > 0)
                    break;
                SCOPED_TRACE(std::string(how == end_kind::rst ? "RST" : "FIN") + " before byte " +
                             std::to_string(offset) + " of frame " + std::to_string(frame));
                proxy->end_at_data_frame(d, frame, offset, how, 1);
                for (int i = 0; i < 2; ++i)
                    if (send_message(sender, envelope, next_seq))
                        last_sent = next_seq++;
                ++cuts;
                const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
                while (proxy->ended() < cuts && std::chrono::steady_clock::now() < deadline)
                    drain(receiver, strip, 5);
                ASSERT_EQ(cuts, proxy->ended()) << "the relay never cut";
                ASSERT_TRUE(sync_one_way(sender, receiver, envelope, strip))
                    << "traffic did not resume; relay accepted " << proxy->accepted()
                    << " connections, ended " << proxy->ended();
                if (HasFailure())
                    return;
            }
        }
    }
    EXPECT_LE(checker.runs(), size_t(proxy->accepted())) << "order broken within a connection";
}

void TornMessages::run_under_load(void *sender, void *receiver, dir d,
                                  const std::vector<std::string> &envelope, size_t strip) {
    ASSERT_TRUE(sync_one_way(sender, receiver, envelope, strip)) << "no traffic at all";
    const int ended_before = proxy->ended();
    // Two lengths, so the resets fall at different points of the messages.
    proxy->end_after_bytes(d, 70001, end_kind::rst, 8);
    proxy->end_after_bytes(d, 100003, end_kind::rst, 8);
    // Senders that drop instead of blocking (PUB, ROUTER) keep going until
    // the relay has reset a few connections.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int sent = 0;
    while ((sent < 3000 || proxy->ended() < ended_before + 3) &&
           std::chrono::steady_clock::now() < deadline) {
        if (send_message(sender, envelope, next_seq)) {
            last_sent = next_seq++;
            ++sent;
            drain(receiver, strip, 0);
        } else {
            drain(receiver, strip, 1);
        }
        if (HasFailure())
            return;
    }
    proxy->clear_ends();
    EXPECT_LE(ended_before + 3, proxy->ended()) << "the relay did not reset connections";
    ASSERT_TRUE(sync_one_way(sender, receiver, envelope, strip)) << "traffic did not resume";
    EXPECT_LE(checker.runs(), size_t(proxy->accepted())) << "order broken within a connection";
}

} // namespace

TEST_F(TornMessages, PushConnectsToPull) {
    checker.strict = false; // the receiver binds
    void *pull = make(ZMQ_PULL), *push = make(ZMQ_PUSH);
    link(pull, push);
    run_one_way(push, pull, dir::up, {}, 0, wire_bodies());
}

TEST_F(TornMessages, PullConnectsToPush) {
    void *push = make(ZMQ_PUSH), *pull = make(ZMQ_PULL);
    link(push, pull);
    run_one_way(push, pull, dir::down, {}, 0, wire_bodies());
}

TEST_F(TornMessages, DealerToRouter) {
    checker.strict = false; // the receiver binds
    void *router = make(ZMQ_ROUTER), *dealer = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "D", 1));
    link(router, dealer);
    run_one_way(dealer, router, dir::up, {}, 1, wire_bodies());
}

TEST_F(TornMessages, RouterToDealer) {
    void *router = make(ZMQ_ROUTER), *dealer = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "D", 1));
    // The reconnected "D" replaces the old one even before the ROUTER has
    // seen the old connection die (without it a silent DEALER stays unknown).
    set_int(router, ZMQ_ROUTER_HANDOVER, 1);
    link(router, dealer);
    run_one_way(router, dealer, dir::down, {"D"}, 0, wire_bodies());
}

TEST_F(TornMessages, PubToConnectedSub) {
    void *pub = make(ZMQ_PUB), *sub = make(ZMQ_SUB);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0));
    link(pub, sub);
    run_one_way(pub, sub, dir::down, {}, 0, wire_bodies());
}

TEST_F(TornMessages, ConnectedPubToSub) {
    checker.strict = false; // the receiver binds
    void *sub = make(ZMQ_SUB), *pub = make(ZMQ_PUB);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0));
    link(sub, pub);
    run_one_way(pub, sub, dir::up, {}, 0, wire_bodies());
}

TEST_F(TornMessages, PairBothWays) {
    void *a = make(ZMQ_PAIR), *b = make(ZMQ_PAIR);
    link(a, b);
    run_one_way(b, a, dir::up, {}, 0, wire_bodies());
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    // libzmq 4.3.4 refuses the reconnected PAIR while the old pipe is not
    // gone yet (the binder only sends here, so that takes a while) and then
    // keeps the refused connection open without a pipe: the relay shows the
    // new connection accepted and never closed, and nothing flows again.
    // zlink closes a refused connection, so the peer retries.
    GTEST_SKIP() << "libzmq keeps a refused PAIR connection open";
#endif
    checker = order_checker();
    run_one_way(a, b, dir::down, {}, 0, wire_bodies());
}

// REQ (relaxed, correlated: it may give up on a lost request) through the
// relay to REP; REP echoes each request. Both directions are cut.
TEST_F(TornMessages, ReqRepRequestsAndReplies) {
    checker.strict = false; // the receiver binds
    void *rep = make(ZMQ_REP), *req = make(ZMQ_REQ);
    set_int(req, ZMQ_REQ_RELAXED, 1);
    set_int(req, ZMQ_REQ_CORRELATE, 1);
    link(rep, req);
    order_checker replies;
    long long seq = 0;
    // One request; true once its own reply came back.
    auto round_trip = [&](int wait_ms_total) {
        const long long mine = seq++;
        if (!send_message(req, {}, mine))
            return false;
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms_total);
        std::vector<std::string> m;
        while (std::chrono::steady_clock::now() < deadline) {
            if (recv_message(rep, 2, m)) {
                EXPECT_TRUE(checker.take(m, 0)) << "request";
                send_message(rep, {}, checker.latest);
            }
            if (recv_message(req, 2, m)) {
                EXPECT_TRUE(replies.take(m, 0)) << "reply";
                if (replies.last == mine)
                    return true;
            }
        }
        return false;
    };
    auto sync = [&] {
        for (int i = 0; i < 100; ++i)
            if (round_trip(50))
                return true;
        return false;
    };
    ASSERT_TRUE(sync());
    const auto bodies = wire_bodies({4, 0}); // request id, delimiter
    int cuts = 0;
    for (dir d : {dir::up, dir::down}) {
        for (end_kind how : {end_kind::rst, end_kind::fin}) {
            for (size_t frame = 0; frame <= bodies.size(); ++frame) {
                const size_t body = frame < bodies.size() ? bodies[frame] : bodies[0];
                for (uint64_t offset : offsets_in(body)) {
                    if (frame == bodies.size() && offset > 0)
                        break;
                    SCOPED_TRACE(std::string(d == dir::up ? "request" : "reply") +
                                 (how == end_kind::rst ? " RST" : " FIN") + " before byte " +
                                 std::to_string(offset) + " of frame " + std::to_string(frame));
                    proxy->end_at_data_frame(d, frame, offset, how, 1);
                    ++cuts;
                    for (int i = 0; i < 100 && proxy->ended() < cuts; ++i)
                        round_trip(20);
                    ASSERT_EQ(cuts, proxy->ended()) << "the relay never cut";
                    ASSERT_TRUE(sync()) << "traffic did not resume";
                    if (HasFailure())
                        return;
                }
            }
        }
    }
}

TEST_F(TornMessages, PushToPullUnderLoad) {
    checker.strict = false; // the receiver binds
    void *pull = make(ZMQ_PULL), *push = make(ZMQ_PUSH);
    link(pull, push);
    run_under_load(push, pull, dir::up, {}, 0);
}

TEST_F(TornMessages, BoundPushToPullUnderLoad) {
    void *push = make(ZMQ_PUSH), *pull = make(ZMQ_PULL);
    link(push, pull);
    run_under_load(push, pull, dir::down, {}, 0);
}

TEST_F(TornMessages, DealerToRouterUnderLoad) {
    checker.strict = false; // the receiver binds
    void *router = make(ZMQ_ROUTER), *dealer = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "D", 1));
    link(router, dealer);
    run_under_load(dealer, router, dir::up, {}, 1);
}

TEST_F(TornMessages, RouterToDealerUnderLoad) {
    void *router = make(ZMQ_ROUTER), *dealer = make(ZMQ_DEALER);
    ASSERT_EQ(0, zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "D", 1));
    set_int(router, ZMQ_ROUTER_HANDOVER, 1);
    link(router, dealer);
    run_under_load(router, dealer, dir::down, {"D"}, 0);
}

TEST_F(TornMessages, PubToSubUnderLoad) {
    void *pub = make(ZMQ_PUB), *sub = make(ZMQ_SUB);
    ASSERT_EQ(0, zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0));
    link(pub, sub);
    run_under_load(pub, sub, dir::down, {}, 0);
}

TEST_F(TornMessages, PairUnderLoad) {
    void *a = make(ZMQ_PAIR), *b = make(ZMQ_PAIR);
    link(a, b);
    run_under_load(b, a, dir::up, {}, 0);
}
