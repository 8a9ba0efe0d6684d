// The benchmark's socket helpers (see bench_zmq.hpp), shared by the
// throughput/latency runs (bench.cpp) and the latency-under-load run
// (bench_load.cpp).
#include "bench_zmq.hpp"

#include <dlfcn.h>

namespace bench {

const pattern_spec thr_patterns[7] = {
    {"PAIR", ZMQ_PAIR, ZMQ_PAIR, false},
    {"PUSHPULL", ZMQ_PULL, ZMQ_PUSH, false},
    {"PUBSUB", ZMQ_SUB, ZMQ_PUB, false},
    {"DEALER", ZMQ_DEALER, ZMQ_DEALER, false},
    {"DEALERROUTER", ZMQ_ROUTER, ZMQ_DEALER, false},
    {"ROUTERROUTER", ZMQ_ROUTER, ZMQ_ROUTER, false},
    {"ROUTERPOLL", ZMQ_ROUTER, ZMQ_DEALER, true},
};

const pattern_spec lat_patterns[6] = {
    {"REQREP", ZMQ_REP, ZMQ_REQ, false},
    {"PAIR", ZMQ_PAIR, ZMQ_PAIR, false},
    {"DEALER", ZMQ_DEALER, ZMQ_DEALER, false},
    {"DEALERROUTER", ZMQ_ROUTER, ZMQ_DEALER, false},
    {"ROUTERROUTER", ZMQ_ROUTER, ZMQ_ROUTER, false},
    {"ROUTERPOLL", ZMQ_ROUTER, ZMQ_DEALER, true},
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
    // BENCH_SOCKBUF=bytes: ZMQ_SNDBUF and ZMQ_RCVBUF on every socket (the
    // plan's Phase 0 A/B: OS default vs 512 KiB, --env 'BENCH_SOCKBUF=524288').
    if (const char *sb = getenv("BENCH_SOCKBUF")) {
        int bytes = atoi(sb);
        check_rc(zmq_setsockopt(s, ZMQ_SNDBUF, &bytes, sizeof bytes), "ZMQ_SNDBUF");
        check_rc(zmq_setsockopt(s, ZMQ_RCVBUF, &bytes, sizeof bytes), "ZMQ_RCVBUF");
    }
    if (c.pubsub()) {
        // PUB drops at the high-water mark; the run counts every message,
        // so the queue must be unbounded (the runner caps total bytes).
        int zero = 0;
        check_rc(zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof zero), "ZMQ_SNDHWM");
        check_rc(zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof zero), "ZMQ_RCVHWM");
    }
    return s;
}

namespace {

void set_string(void *s, int option, const std::string &v, const char *what) {
    check_rc(zmq_setsockopt(s, option, v.data(), v.size()), what);
}

} // namespace

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
    if (!c.uses_tls())
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
    fail("tls:// and wss:// are not available in this library");
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
    counter cs[64];
    const int n = reinterpret_cast<fn_t>(sym)(cs, 64);
    for (int i = 0; i < n; ++i)
        if (cs[i].value) // zeros say nothing (inproc never touches the engine)
            fprintf(stderr, "#debug %s %s=%llu\n", who, cs[i].name, cs[i].value);
}

std::string bind_endpoint(void *s, const config &c, const char *name) {
    std::string ep;
    const bool stream = c.transport == "tcp" || c.transport == "tls";
    const bool web = c.transport == "ws" || c.transport == "wss";
    if (!c.bind_ep.empty())
        ep = c.bind_ep;
    else if (stream)
        ep = c.transport + "://127.0.0.1:*";
    else if (web)
        ep = c.transport + "://127.0.0.1:*/bench" + name;
    else if (c.transport == "ipc")
        ep = "ipc:///tmp/zlink-bench-" + std::to_string(getpid()) + "-" +
             std::to_string(now_ns() % 1000000007ull) + name + ".sock";
    else
        ep = "inproc://bench-" + std::to_string(getpid()) + name;
    if (c.transport == "ipc")
        g_cleanup_paths.push_back(ep.substr(6));
    check_rc(zmq_bind(s, ep.c_str()), ("zmq_bind " + ep).c_str());
    if (!stream && !web)
        return ep;
    char last[256];
    size_t n = sizeof last;
    check_rc(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, last, &n), "ZMQ_LAST_ENDPOINT");
    return last;
}

std::vector<std::string> peer_args(const config &c, const args &a) {
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
    if (c.connections > 1)
        cargs.insert(cargs.end(), {"--connections", std::to_string(c.connections)});
    if (c.uses_tls())
        cargs.insert(cargs.end(), {"--tls-dir", c.tls_dir});
    if (!c.load_endpoint.empty())
        cargs.insert(cargs.end(), {"--load-endpoint", c.load_endpoint});
    if (c.mechanism == "curve") // "k:" so a key starting with "--" stays a value
        cargs.insert(cargs.end(),
                     {"--mechanism", "curve", "--curve-server-public", "k:" + c.server_public,
                      "--curve-client-public", "k:" + c.client_public, "--curve-client-secret",
                      "k:" + c.client_secret});
    return cargs;
}

} // namespace bench
