// Shared by the fault tests (test_fault_*.cpp): the four socket patterns of
// issue 14 linked through the fault-injecting relay (support/fault_proxy),
// a round trip that proves traffic flows in each, and monitor traces.
// Public API only, so the tests run against the system libzmq too.
#pragma once

#include "fault_proxy.hpp"
#include "net_testutil.hpp"
#include "proc_testutil.hpp"

#include <cstdio>

namespace faulttest {

using namespace testutil;
using fault::dir;
using fault::end_kind;

// The binder binds tcp, the relay forwards to it, the connecter dials the
// relay. "up" on the relay is connecter -> binder.
struct link_pattern {
    const char *name;
    int binder, connecter;
};

inline const link_pattern patterns[] = {
    {"push_pull", ZMQ_PULL, ZMQ_PUSH},
    {"dealer_router", ZMQ_ROUTER, ZMQ_DEALER},
    {"req_rep", ZMQ_REP, ZMQ_REQ},
    {"pub_sub", ZMQ_PUB, ZMQ_SUB},
};

inline std::string pattern_name(const ::testing::TestParamInfo<link_pattern> &i) {
    return i.param.name;
}

inline const char *event_name(int id) {
    switch (id) {
    case ZMQ_EVENT_CONNECTED:
        return "CONNECTED";
    case ZMQ_EVENT_CONNECT_DELAYED:
        return "CONNECT_DELAYED";
    case ZMQ_EVENT_CONNECT_RETRIED:
        return "CONNECT_RETRIED";
    case ZMQ_EVENT_LISTENING:
        return "LISTENING";
    case ZMQ_EVENT_BIND_FAILED:
        return "BIND_FAILED";
    case ZMQ_EVENT_ACCEPTED:
        return "ACCEPTED";
    case ZMQ_EVENT_ACCEPT_FAILED:
        return "ACCEPT_FAILED";
    case ZMQ_EVENT_CLOSED:
        return "CLOSED";
    case ZMQ_EVENT_CLOSE_FAILED:
        return "CLOSE_FAILED";
    case ZMQ_EVENT_DISCONNECTED:
        return "DISCONNECTED";
    case ZMQ_EVENT_MONITOR_STOPPED:
        return "MONITOR_STOPPED";
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        return "HANDSHAKE_FAILED_NO_DETAIL";
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        return "HANDSHAKE_SUCCEEDED";
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        return "HANDSHAKE_FAILED_PROTOCOL";
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        return "HANDSHAKE_FAILED_AUTH";
    }
    return "?";
}

// Monitor events read until `last` arrives (included) or the bound passes.
struct trace {
    std::vector<event> events;
    bool reached = false;

    std::vector<int> ids() const {
        std::vector<int> out;
        for (const event &e : events)
            out.push_back(e.id);
        return out;
    }
    std::string str() const {
        std::string s;
        for (const event &e : events)
            s += std::string(s.empty() ? "" : " ") + event_name(e.id) + "(" +
                 std::to_string(e.value) + ")";
        return s.empty() ? "<none>" : s;
    }
};

inline trace events_until(void *mon, int last, int timeout_ms = wait_ms) {
    trace t;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    event ev;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!read_event(mon, ev, 20))
            continue;
        t.events.push_back(ev);
        if (ev.id == last) {
            t.reached = true;
            break;
        }
    }
    return t;
}

// Everything the monitor has queued right now.
inline trace events_now(void *mon) {
    trace t;
    event ev;
    while (read_event(mon, ev, 0))
        t.events.push_back(ev);
    return t;
}

inline std::vector<int> ids(std::initializer_list<int> l) { return l; }

class fault_link : public net_test {
  protected:
    void TearDown() override {
        net_test::TearDown(); // sockets first, then the relay
        proxy.reset();
    }

    // Makes the pair, applies `tune` to both before bind/connect, links
    // them through a new relay.
    void link(const link_pattern &p,
              const std::function<void(void *binder, void *connecter)> &tune = {}) {
        pat = p;
        binder = make(p.binder);
        connecter = make(p.connecter);
        set_int(connecter, ZMQ_RECONNECT_IVL, 50);
        if (p.connecter == ZMQ_SUB)
            ASSERT_EQ(0, zmq_setsockopt(connecter, ZMQ_SUBSCRIBE, "", 0));
        if (tune)
            tune(binder, connecter);
        if (binder_mon_wanted)
            binder_mon = monitor(binder);
        if (connecter_mon_wanted)
            connecter_mon = monitor(connecter);
        const std::string target = bind_any(binder, transport::tcp4);
        ASSERT_FALSE(target.empty());
        proxy.reset(new fault::fault_proxy(target));
        ASSERT_EQ(0, zmq_connect(connecter, proxy->endpoint().c_str()));
    }

    // One exchange that needs the connection in the pattern's direction(s):
    // true once `tag` (and for request/reply patterns its answer) arrived.
    // Stale copies of earlier tags (PUB repeats, REQ's lost requests) are
    // skipped; anything else fails the test.
    bool round_trip(const std::string &tag, int timeout_ms = wait_ms) {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        const auto left = [&] {
            return int(std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  deadline - std::chrono::steady_clock::now())
                                                  .count()));
        };
        switch (pat.binder) {
        case ZMQ_PULL:
            if (!send_retry(connecter, tag, 0, left()))
                return false;
            return skip_until(binder, tag, left(), 0);
        case ZMQ_ROUTER: {
            if (!send_retry(connecter, tag, 0, left()))
                return false;
            if (!skip_until(binder, tag, left(), 1))
                return false;
            if (send_parts(binder, {last_routing_id, "re:" + tag}) != 0)
                return false;
            return skip_until(connecter, "re:" + tag, left(), 0);
        }
        case ZMQ_REP: {
            if (!send_retry(connecter, tag, 0, left()))
                return false;
            if (!skip_until(binder, tag, left(), 0, true))
                return false;
            return skip_until(connecter, "re:" + tag, left(), 0);
        }
        case ZMQ_PUB:
            while (left() > 0) {
                send_str(binder, tag);
                if (skip_until(connecter, tag, 20, 0))
                    return true;
            }
            return false;
        }
        return false;
    }

    // Receives messages (routing envelope of `strip` frames) until one is
    // `want`; a REP answers every request it takes ("re:" + request).
    bool skip_until(void *s, const std::string &want, int timeout_ms, size_t strip,
                    bool answer = false) {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        for (;;) {
            const int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     deadline - std::chrono::steady_clock::now())
                                     .count());
            if (left <= 0 || !wait_readable(s, left))
                return false;
            const std::vector<std::string> m = recv_multipart(s, 1000);
            if (m.size() == 1 && m[0] == "<error>" && zmq_errno() == EAGAIN)
                continue; // a correlating REQ discarded replies to older requests
            if (m.size() != strip + 1) {
                ADD_FAILURE() << "unexpected message of " << m.size() << " parts";
                return false;
            }
            const std::string &body = m[strip];
            if (strip > 0)
                last_routing_id = m[0];
            if (answer && send_str(s, "re:" + body) < 0)
                return false;
            if (body == want)
                return true;
            if (body.compare(0, 3, "rt-") != 0 && body.compare(0, 6, "re:rt-") != 0) {
                ADD_FAILURE() << "unexpected message '" << body.substr(0, 16) << "'";
                return false;
            }
        }
    }

    // Tags for round_trip: "rt-<n>".
    std::string next_tag() { return "rt-" + std::to_string(++tags); }

    link_pattern pat{};
    void *binder = nullptr, *connecter = nullptr;
    void *binder_mon = nullptr, *connecter_mon = nullptr;
    bool binder_mon_wanted = false, connecter_mon_wanted = false;
    std::unique_ptr<fault::fault_proxy> proxy;
    int tags = 0;
    std::string last_routing_id; // of the last message a ROUTER took
};

} // namespace faulttest
