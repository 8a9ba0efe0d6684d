// zmq-side helpers of the soak program: per-worker state, counted sockets,
// endpoints, whole-message send/receive, and a server socket that can be
// re-bound or restarted. Public zmq.h API only.
#pragma once

#ifdef BENCH_ZMQ_HEADER
#include BENCH_ZMQ_HEADER
#else
#include <zmq.h>
#endif

#include "soak_util.hpp"

namespace soak {

enum transport { t_tcp, t_ipc, t_inproc, n_transports };
inline const char *const transport_names[n_transports] = {"tcp", "ipc", "inproc"};

struct options {
    std::vector<int> transports = {t_tcp, t_ipc, t_inproc};
    double churn_per_s = 60; // the whole process: client replacements, dead connects, PAIR pairs
    int restart_ms = 2000;   // each worker restarts its server this often
    int timeout_ms = 10000;  // a promised message missing this long is lost
    uint64_t seed = 1;
    // The streamer sends a burst just before each restart, so connections are
    // reset with multipart messages in flight. Off by default: libzmq 4.3.4
    // aborts on it within a minute (README, Soak).
    bool midflight_resets = false;
};
inline options g_opt;

struct worker {
    worker_id id;
    void *ctx;
    std::mt19937_64 rng;
    pacer churn;
    uint64_t restarts = 0, uid_next = 0, names = 0;
    size_t transport_pos = 0;

    worker(worker_id i, void *c)
        : id(i), ctx(c), rng(g_opt.seed * 1000003u + i), churn(g_opt.churn_per_s / n_workers) {}
    void count(uint64_t n = 1) { g_count.msgs[id] += n; }
    uint64_t new_uid() { return (uint64_t(id + 1) << 48) | ++uid_next; }
    int next_transport() { return g_opt.transports[transport_pos++ % g_opt.transports.size()]; }
    bool stopping() const { return g_stop.load(std::memory_order_relaxed); }
};

// Any failing call the scenario does not expect to fail is an error.
inline bool check(worker &w, int rc, const char *what) {
    if (rc >= 0)
        return true;
    report_error(e_unexpected, 1, w.id, "%s: %s (errno %d)", what, zmq_strerror(zmq_errno()),
                 zmq_errno());
    return false;
}

inline void *open_socket(worker &w, int type, int linger_ms) {
    void *s = zmq_socket(w.ctx, type);
    if (!s) {
        check(w, -1, "zmq_socket");
        return nullptr;
    }
    zmq_setsockopt(s, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
    g_count.sockets_created++;
    g_count.sockets_open++;
    return s;
}

inline void close_socket(void *&s) {
    if (!s)
        return;
    zmq_close(s);
    g_count.sockets_open--;
    s = nullptr;
}

inline std::string ipc_path(const std::string &ep) {
    return ep.rfind("ipc://", 0) == 0 ? ep.substr(6) : std::string();
}

// Binds to a fresh endpoint on transport tr; returns the resolved endpoint.
inline std::string bind_new(worker &w, void *s, int tr) {
    char name[128];
    if (tr == t_tcp)
        snprintf(name, sizeof name, "tcp://127.0.0.1:*");
    else if (tr == t_ipc)
        snprintf(name, sizeof name, "ipc:///tmp/zsoak-%d-%s-%llu", int(getpid()),
                 worker_names[w.id], (unsigned long long)++w.names);
    else
        snprintf(name, sizeof name, "inproc://zsoak-%s-%llu", worker_names[w.id],
                 (unsigned long long)++w.names);
    if (!check(w, zmq_bind(s, name), "zmq_bind"))
        return "";
    char ep[256];
    size_t len = sizeof ep;
    if (!check(w, zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len), "ZMQ_LAST_ENDPOINT"))
        return "";
    return ep;
}

// One whole message without blocking: false when none is waiting. A message
// whose later frames are not there at once is torn (zmq delivers atomically).
inline bool recv_parts(worker &w, void *s, std::vector<std::string> &parts) {
    parts.clear();
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (;;) {
        int rc = zmq_msg_recv(&m, s, ZMQ_DONTWAIT);
        if (rc < 0) {
            int e = zmq_errno();
            if (e == EINTR)
                continue;
            if (parts.empty() && e == EAGAIN)
                break;
            if (e == EAGAIN)
                report_error(e_corrupt, 1, w.id, "torn multipart: frame %zu missing", parts.size());
            else
                check(w, -1, "zmq_msg_recv");
            parts.clear();
            break;
        }
        parts.emplace_back(static_cast<char *>(zmq_msg_data(&m)), zmq_msg_size(&m));
        if (!zmq_msg_more(&m))
            break;
    }
    zmq_msg_close(&m);
    return !parts.empty();
}

// False when the first frame would block (EAGAIN) or on an error (counted
// unless listed in allowed_errno).
inline bool send_parts(worker &w, void *s, const std::vector<std::string> &parts, int flags,
                       int allowed_errno = EAGAIN) {
    for (size_t i = 0; i < parts.size(); ++i) {
        int more = i + 1 < parts.size() ? ZMQ_SNDMORE : 0;
        while (zmq_send(s, parts[i].data(), parts[i].size(), flags | more) < 0) {
            int e = zmq_errno();
            if (e == EINTR)
                continue;
            if (i == 0 && e == allowed_errno)
                return false;
            check(w, -1, i == 0 ? "zmq_send" : "zmq_send (later frame)");
            return false;
        }
    }
    return true;
}

inline bool wait_in(worker &w, void *s, int timeout_ms) {
    zmq_pollitem_t it{s, 0, ZMQ_POLLIN, 0};
    int rc = zmq_poll(&it, 1, timeout_ms);
    if (rc < 0 && zmq_errno() != EINTR)
        check(w, rc, "zmq_poll");
    return rc > 0;
}

// Disconnect from the old endpoint (ENOENT is fine: never connected there)
// and connect to the new one.
inline void reconnect(worker &w, void *s, const std::string &old_ep, const std::string &new_ep) {
    if (!s)
        return;
    if (zmq_disconnect(s, old_ep.c_str()) < 0 && zmq_errno() != ENOENT)
        check(w, -1, "zmq_disconnect");
    check(w, zmq_connect(s, new_ep.c_str()), "zmq_connect");
    g_count.reconnects++;
}

// The bound side of a scenario. restart() cycles through three kinds:
// 1. zmq_unbind and zmq_bind of the same endpoint on the same socket, then
//    clients reconnect explicitly (libzmq closes the connections accepted
//    through an unbound endpoint, zlink keeps them: nothing here relies on
//    either);
// 2. the socket closed and a new one bound to the same endpoint (tcp, ipc):
//    clients stay, see their connection reset, and reconnect by themselves;
// 3. close and re-open on the next transport: clients move.
struct server {
    worker &w;
    int type;
    void (*setup)(void *) = nullptr;
    void *s = nullptr;
    std::string ep;
    int tr = t_tcp;

    server(worker &wk, int t, void (*setup_fn)(void *) = nullptr)
        : w(wk), type(t), setup(setup_fn) {}
    ~server() { close(); }

    void open(int transport) {
        tr = transport;
        open_socket_only();
        ep = s ? bind_new(w, s, tr) : "";
    }
    void close() {
        close_socket(s);
        std::string path = ipc_path(ep);
        if (!path.empty())
            unlink(path.c_str());
    }
    // True when clients must connect explicitly (to a possibly new endpoint).
    bool restart() {
        ++w.restarts;
        g_count.restarts++;
        int kind = int(w.restarts % 3);
        if (kind == 1 && s && !ep.empty()) {
            check(w, zmq_unbind(s, ep.c_str()), "zmq_unbind");
            rebind_same();
            return true;
        }
        if (kind == 2 && s && !ep.empty() && tr != t_inproc) { // inproc never reconnects by itself
            close_socket(s);
            open_socket_only();
            return !s || !rebind_same();
        }
        close();
        open(w.next_transport());
        return true;
    }

  private:
    void open_socket_only() {
        s = open_socket(w, type, 0);
        if (s && setup)
            setup(s);
    }
    // The old listener closes in an io thread: its tcp port may stay busy for
    // a moment, and libzmq unlinks its ipc path then (possibly after a new
    // bind made it again), so wait for the path to go first. False when the
    // endpoint had to change.
    bool rebind_same() {
        std::string path = ipc_path(ep);
        if (!path.empty()) {
            for (int i = 0; i < 50 && access(path.c_str(), F_OK) == 0; ++i)
                sleep_ms(10);
            unlink(path.c_str());
        }
        for (int i = 0; s && i < 200; ++i) {
            if (zmq_bind(s, ep.c_str()) == 0)
                return true;
            if (zmq_errno() != EADDRINUSE)
                break;
            sleep_ms(10);
        }
        if (s && zmq_errno() != EADDRINUSE)
            check(w, -1, "zmq_bind (the same endpoint again)");
        ep = s ? bind_new(w, s, tr) : "";
        return false;
    }
};

using parts_t = std::vector<std::string>;
constexpr uint64_t stream_bit = 1ull << 47;

// Frames [first, end) must form one message: same uid and seq, parts 0..n-1.
inline bool check_message(worker &w, const parts_t &parts, size_t first, frame_hdr &h0) {
    size_t n = parts.size() - first;
    for (size_t i = 0; i < n; ++i) {
        frame_hdr h;
        std::string why = parse_frame(parts[first + i].data(), parts[first + i].size(), h);
        if (!why.empty()) {
            report_error(e_corrupt, 1, w.id, "frame %zu of %zu: %s", i, n, why.c_str());
            return false;
        }
        if (i == 0)
            h0 = h;
        if (h.uid != h0.uid || h.seq != h0.seq || h.part != i || h.nparts != n) {
            report_error(e_corrupt, 1, w.id,
                         "torn multipart: frame %zu of %zu is part %u/%u of uid %llx seq %llu "
                         "(first frame: uid %llx seq %llu)",
                         i, n, h.part, h.nparts, (unsigned long long)h.uid,
                         (unsigned long long)h.seq, (unsigned long long)h0.uid,
                         (unsigned long long)h0.seq);
            return false;
        }
    }
    return n > 0;
}

// Sequence check of one stream: returns false (and counts) when seq is not next.
inline bool check_seq(worker &w, uint64_t &next, uint64_t seq, const char *what) {
    if (seq == next) {
        ++next;
        return true;
    }
    if (seq > next)
        report_error(e_lost, seq - next, w.id, "%s: got seq %llu, expected %llu", what,
                     (unsigned long long)seq, (unsigned long long)next);
    else
        report_error(e_order, 1, w.id, "%s: got seq %llu again or late (expected %llu)", what,
                     (unsigned long long)seq, (unsigned long long)next);
    next = std::max(next, seq + 1);
    return false;
}

inline bool restart_due(uint64_t &last) {
    if (now_ms() - last < uint64_t(g_opt.restart_ms))
        return false;
    last = now_ms();
    return true;
}

// The scenarios (soak_workers.cpp, soak_churn.cpp); each runs until g_stop.
void run_pushpull(worker &w);
void run_dealer(worker &w);
void run_pubsub(worker &w);
void run_reqrep(worker &w);
void run_churn(worker &w);
void warm_up(worker &w);
inline int g_dead_tcp_port = 0; // bound, never listening: connects are refused

} // namespace soak
