// Test harness for the engines: a fake session (queues in memory), a fake
// ZAP client, a raw ZMTP peer over the other end of a socket pair, and
// helpers that run the io_context until a condition holds (bounded).
// Everything runs on the test thread: no locks needed.
#pragma once

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <zmq.h>

#include "engine/i_engine.hpp"
#include "engine/raw_engine.hpp"
#include "transports/ipc/ipc_stream.hpp"
#include "transports/tcp/tcp_stream.hpp"
#include "engine/zmtp_engine.hpp"
#include "core/metadata.hpp"
#include "core/msg.hpp"
#include "core/options.hpp"
#include "protocol/mechanisms/zap_client.hpp"

namespace enginetest {

using namespace zlink;
using local_socket = boost::asio::local::stream_protocol::socket;

// Runs io until pred() or the deadline; true when pred() held.
inline bool run_until(boost::asio::io_context &io, const std::function<bool()> &pred,
                      int timeout_ms = 3000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        io.restart();
        io.run_for(std::chrono::milliseconds(2));
    }
    return true;
}

// Runs io for a while (only to let things happen that must NOT happen).
inline void run_for(boost::asio::io_context &io, int ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(std::chrono::milliseconds(2));
    }
}

inline std::string body(const msg_t &m) {
    return std::string(static_cast<const char *>(m.data()), m.size());
}

class fake_zap : public zap_client {
  public:
    boost::asio::io_context *io = nullptr;
    std::function<i_engine *()> engine;
    bool synchronous = false;
    std::string good_user = "admin", good_password = "secret", user_id = "the-user";
    int requests = 0;
    std::vector<std::string> last_credentials;
    std::string last_mechanism, last_address;

    bool request(const std::string &, const std::string &address, const std::string &,
                 const std::string &mechanism,
                 const std::vector<std::string> &credentials) override {
        ++requests;
        last_credentials = credentials;
        last_mechanism = mechanism;
        last_address = address;
        zap_reply_t r;
        const bool ok = credentials.size() == 2 && credentials[0] == good_user &&
                        credentials[1] == good_password;
        r.status_code = ok ? "200" : "400";
        r.user_id = ok ? user_id : "";
        if (ok)
            r.metadata["X-Zap"] = "yes";
        auto deliver = [this, r] {
            if (auto *t = engine_zap_target(engine()))
                t->zap_reply_received(r);
        };
        if (synchronous)
            deliver();
        else
            boost::asio::post(*io, deliver);
        return true;
    }
};

class fake_session : public i_engine_session {
  public:
    std::deque<msg_t> out; // what the socket queued for the engine
    std::vector<msg_t> in; // what the engine pushed
    size_t in_limit = SIZE_MAX;
    int flushes = 0;
    bool ready = false;
    std::string peer_routing_id;
    int zmtp_minor = -1;
    metadata_t::dict_t peer_props;
    bool closed = false;
    engine_close_reason reason = engine_close_reason::peer_closed;
    int close_value = 0;
    std::vector<std::pair<uint16_t, uint64_t>> events;
    zap_client *zap_ptr = nullptr;
    std::shared_ptr<i_engine> engine;

    ~fake_session() override {
        if (engine)
            engine->close();
        for (auto &m : out)
            m.close();
        for (auto &m : in)
            m.close();
    }

    int push_msg(msg_t *m) override {
        if (in.size() >= in_limit) {
            errno = EAGAIN;
            return -1;
        }
        in.push_back(*m); // bitwise hand-over
        m->init();
        return 0;
    }
    void flush_pushed() override { ++flushes; }
    int pull_msg(msg_t *m) override {
        if (out.empty()) {
            errno = EAGAIN;
            return -1;
        }
        *m = out.front();
        out.pop_front();
        return 0;
    }
    void engine_ready(const engine_peer_info &peer) override {
        ready = true;
        peer_routing_id = peer.routing_id;
        zmtp_minor = peer.zmtp_minor;
        if (peer.metadata)
            peer_props = peer.metadata->dict();
    }
    void engine_closed(engine_close_reason r, int value) override {
        EXPECT_FALSE(closed) << "engine_closed called twice";
        closed = true;
        reason = r;
        close_value = value;
    }
    void monitor_event(uint16_t event, uint64_t value) override {
        events.emplace_back(event, value);
    }
    zap_client *zap() override { return zap_ptr; }

    void queue(const std::string &data, bool more = false) {
        msg_t m;
        m.init_buffer(data.data(), data.size());
        if (more)
            m.set_flags(msg_t::more);
        out.push_back(m);
    }
    void send(const std::string &data, bool more = false) {
        queue(data, more);
        if (engine)
            engine->restart_output();
    }
    bool has_event(uint16_t ev, uint64_t value) const {
        for (const auto &e : events)
            if (e.first == ev && e.second == value)
                return true;
        return false;
    }
    bool has_event(uint16_t ev) const {
        for (const auto &e : events)
            if (e.first == ev)
                return true;
        return false;
    }
};

inline options_t make_options(int type) {
    options_t o;
    o.type = type;
    return o;
}

// Two engines over a unix socket pair.
struct engine_pair {
    boost::asio::io_context &io;
    fake_session a, b;

    engine_pair(boost::asio::io_context &io_, const options_t &oa, const options_t &ob,
                bool start = true)
        : io(io_) {
        local_socket sa(io), sb(io);
        boost::asio::local::connect_pair(sa, sb);
        a.engine = make_zmtp_engine(io, std::make_unique<ipc_transport_t>(std::move(sa)), &a, oa,
                                    true, "ipc://a");
        b.engine = make_zmtp_engine(io, std::make_unique<ipc_transport_t>(std::move(sb)), &b, ob,
                                    false, "ipc://b");
        if (start) {
            a.engine->start();
            b.engine->start();
        }
    }
    bool handshake(int timeout_ms = 3000) {
        return run_until(
                   io, [&] { return (a.ready && b.ready) || a.closed || b.closed; }, timeout_ms) &&
               a.ready && b.ready;
    }
};

// A hand-driven peer on the raw end of a socket pair: non-blocking reads
// interleaved with running the io_context, so the engine keeps working.
struct raw_peer {
    boost::asio::io_context &io;
    local_socket sock;
    std::string rx; // received, not consumed

    explicit raw_peer(boost::asio::io_context &io_) : io(io_), sock(io_) {}

    void write(const std::string &bytes) {
        sock.non_blocking(false);
        boost::asio::write(sock, boost::asio::buffer(bytes));
    }
    void pump() {
        sock.non_blocking(true);
        char buf[65536];
        for (;;) {
            boost::system::error_code ec;
            const size_t n = sock.read_some(boost::asio::buffer(buf), ec);
            if (ec || n == 0)
                break;
            rx.append(buf, n);
        }
    }
    // Waits until n bytes are there; returns them (consumed).
    bool read(size_t n, std::string *out, int timeout_ms = 3000) {
        const bool ok = run_until(
            io,
            [&] {
                pump();
                return rx.size() >= n;
            },
            timeout_ms);
        if (!ok)
            return false;
        *out = rx.substr(0, n);
        rx.erase(0, n);
        return true;
    }
    // One frame: flags and body.
    bool read_frame(uint8_t *flags, std::string *bodyp, int timeout_ms = 3000) {
        std::string h;
        if (!read(2, &h, timeout_ms))
            return false;
        *flags = uint8_t(h[0]);
        uint64_t size = uint8_t(h[1]);
        if (*flags & 0x02) {
            std::string rest;
            if (!read(7, &rest, timeout_ms))
                return false;
            std::string all = h.substr(1) + rest;
            size = 0;
            for (char c : all)
                size = (size << 8) | uint8_t(c);
        }
        return read(size_t(size), bodyp, timeout_ms);
    }
    static std::string greeting(const char *mechanism = "NULL", uint8_t minor = 1) {
        std::string g(64, '\0');
        g[0] = char(0xFF);
        g[9] = 0x7F;
        g[10] = 3;
        g[11] = char(minor);
        std::memcpy(&g[12], mechanism, std::strlen(mechanism));
        return g;
    }
    static std::string frame(const std::string &b, uint8_t flags = 0) {
        std::string f;
        if (b.size() > 255) {
            f.push_back(char(flags | 0x02));
            for (int i = 7; i >= 0; --i)
                f.push_back(char((uint64_t(b.size()) >> (8 * i)) & 0xFF));
        } else {
            f.push_back(char(flags));
            f.push_back(char(b.size()));
        }
        return f + b;
    }
    static std::string command(const std::string &name, const std::string &data) {
        return frame(std::string(1, char(name.size())) + name + data, 0x04);
    }
    static std::string ready(const std::string &socket_type) {
        std::string p;
        p.push_back(char(11));
        p += "Socket-Type";
        const uint32_t n = uint32_t(socket_type.size());
        p.push_back(char(n >> 24));
        p.push_back(char(n >> 16));
        p.push_back(char(n >> 8));
        p.push_back(char(n));
        p += socket_type;
        return command("READY", p);
    }
};

// An engine on one end of a socket pair, the raw peer on the other.
struct engine_and_raw {
    boost::asio::io_context &io;
    fake_session s;
    raw_peer peer;

    engine_and_raw(boost::asio::io_context &io_, const options_t &o, bool raw_engine = false)
        : io(io_), peer(io_) {
        local_socket se(io);
        boost::asio::local::connect_pair(se, peer.sock);
        auto t = std::make_unique<ipc_transport_t>(std::move(se));
        s.engine = raw_engine ? make_raw_engine(io, std::move(t), &s, o, false, "ipc://r")
                              : make_zmtp_engine(io, std::move(t), &s, o, false, "ipc://r");
        s.engine->start();
    }
    // Greeting + READY from the raw side; consumes the engine's greeting and
    // READY. Returns false on timeout.
    bool handshake(const std::string &peer_type, uint8_t minor = 1) {
        peer.write(raw_peer::greeting("NULL", minor) + raw_peer::ready(peer_type));
        std::string g, b;
        uint8_t f;
        if (!peer.read(64, &g) || !peer.read_frame(&f, &b))
            return false;
        return run_until(io, [&] { return s.ready || s.closed; }) && s.ready;
    }
};

} // namespace enginetest
