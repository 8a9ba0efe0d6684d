// The test relay itself (tests/support/fault_proxy): plain sockets on both
// sides, so what arrives is exactly what the relay let through.
#include "fault_proxy.hpp"
#include "net_testutil.hpp"

#include <cerrno>

using fault::dir;
using fault::end_kind;
using testutil::accept_within;
using testutil::listen_loopback;

namespace {

int connect_local(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0)
        return -1;
    return fd;
}

bool send_all(int fd, const std::string &data) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        done += size_t(n);
    }
    return true;
}

enum class ending { eof, reset, quiet };

// Reads until the peer ends the stream or nothing arrives for `quiet_ms`.
ending read_until_end(int fd, std::string &got, int quiet_ms = 1000) {
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, quiet_ms) != 1)
            return ending::quiet;
        char buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            got.append(buf, size_t(n));
            continue;
        }
        return n == 0 ? ending::eof : (errno == ECONNRESET ? ending::reset : ending::quiet);
    }
}

std::string pattern(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
        s[i] = char('a' + i % 26);
    return s;
}

class FaultProxy : public ::testing::Test {
  protected:
    void SetUp() override {
        lfd = listen_loopback(&port);
        ASSERT_GE(lfd, 0);
        proxy.reset(new fault::fault_proxy("tcp://127.0.0.1:" + std::to_string(port)));
    }
    void TearDown() override {
        proxy.reset();
        for (int fd : {client, server, lfd})
            if (fd >= 0)
                ::close(fd);
    }
    void open_pair() {
        client = connect_local(proxy->port());
        ASSERT_GE(client, 0);
        server = accept_within(lfd, 5000);
        ASSERT_GE(server, 0);
    }
    int lfd = -1, port = 0, client = -1, server = -1;
    std::unique_ptr<fault::fault_proxy> proxy;
};

} // namespace

TEST_F(FaultProxy, PassesBothDirectionsWithDelayThrottleAndSplit) {
    EXPECT_EQ("tcp://127.0.0.1:" + std::to_string(proxy->port()), proxy->endpoint());
    fault::shaping sh;
    sh.delay = std::chrono::milliseconds(5);
    sh.bytes_per_sec = 200000;
    sh.split = true;
    proxy->set_shaping(dir::up, sh);
    open_pair();
    const std::string up = pattern(3000), down = pattern(70000);
    ASSERT_TRUE(send_all(client, up));
    ASSERT_TRUE(send_all(server, down));
    ::shutdown(client, SHUT_WR);
    ::shutdown(server, SHUT_WR);
    std::string at_server, at_client;
    EXPECT_EQ(ending::eof, read_until_end(server, at_server, 5000));
    EXPECT_EQ(ending::eof, read_until_end(client, at_client, 5000));
    EXPECT_EQ(up, at_server);
    EXPECT_EQ(down, at_client);
    EXPECT_EQ(up.size(), proxy->forwarded(dir::up));
    EXPECT_EQ(down.size(), proxy->forwarded(dir::down));
    EXPECT_EQ(1, proxy->accepted());
}

TEST_F(FaultProxy, CutAndCloseAfterBytesPerConnection) {
    proxy->end_after_bytes(dir::up, 1000, end_kind::rst, 1);
    open_pair();
    ASSERT_TRUE(send_all(client, pattern(5000)));
    std::string got;
    EXPECT_EQ(ending::reset, read_until_end(server, got, 5000));
    EXPECT_EQ(pattern(1000), got);
    ASSERT_TRUE(proxy->wait_ended(1));
    ::close(client);
    ::close(server);

    // The rule was used up: the next connection passes; a FIN rule ends it.
    proxy->end_after_bytes(dir::down, 10, end_kind::fin, -1);
    open_pair();
    ASSERT_TRUE(send_all(client, pattern(3000)));
    ASSERT_TRUE(send_all(server, pattern(50)));
    got.clear();
    EXPECT_EQ(ending::eof, read_until_end(client, got, 5000));
    EXPECT_EQ(pattern(10), got);
    ASSERT_TRUE(proxy->wait_ended(2));
}

TEST_F(FaultProxy, StallHoldsBytesAndKeepsTheConnection) {
    open_pair();
    proxy->set_stall(true);
    ASSERT_TRUE(send_all(client, "held"));
    std::string got;
    EXPECT_EQ(ending::quiet, read_until_end(server, got, 200)); // a window for "nothing"
    EXPECT_EQ("", got);
    proxy->set_stall(false);
    ::shutdown(client, SHUT_WR);
    EXPECT_EQ(ending::eof, read_until_end(server, got, 5000));
    EXPECT_EQ("held", got);
}

TEST_F(FaultProxy, RefusesForAWhileThenAccepts) {
    proxy->refuse_for(std::chrono::seconds(30));
    const int c = connect_local(proxy->port());
    ASSERT_GE(c, 0); // accepted by the kernel, then reset by the relay
    std::string got;
    EXPECT_NE(ending::quiet, read_until_end(c, got, 5000));
    ::close(c);
    EXPECT_EQ(1, proxy->refused());
    EXPECT_EQ(0, proxy->accepted());
    proxy->refuse_for(std::chrono::milliseconds(0));
    open_pair();
    EXPECT_EQ(1, proxy->accepted());
}

TEST_F(FaultProxy, EndsAtZmtpDataFramePositions) {
    // Greeting, a READY command, then data frames "A" (more), 300 x "B"
    // (long form), "C".
    const std::string greeting = testutil::zmtp_greeting();
    const std::string ready = testutil::zmtp_ready("PUSH");
    const std::string f0 = testutil::zmtp_frame("A", true);
    const std::string f1 = testutil::zmtp_frame(std::string(300, 'B'), true);
    const std::string f2 = testutil::zmtp_frame("C");
    const std::string stream = greeting + ready + f0 + f1 + f2;
    struct cut {
        uint64_t frame, offset;
        size_t expect;
    };
    const size_t before_f0 = greeting.size() + ready.size();
    const cut cuts[] = {{0, 0, before_f0},
                        {1, 0, before_f0 + f0.size()},
                        {1, 1, before_f0 + f0.size() + 1},
                        {1, 150, before_f0 + f0.size() + 150},
                        {2, 0, before_f0 + f0.size() + f1.size()}};
    int ended = 0;
    for (const cut &c : cuts) {
        proxy->end_at_data_frame(dir::up, c.frame, c.offset, end_kind::rst, 1);
        open_pair();
        // Byte by byte on the way in too: frame starts split across reads.
        for (char ch : stream)
            send_all(client, std::string(1, ch));
        std::string got;
        EXPECT_EQ(ending::reset, read_until_end(server, got, 5000));
        EXPECT_EQ(stream.substr(0, c.expect), got) << c.frame << "+" << c.offset;
        ASSERT_TRUE(proxy->wait_ended(++ended));
        ::close(client);
        ::close(server);
        client = server = -1;
    }
}

TEST_F(FaultProxy, ResetAllEndsOpenConnections) {
    open_pair();
    ASSERT_TRUE(send_all(client, "x"));
    std::string got;
    EXPECT_EQ(ending::quiet, read_until_end(server, got, 100));
    proxy->reset_all();
    EXPECT_EQ(ending::reset, read_until_end(server, got, 5000));
    EXPECT_EQ("x", got);
    EXPECT_EQ(1, proxy->ended());
}
