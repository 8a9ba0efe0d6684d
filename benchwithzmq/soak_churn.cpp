// Soak scenarios with the most socket turnover: REQ/REP clients in the
// "lazy pirate" style (a client that gets no reply is closed and replaced),
// and a worker that only creates, connects, monitors and closes sockets.
#include "soak_zmq.hpp"

#include <unordered_map>

namespace soak {

// ---- REQ/REP. A request may go unanswered only when the server was re-bound
// while the client stayed connected (it reconnects by itself, and a request
// written into the old connection is gone); otherwise a missing reply is lost.
void run_reqrep(worker &w) {
    server srv(w, ZMQ_REP);
    srv.open(w.next_transport());
    struct client {
        void *s = nullptr;
        uint64_t uid = 0, seq = 0, sent_ms = 0, ok_epoch = 0;
        bool waiting = false;
        std::string request;
    };
    std::unordered_map<uint64_t, uint64_t> seen; // server side: next seq per client
    auto fresh = [&](client &c) {
        seen.erase(c.uid);
        c = client();
        c.s = open_socket(w, ZMQ_REQ, 0);
        c.uid = w.new_uid();
        c.ok_epoch = w.restarts;
        if (c.s)
            check(w, zmq_connect(c.s, srv.ep.c_str()), "zmq_connect");
    };
    std::vector<client> clients(4);
    for (auto &c : clients)
        fresh(c);
    bool sticky_restart = false;
    uint64_t last_restart = now_ms();
    std::vector<std::string> parts;
    frame_hdr h;
    auto serve = [&] {
        while (recv_parts(w, srv.s, parts)) {
            if (parts.size() != 1 || !check_message(w, parts, 0, h)) {
                send_parts(w, srv.s, {std::string()}, 0,
                           0); // REP must answer before its next receive
                continue;
            }
            uint64_t &next = seen[h.uid];
            if (h.seq < next) // a replaced client never re-sends, so seq only grows
                report_error(e_order, 1, w.id, "REP: uid %llx seq %llu after %llu",
                             (unsigned long long)h.uid, (unsigned long long)h.seq,
                             (unsigned long long)next);
            next = h.seq + 1;
            w.count();
            send_parts(w, srv.s, parts, 0, 0);
        }
    };
    while (!w.stopping()) {
        for (auto &c : clients)
            if (c.s) {
                c.request = make_frame(c.uid, c.seq, 0, 1, pick_body_size(w.rng));
                c.waiting = send_parts(w, c.s, {c.request}, ZMQ_DONTWAIT, 0);
                c.sent_ms = now_ms();
            }
        for (;;) {
            std::vector<zmq_pollitem_t> items{{srv.s, 0, ZMQ_POLLIN, 0}};
            size_t waiting = 0;
            for (auto &c : clients)
                if (c.waiting) {
                    items.push_back({c.s, 0, ZMQ_POLLIN, 0});
                    ++waiting;
                }
            if (!waiting)
                break;
            zmq_poll(items.data(), int(items.size()), 50);
            serve();
            for (auto &c : clients) {
                if (!c.waiting)
                    continue;
                if (recv_parts(w, c.s, parts)) {
                    if (parts.size() != 1 || parts[0] != c.request)
                        report_error(e_corrupt, 1, w.id,
                                     "REQ %llx: reply differs from request seq %llu",
                                     (unsigned long long)c.uid, (unsigned long long)c.seq);
                    else
                        w.count();
                    c.waiting = false;
                    ++c.seq;
                    c.ok_epoch = w.restarts;
                    continue;
                }
                bool excused = sticky_restart && c.ok_epoch != w.restarts;
                if (now_ms() - c.sent_ms < uint64_t(excused ? 1000 : g_opt.timeout_ms))
                    continue;
                if (excused)
                    g_count.reset_drops++;
                else
                    report_error(e_lost, 1, w.id,
                                 "REQ %llx: no reply to seq %llu in %d ms (server %s)",
                                 (unsigned long long)c.uid, (unsigned long long)c.seq,
                                 g_opt.timeout_ms, srv.ep.c_str());
                close_socket(c.s); // lazy pirate: a REQ stuck in send state is replaced
                fresh(c);
            }
        }
        if (w.churn.take()) {
            client &c = clients[w.rng() % clients.size()];
            close_socket(c.s);
            fresh(c);
        }
        if (restart_due(last_restart)) {
            std::string old = srv.ep;
            sticky_restart = !srv.restart();
            if (!sticky_restart)
                for (auto &c : clients) {
                    reconnect(w, c.s, old, srv.ep);
                    c.ok_epoch = w.restarts;
                }
        }
    }
    for (auto &c : clients)
        close_socket(c.s);
}

// ---- Socket churn, paced: short-lived PAIR pairs that must exchange one
// message each way, connects to endpoints nobody listens on, sockets of every
// type opened (some bound) and closed, and monitored listeners. ------------
namespace {

const int all_types[] = {ZMQ_PAIR,   ZMQ_PUB,  ZMQ_SUB,  ZMQ_REQ,  ZMQ_REP,  ZMQ_DEALER,
                         ZMQ_ROUTER, ZMQ_PULL, ZMQ_PUSH, ZMQ_XPUB, ZMQ_XSUB, ZMQ_STREAM};

void pair_exchange(worker &w, int tr) {
    server srv(w, ZMQ_PAIR);
    srv.open(tr);
    void *c = open_socket(w, ZMQ_PAIR, 0);
    std::vector<std::string> parts;
    frame_hdr h;
    uint64_t uid = w.new_uid();
    if (srv.s && c && !srv.ep.empty() && check(w, zmq_connect(c, srv.ep.c_str()), "zmq_connect")) {
        bool ok =
            send_parts(w, c, {make_frame(uid, 0, 0, 1, pick_body_size(w.rng))}, ZMQ_DONTWAIT, 0);
        for (int leg = 0; ok && leg < 2; ++leg) {
            void *from = leg ? srv.s : c, *to = leg ? c : srv.s;
            if (leg)
                ok = send_parts(w, from, {make_frame(uid, 1, 0, 1, 16)}, ZMQ_DONTWAIT, 0);
            if (ok && !wait_in(w, to, g_opt.timeout_ms)) {
                report_error(e_lost, 1, w.id, "PAIR %s: message %d not delivered", srv.ep.c_str(),
                             leg);
                break;
            }
            if (ok && recv_parts(w, to, parts) && check_message(w, parts, 0, h)) {
                if (h.uid != uid || h.seq != uint64_t(leg))
                    report_error(e_corrupt, 1, w.id, "PAIR: wrong message");
                else
                    w.count();
            }
        }
    }
    close_socket(c);
}

// A DEALER connecting where nobody listens, with a message queued, closed at
// once. inproc (a PUSH there) instead binds the endpoint afterwards and the queued message
// must arrive: libzmq keeps a socket whose inproc connect never found a
// binder until the context ends (one eventfd each), so it is never left so.
void dead_connect(worker &w, int tr) {
    void *s = open_socket(w, tr == t_inproc ? ZMQ_PUSH : ZMQ_DEALER, 0);
    if (!s)
        return;
    char ep[160];
    if (tr == t_tcp)
        snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", g_dead_tcp_port);
    else if (tr == t_ipc)
        snprintf(ep, sizeof ep, "ipc:///tmp/zsoak-%d-nobody-%llu", int(getpid()),
                 (unsigned long long)++w.names);
    else
        snprintf(ep, sizeof ep, "inproc://zsoak-later-%llu", (unsigned long long)++w.names);
    uint64_t uid = w.new_uid();
    if (check(w, zmq_connect(s, ep), "zmq_connect (nobody listening yet)") &&
        send_parts(w, s, {make_frame(uid, 0, 0, 1, 8)}, ZMQ_DONTWAIT, 0)) {
        if (tr == t_inproc) {
            void *late = open_socket(w, ZMQ_PULL, 0);
            std::vector<std::string> parts;
            frame_hdr h;
            if (late && check(w, zmq_bind(late, ep), "zmq_bind (after connect)")) {
                if (!wait_in(w, late, g_opt.timeout_ms))
                    report_error(e_lost, 1, w.id,
                                 "%s: message queued before the bind not delivered", ep);
                else if (recv_parts(w, late, parts) && check_message(w, parts, 0, h) &&
                         h.uid == uid)
                    w.count();
            }
            close_socket(late);
        } else {
            sleep_ms(int(w.rng() % 20)); // let some connect attempts fail first
            w.count();
        }
    }
    close_socket(s);
}

void open_close_all(worker &w, int tr) {
    for (int type : all_types) {
        void *s = open_socket(w, type, 0);
        std::string ep;
        if (s && w.rng() % 2 && tr != t_inproc)
            ep = bind_new(w, s, tr); // never unbound: close must release the listener
        close_socket(s);
        if (!ipc_path(ep).empty())
            unlink(ipc_path(ep).c_str());
    }
    w.count();
}

// A listener with a monitor: a connecting client must show up as ACCEPTED.
void monitored_accept(worker &w, int tr) {
    server srv(w, ZMQ_ROUTER);
    char mon_ep[96];
    snprintf(mon_ep, sizeof mon_ep, "inproc://zsoak-monitor-%llu", (unsigned long long)++w.names);
    void *mon = open_socket(w, ZMQ_PAIR, 0);
    srv.open(tr == t_inproc ? t_tcp : tr); // inproc has no accept event
    void *c = open_socket(w, ZMQ_DEALER, 0);
    if (srv.s && mon && c &&
        check(w, zmq_socket_monitor(srv.s, mon_ep, ZMQ_EVENT_ACCEPTED), "zmq_socket_monitor") &&
        check(w, zmq_connect(mon, mon_ep), "zmq_connect (monitor)") &&
        check(w, zmq_connect(c, srv.ep.c_str()), "zmq_connect")) {
        std::vector<std::string> parts;
        bool accepted = false;
        uint64_t deadline = now_ms() + g_opt.timeout_ms;
        // Poll in slices until the deadline: a loaded machine may take more
        // than one slice to accept (a slice without an event is not a failure).
        while (!accepted && now_ms() < deadline)
            while (!accepted && wait_in(w, mon, 100) && recv_parts(w, mon, parts))
                if (parts.size() == 2 && parts[0].size() == 6) {
                    uint16_t ev;
                    memcpy(&ev, parts[0].data(), 2);
                    accepted |= ev == ZMQ_EVENT_ACCEPTED;
                }
        if (accepted)
            w.count();
        else
            report_error(e_lost, 1, w.id, "monitor of %s: no ACCEPTED event", srv.ep.c_str());
        zmq_socket_monitor(srv.s, nullptr, 0);
    }
    close_socket(c);
    close_socket(mon);
}

} // namespace

// Before the baseline: one exchange per transport starts the context's
// lazily created threads, and the thread that runs it leaves glibc's stack
// and arena caches as the scenario threads will (neither is the library's).
void warm_up(worker &w) {
    for (int tr : g_opt.transports)
        pair_exchange(w, tr);
}

void run_churn(worker &w) {
    for (uint64_t op = 0; !w.stopping();) {
        if (!w.churn.take()) {
            sleep_ms(5);
            continue;
        }
        int tr = w.next_transport();
        switch (op++ % 4) {
        case 0:
            pair_exchange(w, tr);
            break;
        case 1:
            dead_connect(w, tr);
            break;
        case 2:
            open_close_all(w, tr);
            break;
        default:
            monitored_accept(w, tr);
            break;
        }
    }
}

} // namespace soak
