// A peer that connects to a ROUTER announcing a routing id another
// connected peer already uses is ignored (libzmq 4.3, no ZMQ_ROUTER_HANDOVER):
// it stays connected, nothing it sends is delivered, the first peer keeps
// the id. Once it disconnects nothing of it may stay behind, or one such
// peer after another exhausts the process's descriptors.
#include "net_testutil.hpp"
#include "proc_testutil.hpp"

using namespace testutil;

namespace {

// The NULL handshake one step at a time, announcing routing id `id`.
bool handshake_as(raw_peer &p, const std::string &id) {
    if (!p.send(zmtp_greeting()) || p.read_n(64).size() != 64)
        return false;
    if (!p.send(zmtp_command("READY", {{"Socket-Type", "DEALER"}, {"Identity", id}})))
        return false;
    const std::string hdr = p.read_n(2);
    if (hdr.size() != 2 || (hdr[0] & 4) == 0)
        return false;
    const size_t size = static_cast<uint8_t>(hdr[1]);
    return p.read_n(size).size() == size;
}

class RouterDuplicateId : public net_test {
  protected:
    void SetUp() override {
        net_test::SetUp();
        SKIP_WITHOUT_TCP();
        router_ = make(ZMQ_ROUTER);
        ep_ = bind_any(router_, transport::tcp4);
        dealer_ = make(ZMQ_DEALER);
        ASSERT_EQ(0, zmq_setsockopt(dealer_, ZMQ_ROUTING_ID, "X", 1));
        ASSERT_EQ(0, zmq_connect(dealer_, ep_.c_str()));
        ASSERT_EQ(5, send_str(dealer_, "hello"));
        ASSERT_EQ((std::vector<std::string>{"X", "hello"}), recv_multipart(router_));
    }

    // Polls the router (so it handles its peers' comings and goings) until
    // the process is back to `fds` descriptors; the count reached.
    int settle_fds(int fds) {
        int now = open_fds();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
        while (now > fds && std::chrono::steady_clock::now() < deadline) {
            zmq_pollitem_t item = {router_, 0, ZMQ_POLLIN, 0};
            zmq_poll(&item, 1, 10);
            now = open_fds();
        }
        return now;
    }

    void *router_ = nullptr;
    void *dealer_ = nullptr;
    std::string ep_;
};

} // namespace

TEST_F(RouterDuplicateId, TheDuplicateStaysConnectedButIsNotHeard) {
    raw_peer dup;
    ASSERT_TRUE(dup.connect(ep_));
    ASSERT_TRUE(handshake_as(dup, "X"));
    ASSERT_TRUE(dup.send(zmtp_frame("one from the duplicate") + zmtp_frame("two")));
    EXPECT_TRUE(dup.still_open(200));
    EXPECT_FALSE(wait_readable(router_, 200));
    // The id still reaches the first peer, both ways.
    ASSERT_EQ(0, send_parts(router_, {"X", "back"}));
    EXPECT_EQ("back", recv_str(dealer_));
    ASSERT_EQ(5, send_str(dealer_, "again"));
    EXPECT_EQ((std::vector<std::string>{"X", "again"}), recv_multipart(router_));
}

TEST_F(RouterDuplicateId, DisconnectedDuplicatesLeaveNoDescriptorBehind) {
    const int before = open_fds();
    for (int i = 0; i < 10; ++i) {
        raw_peer dup;
        ASSERT_TRUE(dup.connect(ep_));
        ASSERT_TRUE(handshake_as(dup, "X")) << i;
        // Two messages: a router that took the first for the peer's id
        // would deliver the second.
        ASSERT_TRUE(dup.send(zmtp_frame("dup-" + std::to_string(i)) + zmtp_frame("more")));
    } // each closes here
    EXPECT_EQ(before, settle_fds(before));
    EXPECT_FALSE(wait_readable(router_, 100)) << "a duplicate's message was delivered";
    ASSERT_EQ(0, send_parts(router_, {"X", "still here"}));
    EXPECT_EQ("still here", recv_str(dealer_));
}
