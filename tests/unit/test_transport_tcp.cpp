// tcp:// transports end to end on loopback: listener, connecter and the
// stream transport (speculative and async I/O), errors and socket options.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <regex>
#include <thread>
#include <string>
#include <sys/socket.h>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "asio_testutil.hpp"
#include "transports/connecter.hpp"
#include "transports/listener.hpp"
#include "transports/socket_options.hpp"
#include "transports/tcp/tcp_stream.hpp"

using namespace zlink;
using testutil::run_until;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

class TransportTcp : public ::testing::Test {
  protected:
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};

    static std::string strip(const std::string &uri) { return uri.substr(uri.find("://") + 3); }

    // Connects `address` (after "tcp://") and returns the result.
    std::unique_ptr<i_asio_transport> connect(const std::string &address, const options_t &o,
                                              int &err) {
        connecter_t c(io, "tcp", address, o);
        bool done = false;
        std::unique_ptr<i_asio_transport> out;
        err = -1;
        c.start([&](std::unique_ptr<i_asio_transport> t, int e) {
            out = std::move(t);
            err = e;
            done = true;
        });
        EXPECT_TRUE(run_until(io, [&] { return done; }));
        return out;
    }

    // A connected pair through a listener bound on bind_addr.
    bool make_pair(const std::string &bind_addr, const options_t &o,
                   std::unique_ptr<i_asio_transport> &client,
                   std::unique_ptr<i_asio_transport> &server,
                   const std::string &connect_prefix = std::string()) {
        int err = -1;
        auto l = listener_t::create(io, "tcp", bind_addr, o, err);
        if (!l) {
            ADD_FAILURE() << "bind " << bind_addr << " errno " << err;
            return false;
        }
        l->start([&](std::unique_ptr<i_asio_transport> t) { server = std::move(t); }, [](int) {});
        client = connect(connect_prefix + strip(l->endpoint()), o, err);
        EXPECT_EQ(err, 0);
        const bool ok = run_until(io, [&] { return server != nullptr; });
        l->close();
        return ok && client && server;
    }

    // Reads exactly n bytes with try_read + async_wait_readable.
    std::string read_exactly(i_asio_transport &t, std::size_t n) {
        std::string out;
        char buf[65536];
        const auto deadline = std::chrono::steady_clock::now() + 3s;
        while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
            error_code ec;
            const std::size_t got =
                t.try_read(asio::buffer(buf, std::min(sizeof buf, n - out.size())), ec);
            out.append(buf, got);
            if (ec == asio::error::would_block) {
                bool ready = false;
                t.async_wait_readable([&](const error_code &) { ready = true; });
                run_until(
                    io, [&] { return ready; }, 1000);
            } else if (ec) {
                ADD_FAILURE() << "read error " << ec.message();
                break;
            }
        }
        return out;
    }

    static int get_int(int fd, int level, int name) {
        int v = -1;
        socklen_t len = sizeof v;
        EXPECT_EQ(::getsockopt(fd, level, name, &v, &len), 0);
        return v;
    }
};

bool ipv6_available() {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io);
    error_code ec;
    a.open(asio::ip::tcp::v6(), ec);
    if (!ec)
        a.bind({asio::ip::address_v6::loopback(), 0}, ec);
    return !ec;
}

} // namespace

TEST_F(TransportTcp, BindEphemeralLoopbackAndWildcard) {
    options_t o;
    int err = -1;
    auto l = listener_t::create(io, "tcp", "127.0.0.1:*", o, err);
    ASSERT_TRUE(l) << err;
    EXPECT_TRUE(std::regex_match(l->endpoint(), std::regex(R"(tcp://127\.0\.0\.1:[1-9][0-9]*)")))
        << l->endpoint();
    EXPECT_GE(l->native_handle(), 0);

    auto w = listener_t::create(io, "tcp", "*:*", o, err);
    ASSERT_TRUE(w) << err;
    EXPECT_TRUE(std::regex_match(w->endpoint(), std::regex(R"(tcp://0\.0\.0\.0:[1-9][0-9]*)")))
        << w->endpoint();
    auto z = listener_t::create(io, "tcp", "127.0.0.1:0", o, err);
    ASSERT_TRUE(z) << err;
    EXPECT_NE(z->endpoint(), "tcp://127.0.0.1:0");
    auto n = listener_t::create(io, "tcp", "lo:*", o, err);
    ASSERT_TRUE(n) << err;
    EXPECT_EQ(n->endpoint().rfind("tcp://127.0.0.1:", 0), 0u) << n->endpoint();
}

TEST_F(TransportTcp, BindIpv6) {
    if (!ipv6_available())
        GTEST_SKIP() << "no IPv6 loopback";
    options_t o;
    int err = -1;
    EXPECT_FALSE(listener_t::create(io, "tcp", "[::1]:*", o, err));
    EXPECT_EQ(err, ENODEV); // IPv6 needs ZMQ_IPV6, as in libzmq
    o.ipv6 = true;
    auto l = listener_t::create(io, "tcp", "[::1]:*", o, err);
    ASSERT_TRUE(l) << err;
    EXPECT_TRUE(std::regex_match(l->endpoint(), std::regex(R"(tcp://\[::1\]:[1-9][0-9]*)")))
        << l->endpoint();

    // "*" with ZMQ_IPV6 is a dual-stack "::": IPv4 clients get in too.
    auto w = listener_t::create(io, "tcp", "*:*", o, err);
    ASSERT_TRUE(w) << err;
    EXPECT_EQ(w->endpoint().rfind("tcp://[::]:", 0), 0u) << w->endpoint();
    std::unique_ptr<i_asio_transport> accepted;
    w->start([&](std::unique_ptr<i_asio_transport> t) { accepted = std::move(t); }, [](int) {});
    const std::string port = w->endpoint().substr(w->endpoint().rfind(':') + 1);
    options_t v4;
    auto c = connect("127.0.0.1:" + port, v4, err);
    ASSERT_EQ(err, 0);
    ASSERT_TRUE(run_until(io, [&] { return accepted != nullptr; }));
    EXPECT_EQ(accepted->peer_address(), "::ffff:127.0.0.1");
    auto c6 = connect("[::1]:" + port, o, err);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(c6->local_endpoint().rfind("tcp://[::1]:", 0), 0u) << c6->local_endpoint();
}

TEST_F(TransportTcp, BindErrors) {
    options_t o;
    int err = -1;
    auto l = listener_t::create(io, "tcp", "127.0.0.1:*", o, err);
    ASSERT_TRUE(l);
    EXPECT_FALSE(listener_t::create(io, "tcp", strip(l->endpoint()), o, err));
    EXPECT_EQ(err, EADDRINUSE);
    for (const char *bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "", "*"}) {
        EXPECT_FALSE(listener_t::create(io, "tcp", bad, o, err)) << bad;
        EXPECT_EQ(err, EINVAL) << bad;
    }
    EXPECT_FALSE(listener_t::create(io, "tcp", "nosuchif0:*", o, err));
    EXPECT_EQ(err, ENODEV);
    // An address no local interface has (TEST-NET-1 is never assigned).
    EXPECT_FALSE(listener_t::create(io, "tcp", "192.0.2.254:*", o, err));
    EXPECT_EQ(err, EADDRNOTAVAIL);
    EXPECT_FALSE(listener_t::create(io, "udp", "127.0.0.1:*", o, err));
    EXPECT_EQ(err, EPROTONOSUPPORT);
}

TEST_F(TransportTcp, ConnectAcceptGatherWriteAndRead) {
    options_t o;
    std::unique_ptr<i_asio_transport> client, server;
    ASSERT_TRUE(make_pair("127.0.0.1:*", o, client, server));
    EXPECT_EQ(client->peer_address(), "127.0.0.1");
    EXPECT_EQ(server->peer_address(), "127.0.0.1");
    EXPECT_EQ(client->local_endpoint().rfind("tcp://127.0.0.1:", 0), 0u);
    EXPECT_GE(client->native_handle(), 0);
    EXPECT_TRUE(client->is_open());

    const std::string a = "hello ", b = "gather ", c(3000, 'z');
    const asio::const_buffer bufs[] = {asio::buffer(a), asio::buffer(b), asio::buffer(c)};
    error_code ec;
    const std::size_t n = client->try_write(bufs, 3, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(n, a.size() + b.size() + c.size()); // fits an empty socket buffer
    EXPECT_EQ(read_exactly(*server, n), a + b + c);

    // Nothing left: would_block, not eof.
    char buf[16];
    EXPECT_EQ(server->try_read(asio::buffer(buf), ec), 0u);
    EXPECT_EQ(ec, asio::error::would_block);
    // Zero-sized operations are no-ops.
    EXPECT_EQ(server->try_read(asio::mutable_buffer(), ec), 0u);
    EXPECT_FALSE(ec);
    EXPECT_EQ(client->try_write(bufs, 0, ec), 0u);
    EXPECT_FALSE(ec);

    // Server to client, too.
    const asio::const_buffer back[] = {asio::buffer(a)};
    EXPECT_EQ(server->try_write(back, 1, ec), a.size());
    EXPECT_EQ(read_exactly(*client, a.size()), a);
}

TEST_F(TransportTcp, WouldBlockThenWritable) {
    options_t o;
    o.sndbuf = 4096;
    o.rcvbuf = 4096;
    std::unique_ptr<i_asio_transport> client, server;
    ASSERT_TRUE(make_pair("127.0.0.1:*", o, client, server));

    const std::vector<char> chunk(65536, 'x');
    const asio::const_buffer buf[] = {asio::buffer(chunk)};
    std::size_t total = 0;
    error_code ec;
    for (int i = 0; i < 10000 && !ec; ++i)
        total += client->try_write(buf, 1, ec);
    ASSERT_EQ(ec, asio::error::would_block) << ec.message();
    EXPECT_GT(total, 0u);
    EXPECT_EQ(client->try_write(buf, 1, ec), 0u); // still full
    EXPECT_EQ(ec, asio::error::would_block);

    bool writable = false;
    client->async_wait_writable([&](const error_code &e) { writable = !e; });
    io.run_for(20ms);
    EXPECT_FALSE(writable); // nobody reads yet
    // Drain until the writer is told it may go on, then everything.
    std::string drained;
    char rbuf[65536];
    ASSERT_TRUE(run_until(io, [&] {
        error_code rec;
        drained.append(rbuf, server->try_read(asio::buffer(rbuf), rec));
        return writable;
    }));
    drained += read_exactly(*server, total - drained.size());
    EXPECT_EQ(drained.size(), total);
}

TEST_F(TransportTcp, AsyncReadWriteAndEof) {
    options_t o;
    std::unique_ptr<i_asio_transport> client, server;
    ASSERT_TRUE(make_pair("127.0.0.1:*", o, client, server));

    bool readable = false;
    server->async_wait_readable([&](const error_code &e) { readable = !e; });
    const std::string msg = "async";
    std::size_t written = 0;
    client->async_write_some(asio::buffer(msg), [&](const error_code &e, std::size_t n) {
        EXPECT_FALSE(e);
        written = n;
    });
    ASSERT_TRUE(run_until(io, [&] { return readable && written == msg.size(); }));

    char buf[64];
    std::size_t got = 0;
    server->async_read_some(asio::buffer(buf), [&](const error_code &e, std::size_t n) {
        EXPECT_FALSE(e);
        got = n;
    });
    ASSERT_TRUE(run_until(io, [&] { return got > 0; }));
    EXPECT_EQ(std::string(buf, got), msg.substr(0, got));

    // The peer goes away: readable, then eof.
    client->close();
    bool eof_seen = false;
    ASSERT_TRUE(run_until(io, [&] {
        error_code ec;
        server->try_read(asio::buffer(buf), ec);
        eof_seen = ec == asio::error::eof;
        return eof_seen || (ec && ec != asio::error::would_block);
    }));
    EXPECT_TRUE(eof_seen);
}

TEST_F(TransportTcp, CloseIsIdempotentAndAbortsWaits) {
    options_t o;
    std::unique_ptr<i_asio_transport> client, server;
    ASSERT_TRUE(make_pair("127.0.0.1:*", o, client, server));
    error_code waited;
    bool called = false;
    server->async_wait_readable([&](const error_code &e) {
        waited = e;
        called = true;
    });
    server->close();
    server->close();
    EXPECT_FALSE(server->is_open());
    EXPECT_EQ(server->native_handle(), -1);
    ASSERT_TRUE(run_until(io, [&] { return called; }));
    EXPECT_EQ(waited, asio::error::operation_aborted);
    error_code ec;
    const asio::const_buffer b[] = {asio::buffer("x", 1)};
    EXPECT_EQ(server->try_write(b, 1, ec), 0u);
    EXPECT_TRUE(ec);
    EXPECT_EQ(server->peer_address(), "127.0.0.1"); // kept for metadata
}

TEST_F(TransportTcp, ConnectRefused) {
    // A bound, non-listening port refuses and cannot be taken meanwhile.
    asio::ip::tcp::acceptor holder(io);
    holder.open(asio::ip::tcp::v4());
    holder.bind({asio::ip::address_v4::loopback(), 0});
    options_t o;
    int err = -1;
    auto t = connect("127.0.0.1:" + std::to_string(holder.local_endpoint().port()), o, err);
    EXPECT_FALSE(t);
    EXPECT_EQ(err, ECONNREFUSED);
}

TEST_F(TransportTcp, ConnectErrorsWithoutNetwork) {
    options_t o;
    int err = -1;
    EXPECT_FALSE(connect(":5555", o, err)); // empty host: nothing to resolve
    EXPECT_EQ(err, EHOSTUNREACH);
    EXPECT_FALSE(connect("[::1]:5555", o, err)); // IPv6 without ZMQ_IPV6
    EXPECT_EQ(err, EHOSTUNREACH);
    EXPECT_FALSE(connect("127.0.0.1", o, err));
    EXPECT_EQ(err, EINVAL);
}

TEST_F(TransportTcp, ConnectTimeoutOnFullBacklog) {
    // Linux drops SYNs once the accept queue is full, so a connect to a
    // listener that never accepts hangs until ZMQ_CONNECT_TIMEOUT.
    asio::ip::tcp::acceptor full(io);
    full.open(asio::ip::tcp::v4());
    full.bind({asio::ip::address_v4::loopback(), 0});
    full.listen(0);
    const std::string addr = "127.0.0.1:" + std::to_string(full.local_endpoint().port());
    options_t o;
    o.connect_timeout = 200;
    std::vector<std::unique_ptr<i_asio_transport>> fillers;
    int err = 0;
    for (int i = 0; i < 8 && err == 0; ++i) {
        auto t = connect(addr, o, err);
        if (t)
            fillers.push_back(std::move(t));
    }
    if (err == 0)
        GTEST_SKIP() << "the kernel kept accepting into a full backlog";
    EXPECT_EQ(err, ETIMEDOUT);
}

TEST_F(TransportTcp, CancelSuppressesHandler) {
    asio::ip::tcp::acceptor holder(io);
    holder.open(asio::ip::tcp::v4());
    holder.bind({asio::ip::address_v4::loopback(), 0});
    options_t o;
    bool called = false;
    {
        connecter_t c(io, "tcp", "127.0.0.1:" + std::to_string(holder.local_endpoint().port()), o);
        c.start([&](std::unique_ptr<i_asio_transport>, int) { called = true; });
        EXPECT_TRUE(c.in_progress());
        c.cancel();
        EXPECT_FALSE(c.in_progress());
        io.run_for(50ms);
        // Restart after cancel works; then destroy with an attempt pending.
        c.start([&](std::unique_ptr<i_asio_transport>, int) { called = true; });
    }
    io.run_for(50ms);
    EXPECT_FALSE(called);
}

TEST_F(TransportTcp, SourceAddress) {
    options_t o;
    int err = -1;
    auto l = listener_t::create(io, "tcp", "127.0.0.1:*", o, err);
    ASSERT_TRUE(l);
    std::vector<std::unique_ptr<i_asio_transport>> accepted;
    l->start([&](std::unique_ptr<i_asio_transport> t) { accepted.push_back(std::move(t)); },
             [](int) {});
    const std::string dst = strip(l->endpoint());
    // 127.0.0.2 is a loopback address on Linux: the peer sees it as source.
    auto a = connect("127.0.0.2:*;" + dst, o, err);
    ASSERT_EQ(err, 0);
    auto b = connect("127.0.0.2:0;" + dst, o, err);
    ASSERT_EQ(err, 0);
    ASSERT_TRUE(run_until(io, [&] { return accepted.size() == 2; }));
    EXPECT_EQ(accepted[0]->peer_address(), "127.0.0.2");
    EXPECT_EQ(accepted[1]->peer_address(), "127.0.0.2");
    EXPECT_EQ(a->local_endpoint().rfind("tcp://127.0.0.2:", 0), 0u) << a->local_endpoint();

    // A fixed source port: take a free one, release it, use it.
    uint16_t port = 0;
    {
        asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.2"), 0});
        port = probe.local_endpoint().port();
    }
    auto c = connect("127.0.0.2:" + std::to_string(port) + ";" + dst, o, err);
    ASSERT_EQ(err, 0);
    EXPECT_EQ(c->local_endpoint(), "tcp://127.0.0.2:" + std::to_string(port));

    EXPECT_FALSE(connect("nosuchif0:*;" + dst, o, err));
    EXPECT_EQ(err, ENODEV);
}

TEST_F(TransportTcp, HostNameConnect) {
    options_t o;
    std::unique_ptr<i_asio_transport> client, server;
    // "localhost" resolves through the resolver; with ipv6 off it is 127.0.0.1.
    int err = -1;
    auto l = listener_t::create(io, "tcp", "127.0.0.1:*", o, err);
    ASSERT_TRUE(l);
    l->start([&](std::unique_ptr<i_asio_transport> t) { server = std::move(t); }, [](int) {});
    const std::string port = l->endpoint().substr(l->endpoint().rfind(':') + 1);
    client = connect("localhost:" + port, o, err);
    ASSERT_EQ(err, 0);
    ASSERT_TRUE(run_until(io, [&] { return server != nullptr; }));
}

TEST_F(TransportTcp, SocketOptionsApplied) {
    options_t o;
    o.sndbuf = 65536;
    o.rcvbuf = 65536;
    o.tcp_keepalive = 1;
    o.tcp_keepalive_idle = 77;
    o.tcp_keepalive_intvl = 11;
    o.tcp_keepalive_cnt = 5;
    o.tcp_maxrt = 1234;
    o.tos = 0x10;
    std::unique_ptr<i_asio_transport> client, server;
    ASSERT_TRUE(make_pair("127.0.0.1:*", o, client, server));
    for (auto *t : {client.get(), server.get()}) {
        const int fd = t->native_handle();
        EXPECT_EQ(get_int(fd, IPPROTO_TCP, TCP_NODELAY), 1);
        EXPECT_GE(get_int(fd, SOL_SOCKET, SO_SNDBUF), 65536); // Linux doubles it
        EXPECT_GE(get_int(fd, SOL_SOCKET, SO_RCVBUF), 65536);
        EXPECT_EQ(get_int(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
        EXPECT_EQ(get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE), 77);
        EXPECT_EQ(get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL), 11);
        EXPECT_EQ(get_int(fd, IPPROTO_TCP, TCP_KEEPCNT), 5);
        EXPECT_EQ(get_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 1234);
        EXPECT_EQ(get_int(fd, IPPROTO_IP, IP_TOS), 0x10);
        EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    }
}

TEST_F(TransportTcp, BindToDeviceErrors) {
    options_t o;
    o.bindtodevice = "nosuchdev0";
    int err = -1;
    EXPECT_FALSE(listener_t::create(io, "tcp", "127.0.0.1:*", o, err));
    EXPECT_TRUE(err == ENODEV || err == EPERM) << err;
    EXPECT_FALSE(connect("127.0.0.1:1", o, err));
    EXPECT_TRUE(err == ENODEV || err == EPERM) << err;
}

TEST_F(TransportTcp, ListenerCloseStopsAccepting) {
    options_t o;
    int err = -1;
    auto l = listener_t::create(io, "tcp", "127.0.0.1:*", o, err);
    ASSERT_TRUE(l);
    const std::string addr = strip(l->endpoint());
    int accepted = 0;
    l->start([&](std::unique_ptr<i_asio_transport>) { ++accepted; }, [](int) {});
    auto c1 = connect(addr, o, err);
    ASSERT_EQ(err, 0);
    ASSERT_TRUE(run_until(io, [&] { return accepted == 1; }));
    l->close();
    l->close();
    l.reset(); // destroyed on the io thread's side after close
    EXPECT_FALSE(connect(addr, o, err));
    EXPECT_EQ(err, ECONNREFUSED);
    io.run_for(20ms);
    EXPECT_EQ(accepted, 1);
}

TEST_F(TransportTcp, ListenerClosedFromAcceptHandler) {
    options_t o;
    int err = -1;
    auto l = listener_t::create(io, "tcp", "127.0.0.1:*", o, err);
    ASSERT_TRUE(l);
    std::unique_ptr<i_asio_transport> got;
    l->start(
        [&](std::unique_ptr<i_asio_transport> t) {
            got = std::move(t);
            l.reset(); // closes and destroys from inside the handler
        },
        [](int) {});
    auto c = connect(strip(l->endpoint()), o, err);
    ASSERT_EQ(err, 0);
    ASSERT_TRUE(run_until(io, [&] { return got != nullptr; }));
    EXPECT_FALSE(l);
}

TEST_F(TransportTcp, IoThreadRunsHandlers) {
    // The usual arrangement: the io_context on its own thread, bind on this one.
    asio::io_context ctx;
    auto work = asio::make_work_guard(ctx);
    std::thread th([&] { ctx.run(); });
    options_t o;
    int err = -1;
    auto l = listener_t::create(ctx, "tcp", "127.0.0.1:*", o, err);
    ASSERT_TRUE(l);
    std::atomic<int> accepted{0};
    l->start([&](std::unique_ptr<i_asio_transport>) { ++accepted; }, [](int) {});
    std::atomic<int> connected{0};
    std::vector<std::unique_ptr<connecter_t>> cs;
    asio::post(ctx, [&] {
        for (int i = 0; i < 5; ++i) {
            cs.push_back(std::make_unique<connecter_t>(ctx, "tcp", strip(l->endpoint()), o));
            cs.back()->start([&](std::unique_ptr<i_asio_transport> t, int e) {
                if (t && e == 0)
                    ++connected;
            });
        }
    });
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while ((accepted < 5 || connected < 5) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(2ms);
    EXPECT_EQ(accepted.load(), 5);
    EXPECT_EQ(connected.load(), 5);
    l->close(); // from this thread, while the io thread runs
    asio::post(ctx, [&] { cs.clear(); });
    work.reset();
    ctx.stop();
    th.join();
}

TEST_F(TransportTcp, UseFdAdoptsListeningSocket) {
    // ZMQ_USE_FD: the application bound and listened; the address is ignored.
    asio::ip::tcp::acceptor app(io, {asio::ip::address_v4::loopback(), 0});
    const uint16_t port = app.local_endpoint().port();
    options_t o;
    o.use_fd = app.release();
    int err = -1;
    auto l = listener_t::create(io, "tcp", "127.0.0.1:*", o, err);
    ASSERT_TRUE(l) << err;
    EXPECT_EQ(l->endpoint(), "tcp://127.0.0.1:" + std::to_string(port));
    EXPECT_EQ(l->native_handle(), o.use_fd);
    std::unique_ptr<i_asio_transport> server;
    l->start([&](std::unique_ptr<i_asio_transport> t) { server = std::move(t); }, [](int) {});
    options_t plain;
    auto c = connect("127.0.0.1:" + std::to_string(port), plain, err);
    ASSERT_EQ(err, 0);
    ASSERT_TRUE(run_until(io, [&] { return server != nullptr; }));
}
