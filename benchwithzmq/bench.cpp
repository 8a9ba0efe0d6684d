// zlink-vs-libzmq benchmark. This one source is compiled twice: bench_zlink
// against zlink's include/zmq.h and bench_libzmq against the system libzmq,
// so both libraries run identical code. Only the public zmq.h API is used.
//
//   bench --mode thr|lat --pattern P --transport inproc|ipc|tcp
//         --size BYTES --msgs N [--warmup 1000] [--pin A,B] [--lib NAME]
//   bench --header            print the CSV header
//   security: --mechanism curve (tcp, ipc; the binding side is the CURVE
//   server, keys made here and handed to the peer process), --transport tls
//   --tls-dir DIR (zlink only: DIR/ca.crt, server.crt, server.key; the
//   binding side presents the certificate, the connecting side verifies it).
//   --bind EP / --connect EP: explicit endpoints (a tunnel in between);
//   --transport-label L: what the CSV's transport column says.
//
// The measuring side (receiver for thr, client for lat) binds; the other side
// connects from a second process (ipc, tcp) or a second thread (inproc).
// Every received message is checked (size, sequence, tail byte, count); any
// mismatch or timeout prints "BENCH FAILURE" and exits non-zero.
#ifdef BENCH_ZMQ_HEADER
#include BENCH_ZMQ_HEADER
#else
#include <zlink.h> // zmq.h plus the tls:// options
#endif

#include <dlfcn.h>

#include <thread>

#include "bench_common.hpp"

using namespace bench;

namespace {

// Side A: receiver (thr) or echo server (lat). Side B: sender or client.
struct pattern_spec {
    const char *name;
    int a_type;
    int b_type;
    bool a_polls; // side A waits in zmq_poll and drains with ZMQ_DONTWAIT
};

const pattern_spec thr_patterns[] = {
    {"PAIR", ZMQ_PAIR, ZMQ_PAIR, false},
    {"PUSHPULL", ZMQ_PULL, ZMQ_PUSH, false},
    {"PUBSUB", ZMQ_SUB, ZMQ_PUB, false},
    {"DEALER", ZMQ_DEALER, ZMQ_DEALER, false},
    {"DEALERROUTER", ZMQ_ROUTER, ZMQ_DEALER, false},
    {"ROUTERROUTER", ZMQ_ROUTER, ZMQ_ROUTER, false},
    {"ROUTERPOLL", ZMQ_ROUTER, ZMQ_DEALER, true},
};

const pattern_spec lat_patterns[] = {
    {"REQREP", ZMQ_REP, ZMQ_REQ, false},
    {"PAIR", ZMQ_PAIR, ZMQ_PAIR, false},
    {"DEALER", ZMQ_DEALER, ZMQ_DEALER, false},
    {"DEALERROUTER", ZMQ_ROUTER, ZMQ_DEALER, false},
    {"ROUTERROUTER", ZMQ_ROUTER, ZMQ_ROUTER, false},
    {"ROUTERPOLL", ZMQ_ROUTER, ZMQ_DEALER, true},
};

const char side_a_id[] = "A";
const char side_b_id[] = "B";

struct config {
    std::string mode, pattern, transport, lib, endpoint;
    std::string mechanism = "null", tls_dir, bind_ep, transport_label;
    // CURVE: the server's key pair (binding side) and the client's.
    std::string server_public, server_secret, client_public, client_secret;
    size_t size = 64;
    uint64_t msgs = 10000, warmup = 1000;
    int cpu_a = -1, cpu_b = -1;
    int timeout_ms = 20000;
    bool inject_fault = false;
    const pattern_spec *spec = nullptr;

    bool thr() const { return mode == "thr"; }
    uint64_t total() const { return warmup + msgs; }
    bool pubsub() const { return spec->a_type == ZMQ_SUB; }
    bool a_router() const { return spec->a_type == ZMQ_ROUTER; }
    bool b_router() const { return spec->b_type == ZMQ_ROUTER; }
};

void check_rc(int rc, const char *what) {
    if (rc != 0)
        fail("%s: %s", what, zmq_strerror(zmq_errno()));
}

void *make_socket(void *ctx, const config &c, int type, const char *id) {
    void *s = zmq_socket(ctx, type);
    if (!s)
        fail("zmq_socket: %s", zmq_strerror(zmq_errno()));
    int t = c.timeout_ms;
    check_rc(zmq_setsockopt(s, ZMQ_RCVTIMEO, &t, sizeof t), "ZMQ_RCVTIMEO");
    check_rc(zmq_setsockopt(s, ZMQ_SNDTIMEO, &t, sizeof t), "ZMQ_SNDTIMEO");
    // Routing ids only matter when a ROUTER is involved; the check on the
    // id frame proves the ROUTER reported the right peer.
    if (c.a_router() || c.b_router())
        check_rc(zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id)), "ZMQ_ROUTING_ID");
    if (type == ZMQ_ROUTER) {
        int one = 1;
        check_rc(zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof one), "ZMQ_ROUTER_MANDATORY");
    }
    if (type == ZMQ_SUB)
        check_rc(zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0), "ZMQ_SUBSCRIBE");
    if (c.pubsub()) {
        // PUB drops at the high-water mark; the run counts every message,
        // so the queue must be unbounded (the runner caps total bytes).
        int zero = 0;
        check_rc(zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof zero), "ZMQ_SNDHWM");
        check_rc(zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof zero), "ZMQ_RCVHWM");
    }
    return s;
}

void set_string(void *s, int option, const std::string &v, const char *what) {
    check_rc(zmq_setsockopt(s, option, v.data(), v.size()), what);
}

// The binding side is the CURVE server / TLS server; no ZAP handler, so any
// client holding the server's public key (or trusting the CA) is accepted.
void apply_security(void *s, const config &c, bool binds) {
    if (c.mechanism == "curve") {
        if (binds) {
            int one = 1;
            check_rc(zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one), "ZMQ_CURVE_SERVER");
            set_string(s, ZMQ_CURVE_SECRETKEY, c.server_secret, "ZMQ_CURVE_SECRETKEY");
        } else {
            set_string(s, ZMQ_CURVE_SERVERKEY, c.server_public, "ZMQ_CURVE_SERVERKEY");
            set_string(s, ZMQ_CURVE_PUBLICKEY, c.client_public, "ZMQ_CURVE_PUBLICKEY");
            set_string(s, ZMQ_CURVE_SECRETKEY, c.client_secret, "ZMQ_CURVE_SECRETKEY");
        }
    }
    if (c.transport != "tls")
        return;
#ifdef ZMQ_TLS_CERT
    if (binds) {
        set_string(s, ZMQ_TLS_CERT, c.tls_dir + "/server.crt", "ZMQ_TLS_CERT");
        set_string(s, ZMQ_TLS_KEY, c.tls_dir + "/server.key", "ZMQ_TLS_KEY");
    } else {
        set_string(s, ZMQ_TLS_CA, c.tls_dir + "/ca.crt", "ZMQ_TLS_CA");
    }
#else
    (void)binds;
    fail("tls:// is not available in this library");
#endif
}

void send_frame(void *s, const void *data, size_t len, int flags) {
    while (zmq_send(s, data, len, flags) < 0) {
        if (zmq_errno() == EINTR)
            continue;
        if (zmq_errno() == EAGAIN)
            fail("zmq_send timed out (peer not draining)");
        fail("zmq_send: %s", zmq_strerror(zmq_errno()));
    }
}

// A ROUTER learns a peer's routing id only after the handshake; with
// ROUTER_MANDATORY the first send fails with EHOSTUNREACH until then.
void wait_routable(void *s, const char *peer, int timeout_ms) {
    uint64_t deadline = now_ns() + uint64_t(timeout_ms) * 1000000ull;
    while (zmq_send(s, peer, strlen(peer), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        int e = zmq_errno();
        if (e != EHOSTUNREACH && e != EAGAIN && e != EINTR)
            fail("routing probe: %s", zmq_strerror(e));
        if (now_ns() > deadline)
            fail("peer '%s' never became routable", peer);
        usleep(1000);
    }
}

// Receives one message (with a leading routing-id frame when expect_id is
// set). Returns false only for EAGAIN under ZMQ_DONTWAIT.
bool recv_message(void *s, zmq_msg_t *body, const char *expect_id, int flags, uint64_t got,
                  uint64_t want) {
    auto recv_frame = [&](zmq_msg_t *m, int f) {
        while (zmq_msg_recv(m, s, f) < 0) {
            int e = zmq_errno();
            if (e == EINTR)
                continue;
            if (e == EAGAIN && (f & ZMQ_DONTWAIT))
                return false;
            if (e == EAGAIN)
                fail("receive timed out after %llu of %llu messages", (unsigned long long)got,
                     (unsigned long long)want);
            fail("zmq_msg_recv: %s", zmq_strerror(e));
        }
        return true;
    };
    if (expect_id) {
        zmq_msg_t id;
        zmq_msg_init(&id);
        if (!recv_frame(&id, flags)) {
            zmq_msg_close(&id);
            return false;
        }
        size_t n = strlen(expect_id);
        if (zmq_msg_size(&id) != n || memcmp(zmq_msg_data(&id), expect_id, n) != 0)
            fail("wrong routing id frame at message %llu", (unsigned long long)got);
        if (!zmq_msg_more(&id))
            fail("routing id frame without a body at message %llu", (unsigned long long)got);
        zmq_msg_close(&id);
        recv_frame(body, 0);
    } else if (!recv_frame(body, flags)) {
        return false;
    }
    if (zmq_msg_more(body))
        fail("unexpected extra frame at message %llu", (unsigned long long)got);
    return true;
}

void print_debug_counters(const char *who) {
    // zlink's data-path counters (see zlink.h); absent in libzmq.
    struct counter {
        const char *name;
        unsigned long long value;
    };
    using fn_t = int (*)(counter *, int);
    void *sym = dlsym(RTLD_DEFAULT, "zmq_debug_counters");
    if (!sym)
        return;
    counter cs[32];
    const int n = reinterpret_cast<fn_t>(sym)(cs, 32);
    for (int i = 0; i < n; ++i)
        if (cs[i].value) // zeros say nothing (inproc never touches the engine)
            fprintf(stderr, "#debug %s %s=%llu\n", who, cs[i].name, cs[i].value);
}

// ---- side B of thr (sender) and side A of lat (echo server) --------------

void run_sender(void *ctx, const config &c, int signal_fd, cpu_times *start) {
    void *s = make_socket(ctx, c, c.spec->b_type, side_b_id);
    apply_security(s, c, false);
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

void run_echo_server(void *ctx, const config &c, cpu_times *start) {
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
            std::string why = check_payload(zmq_msg_data(&body), len, c.size, seq);
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

void measure_lat(void *s, const config &c, result &r) {
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

std::string bind_endpoint(void *s, const config &c) {
    std::string ep;
    if (!c.bind_ep.empty())
        ep = c.bind_ep;
    else if (c.transport == "tcp" || c.transport == "tls")
        ep = c.transport + "://127.0.0.1:*";
    else if (c.transport == "ipc")
        ep = "ipc:///tmp/zlink-bench-" + std::to_string(getpid()) + "-" +
             std::to_string(now_ns() % 1000000007ull) + ".sock";
    else
        ep = "inproc://bench-" + std::to_string(getpid());
    if (c.transport == "ipc")
        g_cleanup_path = ep.substr(6);
    check_rc(zmq_bind(s, ep.c_str()), ("zmq_bind " + ep).c_str());
    if (c.transport != "tcp" && c.transport != "tls")
        return ep;
    char last[256];
    size_t n = sizeof last;
    check_rc(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, last, &n), "ZMQ_LAST_ENDPOINT");
    return last;
}

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
    r.pattern = c.pattern;
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
        std::vector<std::string> cargs = {"--role",       "peer",
                                          "--mode",       c.mode,
                                          "--pattern",    c.pattern,
                                          "--transport",  c.transport,
                                          "--size",       std::to_string(c.size),
                                          "--msgs",       std::to_string(c.msgs),
                                          "--warmup",     std::to_string(c.warmup),
                                          "--endpoint",   c.endpoint,
                                          "--timeout-ms", std::to_string(c.timeout_ms),
                                          "--pin",        a.get("pin", "-1,-1")};
        if (c.inject_fault)
            cargs.push_back("--inject-fault");
        if (c.transport == "tls")
            cargs.insert(cargs.end(), {"--tls-dir", c.tls_dir});
        if (c.mechanism == "curve") // "k:" so a key starting with "--" stays a value
            cargs.insert(cargs.end(),
                         {"--mechanism", "curve", "--curve-server-public", "k:" + c.server_public,
                          "--curve-client-public", "k:" + c.client_public, "--curve-client-secret",
                          "k:" + c.client_secret});
        static child_proc child;
        child = spawn_self(cargs);
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
    auto key = [&](const char *k) { return a.get(k).substr(a.has(k) ? 2 : 0); };
    c.server_public = key("curve-server-public");
    c.client_public = key("curve-client-public");
    c.client_secret = key("curve-client-secret");
    c.size = size_t(a.num("size", 64));
    c.msgs = uint64_t(a.num("msgs", c.mode == "thr" ? 100000 : 10000));
    c.warmup = uint64_t(a.num("warmup", 1000));
    c.timeout_ms = int(a.num("timeout-ms", 20000));
    c.inject_fault = a.has("inject-fault");
    parse_pin(a.get("pin"), c.cpu_a, c.cpu_b);

    if (c.mode != "thr" && c.mode != "lat") {
        fprintf(stderr, "bench: --mode must be thr or lat\n");
        return 64;
    }
    if (c.transport != "tcp" && c.transport != "ipc" && c.transport != "inproc" &&
        c.transport != "tls") {
        fprintf(stderr, "bench: --transport must be inproc, ipc, tcp or tls\n");
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
    if (c.transport == "tls" && c.tls_dir.empty()) {
        fprintf(stderr,
                "bench: --transport tls needs --tls-dir (ca.crt, server.crt, server.key)\n");
        return 64;
    }
    c.transport_label =
        a.get("transport-label", c.mechanism == "curve" ? c.transport + "+curve" : c.transport);
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
    if (a.get("role") == "peer")
        return run_child(c);
    return run_main(c, a);
}
