// Cross-process interop with a peer process linked against the system
// libzmq (interop_peer.c): every socket-type pairing, both directions (we
// bind / the peer binds), tcp and ipc, NULL, PLAIN with a ZAP handler on
// the binding side, CURVE with and without one (the binding side is the
// CURVE server), multipart, 0-byte and 1 MiB messages, heartbeats; and the
// same matrix over ws:// against libzmq 4.3.4's own ZWS 2.0 transport.
#include "interop_util.hpp"

using namespace interop;

namespace {

struct pairing {
    const char *name;
    int ours;
    const char *theirs;
};

const pairing pairings[] = {
    {"pair", ZMQ_PAIR, "PAIR"},
    {"pub_sub", ZMQ_PUB, "SUB"},
    {"sub_pub", ZMQ_SUB, "PUB"},
    {"xpub_xsub", ZMQ_XPUB, "XSUB"},
    {"xsub_xpub", ZMQ_XSUB, "XPUB"},
    {"dealer_router", ZMQ_DEALER, "ROUTER"},
    {"router_dealer", ZMQ_ROUTER, "DEALER"},
    {"req_rep", ZMQ_REQ, "REP"},
    {"rep_req", ZMQ_REP, "REQ"},
    {"push_pull", ZMQ_PUSH, "PULL"},
    {"pull_push", ZMQ_PULL, "PUSH"},
};

enum class mech { null, plain, curve, curve_nozap };

// The test key pairs from zmq_curve(7), as in interop_peer.c.
const char curve_client_public[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const char curve_client_secret[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
const char curve_server_public[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const char curve_server_secret[] = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

const char *mech_name(mech m) {
    switch (m) {
    case mech::plain:
        return "plain";
    case mech::curve:
        return "curve";
    case mech::curve_nozap:
        return "curve_nozap";
    default:
        return "null";
    }
}

using param_t = std::tuple<pairing, bool /*we bind*/, transport, mech>;

constexpr int kCount = 50; // "seq-<i>" messages after the 4 special ones

class Interop : public net_test, public ::testing::WithParamInterface<param_t> {
  protected:
    void SetUp() override {
        net_test::SetUp();
        if (!*peer_path())
            GTEST_SKIP() << "interop peer not built (no system libzmq)";
        SKIP_WITHOUT_NET(std::get<2>(GetParam()));
    }

    // Create our socket, set up security, bind or connect, start the peer.
    void *setup() {
        const pairing &p = std::get<0>(GetParam());
        const bool we_bind = std::get<1>(GetParam());
        const transport t = std::get<2>(GetParam());
        const bool plain = std::get<3>(GetParam()) == mech::plain;
        const mech m = std::get<3>(GetParam());
        const bool curve = m == mech::curve || m == mech::curve_nozap;
        if (curve && !zmq_has("curve")) {
            ADD_FAILURE() << "built without CURVE";
            return nullptr;
        }
        void *s = make(p.ours);
        set_int(s, ZMQ_RCVTIMEO, wait_ms);
        set_int(s, ZMQ_SNDTIMEO, wait_ms);
        std::vector<std::string> args = {peer_path(), "--type", p.theirs, "--count",
                                         std::to_string(kCount)};
        if (we_bind) {
            if (plain) {
                start_zap({{"admin", "secret"}});
                set_int(s, ZMQ_PLAIN_SERVER, 1);
                expect_user_id_ = "admin-id";
                args.insert(args.end(), {"--plain-user", "admin", "--plain-pass", "secret"});
            }
            if (curve) {
                if (m == mech::curve) {
                    start_zap({{curve_client_public, "admin-id"}});
                    expect_user_id_ = "admin-id";
                }
                set_int(s, ZMQ_CURVE_SERVER, 1);
                zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, curve_server_secret, 40);
                args.push_back("--curve-client");
            }
            const std::string ep = bind_any(s, t);
            args.insert(args.end(), {"--connect", ep});
            EXPECT_TRUE(peer.start(args));
            EXPECT_EQ(ep, peer.endpoint());
        } else {
            if (plain) {
                zmq_setsockopt(s, ZMQ_PLAIN_USERNAME, "admin", 5);
                zmq_setsockopt(s, ZMQ_PLAIN_PASSWORD, "secret", 6);
                args.push_back("--plain-server");
            }
            if (curve) {
                zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, curve_server_public, 40);
                zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, curve_client_public, 40);
                zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, curve_client_secret, 40);
                args.push_back("--curve-server");
                if (m == mech::curve_nozap)
                    args.push_back("--no-zap");
            }
            args.insert(args.end(), {"--bind", bind_spec(t)});
            EXPECT_TRUE(peer.start(args));
            const std::string ep = peer.endpoint();
            EXPECT_FALSE(ep.empty()) << "peer did not bind";
            prepare(s, t);
            EXPECT_EQ(0, zmq_connect(s, ep.c_str())) << ep;
        }
        return s;
    }

    // Receive a whole message; checks the User-Id property when PLAIN/ZAP
    // authenticated the peer on our side.
    std::vector<std::string> recv_msg(void *s) {
        std::vector<std::string> parts;
        for (;;) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, s, 0) < 0) {
                zmq_msg_close(&m);
                parts.push_back("<timeout>");
                return parts;
            }
            if (parts.empty() && !expect_user_id_.empty()) {
                const char *u = zmq_msg_gets(&m, "User-Id");
                EXPECT_STREQ(expect_user_id_.c_str(), u ? u : "<none>");
            }
            parts.emplace_back(static_cast<char *>(zmq_msg_data(&m)), zmq_msg_size(&m));
            const bool more = zmq_msg_more(&m);
            zmq_msg_close(&m);
            if (!more)
                return parts;
        }
    }

    void expect_peer_ok() { EXPECT_EQ(0, peer.wait_exit()) << "peer reported failure"; }

    peer_process peer;
    std::string expect_user_id_;
};

// Short readable description of a failure for a (possibly 1 MiB) message.
std::string brief(const std::vector<std::string> &m) {
    std::string s = std::to_string(m.size()) + " parts:";
    for (const auto &p : m)
        s += " [" + std::to_string(p.size()) + "]" + p.substr(0, 16);
    return s;
}

} // namespace

TEST_P(Interop, Exchange) {
    const pairing &p = std::get<0>(GetParam());
    const bool we_bind = std::get<1>(GetParam());
    // libzmq 4.3.4 as a PLAIN or CURVE server with a ZAP handler on a REQ
    // socket drops the connection from a client in another process right
    // after HANDSHAKE_SUCCEEDED, and reconnects forever (found by this suite;
    // libzmq against libzmq fails the same way, CURVE without ZAP does not).
    const bool zap_auth =
        std::get<3>(GetParam()) == mech::plain || std::get<3>(GetParam()) == mech::curve;
    if (zap_auth && !we_bind && p.ours == ZMQ_REP)
        GTEST_SKIP() << "libzmq REQ as ZAP-authenticating server drops the connection (peer side)";
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    if (zap_auth && we_bind && p.ours == ZMQ_REQ)
        GTEST_SKIP() << "libzmq REQ as ZAP-authenticating server drops the connection";
    // libzmq 4.3.4 to libzmq 4.3.4 over ws:// with CURVE: a SUB receives
    // nothing from its PUB (pyzmq shows the same; NULL works). zlink on
    // either side passes these cases.
    const bool curve =
        std::get<3>(GetParam()) == mech::curve || std::get<3>(GetParam()) == mech::curve_nozap;
    const bool pubsub_family =
        p.ours == ZMQ_PUB || p.ours == ZMQ_SUB || p.ours == ZMQ_XPUB || p.ours == ZMQ_XSUB;
    if (curve && pubsub_family && std::get<2>(GetParam()) == transport::ws)
        GTEST_SKIP() << "libzmq 4.3.4 PUB/SUB over ws:// with CURVE delivers nothing to itself";
#endif
    void *s = setup();
    ASSERT_NE(nullptr, s);
    const int total = kCount + 4;
    switch (p.ours) {
    case ZMQ_PAIR:
    case ZMQ_DEALER:
    case ZMQ_REQ: // the peer echoes
        for (int i = 0; i < total; ++i) {
            const auto m = standard_message(i);
            const int rc = send_parts(s, m);
            const int err = zmq_errno();
            ASSERT_EQ(0, rc) << i << ": " << zmq_strerror(err);
            const auto r = recv_msg(s);
            ASSERT_TRUE(r == m) << i << ": " << brief(r);
        }
        ASSERT_EQ(0, send_parts(s, {"END"}));
        EXPECT_EQ(std::vector<std::string>{"END"}, recv_msg(s));
        break;
    case ZMQ_ROUTER: { // the peer DEALER says HELLO first, then echoes
        const auto hello = recv_msg(s);
        ASSERT_EQ((std::vector<std::string>{"peer-dealer", "HELLO"}), hello);
        for (int i = 0; i < total; ++i) {
            auto m = standard_message(i);
            m.insert(m.begin(), "peer-dealer");
            ASSERT_EQ(0, send_parts(s, m));
            const auto r = recv_msg(s);
            ASSERT_TRUE(r == m) << i << ": " << brief(r);
        }
        ASSERT_EQ(0, send_parts(s, {"peer-dealer", "END"}));
        EXPECT_EQ((std::vector<std::string>{"peer-dealer", "END"}), recv_msg(s));
        break;
    }
    case ZMQ_REP: // the peer REQ sends the set and checks our echoes
        for (;;) {
            const auto m = recv_msg(s);
            ASSERT_NE("<timeout>", m.back());
            ASSERT_EQ(0, send_parts(s, m));
            if (m == std::vector<std::string>{"END"})
                break;
        }
        break;
    case ZMQ_PUSH:
        for (int i = 0; i < total; ++i)
            ASSERT_EQ(0, send_parts(s, standard_message(i)));
        ASSERT_EQ(0, send_parts(s, {"END"}));
        break;
    case ZMQ_PULL:
        for (int i = 0; i < total; ++i) {
            const auto r = recv_msg(s);
            ASSERT_TRUE(r == standard_message(i)) << i << ": " << brief(r);
        }
        EXPECT_EQ(std::vector<std::string>{"END"}, recv_msg(s));
        break;
    case ZMQ_PUB: { // until the peer SUB has seen enough "A" messages
        int i = 0;
        while (!peer.exited() && i < 1000000) {
            send_parts(s, {"B-noise"});
            send_parts(s, {"A-" + std::to_string(i++)});
            zmq_poll(nullptr, 0, 1); // pacing only; completion is the peer's exit
        }
        break;
    }
    case ZMQ_SUB:
    case ZMQ_XSUB: {
        if (p.ours == ZMQ_SUB)
            ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_SUBSCRIBE, "A", 1));
        else
            ASSERT_EQ(0, send_parts(s, {std::string("\1A")}));
        for (int i = 0; i < kCount; ++i) {
            const auto r = recv_msg(s);
            ASSERT_EQ(1u, r.size()) << brief(r);
            ASSERT_EQ('A', r[0][0]) << "filtered topic delivered: " << r[0];
        }
        if (p.ours == ZMQ_XSUB)
            ASSERT_EQ(0, send_parts(s, {std::string("\0A", 2)})); // XPUB peer exits on it
        else
            peer.close_stdin(); // PUB peer exits on stdin EOF
        break;
    }
    case ZMQ_XPUB: {
        const auto sub = recv_msg(s);
        ASSERT_EQ(std::vector<std::string>{std::string("\1A")}, sub);
        int i = 0;
        bool unsubscribed = false;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
        while (!unsubscribed && std::chrono::steady_clock::now() < deadline) {
            send_parts(s, {"B-noise"});
            send_parts(s, {"A-" + std::to_string(i++)});
            if (wait_readable(s, 1)) {
                EXPECT_EQ(std::vector<std::string>{std::string("\0A", 2)}, recv_msg(s));
                unsubscribed = true;
            }
        }
        EXPECT_TRUE(unsubscribed);
        break;
    }
    }
    expect_peer_ok();
}

std::string interop_case_name(const ::testing::TestParamInfo<param_t> &i) {
    std::string n = std::get<0>(i.param).name;
    n += std::get<1>(i.param) ? "_we_bind" : "_peer_binds";
    n += std::string("_") + transport_name(std::get<2>(i.param));
    n += std::string("_") + mech_name(std::get<3>(i.param));
    return n;
}

INSTANTIATE_TEST_SUITE_P(All, Interop,
                         ::testing::Combine(::testing::ValuesIn(pairings), ::testing::Bool(),
                                            ::testing::Values(transport::tcp4, transport::ipc_path),
                                            ::testing::Values(mech::null, mech::plain, mech::curve,
                                                              mech::curve_nozap)),
                         interop_case_name);

// ws:// against libzmq's own ZWS 2.0 transport: Debian's libzmq 4.3.4 reports
// zmq_has("ws") = 0 but binds and connects ws:// endpoints, so it is an
// independent WebSocket peer beside jszmq and the browser.
INSTANTIATE_TEST_SUITE_P(WebSocket, Interop,
                         ::testing::Combine(::testing::ValuesIn(pairings), ::testing::Bool(),
                                            ::testing::Values(transport::ws),
                                            ::testing::Values(mech::null, mech::plain, mech::curve,
                                                              mech::curve_nozap)),
                         interop_case_name);

// ---------------------------------------------------------------- heartbeats

class InteropHeartbeat : public net_test,
                         public ::testing::WithParamInterface<std::tuple<bool, transport>> {
  protected:
    void SetUp() override {
        net_test::SetUp();
        if (!*peer_path())
            GTEST_SKIP() << "interop peer not built (no system libzmq)";
        SKIP_WITHOUT_NET(std::get<1>(GetParam()));
    }
    std::vector<std::string> recv_msg(void *s) { return recv_multipart(s); }
    void expect_peer_ok() { EXPECT_EQ(0, peer.wait_exit()) << "peer reported failure"; }
    peer_process peer;
};

TEST_P(InteropHeartbeat, IdleConnectionSurvives) {
    const bool we_bind = std::get<0>(GetParam());
    const transport t = std::get<1>(GetParam());
    void *s = make(ZMQ_PAIR);
    set_int(s, ZMQ_HEARTBEAT_IVL, 20);
    set_int(s, ZMQ_HEARTBEAT_TIMEOUT, 300);
    set_int(s, ZMQ_HEARTBEAT_TTL, 300);
    set_int(s, ZMQ_RCVTIMEO, wait_ms);
    void *mon = monitor(s, ZMQ_EVENT_DISCONNECTED);
    std::vector<std::string> args = {peer_path(), "--type", "PAIR", "--heartbeat"};
    if (we_bind) {
        const std::string ep = bind_any(s, t);
        args.insert(args.end(), {"--connect", ep});
        ASSERT_TRUE(peer.start(args));
        ASSERT_EQ(ep, peer.endpoint());
    } else {
        args.insert(args.end(), {"--bind", bind_spec(t)});
        ASSERT_TRUE(peer.start(args));
        const std::string ep = peer.endpoint();
        prepare(s, t);
        ASSERT_EQ(0, zmq_connect(s, ep.c_str()));
    }
    ASSERT_EQ(0, send_parts(s, {"one"}));
    ASSERT_EQ(std::vector<std::string>{"one"}, recv_msg(s));
    // Idle well past the heartbeat timeout on both sides: PINGs from each
    // side must be answered by the other, or the connection would drop.
    EXPECT_FALSE(wait_event(mon, ZMQ_EVENT_DISCONNECTED, nullptr, 1000))
        << "connection dropped while idle with heartbeats";
    ASSERT_EQ(0, send_parts(s, {"END"}));
    EXPECT_EQ(std::vector<std::string>{"END"}, recv_msg(s));
    expect_peer_ok();
}

INSTANTIATE_TEST_SUITE_P(
    Both, InteropHeartbeat,
    ::testing::Combine(::testing::Bool(), ::testing::Values(transport::tcp4, transport::ipc_path)),
    [](const ::testing::TestParamInfo<std::tuple<bool, transport>> &i) {
        return std::string(std::get<0>(i.param) ? "we_bind_" : "peer_binds_") +
               transport_name(std::get<1>(i.param));
    });

// ---------------------------------------------------------------- denied

class InteropAuth : public net_test {
  protected:
    void SetUp() override {
        net_test::SetUp();
        if (!*peer_path())
            GTEST_SKIP() << "interop peer not built (no system libzmq)";
        SKIP_WITHOUT_TCP();
    }
    peer_process peer;
};

TEST_F(InteropAuth, OurZapDeniesLibzmqClient) {
    start_zap({{"admin", "secret"}});
    void *pull = make(ZMQ_PULL);
    set_int(pull, ZMQ_PLAIN_SERVER, 1);
    void *mon = monitor(pull);
    const std::string ep = bind_any(pull, transport::tcp4);
    ASSERT_TRUE(peer.start({peer_path(), "--type", "PUSH", "--connect", ep, "--plain-user", "admin",
                            "--plain-pass", "wrong", "--count", "1"}));
    ASSERT_EQ(ep, peer.endpoint());
    event ev;
    ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, &ev));
    EXPECT_EQ(400u, ev.value);
    EXPECT_FALSE(wait_readable(pull, 100)) << "denied libzmq peer's message delivered";
}

TEST_F(InteropAuth, LibzmqZapDeniesOurClient) {
    ASSERT_TRUE(peer.start({peer_path(), "--type", "PULL", "--bind", "tcp://127.0.0.1:*",
                            "--plain-server", "--count", "1"}));
    const std::string ep = peer.endpoint();
    ASSERT_FALSE(ep.empty());
    void *push = make(ZMQ_PUSH);
    zmq_setsockopt(push, ZMQ_PLAIN_USERNAME, "admin", 5);
    zmq_setsockopt(push, ZMQ_PLAIN_PASSWORD, "wrong", 5);
    void *mon = monitor(push);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    event ev;
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    ASSERT_TRUE(wait_event(mon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, &ev));
    EXPECT_EQ(400u, ev.value) << "status code from the libzmq side's ERROR command";
#else
    // libzmq 4.3.4's PLAIN server sends a malformed ERROR command after a ZAP
    // denial (its name byte is wrong), which zlink's strict parser reports as
    // a protocol failure. Either way the handshake must fail.
    bool failed = false;
    for (int i = 0; i < 100 && !failed; ++i) {
        if (read_event(mon, ev, 50))
            failed = ev.id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ||
                     ev.id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;
    }
    ASSERT_TRUE(failed) << "no handshake failure event";
#endif
    EXPECT_FALSE(peer.exited()) << "peer received something it should not have";
}
