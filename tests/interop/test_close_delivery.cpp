// Messages handed to the kernel before a close must reach a libzmq peer
// (issue 9 item 2). Over ipc, closing a unix socket raises EPOLLHUP at the
// peer even while it does not poll for input, and libzmq 4.3.4 (its input
// stopped because its pipe is at RCVHWM) then closes the connection without
// reading the rest: everything still in its kernel buffer is lost. zlink
// keeps a lingering ipc connection open until the peer has read it all.
//
// The peer (interop_peer --sink) is a libzmq PULL that reads "0".."N-1" a
// little slower than its io thread fills the pipe, as an application does.
#include "interop_util.hpp"

#include <random>

using namespace interop;

namespace {

#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
constexpr int runs_scale = 0; // one run shows libzmq's loss; each lost run waits 2 s
#else
constexpr int runs_scale = 1;
#endif

struct sink_result {
    int status = -1;   // interop_peer exit status (0: all N in order)
    int received = -1; // from its "RECEIVED k" line
};

// Our side: a PUSH in its own context (its zmq_ctx_term is the process exit
// of the report) sends "0".."n-1" with LINGER 2 s. Returns how many sends
// succeeded.
int push_numbered(const std::string &ep, int n, int connect_delay_ms) {
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    set_int(push, ZMQ_SNDTIMEO, 5000);
    set_int(push, ZMQ_LINGER, 2000);
    // The race of the report: connect up to 90 ms after the peer starts.
    std::this_thread::sleep_for(std::chrono::milliseconds(connect_delay_ms));
    int sent = 0;
    if (zmq_connect(push, ep.c_str()) == 0) {
        for (; sent < n; ++sent) {
            const std::string m = std::to_string(sent);
            if (zmq_send(push, m.data(), m.size(), 0) != int(m.size()))
                break;
        }
    }
    zmq_close(push);
    zmq_ctx_term(ctx);
    return sent;
}

// Runs one exchange: the peer binds `ep`, we connect; whichever starts
// second waits `offset_ms` (the peer when peer_late).
sink_result run_once(const std::string &ep, int n, int offset_ms, bool peer_late,
                     const std::vector<std::string> &sink_args, int *sent) {
    std::vector<std::string> args = {peer_path(), "--type", "PULL",           "--bind",
                                     ep,          "--sink", std::to_string(n)};
    args.insert(args.end(), sink_args.begin(), sink_args.end());
    std::thread pusher([&] { *sent = push_numbered(ep, n, peer_late ? 0 : offset_ms); });
    if (peer_late)
        std::this_thread::sleep_for(std::chrono::milliseconds(offset_ms));
    peer_process peer;
    sink_result r;
    const bool started = peer.start(args);
    if (started) {
        peer.endpoint();
        const std::string line = peer.read_line(15000);
        if (line.compare(0, 9, "RECEIVED ") == 0)
            r.received = std::atoi(line.c_str() + 9);
        r.status = peer.wait_exit(15000);
    }
    pusher.join();
    return r;
}

class CloseDelivery : public net_test {
  protected:
    void SetUp() override {
        net_test::SetUp();
        if (!*peer_path())
            GTEST_SKIP() << "interop peer not built (no system libzmq)";
        SKIP_WITHOUT_NET(transport::ipc_path);
    }
};

} // namespace

// Deterministic form: the peer's pipe holds 10 messages, so its input is
// stopped most of the time; we close as soon as the kernel has everything.
TEST_F(CloseDelivery, IpcPeerAtRcvhwmReadsEverythingAfterOurClose) {
    constexpr int n = 3000; // more than libzmq reads in one 8 KiB batch
    int lost_runs = 0;
    for (int run = 0; run < 1 + 2 * runs_scale; ++run) {
        int sent = 0;
        const auto r = run_once(bind_spec(transport::ipc_path), n, 0, false,
                                {"--rcvhwm", "10", "--pace-us", "20"}, &sent);
        ASSERT_EQ(n, sent);
        ASSERT_NE(1, r.status) << "out of order or wrong data";
        ASSERT_GE(r.received, 0) << "the peer printed no result";
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
        // libzmq -> libzmq loses here: strace of the PULL shows it stop
        // reading (epoll events=0) at RCVHWM, then EPOLL_CTL_DEL and close()
        // of the connection with bytes still unread once the PUSH closed.
        lost_runs += r.received < n;
#else
        EXPECT_EQ(n, r.received) << "run " << run;
        EXPECT_EQ(0, r.status);
#endif
    }
    if (lost_runs)
        std::printf("system libzmq lost messages in %d of %d runs\n", lost_runs,
                    1 + 2 * runs_scale);
}

// The report's race: binder and connecter started within 0-90 ms of each
// other, either first, PUSH sends 2001 with SNDTIMEO 5 s and LINGER 2 s.
TEST_F(CloseDelivery, IpcBinderAndConnecterStartedTogether) {
    constexpr int n = 2001;
    std::mt19937 rng(std::random_device{}());
    int lost_runs = 0;
    for (int run = 0; run < 2 + 8 * runs_scale; ++run) {
        const int offset = int(rng() % 91);
        const bool peer_late = rng() % 2 == 0;
        int sent = 0;
        const auto r = run_once(bind_spec(transport::ipc_path), n, offset, peer_late,
                                {"--pace-us", "1"}, &sent);
        ASSERT_EQ(n, sent);
        ASSERT_NE(1, r.status) << "out of order or wrong data";
        ASSERT_GE(r.received, 0) << "the peer printed no result";
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
        lost_runs += r.received < n; // libzmq's own loss, as above
#else
        EXPECT_EQ(n, r.received) << "run " << run << " offset " << offset
                                 << (peer_late ? " ms, peer late" : " ms, we connect late");
#endif
    }
    if (lost_runs)
        std::printf("system libzmq lost messages in %d of %d runs\n", lost_runs,
                    2 + 8 * runs_scale);
}
