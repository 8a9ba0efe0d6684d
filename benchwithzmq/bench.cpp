// zlink-vs-libzmq benchmark. These sources are compiled twice: bench_zlink
// against zlink's include/zmq.h and bench_libzmq against the system libzmq,
// so both libraries run identical code. Only the public zmq.h API is used.
//
//   bench --mode thr|lat|load --pattern P --transport inproc|ipc|tcp|tls|ws|wss
//         --size BYTES --msgs N [--warmup 1000] [--pin A,B] [--lib NAME]
//   bench --header            print the CSV header
//   security: --mechanism curve (tcp, ipc; the binding side is the CURVE
//   server, keys made here and handed to the peer process), --transport
//   tls|wss --tls-dir DIR (zlink only: DIR/ca.crt, server.crt, server.key;
//   the binding side presents the certificate, the connecting side verifies
//   it); ws:// and wss:// are zlink only too.
//   --bind EP / --connect EP: explicit endpoints (a tunnel in between);
//   --transport-label L: what the CSV's transport column says.
//   --mode load: REQREP latency while a PUSH/PULL stream saturates a second
//   connection between the same two contexts (bench_load.cpp).
//   --connections N (thr PUSHPULL): the PUSH connects N times, so one socket
//   round-robins over N connections and the PULL fair-queues them (a fan-out
//   and fan-in in one socket each); the CSV pattern says PUSHPULLxN.
//
// The measuring side (receiver for thr, client for lat) binds; the other side
// connects from a second process (ipc, tcp) or a second thread (inproc).
// Every received message is checked (size, sequence, tail byte, count); any
// mismatch or timeout prints "BENCH FAILURE" and exits non-zero.
#include "bench_zmq.hpp"

#include <thread>

using namespace bench;

namespace {

// ---- side B of thr (sender) and side A of lat (echo server) --------------

void run_sender(void *ctx, const config &c, int signal_fd, cpu_times *start) {
    void *s = make_socket(ctx, c, c.spec->b_type, side_b_id);
    apply_security(s, c, false);
    for (int i = 0; i < c.connections; ++i)
        check_rc(zmq_connect(s, c.endpoint.c_str()), "zmq_connect");
    std::vector<unsigned char> buf(c.size);
    fill(buf.data(), c.size);
    if (c.pubsub()) {
        // Empty probes until the subscriber has seen one, so no counted
        // message is dropped before the subscription arrives.
        uint64_t deadline = now_ns() + uint64_t(c.timeout_ms) * 1000000ull;
        while (!fd_readable(signal_fd, 1)) {
            zmq_send(s, "", 0, ZMQ_DONTWAIT);
            if (now_ns() > deadline)
                fail("subscriber never confirmed the subscription");
        }
    }
    for (uint64_t seq = 0; seq < c.total(); ++seq) {
        if (seq == c.warmup)
            *start = cpu_now();
        size_t len = c.size;
        if (c.inject_fault && seq == c.warmup + c.msgs / 2)
            len = c.size - 1; // proves the receiver's check fails the run
        stamp(buf.data(), len, seq);
        if (c.b_router()) {
            if (seq == 0)
                wait_routable(s, side_a_id, c.timeout_ms);
            else
                send_frame(s, side_a_id, 1, ZMQ_SNDMORE);
        }
        send_frame(s, buf.data(), len, 0);
    }
    zmq_close(s); // default linger: ctx term waits until all is delivered
}

} // namespace

void bench::run_echo_server(void *ctx, const config &c, cpu_times *start) {
    void *s = make_socket(ctx, c, c.spec->a_type, side_a_id);
    apply_security(s, c, false);
    check_rc(zmq_connect(s, c.endpoint.c_str()), "zmq_connect");
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    zmq_msg_t body;
    zmq_msg_init(&body);
    for (uint64_t i = 0; i < c.total(); ++i) {
        if (i == c.warmup)
            *start = cpu_now();
        int flags = 0;
        if (c.spec->a_polls) {
            if (zmq_poll(&item, 1, c.timeout_ms) <= 0)
                fail("echo server: zmq_poll timed out after %llu", (unsigned long long)i);
            flags = ZMQ_DONTWAIT;
        }
        if (!recv_message(s, &body, c.a_router() ? side_b_id : nullptr, flags, i, c.total()))
            fail("echo server: poll reported input but none was ready");
        if (c.a_router())
            send_frame(s, side_b_id, 1, ZMQ_SNDMORE);
        while (zmq_msg_send(&body, s, 0) < 0)
            if (zmq_errno() != EINTR)
                fail("echo send: %s", zmq_strerror(zmq_errno()));
    }
    zmq_msg_close(&body);
    zmq_close(s);
}

namespace {

void run_peer(void *ctx, const config &c, int signal_fd, cpu_times *start) {
    if (c.thr())
        run_sender(ctx, c, signal_fd, start);
    else
        run_echo_server(ctx, c, start);
}

// ---- measuring side ------------------------------------------------------

void measure_thr(void *s, const config &c, int signal_wr, result &r) {
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    zmq_msg_t body;
    zmq_msg_init(&body);
    const char *expect_id = c.a_router() ? side_b_id : nullptr;
    const uint64_t total = c.total();
    uint64_t seq = 0, t0 = 0;
    cpu_times c0;
    bool signalled = !c.pubsub();
    if (c.warmup == 0) {
        t0 = now_ns();
        c0 = cpu_now();
    }
    while (seq < total) {
        int flags = 0;
        if (c.spec->a_polls) {
            if (zmq_poll(&item, 1, c.timeout_ms) <= 0)
                fail("zmq_poll timed out after %llu of %llu messages", (unsigned long long)seq,
                     (unsigned long long)total);
            flags = ZMQ_DONTWAIT;
        }
        // Drain everything ready (one message per loop without polling).
        while (seq < total && recv_message(s, &body, expect_id, flags, seq, total)) {
            size_t len = zmq_msg_size(&body);
            if (!signalled || (c.pubsub() && seq == 0 && len == 0)) {
                if (len != 0)
                    fail("first PUB/SUB message was not a probe");
                if (!signalled && write(signal_wr, "R", 1) != 1)
                    fail("cannot signal the publisher");
                signalled = true;
                continue;
            }
            // Over several connections the order holds per connection
            // only: each message is checked against its own number.
            uint64_t want = seq;
            if (c.connections > 1 && len >= 8)
                memcpy(&want, zmq_msg_data(&body), 8);
            std::string why = check_payload(zmq_msg_data(&body), len, c.size, want);
            if (!why.empty())
                fail("%s", why.c_str());
            ++seq;
            if (seq == c.warmup) {
                t0 = now_ns();
                c0 = cpu_now();
            }
            if (!flags)
                break;
        }
    }
    r.elapsed_s = (now_ns() - t0) / 1e9;
    r.cpu = cpu_delta(c0, cpu_now());
    zmq_msg_close(&body);
}

} // namespace

void bench::measure_lat(void *s, const config &c, result &r) {
    std::vector<unsigned char> buf(c.size);
    fill(buf.data(), c.size);
    std::vector<uint64_t> rtt;
    rtt.reserve(c.msgs);
    zmq_msg_t body;
    zmq_msg_init(&body);
    const char *expect_id = c.b_router() ? side_a_id : nullptr;
    uint64_t t_start = now_ns();
    cpu_times c0 = cpu_now();
    for (uint64_t seq = 0; seq < c.total(); ++seq) {
        if (seq == c.warmup) {
            t_start = now_ns();
            c0 = cpu_now();
        }
        size_t len = c.size;
        if (c.inject_fault && seq == c.warmup + c.msgs / 2)
            len = c.size - 1;
        stamp(buf.data(), len, seq);
        uint64_t t0 = now_ns();
        if (c.b_router()) {
            if (seq == 0)
                wait_routable(s, side_a_id, c.timeout_ms);
            else
                send_frame(s, side_a_id, 1, ZMQ_SNDMORE);
        }
        send_frame(s, buf.data(), len, 0);
        recv_message(s, &body, expect_id, 0, seq, c.total());
        uint64_t t1 = now_ns();
        std::string why = check_payload(zmq_msg_data(&body), zmq_msg_size(&body), c.size, seq);
        if (!why.empty())
            fail("%s", why.c_str());
        if (seq >= c.warmup)
            rtt.push_back(t1 - t0);
    }
    r.elapsed_s = (now_ns() - t_start) / 1e9;
    r.cpu = cpu_delta(c0, cpu_now());
    r.lat = one_way_us(rtt);
    r.has_latency = true;
    zmq_msg_close(&body);
}

namespace {

int run_main(config c, const args &a) {
    pin_self(c.cpu_a);
    void *ctx = zmq_ctx_new();
    bool a_measures = c.thr();
    int type = a_measures ? c.spec->a_type : c.spec->b_type;
    void *s = make_socket(ctx, c, type, a_measures ? side_a_id : side_b_id);
    if (c.mechanism == "curve") {
        char pub[41], sec[41];
        check_rc(zmq_curve_keypair(pub, sec), "zmq_curve_keypair (server)");
        c.server_public = pub;
        c.server_secret = sec;
        check_rc(zmq_curve_keypair(pub, sec), "zmq_curve_keypair (client)");
        c.client_public = pub;
        c.client_secret = sec;
    }
    apply_security(s, c, true);
    std::string bound = bind_endpoint(s, c);
    // --connect: the peer goes through something (a tunnel) to reach us.
    if (c.endpoint.empty())
        c.endpoint = bound;

    result r;
    r.lib = c.lib;
    r.kind = c.mode;
    r.pattern = c.connections > 1 ? c.pattern + "x" + std::to_string(c.connections) : c.pattern;
    r.transport = c.transport_label;
    r.size = c.size;
    r.msgs = c.msgs;

    cpu_times peer_cpu;
    if (c.transport == "inproc") {
        int sig[2];
        if (pipe(sig) != 0)
            fail("pipe");
        cpu_times unused;
        std::thread peer([&] {
            pin_self(c.cpu_b);
            run_peer(ctx, c, sig[0], &unused);
        });
        if (a_measures)
            measure_thr(s, c, sig[1], r);
        else
            measure_lat(s, c, r);
        peer.join();
        close(sig[0]);
        close(sig[1]);
        // One process: the window's RUSAGE_SELF already holds both threads.
    } else {
        static child_proc child;
        child = spawn_self(peer_args(c, a));
        g_child = &child;
        if (a_measures)
            measure_thr(s, c, child.signal_wr, r);
        else
            measure_lat(s, c, r);
        peer_cpu = collect_child(child);
    }
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(s);
    zmq_ctx_term(ctx);
    if (c.transport == "ipc")
        unlink(bound.c_str() + 6);
    r.cpu.user_us += peer_cpu.user_us;
    r.cpu.sys_us += peer_cpu.sys_us;
    print_csv(r);
    print_debug_counters("main");
    return 0;
}

int run_child(const config &c) {
    pin_self(c.cpu_b);
    void *ctx = zmq_ctx_new();
    cpu_times start = cpu_now();
    run_peer(ctx, c, child_signal_fd, &start);
    zmq_ctx_term(ctx);
    report_to_parent(cpu_delta(start, cpu_now()));
    print_debug_counters("peer");
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    args a(argc, argv);
    if (a.has("header")) {
        printf("%s\n", csv_header());
        return 0;
    }
    if (a.has("version")) {
        int maj, min, pat;
        zmq_version(&maj, &min, &pat);
        printf("%d.%d.%d\n", maj, min, pat);
        return 0;
    }
    config c;
    c.mode = a.get("mode", "thr");
    c.pattern = a.get("pattern", c.mode == "thr" ? "PAIR" : "REQREP");
    c.transport = a.get("transport", "tcp");
    c.lib = a.get("lib", BENCH_LIB_NAME);
    c.endpoint = a.get("endpoint", a.get("connect"));
    c.bind_ep = a.get("bind");
    c.mechanism = a.get("mechanism", "null");
    c.tls_dir = a.get("tls-dir");
    c.load_endpoint = a.get("load-endpoint");
    auto key = [&](const char *k) { return a.get(k).substr(a.has(k) ? 2 : 0); };
    c.server_public = key("curve-server-public");
    c.client_public = key("curve-client-public");
    c.client_secret = key("curve-client-secret");
    c.size = size_t(a.num("size", 64));
    c.msgs = uint64_t(a.num("msgs", c.mode == "thr" ? 100000 : 10000));
    c.warmup = uint64_t(a.num("warmup", 1000));
    c.timeout_ms = int(a.num("timeout-ms", 20000));
    c.inject_fault = a.has("inject-fault");
    c.connections = int(a.num("connections", 1));
    parse_pin(a.get("pin"), c.cpu_a, c.cpu_b);

    if (c.mode != "thr" && c.mode != "lat" && c.mode != "load") {
        fprintf(stderr, "bench: --mode must be thr, lat or load\n");
        return 64;
    }
    const std::string tr = c.transport;
    if (tr != "tcp" && tr != "ipc" && tr != "inproc" && tr != "tls" && tr != "ws" && tr != "wss") {
        fprintf(stderr, "bench: --transport must be inproc, ipc, tcp, tls, ws or wss\n");
        return 64;
    }
    if (c.mechanism != "null" && c.mechanism != "curve") {
        fprintf(stderr, "bench: --mechanism must be null or curve\n");
        return 64;
    }
    if (c.mechanism == "curve" && c.transport == "inproc") {
        fprintf(stderr, "bench: inproc has no security handshake; curve needs ipc or tcp\n");
        return 64;
    }
    if (c.uses_tls() && c.tls_dir.empty()) {
        fprintf(stderr, "bench: --transport %s needs --tls-dir (ca.crt, server.crt, server.key)\n",
                tr.c_str());
        return 64;
    }
    if (c.mode == "load" &&
        (c.pattern != "REQREP" || c.mechanism != "null" || !c.bind_ep.empty())) {
        fprintf(stderr, "bench: --mode load runs REQREP, without --mechanism or --bind\n");
        return 64;
    }
    c.transport_label =
        a.get("transport-label", c.mechanism == "curve" ? c.transport + "+curve" : c.transport);
    if (c.connections < 1 || c.connections > 64 ||
        (c.connections > 1 && (c.mode != "thr" || c.pattern != "PUSHPULL"))) {
        fprintf(stderr, "bench: --connections 1..64, more than 1 only with thr PUSHPULL\n");
        return 64;
    }
    if (c.size < 8 || c.msgs == 0) {
        fprintf(stderr, "bench: --size must be >= 8 and --msgs > 0\n");
        return 64;
    }
    if (c.thr()) {
        for (const auto &p : thr_patterns)
            if (c.pattern == p.name)
                c.spec = &p;
    } else {
        for (const auto &p : lat_patterns)
            if (c.pattern == p.name)
                c.spec = &p;
    }
    if (!c.spec) {
        fprintf(stderr, "bench: pattern %s is not available in %s mode\n", c.pattern.c_str(),
                c.mode.c_str());
        return 65; // the runner skips such combinations
    }
    if (c.mode == "load")
        return a.get("role") == "peer" ? run_load_peer(c) : run_load_main(c, a);
    if (a.get("role") == "peer")
        return run_child(c);
    return run_main(c, a);
}
