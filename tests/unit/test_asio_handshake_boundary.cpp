// The plan's Phase 4 handshake-boundary cases (NULL mechanism) on zlink's
// engine. A peer may send its greeting, its READY and its first messages in
// one go; zlink reads them in one read and decodes what follows the
// greeting from the same buffer, in place (ZMQ_ASIO_HANDSHAKE_ZEROCOPY,
// counted by engine_handshake_inplace_bytes). The plain path (flag 0) reads
// no byte past the greeting, as libzmq does, so the READY comes with a read
// of its own. Nothing is copied on either path.
#include "test_asio_common.hpp"

#include <boost/asio/ip/tcp.hpp>

#include "transports/tcp/tcp_stream.hpp"

using namespace asiotest;

namespace {

// What a hand-written NULL peer sends at once: greeting, READY, two frames.
std::string peer_burst() {
    return raw_peer::greeting() + raw_peer::ready("PAIR") + raw_peer::frame("one") +
           raw_peer::frame("two");
}
const std::size_t after_greeting = raw_peer::ready("PAIR").size() + 5 + 5;

// The engine (on a fault_transport over `inner`) and a raw peer socket.
template <typename Socket>
struct engine_vs_burst {
    boost::asio::io_context &io;
    fake_session s;
    std::shared_ptr<fault_plan> plan = std::make_shared<fault_plan>();
    Socket &peer;

    engine_vs_burst(boost::asio::io_context &io_, std::unique_ptr<zlink::i_asio_transport> inner,
                    Socket &peer_, const options_t &o)
        : io(io_), peer(peer_) {
        s.engine = make_zmtp_engine(io, std::make_unique<fault_transport>(std::move(inner), plan),
                                    &s, o, false, "x://");
        s.engine->start();
    }
    // Sends the burst in one write; true once both messages arrived.
    bool run() {
        boost::asio::write(peer, boost::asio::buffer(peer_burst()));
        return run_until(io, [&] { return s.in.size() == 2 || s.closed; }) && s.in.size() == 2 &&
               s.ready && body(s.in[0]) == "one" && body(s.in[1]) == "two";
    }
    zlink::zmtp_engine_counters_t counters() const {
        return zlink::engine_counters(s.engine.get());
    }
};

TEST(AsioHandshakeBoundary, NullMechanismTcp) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acc(
        io, boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    boost::asio::ip::tcp::socket client(io), server(io);
    client.connect(acc.local_endpoint());
    acc.accept(server);
    zmq_debug_reset_counters();
    engine_vs_burst<boost::asio::ip::tcp::socket> e(
        io, std::make_unique<tcp_transport_t>(std::move(server)), client, pair_options());
    ASSERT_TRUE(e.run());
    EXPECT_EQ(after_greeting, e.counters().handshake_inplace_bytes);
    EXPECT_EQ(1u, e.plan->reads.size()) << "greeting, READY and messages in one read";
}

TEST(AsioHandshakeBoundary, NullMechanismIpc) {
    boost::asio::io_context io;
    local_socket se(io), peer(io);
    boost::asio::local::connect_pair(se, peer);
    engine_vs_burst<local_socket> e(io, std::make_unique<ipc_transport_t>(std::move(se)), peer,
                                    pair_options());
    ASSERT_TRUE(e.run());
    EXPECT_EQ(after_greeting, e.counters().handshake_inplace_bytes);
    EXPECT_EQ(1u, e.plan->reads.size());
}

// The plan's "reduced memcpy": the bytes after the greeting are never
// staged anywhere. The decoder works on the read buffer itself, so one read
// of the whole burst is all; the write side copied only its own greeting and
// READY (no zero-copy entry: nothing was large).
TEST(AsioHandshakeBoundary, BytesAfterGreetingAreNotCopied) {
    boost::asio::io_context io;
    local_socket se(io), peer(io);
    boost::asio::local::connect_pair(se, peer);
    engine_vs_burst<local_socket> e(io, std::make_unique<ipc_transport_t>(std::move(se)), peer,
                                    pair_options());
    ASSERT_TRUE(e.run());
    const auto c = e.counters();
    ASSERT_EQ(1u, e.plan->reads.size());
    EXPECT_EQ(peer_burst().size(), e.plan->reads[0]);
    EXPECT_EQ(peer_burst().size(), c.read_bytes);
    EXPECT_EQ(64u + 26u, c.bytes_copied) << "our greeting and READY, nothing read";
    EXPECT_EQ(0u, c.compactions);
}

// ZMQ_ASIO_HANDSHAKE_ZEROCOPY=0: the greeting read stops at byte 64, the rest
// comes with the next read; nothing counted in place. The environment beats
// the socket option both ways.
TEST(AsioHandshakeBoundary, FeatureFlagOffReadsGreetingExactly) {
    auto run = [](int option, const char *env, std::vector<std::size_t> *reads) {
        std::unique_ptr<scoped_env> g;
        if (env)
            g.reset(new scoped_env("ZMQ_ASIO_HANDSHAKE_ZEROCOPY", env));
        boost::asio::io_context io;
        local_socket se(io), peer(io);
        boost::asio::local::connect_pair(se, peer);
        options_t o = pair_options();
        o.asio_handshake_zerocopy = option;
        engine_vs_burst<local_socket> e(io, std::make_unique<ipc_transport_t>(std::move(se)), peer,
                                        o);
        EXPECT_TRUE(e.run());
        *reads = e.plan->reads;
        return e.counters().handshake_inplace_bytes;
    };
    std::vector<std::size_t> reads;
    EXPECT_EQ(0u, run(0, nullptr, &reads));
    ASSERT_EQ(2u, reads.size());
    EXPECT_EQ(64u, reads[0]) << "no byte past the greeting";
    EXPECT_EQ(after_greeting, reads[1]);
    EXPECT_EQ(0u, run(1, "0", &reads)) << "environment 0 beats the option 1";
    EXPECT_EQ(after_greeting, run(0, "1", &reads)) << "environment 1 beats the option 0";
    EXPECT_EQ(after_greeting, run(-1, nullptr, &reads)) << "default on";
}

} // namespace
