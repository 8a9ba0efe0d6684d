// A hostile peer that sends PINGs after the handshake and never reads
// (issue 14, item 4). Each PING asks for a PONG; with the peer's window
// closed the PONGs cannot leave, and the library must not queue one per
// PING (zlink once grew by hundreds of MB). libzmq keeps one PONG pending
// and a newer PING replaces it; zlink does the same and also stops reading
// such a peer until its output moves. Either way, once the peer reads it
// gets far fewer PONGs than it sent PINGs, and the connection still works.
// (The engine's bounded backlog itself is asserted in
// tests/unit/test_engine_ping_flood.cpp.)
#include "net_testutil.hpp"

#include <fcntl.h>
#include <sys/socket.h>

using namespace testutil;

namespace {

constexpr std::size_t ping_count = 200000;

class PingFlood : public net_test {};

// Counts PONG command frames in `rx` (short frames only: PONGs are short)
// and returns the data frames' bodies; `rx` keeps an incomplete tail.
std::size_t take_frames(std::string &rx, std::vector<std::string> *data) {
    std::size_t pongs = 0, pos = 0;
    while (pos + 2 <= rx.size()) {
        const uint8_t flags = uint8_t(rx[pos]);
        const std::size_t size = uint8_t(rx[pos + 1]);
        if ((flags & 0x02) || pos + 2 + size > rx.size())
            break;
        const std::string body = rx.substr(pos + 2, size);
        if ((flags & 0x04) && body.compare(0, 5, "\x04PONG") == 0)
            ++pongs;
        else if (!(flags & 0x04))
            data->push_back(body);
        pos += 2 + size;
    }
    rx.erase(0, pos);
    return pongs;
}

TEST_F(PingFlood, PeerThatPingsWithoutReadingGetsOnePongPerBurstAndTheSocketKeepsWorking) {
    void *pair = make(ZMQ_PAIR);
    set_int(pair, ZMQ_SNDBUF, 4096); // its output blocks after a few PONGs
    const std::string ep = bind_any(pair, transport::tcp4);
    raw_peer peer;
    ASSERT_TRUE(peer.connect(ep));
    const int small = 4096;
    ASSERT_EQ(0, setsockopt(peer.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small));
    ASSERT_TRUE(raw_null_handshake(peer, "PAIR"));
    ASSERT_EQ(0, fcntl(peer.fd(), F_SETFL, fcntl(peer.fd(), F_GETFL) | O_NONBLOCK));

    // PING with a 2-byte TTL of 0 and no context (RFC 37).
    const std::string one = std::string("\x04\x07", 2) + "\x04PING" + std::string("\x00\x00", 2);
    std::string flood;
    flood.reserve(one.size() * ping_count + 16);
    for (std::size_t i = 0; i < ping_count; ++i)
        flood += one;
    flood += zmtp_frame("after"); // a message behind every PING

    // Phase 1: PINGs, no reads, until the library stops taking bytes for a
    // while or everything went (libzmq reads on; zlink pauses).
    std::size_t sent = 0;
    while (sent < flood.size()) {
        const ssize_t n = ::send(peer.fd(), flood.data() + sent, flood.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += std::size_t(n);
            continue;
        }
        ASSERT_TRUE(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            << "the library dropped the connection: " << strerror(errno);
        pollfd p{peer.fd(), POLLOUT, 0};
        if (::poll(&p, 1, 300) == 0)
            break; // not taking more until we read
    }

    // Phase 2: read and send the rest until "after" arrives at the socket.
    std::string rx;
    std::vector<std::string> data;
    std::size_t pongs = 0;
    bool after = false;
    for (int round = 0; round < 20000 && !after; ++round) {
        char buf[65536];
        const ssize_t r = ::recv(peer.fd(), buf, sizeof buf, 0);
        if (r > 0) {
            rx.append(buf, std::size_t(r));
            pongs += take_frames(rx, &data);
        } else {
            ASSERT_TRUE(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                << "the library closed the connection";
        }
        if (sent < flood.size()) {
            const ssize_t n =
                ::send(peer.fd(), flood.data() + sent, flood.size() - sent, MSG_NOSIGNAL);
            if (n > 0)
                sent += std::size_t(n);
        }
        after = sent == flood.size() && wait_readable(pair, r > 0 ? 0 : 1);
    }
    ASSERT_TRUE(after) << "the message behind the PINGs never arrived";
    EXPECT_EQ("after", recv_str(pair));

    // The socket answers, and the peer reads the PONGs that are left.
    ASSERT_EQ(0, send_parts(pair, {"reply"}));
    for (int round = 0; round < 2000 && data.empty(); ++round) {
        pollfd p{peer.fd(), POLLIN, 0};
        if (::poll(&p, 1, 10) <= 0)
            continue;
        char buf[65536];
        const ssize_t r = ::recv(peer.fd(), buf, sizeof buf, 0);
        ASSERT_GT(r, 0) << "the library closed the connection";
        rx.append(buf, std::size_t(r));
        pongs += take_frames(rx, &data);
    }
    ASSERT_EQ(1u, data.size());
    EXPECT_EQ("reply", data[0]);
    EXPECT_GT(pongs, 0u);
    // One PONG per PING would be ping_count; a waiting PONG was replaced.
    EXPECT_LT(pongs, ping_count / 2);
}

} // namespace
