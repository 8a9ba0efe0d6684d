// A hostile peer that sends PINGs after the handshake and never reads
// (issue 14): the engine keeps at most one PONG waiting, as libzmq does, and
// stops reading while the peer's PINGs can only replace that PONG; once the
// peer reads again everything flows and the connection stays up.
#include "test_engine_common.hpp"

#include <algorithm>

using namespace enginetest;

namespace {

constexpr std::size_t ping_count = 200000;

// A ZMTP engine over a socket pair with small kernel buffers, so its output
// blocks after a few thousand PONGs whatever the system's defaults.
struct flooded_engine {
    boost::asio::io_context &io;
    fake_session s;
    raw_peer peer;

    explicit flooded_engine(boost::asio::io_context &io_) : io(io_), peer(io_) {
        local_socket se(io);
        boost::asio::local::connect_pair(se, peer.sock);
        se.set_option(boost::asio::socket_base::send_buffer_size(16384));
        peer.sock.set_option(boost::asio::socket_base::receive_buffer_size(16384));
        auto t = std::make_unique<ipc_transport_t>(std::move(se));
        s.engine =
            make_zmtp_engine(io, std::move(t), &s, make_options(ZMQ_PAIR), false, "ipc://flood");
        s.engine->start();
    }
    bool handshake() {
        peer.write(raw_peer::greeting("NULL") + raw_peer::ready("PAIR"));
        std::string g, b;
        uint8_t f;
        if (!peer.read(64, &g) || !peer.read_frame(&f, &b))
            return false;
        return run_until(io, [&] { return s.ready || s.closed; }) && s.ready;
    }
    uint64_t read_bytes() const { return engine_counters(s.engine.get()).read_bytes; }
};

// Counts the PONG frames in what the engine wrote (command frames only).
std::size_t count_pongs(const std::string &rx) {
    std::size_t pongs = 0, pos = 0;
    while (pos + 2 <= rx.size()) {
        const std::size_t size = uint8_t(rx[pos + 1]);
        if (pos + 2 + size > rx.size())
            break;
        if (size >= 5 && rx.compare(pos + 2, 5, "\x04PONG") == 0)
            ++pongs;
        pos += 2 + size;
    }
    return pongs;
}

TEST(EnginePingFlood, OnePongWaitsAndReadingPausesUntilThePeerReads) {
    boost::asio::io_context io;
    flooded_engine e(io);
    ASSERT_TRUE(e.handshake());
    const uint64_t base = e.read_bytes();

    std::string flood;
    const std::string ping = raw_peer::command("PING", std::string("\x00\x00", 2));
    flood.reserve(ping.size() * ping_count);
    for (std::size_t i = 0; i < ping_count; ++i)
        flood += ping;

    // Phase 1: write PINGs, never read. Stops when everything went or the
    // engine stopped taking bytes for a while (bounded retries, no clock).
    e.peer.sock.non_blocking(true);
    std::size_t sent = 0, max_backlog = 0;
    for (int idle = 0; sent < flood.size() && idle < 500;) {
        boost::system::error_code ec;
        const std::size_t n = e.peer.sock.write_some(
            boost::asio::buffer(flood.data() + sent,
                                std::min<std::size_t>(65536, flood.size() - sent)),
            ec);
        sent += n;
        idle = n > 0 ? 0 : idle + 1;
        io.poll();
        max_backlog = std::max(max_backlog, e.s.engine->output_backlog());
    }
    EXPECT_FALSE(e.s.closed);
    // Without the bound every PING left a PONG behind: over a megabyte.
    EXPECT_LE(max_backlog, std::size_t(64 * 1024));
    // The engine stopped reading a peer that only pings and never reads.
    EXPECT_LT(sent, flood.size());

    // Phase 2: the peer reads; the engine resumes and takes every PING.
    ASSERT_TRUE(run_until(
        io,
        [&] {
            e.peer.pump();
            boost::system::error_code ec;
            if (sent < flood.size())
                sent += e.peer.sock.write_some(
                    boost::asio::buffer(flood.data() + sent,
                                        std::min<std::size_t>(65536, flood.size() - sent)),
                    ec);
            return e.read_bytes() == base + flood.size() || e.s.closed;
        },
        10000));
    EXPECT_FALSE(e.s.closed);
    EXPECT_EQ(e.read_bytes(), base + flood.size());
    // A reading peer gets its PONGs again, but fewer than it pinged.
    ASSERT_TRUE(run_until(io, [&] {
        e.peer.pump();
        return !e.s.engine->output_pending();
    }));
    e.peer.pump();
    const std::size_t pongs = count_pongs(e.peer.rx);
    EXPECT_GT(pongs, 0u);
    EXPECT_LT(pongs, ping_count);
}

} // namespace
