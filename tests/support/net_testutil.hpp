// Network extras for the public-API tests (tests/network, tests/interop,
// monitor tests): transports, monitor events, a ZAP handler thread, and (from
// raw_zmtp_peer.hpp) a raw ZMTP peer. Public API only
// (<zmq.h>) so the same tests run against zlink and against the system
// libzmq. Same namespace as testutil.hpp.
#pragma once

#include "proc_testutil.hpp"
#include "raw_zmtp_peer.hpp"
#include "testutil.hpp"

#include <chrono>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <map>
#include <mutex>

namespace testutil {

// ---------------------------------------------------------------- transports

enum class transport { tcp4, tcp6, ipc_path, ipc_abstract, ipc_wild, ws };

inline const char *transport_name(transport t) {
    switch (t) {
    case transport::tcp4:
        return "tcp4";
    case transport::tcp6:
        return "tcp6";
    case transport::ipc_path:
        return "ipc_path";
    case transport::ipc_abstract:
        return "ipc_abstract";
    case transport::ipc_wild:
        return "ipc_wild";
    case transport::ws:
        return "ws";
    }
    return "?";
}

inline bool is_tcp(transport t) { return t == transport::tcp4 || t == transport::tcp6; }

// Whether the loopback interface has a usable ::1 (containers often lack it).
inline bool ipv6_works() {
    const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// ipc socket files this process bound (or had a peer bind), removed by
// cleanup_ipc_files(): libzmq 4.3.4 leaves them behind, and for ipc://* it
// creates "tmpXXXXXX/socket" relative to the working directory.
inline std::vector<std::string> &ipc_files() {
    static std::vector<std::string> files;
    return files;
}
inline void remember_ipc(const std::string &ep) {
    if (ep.compare(0, 6, "ipc://") == 0 && ep.size() > 6 && ep[6] != '@')
        ipc_files().push_back(ep.substr(6));
}
inline void cleanup_ipc_files() {
    for (const std::string &path : ipc_files()) {
        ::unlink(path.c_str());
        // A wildcard bind's private directory ("tmpXXXXXX/socket").
        const auto slash = path.rfind('/');
        if (slash != std::string::npos && path.compare(slash, 7, "/socket") == 0)
            ::rmdir(path.substr(0, slash).c_str());
    }
    ipc_files().clear();
}

// The endpoint to bind for a transport (wildcards where the transport has one).
inline std::string bind_spec(transport t) {
    switch (t) {
    case transport::tcp4:
        return "tcp://127.0.0.1:*";
    case transport::tcp6:
        return "tcp://[::1]:*";
    case transport::ipc_path: {
        const std::string ep = "ipc:///tmp/" + short_unique() + ".ipc";
        remember_ipc(ep);
        return ep;
    }
    case transport::ipc_abstract:
        return "ipc://@" + short_unique();
    case transport::ipc_wild:
        return "ipc://*";
    case transport::ws:
        return "ws://127.0.0.1:*/" + short_unique();
    }
    return "";
}

// Options a socket needs before bind/connect on this transport.
inline void prepare(void *s, transport t) {
    if (t == transport::tcp6)
        set_int(s, ZMQ_IPV6, 1);
}

// Bind on a fresh endpoint of the transport; returns ZMQ_LAST_ENDPOINT
// (the address to connect to) or "" on failure.
inline std::string bind_any(void *s, transport t) {
    prepare(s, t);
    const std::string spec = bind_spec(t);
    if (zmq_bind(s, spec.c_str()) != 0) {
        ADD_FAILURE() << "bind " << spec << ": " << zmq_strerror(zmq_errno());
        return "";
    }
    const std::string ep = last_endpoint(s);
    if (t == transport::ipc_wild)
        remember_ipc(ep);
    return ep;
}

// An endpoint that shows whether transport `t` is implemented (a bind to it).
inline const char *net_probe_endpoint(transport t) {
    if (is_tcp(t))
        return "tcp://127.0.0.1:*";
    return t == transport::ws ? "ws://127.0.0.1:*/probe" : "ipc://*";
}

// Skips unless transport `t` works here (implemented, and ::1 for tcp6).
#define SKIP_WITHOUT_NET(t)                                                                        \
    do {                                                                                           \
        if (!testutil::transport_supported(testutil::net_probe_endpoint(t)))                       \
            GTEST_SKIP() << "transport not implemented yet";                                       \
        if ((t) == testutil::transport::tcp6 && !testutil::ipv6_works())                           \
            GTEST_SKIP() << "no IPv6 loopback";                                                    \
    } while (0)

// ---------------------------------------------------------------- messages

// The message's property `name`, "<none>" when absent; "<timeout>" if none came.
inline std::string recv_property(void *s, const char *name, std::string *body = nullptr) {
    if (!wait_readable(s))
        return "<timeout>";
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, s, 0) < 0)
        return "<error>";
    const char *v = zmq_msg_gets(&m, name);
    std::string out = v ? v : "<none>";
    if (body)
        body->assign(static_cast<char *>(zmq_msg_data(&m)), zmq_msg_size(&m));
    zmq_msg_close(&m);
    return out;
}

inline int send_parts(void *s, const std::vector<std::string> &parts) {
    for (size_t i = 0; i < parts.size(); ++i) {
        const int flags = i + 1 < parts.size() ? ZMQ_SNDMORE : 0;
        if (zmq_send(s, parts[i].data(), parts[i].size(), flags) < 0)
            return -1;
    }
    return 0;
}

// Send with DONTWAIT, retrying while EAGAIN until the deadline; the network
// path fills up under HWM and the receiver drains it concurrently.
inline bool send_retry(void *s, const std::string &data, int flags = 0, int timeout = wait_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
    for (;;) {
        if (zmq_send(s, data.data(), data.size(), flags | ZMQ_DONTWAIT) >= 0)
            return true;
        if (zmq_errno() != EAGAIN || std::chrono::steady_clock::now() > deadline)
            return false;
        zmq_pollitem_t it = {s, 0, ZMQ_POLLOUT, 0};
        zmq_poll(&it, 1, 10);
    }
}

// Subscribed-but-unconnected PUB drops: retry "send, poll for arrival" until
// the subscription has travelled to the publisher.
inline bool pub_until_received(void *pub, void *sub, const std::string &msg,
                               std::string *got = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        send_str(pub, msg);
        if (wait_readable(sub, 20)) {
            const std::string r = recv_str(sub);
            if (got)
                *got = r;
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------- monitor

struct event {
    int id = -1;
    uint32_t value = 0;
    std::string endpoint;
};

// The next event (two frames: 6 bytes id + value, then the endpoint) if one
// comes within `timeout` ms; a malformed event is a test failure.
inline bool read_event(void *mon, event &ev, int timeout) {
    if (!wait_readable(mon, timeout))
        return false;
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, mon, 0) == -1 || zmq_msg_size(&m) != 6 || !zmq_msg_more(&m)) {
        ADD_FAILURE() << "malformed first event frame";
        zmq_msg_close(&m);
        return false;
    }
    uint16_t id;
    memcpy(&id, zmq_msg_data(&m), 2);
    memcpy(&ev.value, static_cast<char *>(zmq_msg_data(&m)) + 2, 4);
    ev.id = id;
    zmq_msg_recv(&m, mon, 0);
    ev.endpoint.assign(static_cast<char *>(zmq_msg_data(&m)), zmq_msg_size(&m));
    EXPECT_FALSE(zmq_msg_more(&m)) << "an event is exactly two frames";
    zmq_msg_close(&m);
    return true;
}

// The next event, or one with id -1 when none comes within `timeout` ms.
inline event next_event(void *mon, int timeout = wait_ms) {
    event ev;
    if (!read_event(mon, ev, timeout))
        ev.id = -1;
    return ev;
}

inline bool is_handshake_failure(int id) {
    return id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL || id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ||
           id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
}

// The first HANDSHAKE_FAILED_* event (id -1 if none within the bound); a
// HANDSHAKE_SUCCEEDED first is a failure of the test.
inline event first_handshake_failure(void *mon) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    event ev;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!read_event(mon, ev, 50))
            continue;
        EXPECT_NE(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, ev.id) << "the handshake must not succeed";
        if (is_handshake_failure(ev.id))
            return ev;
    }
    return event{};
}

// Skip events until `id` shows up; false if it does not within the bound.
// `trace` collects the skipped events ("0x2000/268435480 ...") for messages.
inline bool wait_event(void *mon, int id, event *out = nullptr, int timeout = wait_ms,
                       std::string *trace = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
    event ev;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!read_event(mon, ev, 50))
            continue;
        if (trace) {
            char buf[64];
            snprintf(buf, sizeof buf, "0x%x/%u ", ev.id, ev.value);
            *trace += buf;
        }
        if (ev.id == id) {
            if (out)
                *out = ev;
            return true;
        }
    }
    return false;
}

// Events with `id` until `quiet_ms` pass without any event (2 s at most, for
// a peer that keeps reconnecting); every event read is appended to `all`.
inline int count_events(void *mon, int id, int quiet_ms, std::vector<event> *all = nullptr) {
    int n = 0;
    event ev;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < deadline && read_event(mon, ev, quiet_ms)) {
        n += ev.id == id;
        if (all)
            all->push_back(ev);
    }
    return n;
}

// ---------------------------------------------------------------- ZAP handler

// A ZAP (RFC 27) handler on inproc://zeromq.zap.01 in a context. PLAIN
// credentials in `users` get 200 with user id "<user>-id"; a CURVE client
// whose Z85 public key is a key of `users` gets 200 with the value as user
// id; anything else gets
// `deny_status` (400 by default).
class zap_handler {
  public:
    zap_handler(void *ctx, std::map<std::string, std::string> users) : users_(std::move(users)) {
        sock_ = zmq_socket(ctx, ZMQ_REP);
        EXPECT_EQ(0, zmq_bind(sock_, "inproc://zeromq.zap.01"));
        thread_ = std::thread([this] { run(); });
    }
    ~zap_handler() { stop(); }
    void stop() {
        if (!thread_.joinable())
            return;
        stop_ = true;
        thread_.join();
        close_linger0(sock_);
    }
    int requests() const { return requests_; }
    std::string last_mechanism() {
        std::lock_guard<std::mutex> lk(mu_);
        return last_mechanism_;
    }
    std::string last_domain() {
        std::lock_guard<std::mutex> lk(mu_);
        return last_domain_;
    }

  private:
    void run() {
        while (!stop_) {
            zmq_pollitem_t it = {sock_, 0, ZMQ_POLLIN, 0};
            if (zmq_poll(&it, 1, 20) <= 0)
                continue;
            std::vector<std::string> req = recv_multipart(sock_, 1000);
            if (req.size() < 6)
                return;
            const std::string &mechanism = req[5];
            bool ok = false;
            std::string user;
            if (mechanism == "PLAIN" && req.size() >= 8) {
                auto f = users_.find(req[6]);
                ok = f != users_.end() && f->second == req[7];
                user = req[6] + "-id";
            } else if (mechanism == "CURVE" && req.size() >= 7 && req[6].size() == 32) {
                char key[41];
                zmq_z85_encode(key, reinterpret_cast<const uint8_t *>(req[6].data()), 32);
                auto f = users_.find(key);
                ok = f != users_.end();
                user = ok ? f->second : "";
            } else if (mechanism == "NULL") {
                ok = users_.count("") != 0;
                user = "anonymous";
            }
            {
                std::lock_guard<std::mutex> lk(mu_);
                last_mechanism_ = mechanism;
                last_domain_ = req[2];
            }
            ++requests_;
            send_parts(sock_, {"1.0", req[1], ok ? "200" : "400", ok ? "OK" : "denied",
                               ok ? user : "", ""});
        }
    }

    std::map<std::string, std::string> users_;
    void *sock_ = nullptr;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::mutex mu_;
    std::string last_mechanism_, last_domain_;
};

// ---------------------------------------------------------------- fixture

class net_test : public ctx_test {
  protected:
    void TearDown() override {
        zap_.reset();
        ctx_test::TearDown();
        cleanup_ipc_files();
    }
    // A PAIR socket receiving `s`'s monitor events.
    void *monitor(void *s, int events = ZMQ_EVENT_ALL) {
        const std::string ep = inproc_ep("mon");
        EXPECT_EQ(0, zmq_socket_monitor(s, ep.c_str(), events));
        void *m = make(ZMQ_PAIR);
        EXPECT_EQ(0, zmq_connect(m, ep.c_str()));
        return m;
    }
    void start_zap(std::map<std::string, std::string> users) {
        zap_.reset(new zap_handler(ctx, std::move(users)));
    }
    std::unique_ptr<zap_handler> zap_;
};

} // namespace testutil
