// Latency under load (--mode load): REQ/REP round trips on one connection
// while a PUSH/PULL stream runs flat out on a second connection between the
// same two contexts, so both connections share each side's io thread.
//
// Measuring side (binds both): REQ (the latency loop, as --mode lat) and a
// PULL drained by a second thread. Peer (a second process, or a thread for
// inproc): the REP echo server and a PUSH thread sending the stream until the
// measuring side signals, then an empty message that ends the drain. The CSV
// line is the latency loop's, with msg_per_s = the stream's rate during it.
#include "bench_zmq.hpp"

#include <atomic>
#include <thread>

using namespace bench;

namespace {

// Sends stamped messages until signal_fd becomes readable, then the empty
// end marker.
void push_stream(void *ctx, const config &c, int signal_fd) {
    void *s = make_socket(ctx, c, ZMQ_PUSH, side_b_id);
    apply_security(s, c, false);
    check_rc(zmq_connect(s, c.load_endpoint.c_str()), "zmq_connect (stream)");
    std::vector<unsigned char> buf(c.size);
    fill(buf.data(), c.size);
    for (uint64_t seq = 0;; ++seq) {
        // A poll every 128 messages: cheap against the stream itself.
        if (seq % 128 == 0 && fd_readable(signal_fd, 0))
            break;
        stamp(buf.data(), c.size, seq);
        send_frame(s, buf.data(), c.size, 0);
    }
    send_frame(s, "", 0, 0);
    zmq_close(s); // default linger: the end marker is delivered
}

void load_peer(void *ctx, const config &c, int signal_fd, cpu_times *start) {
    std::thread pusher([&] { push_stream(ctx, c, signal_fd); });
    run_echo_server(ctx, c, start);
    pusher.join();
}

// Receives and checks the stream until the end marker; `count` is read by
// the latency thread to know the stream flows and how fast.
void drain_stream(void *s, const config &c, std::atomic<uint64_t> *count) {
    zmq_msg_t body;
    zmq_msg_init(&body);
    for (uint64_t seq = 0;; ++seq) {
        while (zmq_msg_recv(&body, s, 0) < 0) {
            if (zmq_errno() == EAGAIN)
                fail("stream: nothing for %d ms after %llu messages", c.timeout_ms,
                     (unsigned long long)seq);
            if (zmq_errno() != EINTR)
                fail("stream: zmq_msg_recv: %s", zmq_strerror(zmq_errno()));
        }
        if (zmq_msg_size(&body) == 0)
            break;
        std::string why = check_payload(zmq_msg_data(&body), zmq_msg_size(&body), c.size, seq);
        if (!why.empty())
            fail("stream: %s", why.c_str());
        count->store(seq + 1, std::memory_order_relaxed);
    }
    zmq_msg_close(&body);
}

} // namespace

int bench::run_load_main(config c, const args &a) {
    pin_self(c.cpu_a);
    void *ctx = zmq_ctx_new();
    void *req = make_socket(ctx, c, c.spec->b_type, side_b_id);
    apply_security(req, c, true);
    c.endpoint = bind_endpoint(req, c, "-reqrep");
    void *pull = make_socket(ctx, c, ZMQ_PULL, side_a_id);
    apply_security(pull, c, true);
    c.load_endpoint = bind_endpoint(pull, c, "-stream");

    std::atomic<uint64_t> streamed{0};
    std::thread drainer([&] { drain_stream(pull, c, &streamed); });
    int sig[2] = {-1, -1};
    std::thread peer;
    static child_proc child;
    cpu_times peer_cpu;
    if (c.transport == "inproc") {
        if (pipe(sig) != 0)
            fail("pipe");
        peer = std::thread([&] {
            pin_self(c.cpu_b);
            cpu_times unused;
            load_peer(ctx, c, sig[0], &unused);
        });
    } else {
        child = spawn_self(peer_args(c, a));
        g_child = &child;
    }
    const int stop_fd = c.transport == "inproc" ? sig[1] : child.signal_wr;

    // The stream must be flowing before the first round trip.
    const uint64_t deadline = now_ns() + uint64_t(c.timeout_ms) * 1000000ull;
    while (streamed.load(std::memory_order_relaxed) < 1000) {
        if (now_ns() > deadline)
            fail("the stream never started");
        usleep(1000);
    }
    result r;
    r.lib = c.lib;
    r.kind = "load";
    r.pattern = c.pattern;
    r.transport = c.transport_label;
    r.size = c.size;
    r.msgs = c.msgs;
    const uint64_t n0 = streamed.load(std::memory_order_relaxed), t0 = now_ns();
    measure_lat(req, c, r);
    const uint64_t n1 = streamed.load(std::memory_order_relaxed), t1 = now_ns();
    r.rate_override = double(n1 - n0) * 1e9 / double(t1 - t0);
    if (n1 - n0 < c.msgs)
        fprintf(stderr,
                "bench: warning: the stream moved only %llu messages during %llu round "
                "trips (no real load)\n",
                (unsigned long long)(n1 - n0), (unsigned long long)c.msgs);

    if (write(stop_fd, "S", 1) != 1)
        fail("cannot stop the stream");
    drainer.join();
    if (c.transport == "inproc") {
        peer.join();
        close(sig[0]);
        close(sig[1]);
    } else {
        peer_cpu = collect_child(child);
    }
    int zero = 0;
    zmq_setsockopt(req, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(pull, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(req);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    for (const auto &path : g_cleanup_paths)
        unlink(path.c_str());
    r.cpu.user_us += peer_cpu.user_us;
    r.cpu.sys_us += peer_cpu.sys_us;
    print_csv(r);
    print_debug_counters("main");
    return 0;
}

int bench::run_load_peer(const config &c) {
    pin_self(c.cpu_b);
    void *ctx = zmq_ctx_new();
    cpu_times start = cpu_now();
    load_peer(ctx, c, child_signal_fd, &start);
    zmq_ctx_term(ctx);
    report_to_parent(cpu_delta(start, cpu_now()));
    print_debug_counters("peer");
    return 0;
}
