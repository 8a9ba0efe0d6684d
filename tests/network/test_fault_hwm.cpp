// HWM with a stalled link (the relay forwards nothing) or a consumer that
// does not read: the sender does what libzmq's per-type rule says, memory
// stays bounded (RSS measured), and what zmq_send accepted on a connection
// that stays up is delivered whole, in order, once.
//
//   PUSH, DEALER, REQ (with REQ_RELAXED, else a second request is EFSM):
//     EAGAIN (a blocking send times out after SNDTIMEO) once the queues
//     are full;
//   PUB: never blocks, drops what does not fit;
//   ROUTER: drops (send succeeds) unless ZMQ_ROUTER_MANDATORY, then EAGAIN;
//   REP: a reply to a peer whose pipe is full is dropped, never blocks.
//
// RSS bound: every queue involved holds at most an HWM of 64 KiB messages
// (sender SNDHWM, receiver RCVHWM: 2 x 50 x 64 KiB = 6.25 MiB); twice that
// for allocator overhead, plus 16 MiB for what else may grow meanwhile (the
// relay buffers up to 1 MiB + 64 KiB per direction, zlink's message pool up
// to 2 MiB per size class, a decoder buffer, malloc arenas). A sender that
// queued everything it was offered would need 2000 x 64 KiB = 125 MiB.
// Kernel socket buffers are not in RSS. ASAN keeps freed memory in its
// quarantine: there only the sending rules are checked.
//
// No quiet period ends a wait: a blocking sender's receiver waits for the
// count it accepted; behind a dropping sender's messages comes a marker
// (resent until it arrives: it may be dropped too), and queues keep order.
#include "fault_patterns.hpp"

using namespace faulttest;

namespace {

constexpr int hwm = 50;
constexpr size_t msg_size = 64 * 1024;
constexpr int offered = 2000;
constexpr long rss_bound_kib = long(2 * (2 * hwm) * msg_size / 1024) + 16 * 1024;

std::string numbered(int i) {
    char head[16];
    std::snprintf(head, sizeof head, "n%06d:", i);
    std::string s(msg_size, char('a' + i % 26));
    s.replace(0, std::strlen(head), head);
    return s;
}

int number_of(const std::string &m) {
    int i = -1;
    if (m.size() != msg_size || std::sscanf(m.c_str(), "n%d:", &i) != 1 || m != numbered(i))
        return -1;
    return i;
}

// How the consumer falls behind: the relay stops forwarding, or the
// receiving socket is not read (the relay forwards freely).
enum class lag { stalled_link, unread_consumer };

struct hwm_case {
    const char *name;
    link_pattern pat;
    lag how;
    bool mandatory = false; // ROUTER_MANDATORY on a sending ROUTER
};

class FaultHwm : public fault_link, public ::testing::WithParamInterface<hwm_case> {
  protected:
    void start() {
        const hwm_case &c = GetParam();
        ASSERT_NO_FATAL_FAILURE(link(c.pat, [&](void *b, void *s) {
            for (void *x : {b, s}) {
                set_int(x, ZMQ_SNDHWM, hwm);
                set_int(x, ZMQ_RCVHWM, hwm);
                // Small kernel buffers hold fewer messages outside the
                // HWMs. Not SO_SNDBUF: with it zlink's sender stalls ~40 ms
                // per 64 KiB behind the relay (libzmq does not), which
                // would cost seconds here without changing the outcome.
                set_int(x, ZMQ_RCVBUF, 16384);
                set_int(x, ZMQ_SNDTIMEO, 200);
            }
            if (c.pat.connecter == ZMQ_REQ) {
                set_int(s, ZMQ_REQ_RELAXED, 1);
                set_int(s, ZMQ_REQ_CORRELATE, 1); // replies to older requests are skipped
            }
            if (c.mandatory)
                set_int(b, ZMQ_ROUTER_MANDATORY, 1);
        }));
        if (c.pat.binder == ZMQ_REP && c.pat.connecter == ZMQ_DEALER) {
            // round_trip speaks REQ; a DEALER adds the empty delimiter itself.
            ASSERT_EQ(0, send_parts(connecter, {"", "hello"}));
            ASSERT_EQ("hello", recv_str(binder));
            ASSERT_EQ(0, send_parts(binder, {"hi"}));
            ASSERT_EQ((std::vector<std::string>{"", "hi"}), recv_multipart(connecter));
        } else {
            ASSERT_TRUE(round_trip(next_tag())) << "no traffic at first";
        }
        if (c.how == lag::stalled_link)
            proxy->set_stall(true);
        rss_base = rss_kib();
    }

    void note_rss() { rss_peak = std::max(rss_peak, rss_kib() - rss_base); }

    void expect_rss_bounded() {
        note_rss();
        std::printf("RSS growth %ld KiB (bound %ld KiB)\n", rss_peak, rss_bound_kib);
        if (!sanitized)
            EXPECT_LT(rss_peak, rss_bound_kib);
    }

    // Lets the consumer catch up: the relay forwards again.
    void release() {
        if (GetParam().how == lag::stalled_link)
            proxy->set_stall(false);
    }

    // Offers up to `offered` messages and returns how many were accepted.
    // A send that would block is retried once as a blocking send: the offer
    // ends when that one times out (SNDTIMEO) with EAGAIN, i.e. the queues
    // stay full; until they are, room comes back as the link drains.
    int offer(void *sender, const std::string &routing_id = "") {
        const auto send = [&](const std::string &m, int flags) {
            return (routing_id.empty() || zmq_send(sender, routing_id.data(), routing_id.size(),
                                                   ZMQ_SNDMORE | flags) >= 0) &&
                   zmq_send(sender, m.data(), m.size(), flags) >= 0;
        };
        int accepted = 0;
        while (accepted < offered) {
            const std::string m = numbered(accepted);
            if (send(m, ZMQ_DONTWAIT) || (zmq_errno() == EAGAIN && send(m, 0))) {
                if (++accepted % 50 == 0)
                    note_rss();
                continue;
            }
            EXPECT_EQ(EAGAIN, zmq_errno()) << zmq_strerror(zmq_errno());
            break;
        }
        return accepted;
    }

    // Takes one numbered message (envelope of `strip` frames) into `got`,
    // checking it comes after the previous ones; `marker` (if not empty)
    // ends the stream: returns 1 for a number, 0 for the marker, -1 for
    // nothing within `timeout_ms` or a failure. Stale markers ("rt-...")
    // are skipped.
    int take_one(void *receiver, size_t strip, std::vector<int> &got, int timeout_ms,
                 const std::string &marker = "") {
        for (;;) {
            if (!wait_readable(receiver, timeout_ms))
                return -1;
            const std::vector<std::string> m = recv_multipart(receiver, 1000);
            if (m.size() != strip + 1) {
                ADD_FAILURE() << "message of " << m.size() << " parts";
                return -1;
            }
            const std::string &body = m[strip];
            if (!marker.empty() && body == marker)
                return 0;
            if (!marker.empty() && body.compare(0, 3, "rt-") == 0)
                continue;
            const int n = number_of(body);
            if (n < 0 || (!got.empty() && n <= got.back())) {
                ADD_FAILURE() << "message '" << body.substr(0, 8) << "' after "
                              << (got.empty() ? -1 : got.back());
                return -1;
            }
            got.push_back(n);
            if (got.size() % 50 == 0)
                note_rss();
            return 1;
        }
    }

    // `count` numbered messages, in increasing order (a REP answers each).
    std::vector<int> take(void *receiver, size_t strip, int count, bool answer = false) {
        std::vector<int> got;
        while (int(got.size()) < count && take_one(receiver, strip, got, wait_ms) == 1)
            if (answer)
                send_str(receiver, "ok");
        return got;
    }

    // Numbered messages in increasing order until a marker, which
    // `send_marker` sends again whenever nothing came for a while.
    std::vector<int>
    take_until_marker(void *receiver, size_t strip,
                      const std::function<void(const std::string &)> &send_marker) {
        std::vector<int> got;
        const std::string marker = next_tag();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
        send_marker(marker);
        while (std::chrono::steady_clock::now() < deadline) {
            const int r = take_one(receiver, strip, got, 50, marker);
            if (r == 0)
                return got;
            if (r < 0 && HasFailure())
                return got;
            if (r < 0)
                send_marker(marker);
        }
        ADD_FAILURE() << "the marker never came, after " << got.size() << " messages";
        return got;
    }

    long rss_base = 0, rss_peak = 0;
};

const hwm_case blocking_cases[] = {
    {"push_stalled", patterns[0], lag::stalled_link},
    {"push_unread", patterns[0], lag::unread_consumer},
    {"dealer_stalled", patterns[1], lag::stalled_link},
    {"dealer_unread", patterns[1], lag::unread_consumer},
    {"req_relaxed_stalled", patterns[2], lag::stalled_link},
    {"req_relaxed_unread", patterns[2], lag::unread_consumer},
};

class FaultHwmBlocking : public FaultHwm {};
class FaultHwmPub : public FaultHwm {};
class FaultHwmRouter : public FaultHwm {};

std::string case_name(const ::testing::TestParamInfo<hwm_case> &i) { return i.param.name; }

} // namespace

// The connecter sends until a blocking send times out with EAGAIN;
// everything it accepted arrives, in order, once the consumer catches up.
TEST_P(FaultHwmBlocking, SenderBlocksAtSndhwmAndDeliversAllItAccepted) {
    ASSERT_NO_FATAL_FAILURE(start());
    const int accepted = offer(connecter);
    ASSERT_LT(accepted, offered) << "the sender never pushed back";
    EXPECT_GT(accepted, 0);
    expect_rss_bounded();
    release();
    const size_t strip = GetParam().pat.binder == ZMQ_ROUTER ? 1 : 0;
    const std::vector<int> got = take(binder, strip, accepted, GetParam().pat.binder == ZMQ_REP);
    ASSERT_EQ(size_t(accepted), got.size()) << "accepted messages lost";
    EXPECT_EQ(accepted - 1, got.back()) << "not the ones accepted";
    // The REP's answers that fitted wait at the REQ, and the REP drops an
    // answer that does not fit: the first requests may go unanswered until
    // the correlating REQ has discarded the stale ones as it reads.
    bool works = false;
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    // libzmq 4.3.4 bug: a REQ_CORRELATE REQ whose inbound pipe is full when
    // a reply's request-id frame arrives advances its session's reply state
    // before the push that fails, takes the retried frame for a protocol
    // error and drops the connection for good (DISCONNECTED, no reconnect).
    // Whether its pipe fills depends on how many requests fitted in the
    // kernel and relay buffers, so this check is zlink's.
    if (GetParam().pat.connecter == ZMQ_REQ)
        return;
#endif
    for (int i = 0; i < 10 && !works; ++i)
        works = round_trip(next_tag(), 500);
    EXPECT_TRUE(works) << "the link does not work afterwards";
}

INSTANTIATE_TEST_SUITE_P(Senders, FaultHwmBlocking, ::testing::ValuesIn(blocking_cases), case_name);

// PUB never blocks; what it could not queue is dropped, and what arrives is
// an in-order subsequence.
TEST_P(FaultHwmPub, PubDropsAndStaysBounded) {
    ASSERT_NO_FATAL_FAILURE(start());
    EXPECT_EQ(offered, offer(binder)) << "PUB refused a message";
    expect_rss_bounded();
    release();
    const std::vector<int> got =
        take_until_marker(connecter, 0, [&](const std::string &m) { send_str(binder, m); });
    EXPECT_FALSE(got.empty());
    EXPECT_LT(got.size(), size_t(offered)) << "nothing dropped with HWM " << hwm;
    EXPECT_TRUE(round_trip(next_tag())) << "the link does not work afterwards";
}

INSTANTIATE_TEST_SUITE_P(Pub, FaultHwmPub,
                         ::testing::Values(hwm_case{"stalled", patterns[3], lag::stalled_link},
                                           hwm_case{"unread", patterns[3], lag::unread_consumer}),
                         case_name);

// A ROUTER sending to one DEALER: drops silently, or with ROUTER_MANDATORY
// says EAGAIN and then loses nothing it accepted.
TEST_P(FaultHwmRouter, RouterDropsUnlessMandatory) {
    ASSERT_NO_FATAL_FAILURE(start());
    ASSERT_FALSE(last_routing_id.empty());
    const int accepted = offer(binder, last_routing_id);
    expect_rss_bounded();
    release();
    if (GetParam().mandatory) {
        ASSERT_LT(accepted, offered) << "ROUTER_MANDATORY never said EAGAIN";
        const std::vector<int> got = take(connecter, 0, accepted);
        EXPECT_EQ(size_t(accepted), got.size()) << "accepted messages lost";
    } else {
        EXPECT_EQ(offered, accepted) << "ROUTER refused a message";
        const std::vector<int> got = take_until_marker(connecter, 0, [&](const std::string &m) {
            send_parts(binder, {last_routing_id, m});
        });
        EXPECT_FALSE(got.empty());
        EXPECT_LT(got.size(), size_t(offered)) << "nothing dropped with HWM " << hwm;
    }
    EXPECT_TRUE(round_trip(next_tag())) << "the link does not work afterwards";
}

INSTANTIATE_TEST_SUITE_P(
    Router, FaultHwmRouter,
    ::testing::Values(hwm_case{"stalled", patterns[1], lag::stalled_link},
                      hwm_case{"unread", patterns[1], lag::unread_consumer},
                      hwm_case{"mandatory_stalled", patterns[1], lag::stalled_link, true},
                      hwm_case{"mandatory_unread", patterns[1], lag::unread_consumer, true}),
    case_name);

// A REP answering a peer that sends requests but never reads the replies:
// every reply is accepted, those that do not fit are dropped, memory stays
// bounded, what arrives is in order. The peer is a DEALER: a REQ (even
// relaxed) reads away the replies queued to it each time it sends.
class FaultHwmRep : public FaultHwm {};

TEST_P(FaultHwmRep, RepDropsRepliesToAPeerThatDoesNotRead) {
    ASSERT_NO_FATAL_FAILURE(start());
    for (int i = 0; i < offered; ++i) {
        ASSERT_EQ(0, send_parts(connecter, {"", "q" + std::to_string(i)})) << i;
        ASSERT_EQ("q" + std::to_string(i), recv_str(binder)) << i;
        const std::string reply = numbered(i);
        ASSERT_EQ(int(msg_size), zmq_send(binder, reply.data(), reply.size(), ZMQ_DONTWAIT))
            << "reply " << i << ": " << zmq_strerror(zmq_errno());
        if (i % 50 == 0)
            note_rss();
    }
    expect_rss_bounded();
    // The marker is a request the REP echoes (its echo may be dropped too).
    const std::vector<int> got = take_until_marker(connecter, 1, [&](const std::string &m) {
        if (send_parts(connecter, {"", m}) == 0 && recv_str(binder) == m)
            send_str(binder, m);
    });
    EXPECT_FALSE(got.empty());
    EXPECT_LT(got.size(), size_t(offered)) << "nothing dropped with HWM " << hwm;
}

INSTANTIATE_TEST_SUITE_P(Rep, FaultHwmRep,
                         ::testing::Values(hwm_case{"dealer_unread",
                                                    link_pattern{"dealer_rep", ZMQ_REP, ZMQ_DEALER},
                                                    lag::unread_consumer}),
                         case_name);
