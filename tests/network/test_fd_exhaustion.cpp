// Running out of file descriptors never aborts the process: zmq_socket and
// zmq_bind fail with EMFILE, a failed connect or accept is retried later
// (an accept failure is reported as ZMQ_EVENT_ACCEPT_FAILED), and once
// descriptors are free again everything works. Each scenario runs in a
// forked child with a low RLIMIT_NOFILE, so the limit stays there; the
// child reports the first check that failed through its exit status.
#include "net_testutil.hpp"
#include "proc_testutil.hpp"

#include <sys/resource.h>

#include <functional>
#include <set>

using namespace testutil;

namespace {

constexpr int child_timeout_ms = 30000;

// Forks a child limited to `max_fds` descriptors that runs `body` and exits
// with its result (100 if the limit cannot be set). Fork before this
// process makes any thread or context.
pid_t start_limited(int max_fds, const std::function<int()> &body) {
    return start_child([&] {
        rlimit lim{};
        ::getrlimit(RLIMIT_NOFILE, &lim);
        lim.rlim_cur = static_cast<rlim_t>(max_fds);
        if (::setrlimit(RLIMIT_NOFILE, &lim) != 0)
            return 100;
        return body();
    });
}

std::string run_limited(int max_fds, const std::function<int()> &body) {
    return wait_child(start_limited(max_fds, body), child_timeout_ms);
}

// Receives one [id, body] message from a ROUTER (bounded); false if none.
bool router_recv(void *router, std::string &id, std::string &body, int timeout_ms = wait_ms) {
    char buf[256];
    if (!wait_readable(router, timeout_ms))
        return false;
    int n = zmq_recv(router, buf, sizeof buf, 0);
    if (n < 0)
        return false;
    id.assign(buf, static_cast<size_t>(n));
    n = zmq_recv(router, buf, sizeof buf, 0);
    if (n < 0)
        return false;
    body.assign(buf, static_cast<size_t>(n));
    return true;
}

// How long a line from the other process may take (read_line's bound).
constexpr int line_timeout_ms = 10000;

} // namespace

// 25,000 PAIR sockets against a limit of 20,000 made libzmq return NULL with
// EMFILE; zlink used to abort. Same here with a limit of 64.
TEST(FdExhaustion, SocketCreationFailsWithEmfileAndRecovers) {
    const std::string result = run_limited(64, [] {
        void *ctx = zmq_ctx_new();
        CHILD_CHECK(ctx, 1);
        std::vector<void *> sockets;
        void *s = nullptr;
        for (int i = 0; i < 200 && (s = zmq_socket(ctx, ZMQ_PAIR)); ++i)
            sockets.push_back(s);
        CHILD_CHECK(!s && errno == EMFILE, 2);
        CHILD_CHECK(sockets.size() >= 10, 3);
        // With no descriptor left a bind and a monitor fail the same way.
#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ
        // libzmq 4.3.4 aborts here instead (getifaddrs fails with EMFILE in
        // an errno_assert, src/ip_resolver.cpp:542).
        CHILD_CHECK(zmq_bind(sockets[0], "tcp://127.0.0.1:*") == -1 && errno == EMFILE, 4);
#endif
        CHILD_CHECK(zmq_socket_monitor(sockets[0], "inproc://mon", ZMQ_EVENT_ALL) == -1 &&
                        errno == EMFILE,
                    5);
        for (int i = 0; i < 10; ++i) {
            CHILD_CHECK(zmq_close(sockets.back()) == 0, 6);
            sockets.pop_back();
        }
        // Room again (libzmq releases the descriptors on its reaper thread,
        // and aborts on a bind that finds none): a new socket, a tcp
        // connection and a message.
        CHILD_CHECK(eventually([] { return open_fds() >= 0 && open_fds() <= 64 - 9; }), 7);
        void *a = socket_when_possible(ctx, ZMQ_PAIR);
        CHILD_CHECK(a, 7);
        sockets.push_back(a);
        void *b = sockets[0];
        CHILD_CHECK(zmq_bind(a, "tcp://127.0.0.1:*") == 0, 8);
        CHILD_CHECK(zmq_connect(b, last_endpoint(a).c_str()) == 0, 9);
        CHILD_CHECK(zmq_send(b, "hi", 2, 0) == 2, 10);
        char buf[8];
        CHILD_CHECK(wait_readable(a, wait_ms) && zmq_recv(a, buf, sizeof buf, 0) == 2, 11);
        for (void *x : sockets) {
            set_int(x, ZMQ_LINGER, 0);
            zmq_close(x);
        }
        CHILD_CHECK(zmq_ctx_term(ctx) == 0, 12);
        return 0;
    });
    EXPECT_EQ("exit 0", result);
}

// Many DEALERs connecting to one ROUTER in one process, beyond what the
// limit allows: zmq_connect still succeeds, the connections that got their
// descriptors keep working while the process is out of them, and once the
// surplus sockets are closed new peers connect again.
TEST(FdExhaustion, ManyDealersBeyondTheLimitNeitherAbortNorStall) {
    const std::string result = run_limited(200, [] {
        void *ctx = zmq_ctx_new();
        void *router = zmq_socket(ctx, ZMQ_ROUTER);
        CHILD_CHECK(router, 1);
        set_int(router, ZMQ_LINGER, 0);
        CHILD_CHECK(zmq_bind(router, "tcp://127.0.0.1:*") == 0, 2);
        const std::string ep = last_endpoint(router);
        int next_id = 0;
        // Dealers that connect and say hello; false if a step fails. All
        // are made before the first connects, which takes descriptors.
        const auto connect_dealers = [&](int n, std::vector<void *> &out) {
            for (int i = 0; i < n; ++i) {
                void *d = socket_when_possible(ctx, ZMQ_DEALER);
                if (!d)
                    return false;
                set_int(d, ZMQ_LINGER, 0);
                const std::string id = "d" + std::to_string(next_id++);
                zmq_setsockopt(d, ZMQ_ROUTING_ID, id.data(), id.size());
                out.push_back(d);
            }
            for (void *d : out) {
                if (zmq_connect(d, ep.c_str()) != 0 || zmq_send(d, "hello", 5, 0) != 5)
                    return false;
            }
            return true;
        };
        // Receives until `n` distinct peers said `what`.
        const auto heard_from = [&](size_t n, const char *what) {
            std::set<std::string> ids;
            std::string id, body;
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
            while (ids.size() < n && std::chrono::steady_clock::now() < deadline) {
                if (router_recv(router, id, body, 100) && body == what)
                    ids.insert(id);
            }
            return ids.size() == n;
        };
        std::vector<void *> early, flood, late;
        CHILD_CHECK(connect_dealers(20, early), 3);
        CHILD_CHECK(heard_from(early.size(), "hello"), 4);
        // 100 more sockets and 200 descriptors for their connections: more
        // than the 200 allowed. zmq_connect succeeds all the same.
        CHILD_CHECK(connect_dealers(100, flood), 5);
        CHILD_CHECK(eventually([] { return open_fds() < 0; }, 10000), 6); // out of them
        for (void *d : early) {
            CHILD_CHECK(zmq_send(d, "ping", 4, 0) == 4, 7);
        }
        CHILD_CHECK(heard_from(early.size(), "ping"), 8);
        for (void *d : flood)
            zmq_close(d);
        CHILD_CHECK(connect_dealers(5, late), 9);
        CHILD_CHECK(heard_from(late.size(), "hello"), 10);
        for (void *d : early)
            zmq_close(d);
        for (void *d : late)
            zmq_close(d);
        zmq_close(router);
        CHILD_CHECK(zmq_ctx_term(ctx) == 0, 11);
        return 0;
    });
    EXPECT_EQ("exit 0", result);
}

// Inbound tcp connections that never send a byte, more than the process
// has descriptors for (about 80 against 64 aborted zlink from the accept
// path): the process survives, reports ZMQ_EVENT_ACCEPT_FAILED, and once
// they are gone a real peer connects and exchanges a message.
TEST(FdExhaustion, SilentInboundConnectionsExhaustTheAcceptor) {
    int to_parent[2], to_child[2];
    ASSERT_EQ(0, ::socketpair(AF_UNIX, SOCK_STREAM, 0, to_parent));
    ASSERT_EQ(0, ::socketpair(AF_UNIX, SOCK_STREAM, 0, to_child));
    const pid_t child = start_limited(64, [&] {
        ::close(to_parent[0]);
        ::close(to_child[1]);
        void *ctx = zmq_ctx_new();
        void *router = zmq_socket(ctx, ZMQ_ROUTER);
        void *mon = zmq_socket(ctx, ZMQ_PAIR);
        void *dealer = zmq_socket(ctx, ZMQ_DEALER); // made now: its descriptor is ours
        CHILD_CHECK(router && mon && dealer, 1);
        set_int(router, ZMQ_LINGER, 0);
        set_int(dealer, ZMQ_LINGER, 0);
        set_int(mon, ZMQ_LINGER, 0);
        CHILD_CHECK(set_int(router, ZMQ_BACKLOG, 200) == 0, 2);
        CHILD_CHECK(zmq_socket_monitor(router, "inproc://fd-mon", ZMQ_EVENT_ACCEPT_FAILED) == 0, 3);
        // libzmq retries a failed accept at once, one event each time, and
        // its io thread blocks once the monitor's queue is full: keep the
        // queue unbounded so nothing stalls while nobody reads it.
        CHILD_CHECK(set_int(mon, ZMQ_RCVHWM, 0) == 0, 4);
        CHILD_CHECK(zmq_connect(mon, "inproc://fd-mon") == 0, 4);
        CHILD_CHECK(zmq_bind(router, "tcp://127.0.0.1:*") == 0, 5);
        write_line(to_parent[1], last_endpoint(router));
        event ev;
        CHILD_CHECK(wait_event(mon, ZMQ_EVENT_ACCEPT_FAILED, &ev, 10000), 6);
        CHILD_CHECK(ev.value == EMFILE || ev.value == ENFILE, 7);
        write_line(to_parent[1], "ACCEPT_FAILED");
        CHILD_CHECK(read_line(to_child[0], line_timeout_ms) == "closed", 8);
        CHILD_CHECK(zmq_connect(dealer, last_endpoint(router).c_str()) == 0, 9);
        CHILD_CHECK(zmq_send(dealer, "hello", 5, 0) == 5, 10);
        std::string id, body;
        CHILD_CHECK(router_recv(router, id, body, 10000) && body == "hello", 11);
        CHILD_CHECK(zmq_send(router, id.data(), id.size(), ZMQ_SNDMORE) >= 0, 12);
        CHILD_CHECK(zmq_send(router, "back", 4, 0) == 4, 13);
        char buf[8];
        CHILD_CHECK(wait_readable(dealer, 10000) && zmq_recv(dealer, buf, sizeof buf, 0) == 4, 14);
        write_line(to_parent[1], "EXCHANGED");
        zmq_close(dealer);
        zmq_close(mon);
        zmq_close(router);
        CHILD_CHECK(zmq_ctx_term(ctx) == 0, 15);
        return 0;
    });
    ::close(to_parent[1]); // reads see EOF if the child dies
    ::close(to_child[0]);
    // The flood comes from this (unlimited) process.
    [&] {
        const std::string ep = read_line(to_parent[0], line_timeout_ms);
        ASSERT_EQ(0u, ep.find("tcp://")) << ep;
        std::vector<std::unique_ptr<raw_peer>> flood;
        for (int i = 0; i < 80; ++i) {
            flood.emplace_back(new raw_peer);
            ASSERT_TRUE(flood.back()->connect(ep)) << i;
        }
        EXPECT_EQ("ACCEPT_FAILED", read_line(to_parent[0], line_timeout_ms));
        flood.clear(); // all closed
        write_line(to_child[1], "closed");
        EXPECT_EQ("EXCHANGED", read_line(to_parent[0], line_timeout_ms));
    }();
    ::close(to_child[1]);
    EXPECT_EQ("exit 0", wait_child(child, child_timeout_ms));
    ::close(to_parent[0]);
}

// Both ends of a tcp connection in one process: libzmq 4.3.4 needs two
// descriptors (one socket each end); zlink used four (plus an eventfd per
// session on both sides).
TEST(FdExhaustion, ATcpConnectionCostsTwoDescriptors) {
    constexpr int n = 10;
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    ASSERT_EQ(0, zmq_bind(router, "tcp://127.0.0.1:*"));
    const std::string ep = last_endpoint(router);
    std::vector<void *> ds;
    for (int i = 0; i < n; ++i)
        ds.push_back(zmq_socket(ctx, ZMQ_DEALER));
    const int before = open_fds();
    for (void *d : ds) {
        ASSERT_EQ(0, zmq_connect(d, ep.c_str()));
        ASSERT_EQ(5, zmq_send(d, "hello", 5, 0));
    }
    std::string id, body;
    for (int i = 0; i < n; ++i)
        ASSERT_TRUE(router_recv(router, id, body));
    const int after = open_fds();
    EXPECT_LE(after - before, 2 * n)
        << "descriptors per connection: " << (after - before) / static_cast<double>(n);
    for (void *d : ds) {
        set_int(d, ZMQ_LINGER, 0);
        zmq_close(d);
    }
    set_int(router, ZMQ_LINGER, 0);
    zmq_close(router);
    zmq_ctx_term(ctx);
}
