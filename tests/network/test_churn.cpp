// Churn: 1,000 connect/exchange/disconnect cycles leave the process with
// exactly the descriptors it had and, within a stated slack, the memory.
#include "net_testutil.hpp"
#include "proc_testutil.hpp"

#include <malloc.h>

#include <functional>

// ASAN replaces malloc, and mallinfo2 with it; its runtime reports the
// heap itself (declared here: GCC does not install the sanitizer headers).
#if defined(__SANITIZE_ADDRESS__)
#define CHURN_SANITIZER_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHURN_SANITIZER_HEAP 1
#endif
#endif
#ifdef CHURN_SANITIZER_HEAP
extern "C" size_t __sanitizer_get_current_allocated_bytes(void);
#endif

using namespace testutil;

namespace {

constexpr int warmup_cycles = 100;
constexpr int cycles = 1000;

// Bytes malloc has handed out and not had back: far more precise than RSS
// (no page granularity, no allocator caches), so it can catch a leak of a
// few hundred bytes a cycle.
size_t heap_in_use() {
#ifdef CHURN_SANITIZER_HEAP
    return __sanitizer_get_current_allocated_bytes();
#else
    const struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#endif
}

struct usage {
    int fds;
    long rss_kib;
    size_t heap;
};

usage now() { return {open_fds(), rss_kib(), heap_in_use()}; }

class Churn : public net_test {
  protected:
    // The ROUTER answers one request and says who asked.
    void serve_one() {
        std::vector<std::string> req = recv_multipart(router);
        ASSERT_EQ(2u, req.size());
        ASSERT_EQ("ping", req[1]);
        ASSERT_EQ(0, send_parts(router, {req[0], "pong"}));
    }

    // libzmq's sockets act on their io threads' commands (a session that
    // ended, a pipe to drop) only when the application uses them; zlink's
    // too. ZMQ_EVENTS is such a use.
    void touch(void *s) {
        int events = 0;
        size_t len = sizeof events;
        zmq_getsockopt(s, ZMQ_EVENTS, &events, &len);
    }

    // Waits for the descriptors to come back to `base` exactly, and the
    // memory to within the slack (libzmq closes descriptors and frees the
    // objects around them on its reaper and io threads, a moment apart).
    //
    // Slack: the heap may keep a few cached objects (thread caches, a grown
    // table), never one per cycle: 64 bytes a cycle is below any
    // connection's state (a pipe, a session, an engine's buffers); a 100
    // byte leak per session fails it. Measured once settled: glibc 0 to 17
    // bytes a cycle (zlink and libzmq), ASAN 0. RSS moves in pages and with
    // allocator trimming: 8 MiB (measured: up to 3.7 MiB with libzmq), which
    // still catches a leaked connection state per cycle. ASAN keeps freed
    // memory resident in its quarantine (+115 MiB here): only the heap
    // counts there.
    //
    // Descriptors: none more than at the baseline. One fewer was seen once in
    // the ASAN lane of CI (13 before warm-up, 12 after; not reproduced in
    // 48 runs, 20 beside a busy loop): a descriptor that was open at the baseline
    // went away, which is not the leak this test is for. The lists are
    // printed when that happens, to find whose it was.
    bool fds_settled(int base_fds, const std::string &base_list, void *client, const char *what) {
        const bool settled = eventually(
            [&] {
                touch(router);
                if (client)
                    touch(client);
                return open_fds() <= base_fds;
            },
            10000);
        if (settled && open_fds() < base_fds)
            std::printf("%s: %d descriptors, %d at the baseline\nbaseline: %s\nnow: %s\n", what,
                        open_fds(), base_fds, base_list.c_str(), open_fd_list().c_str());
        return settled;
    }

    void expect_back_to(const usage &base, const std::string &base_list, const char *what,
                        void *client = nullptr) {
        constexpr long heap_slack = 64L * cycles, rss_slack_kib = 8192;
        EXPECT_TRUE(fds_settled(base.fds, base_list, client, what))
            << what << ": " << open_fds() << " descriptors open, " << base.fds << " before";
        usage after{};
        long rss_growth = 0, heap_growth = 0;
        eventually(
            [&] {
                after = now();
                rss_growth = after.rss_kib - base.rss_kib;
                heap_growth = long(after.heap) - long(base.heap);
                return heap_growth < heap_slack && (sanitized || rss_growth < rss_slack_kib);
            },
            5000);
        std::printf("%s: %d cycles, RSS %+ld KiB, heap %+ld bytes (%.1f per cycle)\n", what, cycles,
                    rss_growth, heap_growth, double(heap_growth) / cycles);
        EXPECT_LT(heap_growth, heap_slack) << what;
        if (!sanitized)
            EXPECT_LT(rss_growth, rss_slack_kib) << what;
    }

    // Warm-up cycles (io threads, the ROUTER's tables, allocator arenas),
    // then the baseline, `cycles` cycles, and the comparison. `client`: a
    // socket that lives through all cycles (its commands need a use too).
    void run_cycles(const std::function<void()> &cycle, const char *what, void *client = nullptr) {
        const int fds_before = open_fds();
        const std::string fds_before_list = open_fd_list();
        for (int i = 0; i < warmup_cycles; ++i)
            ASSERT_NO_FATAL_FAILURE(cycle());
        ASSERT_TRUE(fds_settled(fds_before, fds_before_list, client, "after warm-up"))
            << "after warm-up: " << open_fds() << " descriptors, " << fds_before << " before";
        const auto started = std::chrono::steady_clock::now();
        const usage base = now();
        const std::string base_list = open_fd_list();
        for (int i = 0; i < cycles; ++i)
            ASSERT_NO_FATAL_FAILURE(cycle()) << what << ", cycle " << i;
        std::printf(
            "%s: %.1f s for %d cycles\n", what,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
            cycles);
        expect_back_to(base, base_list, what, client);
    }

    // A new DEALER (PLAIN credentials if `user`) that connects, asks, gets
    // the answer and closes.
    void dealer_cycle(const char *user = nullptr) {
        void *d = zmq_socket(ctx, ZMQ_DEALER);
        ASSERT_NE(nullptr, d) << zmq_strerror(zmq_errno());
        if (user) {
            ASSERT_EQ(0, zmq_setsockopt(d, ZMQ_PLAIN_USERNAME, user, strlen(user)));
            ASSERT_EQ(0, zmq_setsockopt(d, ZMQ_PLAIN_PASSWORD, "password", 8));
        }
        ASSERT_EQ(0, zmq_connect(d, ep.c_str()));
        ASSERT_EQ(4, zmq_send(d, "ping", 4, 0));
        serve_one();
        ASSERT_EQ("pong", recv_str(d));
        int zero = 0;
        zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof zero);
        ASSERT_EQ(0, zmq_close(d));
    }

    // The server: a ROUTER on tcp, a PLAIN server if asked.
    void start_router(bool plain = false) {
        router = make(ZMQ_ROUTER);
        if (plain)
            ASSERT_EQ(0, set_int(router, ZMQ_PLAIN_SERVER, 1));
        ASSERT_EQ(0, zmq_bind(router, "tcp://127.0.0.1:*"));
        ep = last_endpoint(router);
    }

    void *router = nullptr;
    std::string ep;
};

} // namespace

// A new DEALER for every cycle: socket, connect, request and reply, close.
TEST_F(Churn, NewSocketPerCycleReturnsDescriptorsAndMemory) {
    SKIP_WITHOUT_TCP();
    ASSERT_NO_FATAL_FAILURE(start_router());
    run_cycles([&] { dealer_cycle(); }, "socket per cycle");
}

// One DEALER that connects, exchanges and disconnects 1,000 times: the
// sessions on both sides and the ROUTER's per-peer state go each time.
TEST_F(Churn, ConnectDisconnectCyclesReturnDescriptorsAndMemory) {
    SKIP_WITHOUT_TCP();
    ASSERT_NO_FATAL_FAILURE(start_router());
    void *d = make(ZMQ_DEALER);
    run_cycles(
        [&] {
            ASSERT_EQ(0, zmq_connect(d, ep.c_str()));
            ASSERT_EQ(4, zmq_send(d, "ping", 4, 0));
            serve_one();
            ASSERT_EQ("pong", recv_str(d));
            ASSERT_EQ(0, zmq_disconnect(d, ep.c_str()));
        },
        "connect/disconnect", d);
}

// The same with PLAIN and a ZAP handler: every connection also opens an
// inproc pipe to the handler, which must go with the connection.
TEST_F(Churn, PlainWithZapCyclesReturnDescriptorsAndMemory) {
    SKIP_WITHOUT_TCP();
    start_zap({{"user", "password"}});
    ASSERT_NO_FATAL_FAILURE(start_router(true));
    run_cycles([&] { dealer_cycle("user"); }, "PLAIN with ZAP");
}

// Peers that send their PLAIN HELLO and leave while the ZAP handler (which
// never answers) holds the request: each connection's session, engine and
// ZAP pipe go, on the server's side and at the handler's socket.
TEST_F(Churn, PeersLeavingDuringZapReturnDescriptorsAndMemory) {
    SKIP_WITHOUT_TCP();
    void *handler = make(ZMQ_ROUTER);
    ASSERT_EQ(0, zmq_bind(handler, "inproc://zeromq.zap.01"));
    ASSERT_NO_FATAL_FAILURE(start_router(true));
    std::string hello = std::string("\x05HELLO", 6);
    hello += std::string("\x04user", 5) + std::string("\x08password", 9);
    const std::string bytes = zmtp_greeting("PLAIN") + zmtp_frame(hello, false, true);
    run_cycles(
        [&] {
            raw_peer peer;
            ASSERT_TRUE(peer.connect(ep));
            ASSERT_TRUE(peer.send(bytes));
            // The request reached the handler, which drops it unanswered.
            const std::vector<std::string> req = recv_multipart(handler);
            ASSERT_GE(req.size(), 8u);
            ASSERT_EQ("PLAIN", req[7]);
        },
        "leaving during ZAP", handler);
}
