// The PING flood bound under CURVE: a client that pings without reading
// while the engine has data to send. Only one PONG waits, and it must be
// wrapped in a MESSAGE box exactly once, when it goes out, so that every
// frame on the wire opens and the nonces grow in wire order (the client's
// mechanism refuses a nonce that does not grow, and a PONG wrapped twice
// would open to a MESSAGE command instead of a PONG).
#include <gtest/gtest.h>

#ifndef ZLINK_TEST_CURVE
TEST(EngineCurvePingFlood, NotBuilt) { GTEST_SKIP() << "built without CURVE (libsodium)"; }
#else

#include "test_engine_common.hpp"

#include <algorithm>

#include "protocol/mechanisms/curve_mechanism.hpp"

using namespace enginetest;

namespace {

constexpr std::size_t ping_count = 50000;

// Data bodies big enough that the engine's 32 KiB copy buffer fills and a
// wrapped message waits for room (short frames still: under 256 bytes).
std::string data_body(std::size_t k) {
    std::string b = "data-" + std::to_string(k);
    b.resize(200, '.');
    return b;
}

struct key_pair {
    uint8_t pub[32], sec[32];
    key_pair() {
        char zpub[41], zsec[41];
        EXPECT_EQ(0, zmq_curve_keypair(zpub, zsec));
        zmq_z85_decode(pub, zpub);
        zmq_z85_decode(sec, zsec);
    }
};

// The raw peer's CURVE client: zlink's own client mechanism.
struct curve_peer {
    key_pair client, server;
    options_t keys;
    mechanism_options common;
    std::unique_ptr<curve_client_t> mech;

    curve_peer() {
        memcpy(keys.curve_public_key, client.pub, 32);
        memcpy(keys.curve_secret_key, client.sec, 32);
        memcpy(keys.curve_server_key, server.pub, 32);
        common.socket_type = ZMQ_PAIR;
        mech = std::make_unique<curve_client_t>(common, keys);
    }
    options_t server_options() const {
        options_t o = make_options(ZMQ_PAIR);
        o.mechanism = ZMQ_CURVE;
        o.as_server = true;
        memcpy(o.curve_secret_key, server.sec, 32);
        return o;
    }
    std::string next_command() {
        msg_t m;
        m.init();
        EXPECT_EQ(0, mech->next_handshake_command(&m));
        const std::string out = body(m);
        m.close();
        return raw_peer::frame(out, 0x04);
    }
    int feed_command(const std::string &b) {
        msg_t m;
        m.init_buffer(b.data(), b.size());
        m.set_flags(msg_t::command);
        const int rc = mech->process_handshake_command(&m);
        m.close();
        return rc;
    }
    std::string wrapped_frame(const std::string &b, uint8_t flags) {
        msg_t m;
        m.init_buffer(b.data(), b.size());
        m.set_flags(flags);
        EXPECT_EQ(0, mech->wrap(&m));
        const std::string out = raw_peer::frame(body(m));
        m.close();
        return out;
    }
};

TEST(EngineCurvePingFlood, OnePongWrappedOnceAndEveryNonceGrowsInWireOrder) {
    if (!zmq_has("curve"))
        GTEST_SKIP() << "built without CURVE";
    curve_peer c;
    boost::asio::io_context io;
    fake_session s;
    raw_peer peer(io);
    {
        local_socket se(io);
        boost::asio::local::connect_pair(se, peer.sock);
        se.set_option(boost::asio::socket_base::send_buffer_size(16384));
        peer.sock.set_option(boost::asio::socket_base::receive_buffer_size(16384));
        s.engine = make_zmtp_engine(io, std::make_unique<ipc_transport_t>(std::move(se)), &s,
                                    c.server_options(), false, "ipc://curve-flood");
        s.engine->start();
    }
    // HELLO, WELCOME, INITIATE, READY.
    peer.write(raw_peer::greeting("CURVE") + c.next_command());
    std::string greeting, welcome, ready;
    uint8_t flags = 0;
    ASSERT_TRUE(peer.read(64, &greeting));
    ASSERT_TRUE(peer.read_frame(&flags, &welcome));
    ASSERT_EQ(0, c.feed_command(welcome));
    peer.write(c.next_command());
    ASSERT_TRUE(peer.read_frame(&flags, &ready));
    ASSERT_EQ(0, c.feed_command(ready));
    ASSERT_TRUE(run_until(io, [&] { return s.ready || s.closed; }));
    ASSERT_TRUE(s.ready);

    std::string flood;
    for (std::size_t i = 0; i < ping_count; ++i) // each with its own nonce
        flood += c.wrapped_frame(std::string("\x04PING\x00\x00", 7), msg_t::command);

    // Phase 1: PINGs and no reads, while the socket keeps queueing data, so
    // PONGs and data MESSAGEs wait behind each other.
    peer.sock.non_blocking(true);
    std::size_t sent = 0, max_backlog = 0, queued = 0;
    for (int idle = 0; sent < flood.size() && idle < 500;) {
        boost::system::error_code ec;
        const std::size_t n = peer.sock.write_some(
            boost::asio::buffer(flood.data() + sent,
                                std::min<std::size_t>(8192, flood.size() - sent)),
            ec);
        sent += n;
        idle = n > 0 ? 0 : idle + 1;
        for (int k = 0; n > 0 && k < 20 && queued < 2000; ++k)
            s.send(data_body(queued++));
        io.poll();
        max_backlog = std::max(max_backlog, s.engine->output_backlog());
    }
    EXPECT_FALSE(s.closed);
    EXPECT_LE(max_backlog, std::size_t(64 * 1024)) << "a PONG per PING waited";

    // Phase 2: the client reads everything; the engine takes every PING.
    ASSERT_TRUE(run_until(
        io,
        [&] {
            peer.pump();
            boost::system::error_code ec;
            if (sent < flood.size())
                sent += peer.sock.write_some(
                    boost::asio::buffer(flood.data() + sent,
                                        std::min<std::size_t>(65536, flood.size() - sent)),
                    ec);
            return (sent == flood.size() && s.out.empty() && !s.engine->output_pending()) ||
                   s.closed;
        },
        10000));
    ASSERT_FALSE(s.closed);
    peer.pump();

    // Every frame opens, in wire order, to a PONG or the next data message.
    std::size_t pongs = 0, data = 0, frames = 0;
    while (!peer.rx.empty()) {
        std::string frame;
        ASSERT_TRUE(peer.read_frame(&flags, &frame, 100)) << "truncated output";
        ASSERT_EQ(0, flags) << "MESSAGE is a data frame without MORE";
        msg_t m;
        m.init_buffer(frame.data(), frame.size());
        ASSERT_EQ(0, c.mech->unwrap(&m))
            << "frame " << frames << " did not open: code " << c.mech->failure_code();
        const std::string inner = body(m);
        const bool command = m.is_command();
        m.close();
        ++frames;
        if (command) {
            ASSERT_EQ(0, inner.compare(0, 5, "\x04PONG")) << "frame " << frames;
            ++pongs;
        } else {
            ASSERT_EQ(data_body(data), inner);
            ++data;
        }
    }
    EXPECT_EQ(queued, data);
    EXPECT_GT(pongs, 0u);
    EXPECT_LT(pongs, ping_count) << "every PING got its own PONG: nothing waited";
}

} // namespace

#endif // ZLINK_TEST_CURVE
