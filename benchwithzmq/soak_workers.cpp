// The soak scenarios. Each runs in its own thread and owns both ends (the
// bound server and its clients), driving them with zmq_poll, so it knows
// exactly what was sent, what must arrive, and when a server restart made a
// loss legitimate. All scenarios share one context (and its io thread).
#include "soak_zmq.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

namespace soak {

// ---- PUSH/PULL: pushers come and go; every message must arrive in order ----
void run_pushpull(worker &w) {
    server srv(w, ZMQ_PULL);
    srv.open(w.next_transport());
    struct pusher {
        void *s = nullptr;
        uint64_t uid = 0;
    };
    std::map<uint64_t, uint64_t> sent, next; // per sender uid
    // A closing pusher's queued messages still go out: linger is 10 s.
    auto fresh = [&](pusher &p) {
        p.s = open_socket(w, ZMQ_PUSH, 10000);
        p.uid = w.new_uid();
        sent[p.uid] = next[p.uid] = 0;
        if (p.s) {
            zmq_setsockopt(p.s, ZMQ_SNDTIMEO, &g_opt.timeout_ms, sizeof(int));
            check(w, zmq_connect(p.s, srv.ep.c_str()), "zmq_connect");
        }
    };
    std::vector<pusher> pushers(3);
    for (auto &p : pushers)
        fresh(p);
    uint64_t last_restart = now_ms();
    parts_t parts;
    while (!w.stopping()) {
        for (auto &p : pushers)
            for (int k = 0; k < 30 && p.s; ++k) {
                std::string f = make_frame(p.uid, sent[p.uid], 0, 1, pick_body_size(w.rng));
                if (take_fault(w.id)) // a flipped byte: must show as corrupt
                    f[f.size() - 1] ^= 0x20;
                if (send_parts(w, p.s, {f}, 0, 0))
                    ++sent[p.uid];
            }
        if (w.churn.take()) {
            pusher &p = pushers[w.rng() % pushers.size()];
            close_socket(p.s);
            fresh(p);
        }
        auto missing = [&] {
            uint64_t n = 0;
            for (auto &kv : sent)
                n += kv.second - std::min(kv.second, next[kv.first]);
            return n;
        };
        while (uint64_t n = missing()) {
            if (!wait_in(w, srv.s, g_opt.timeout_ms)) {
                report_error(e_lost, n, w.id, "PULL %s: %llu messages missing after %d ms",
                             srv.ep.c_str(), (unsigned long long)n, g_opt.timeout_ms);
                next = sent;
                break;
            }
            frame_hdr h;
            while (recv_parts(w, srv.s, parts)) {
                if (!check_message(w, parts, 0, h))
                    continue;
                auto it = next.find(h.uid);
                if (it == next.end())
                    report_error(e_unexpected, 1, w.id, "message from unknown sender %llx",
                                 (unsigned long long)h.uid);
                else if (check_seq(w, it->second, h.seq, "PULL"))
                    w.count();
            }
        }
        for (auto it = sent.begin(); it != sent.end();) { // forget pushers that left
            bool live = false;
            for (auto &p : pushers)
                live |= p.uid == it->first;
            if (!live) {
                next.erase(it->first);
                it = sent.erase(it);
            } else
                ++it;
        }
        if (restart_due(last_restart)) { // every pusher moves: no loss is allowed
            std::string old = srv.ep;
            srv.restart();
            for (auto &p : pushers)
                if (p.s)
                    reconnect(w, p.s, old, srv.ep);
        }
    }
    for (auto &p : pushers)
        close_socket(p.s);
}

// ---- DEALER/ROUTER: pipelined multipart requests with correlation, plus a
// sticky streamer whose connection is reset by server restarts ---------------
static void router_setup(void *s) {
    int one = 1;
    zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
}

static parts_t make_request(worker &w, uint64_t uid, uint64_t seq) {
    uint32_t n = 1 + uint32_t(w.rng() % 4);
    parts_t parts;
    for (uint32_t i = 0; i < n; ++i)
        parts.push_back(
            make_frame(uid, seq, i, n, i == 1 ? pick_body_size(w.rng) : uint32_t(w.rng() % 64)));
    return parts;
}

void run_dealer(worker &w) {
    server srv(w, ZMQ_ROUTER, router_setup);
    srv.open(w.next_transport());
    struct client {
        void *s = nullptr;
        uint64_t uid = 0, seq = 0;
        std::deque<uint64_t> outstanding;
    };
    auto fresh = [&](client &c, uint64_t uid) {
        c.s = open_socket(w, ZMQ_DEALER, 0);
        c.uid = uid;
        c.outstanding.clear();
        if (c.s)
            check(w, zmq_connect(c.s, srv.ep.c_str()), "zmq_connect");
    };
    std::vector<client> clients(3);
    for (auto &c : clients)
        fresh(c, w.new_uid());
    client streamer;
    fresh(streamer, w.new_uid() | stream_bit);
    // The streamer's messages are checked per connection (the ROUTER gives
    // each connection its own routing id): in order, no gap, never torn.
    std::map<std::string, uint64_t> stream_next;
    std::deque<std::string> stream_rids;
    uint64_t stream_sent = 0, stream_received = 0, last_restart = now_ms();
    parts_t parts;
    frame_hdr h;

    auto stream = [&](int n) {
        for (int k = 0; k < n && streamer.s; ++k)
            if (send_parts(w, streamer.s, make_request(w, streamer.uid, streamer.seq),
                           ZMQ_DONTWAIT)) {
                ++streamer.seq;
                ++stream_sent;
            }
    };
    auto serve = [&] {
        while (recv_parts(w, srv.s, parts)) {
            if (parts.size() < 2 || !check_message(w, parts, 1, h))
                continue;
            w.count();
            if (!(h.uid & stream_bit)) {
                send_parts(w, srv.s, parts, ZMQ_DONTWAIT, 0); // echo, routing id first
                continue;
            }
            ++stream_received;
            auto it = stream_next.find(parts[0]);
            if (it == stream_next.end()) {
                stream_next[parts[0]] = h.seq + 1;
                stream_rids.push_back(parts[0]);
                if (stream_rids.size() > 32) {
                    stream_next.erase(stream_rids.front());
                    stream_rids.pop_front();
                }
            } else
                check_seq(w, it->second, h.seq, "streamer (one connection)");
        }
    };
    while (!w.stopping()) {
        for (auto &c : clients)
            for (int k = 0; k < 8 && c.s; ++k) {
                parts_t req = make_request(w, c.uid, c.seq);
                bool torn = req.size() > 1 && take_fault(w.id); // must show as torn
                if (torn)
                    req.pop_back();
                if (send_parts(w, c.s, req, ZMQ_DONTWAIT, 0) && !torn)
                    c.outstanding.push_back(c.seq);
                ++c.seq;
            }
        stream(10);
        uint64_t deadline = now_ms() + g_opt.timeout_ms;
        for (;;) {
            std::vector<zmq_pollitem_t> items{{srv.s, 0, ZMQ_POLLIN, 0}};
            uint64_t waiting = 0;
            for (auto &c : clients)
                if (c.s) {
                    items.push_back({c.s, 0, ZMQ_POLLIN, 0});
                    waiting += c.outstanding.size();
                }
            if (!waiting)
                break;
            if (now_ms() > deadline) {
                for (auto &c : clients)
                    if (!c.outstanding.empty())
                        report_error(e_lost, c.outstanding.size(), w.id,
                                     "DEALER %llx: %zu replies missing (server %s)",
                                     (unsigned long long)c.uid, c.outstanding.size(),
                                     srv.ep.c_str());
                for (auto &c : clients)
                    c.outstanding.clear();
                break;
            }
            if (zmq_poll(items.data(), int(items.size()), 100) < 0 && zmq_errno() != EINTR)
                check(w, -1, "zmq_poll");
            serve();
            for (auto &c : clients)
                while (c.s && recv_parts(w, c.s, parts)) {
                    if (!check_message(w, parts, 0, h))
                        continue;
                    auto pos = std::find(c.outstanding.begin(), c.outstanding.end(), h.seq);
                    if (h.uid != c.uid || pos == c.outstanding.end()) {
                        report_error(
                            e_order, 1, w.id,
                            "DEALER %llx: reply uid %llx seq %llu answers nothing outstanding",
                            (unsigned long long)c.uid, (unsigned long long)h.uid,
                            (unsigned long long)h.seq);
                        continue;
                    }
                    if (pos != c.outstanding.begin()) // earlier replies never came
                        report_error(e_lost, uint64_t(pos - c.outstanding.begin()), w.id,
                                     "DEALER %llx: reply to seq %llu came before earlier ones",
                                     (unsigned long long)c.uid, (unsigned long long)h.seq);
                    c.outstanding.erase(c.outstanding.begin(), pos + 1);
                    w.count();
                }
        }
        serve();
        if (w.churn.take()) { // a client reconnects its socket or is replaced
            client &c = clients[w.rng() % clients.size()];
            if (w.rng() % 2)
                reconnect(w, c.s, srv.ep, srv.ep);
            else {
                close_socket(c.s);
                fresh(c, w.new_uid());
            }
        }
        if (restart_due(last_restart)) {
            if (g_opt.midflight_resets) // in flight when the server goes: resets land mid-multipart
                stream(40);
            std::string old = srv.ep;
            bool moved = srv.restart();
            for (auto &c : clients)
                reconnect(w, c.s, old, srv.ep);
            if (moved) // else the streamer stays and reconnects by itself
                reconnect(w, streamer.s, old, srv.ep);
        }
    }
    // What the streamer lost to resets (allowed: it was mid-flight when the server went).
    for (int i = 0; i < 20 && stream_received < stream_sent && wait_in(w, srv.s, 50); ++i)
        serve();
    g_count.reset_drops += stream_sent - std::min(stream_sent, stream_received);
    for (auto &c : clients)
        close_socket(c.s);
    close_socket(streamer.s);
}

// ---- PUB/SUB: subscribers come and go with random topic sets. Once a
// subscriber has a topic's message of the current server epoch, every later
// one of that topic must follow, in order, and no other topic may arrive. --
void run_pubsub(worker &w) {
    constexpr int n_topics = 4;
    static const int deep_hwm = 100000;
    // Queues deep enough that nothing is ever dropped at the high-water mark:
    // a gap is then a real loss.
    server srv(w, ZMQ_PUB,
               [](void *s) { zmq_setsockopt(s, ZMQ_SNDHWM, &deep_hwm, sizeof deep_hwm); });
    srv.open(w.next_transport());
    uint64_t epoch = 0, pub_seq[n_topics] = {}, last_restart = now_ms();
    struct topic_state {
        bool subscribed = false, established = false;
        uint64_t epoch = 0, next = 0;
    };
    struct subscriber {
        void *s = nullptr;
        topic_state t[n_topics];
    };
    auto prefix = [](int d) { return "T" + std::to_string(d) + "|"; };
    auto fresh = [&](subscriber &sub) {
        sub = subscriber();
        sub.s = open_socket(w, ZMQ_SUB, 0);
        if (sub.s)
            zmq_setsockopt(sub.s, ZMQ_RCVHWM, &deep_hwm, sizeof deep_hwm);
        unsigned mask = 1 + unsigned(w.rng() % ((1u << n_topics) - 1));
        for (int d = 0; d < n_topics && sub.s; ++d)
            if (mask & (1u << d)) {
                sub.t[d].subscribed = true;
                check(w, zmq_setsockopt(sub.s, ZMQ_SUBSCRIBE, prefix(d).data(), prefix(d).size()),
                      "ZMQ_SUBSCRIBE");
            }
        if (sub.s)
            check(w, zmq_connect(sub.s, srv.ep.c_str()), "zmq_connect");
    };
    std::vector<subscriber> subs(4);
    for (auto &sub : subs)
        fresh(sub);
    parts_t parts;
    auto take = [&](subscriber &sub) {
        frame_hdr h;
        while (recv_parts(w, sub.s, parts)) {
            const std::string &m = parts[0];
            int d = m.size() > 3 && m[0] == 'T' && m[2] == '|' ? m[1] - '0' : -1;
            if (parts.size() != 1 || d < 0 || d >= n_topics) {
                report_error(e_corrupt, 1, w.id, "SUB: malformed message (%zu frames)",
                             parts.size());
                continue;
            }
            std::string why = parse_frame(m.data() + 3, m.size() - 3, h);
            if (!why.empty() || int(h.uid & 0xff) != d) {
                report_error(e_corrupt, 1, w.id, "SUB topic %d: %s", d,
                             why.empty() ? "topic mismatch" : why.c_str());
                continue;
            }
            topic_state &st = sub.t[d];
            if (!st.subscribed) {
                report_error(e_unexpected, 1, w.id, "SUB got topic %d it never subscribed to", d);
                continue;
            }
            uint64_t e = h.uid >> 8;
            if (st.established && e < st.epoch)
                continue; // from a connection an earlier restart closed
            if (!st.established || e > st.epoch) {
                st = topic_state{true, true, e, h.seq + 1};
                w.count();
            } else if (check_seq(w, st.next, h.seq, "SUB (one connection)"))
                w.count();
        }
    };
    auto missing = [&] {
        uint64_t n = 0;
        for (auto &sub : subs)
            for (int d = 0; d < n_topics; ++d)
                if (sub.s && sub.t[d].established && sub.t[d].epoch == epoch)
                    n += pub_seq[d] - std::min(pub_seq[d], sub.t[d].next);
        return n;
    };
    while (!w.stopping()) {
        for (int k = 0; k < 60 && srv.s; ++k) {
            int d = int(w.rng() % n_topics);
            bool watched = false; // a skipped sequence on a watched topic: must show as lost
            for (auto &sub : subs)
                watched |= sub.s && sub.t[d].established && sub.t[d].epoch == epoch;
            if (watched && take_fault(w.id))
                ++pub_seq[d];
            std::string m = prefix(d) + make_frame((epoch << 8) | uint64_t(d), pub_seq[d]++, 0, 1,
                                                   uint32_t(w.rng() % 512));
            check(w, zmq_send(srv.s, m.data(), m.size(), ZMQ_DONTWAIT), "zmq_send (PUB)");
        }
        uint64_t deadline = now_ms() + g_opt.timeout_ms;
        int polls = 0; // with nobody established yet, still give subscriptions a moment
        do {
            std::vector<zmq_pollitem_t> items;
            for (auto &sub : subs)
                if (sub.s)
                    items.push_back({sub.s, 0, ZMQ_POLLIN, 0});
            zmq_poll(items.data(), int(items.size()), missing() ? 100 : polls++ ? 0 : 5);
            for (auto &sub : subs)
                if (sub.s)
                    take(sub);
        } while (missing() && now_ms() < deadline);
        if (uint64_t n = missing()) {
            report_error(e_lost, n, w.id, "SUB: %llu messages missing after %d ms (PUB %s)",
                         (unsigned long long)n, g_opt.timeout_ms, srv.ep.c_str());
            for (auto &sub : subs)
                for (int d = 0; d < n_topics; ++d)
                    sub.t[d].next = std::max(sub.t[d].next, pub_seq[d]);
        }
        if (w.churn.take()) {
            subscriber &sub = subs[w.rng() % subs.size()];
            close_socket(sub.s);
            fresh(sub);
        }
        if (restart_due(last_restart)) { // subscribers re-establish in the new epoch
            std::string old = srv.ep;
            ++epoch;
            if (srv.restart())
                for (auto &sub : subs)
                    reconnect(w, sub.s, old, srv.ep);
        }
    }
    for (auto &sub : subs)
        close_socket(sub.s);
}

} // namespace soak
