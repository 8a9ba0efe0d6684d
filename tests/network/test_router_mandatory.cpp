// ZMQ_ROUTER_MANDATORY over tcp (libzmq 4.3): a message to a routing id
// with no connection fails with EHOSTUNREACH instead of being dropped, and
// a message to a peer whose pipe is full fails with EAGAIN (ZMQ_DONTWAIT)
// instead of being dropped.
#include "net_testutil.hpp"

using namespace testutil;

namespace {

class RouterMandatory : public net_test {
  protected:
    void SetUp() override {
        net_test::SetUp();
        SKIP_WITHOUT_TCP();
    }

    // A ROUTER_MANDATORY router bound on tcp; `ep_` is where to connect.
    void *mandatory_router(int sndhwm = -1) {
        void *r = make(ZMQ_ROUTER);
        EXPECT_EQ(0, set_int(r, ZMQ_ROUTER_MANDATORY, 1));
        if (sndhwm >= 0)
            EXPECT_EQ(0, set_int(r, ZMQ_SNDHWM, sndhwm));
        ep_ = bind_any(r, transport::tcp4);
        return r;
    }

    // A DEALER with routing id `id`, connected, whose hello the router has
    // received: from then on the router knows the peer.
    void *connected_dealer(void *router, const std::string &id, int rcvhwm = -1) {
        void *d = make(ZMQ_DEALER);
        EXPECT_EQ(0, zmq_setsockopt(d, ZMQ_ROUTING_ID, id.data(), id.size()));
        if (rcvhwm >= 0) {
            EXPECT_EQ(0, set_int(d, ZMQ_RCVHWM, rcvhwm));
            EXPECT_EQ(0, set_int(d, ZMQ_RCVBUF, 64 * 1024)); // fill up sooner
        }
        EXPECT_EQ(0, zmq_connect(d, ep_.c_str()));
        EXPECT_EQ(5, send_str(d, "hello"));
        const auto m = recv_multipart(router);
        EXPECT_EQ((std::vector<std::string>{id, "hello"}), m);
        return d;
    }

    // Send [id, body] with DONTWAIT; -1 (errno set) if the id frame fails.
    static int send_to(void *router, const std::string &id, const std::string &body) {
        if (zmq_send(router, id.data(), id.size(), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
            return -1;
        return zmq_send(router, body.data(), body.size(), ZMQ_DONTWAIT);
    }

    std::string ep_;
};

} // namespace

TEST_F(RouterMandatory, UnknownRoutingIdIsHostUnreachable) {
    void *router = mandatory_router();
    EXPECT_ZMQ_ERR(zmq_send(router, "nobody", 6, ZMQ_SNDMORE | ZMQ_DONTWAIT), EHOSTUNREACH);
    // The failed id frame started no message: the next frame is an id again.
    EXPECT_ZMQ_ERR(zmq_send(router, "nobody", 6, ZMQ_SNDMORE), EHOSTUNREACH);
}

TEST_F(RouterMandatory, ConnectedDealerIsReachable) {
    void *router = mandatory_router();
    void *dealer = connected_dealer(router, "dealer-1");
    ASSERT_EQ(5, send_to(router, "dealer-1", "reply")) << zmq_strerror(zmq_errno());
    EXPECT_EQ("reply", recv_str(dealer));
    // Another, unknown id is still refused.
    EXPECT_ZMQ_ERR(zmq_send(router, "dealer-2", 8, ZMQ_SNDMORE), EHOSTUNREACH);
}

TEST_F(RouterMandatory, ClosedDealerBecomesUnreachable) {
    void *router = mandatory_router();
    void *dealer = connected_dealer(router, "gone");
    close(dealer);
    // The router learns of the disconnect asynchronously: keep sending
    // (each success is a message to a dying pipe) until it refuses.
    int err = 0;
    for (int i = 0; i < 500; ++i) {
        if (send_to(router, "gone", "x") < 0) {
            err = zmq_errno();
            break;
        }
        wait_readable(router, 10); // lets the router process its commands
    }
    EXPECT_EQ(EHOSTUNREACH, err) << zmq_strerror(err);
}

// A peer that does not read: once the kernel buffers and the pipe (SNDHWM 1)
// are full, a DONTWAIT send fails with EAGAIN rather than dropping.
TEST_F(RouterMandatory, FullPipeIsEagain) {
    void *router = mandatory_router(1);
    EXPECT_EQ(0, set_int(router, ZMQ_SNDBUF, 64 * 1024));
    void *dealer = connected_dealer(router, "slow", 1);
    (void)dealer;
    const std::string body(64 * 1024, 'z');
    int err = 0;
    int sent = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (send_to(router, "slow", body) < 0) {
            err = zmq_errno();
            break;
        }
        ++sent;
    }
    EXPECT_EQ(EAGAIN, err) << zmq_strerror(err) << " after " << sent << " messages";
    EXPECT_GT(sent, 0);
    // Still a known peer: an EAGAIN is "full", not "gone".
    EXPECT_ZMQ_ERR(send_to(router, "slow", body), EAGAIN);
    EXPECT_ZMQ_ERR(zmq_send(router, "other", 5, ZMQ_SNDMORE | ZMQ_DONTWAIT), EHOSTUNREACH);
}

// Without the option the same sends succeed and the message is dropped.
TEST_F(RouterMandatory, WithoutOptionUnknownIdIsDropped) {
    void *router = make(ZMQ_ROUTER);
    bind_any(router, transport::tcp4);
    EXPECT_EQ(4, send_to(router, "nobody", "lost"));
}
