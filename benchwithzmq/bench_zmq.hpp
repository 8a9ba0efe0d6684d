// What the benchmark's sources share (bench.cpp: throughput and latency,
// bench_load.cpp: latency under load, bench_zmq.cpp: the socket helpers).
// Every source is compiled against the library under test: zlink's zlink.h,
// or the system zmq.h when BENCH_ZMQ_HEADER names it.
#pragma once

#ifdef BENCH_ZMQ_HEADER
#include BENCH_ZMQ_HEADER
#else
#include <zlink.h> // zmq.h plus the tls:// options
#endif

#include "bench_common.hpp"

namespace bench {

// Side A: receiver (thr) or echo server (lat). Side B: sender or client.
struct pattern_spec {
    const char *name;
    int a_type;
    int b_type;
    bool a_polls; // side A waits in zmq_poll and drains with ZMQ_DONTWAIT
};

extern const pattern_spec thr_patterns[7];
extern const pattern_spec lat_patterns[6];

constexpr char side_a_id[] = "A";
constexpr char side_b_id[] = "B";

struct config {
    std::string mode, pattern, transport, lib, endpoint;
    std::string mechanism = "null", tls_dir, bind_ep, transport_label;
    // CURVE: the server's key pair (binding side) and the client's.
    std::string server_public, server_secret, client_public, client_secret;
    std::string load_endpoint; // load mode: where the stream's PUSH connects
    size_t size = 64;
    uint64_t msgs = 10000, warmup = 1000;
    int cpu_a = -1, cpu_b = -1;
    int timeout_ms = 20000;
    int connections = 1; // thr PUSHPULL: the sender connects this many times
    bool inject_fault = false;
    const pattern_spec *spec = nullptr;

    bool thr() const { return mode == "thr"; }
    uint64_t total() const { return warmup + msgs; }
    bool pubsub() const { return spec->a_type == ZMQ_SUB; }
    bool a_router() const { return spec->a_type == ZMQ_ROUTER; }
    bool b_router() const { return spec->b_type == ZMQ_ROUTER; }
    // tls:// and wss:// take the certificates of --tls-dir.
    bool uses_tls() const { return transport == "tls" || transport == "wss"; }
};

// bench_zmq.cpp: sockets, security options, framing checks, endpoints.
void check_rc(int rc, const char *what);
void *make_socket(void *ctx, const config &c, int type, const char *id);
void apply_security(void *s, const config &c, bool binds);
void send_frame(void *s, const void *data, size_t len, int flags);
void wait_routable(void *s, const char *peer, int timeout_ms);
bool recv_message(void *s, zmq_msg_t *body, const char *expect_id, int flags, uint64_t got,
                  uint64_t want);
void print_debug_counters(const char *who);
// Binds s where the peer can reach it; `name` tells two binds of one run apart.
std::string bind_endpoint(void *s, const config &c, const char *name = "");
// The arguments the peer process needs to run the other side of c.
std::vector<std::string> peer_args(const config &c, const args &a);

// bench.cpp: the echo side and the measuring side of a latency run.
void run_echo_server(void *ctx, const config &c, cpu_times *start);
void measure_lat(void *s, const config &c, result &r);

// bench_load.cpp: REQ/REP latency while a PUSH/PULL stream of the same
// processes (same contexts) runs flat out.
int run_load_main(config c, const args &a);
int run_load_peer(const config &c);

} // namespace bench
