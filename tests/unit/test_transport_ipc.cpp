// ipc:// transports: filesystem paths, Linux abstract names, the "*"
// wildcard, socket-file cleanup and errors.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <regex>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "asio_testutil.hpp"
#include "proc_testutil.hpp"
#include "transports/connecter.hpp"
#include "transports/listener.hpp"
#include "transports/ipc/ipc_stream.hpp"

using namespace zlink;
using testutil::run_until;
using testutil::short_unique;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

bool exists(const std::string &path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

class TransportIpc : public ::testing::Test {
  protected:
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};

    std::unique_ptr<i_asio_transport> connect(const std::string &address, int &err) {
        connecter_t c(io, "ipc", address, options_t());
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

    // Bind, connect, exchange bytes both ways; returns the listener.
    std::unique_ptr<listener_t> round_trip(const std::string &address) {
        int err = -1;
        auto l = listener_t::create(io, "ipc", address, options_t(), err);
        EXPECT_TRUE(l) << address << " errno " << err;
        if (!l)
            return nullptr;
        std::unique_ptr<i_asio_transport> server;
        l->start([&](std::unique_ptr<i_asio_transport> t) { server = std::move(t); }, [](int) {});
        const std::string connect_to = l->endpoint().substr(6); // after "ipc://"
        auto client = connect(connect_to, err);
        EXPECT_EQ(err, 0);
        EXPECT_TRUE(run_until(io, [&] { return server != nullptr; }));
        if (!client || !server)
            return l;
        EXPECT_EQ(client->local_endpoint(), l->endpoint());
        EXPECT_EQ(server->local_endpoint(), l->endpoint());
        const std::string uid = std::to_string(::getuid());
        EXPECT_TRUE(std::regex_match(
            server->peer_address(),
            std::regex("localhost:" + uid + ":[0-9]+:" + std::to_string(::getpid()))))
            << server->peer_address();

        const std::string a = "over ", b = "ipc";
        const asio::const_buffer bufs[] = {asio::buffer(a), asio::buffer(b)};
        error_code ec;
        EXPECT_EQ(client->try_write(bufs, 2, ec), a.size() + b.size());
        std::string got;
        char buf[64];
        EXPECT_TRUE(run_until(io, [&] {
            error_code rec;
            got.append(buf, server->try_read(asio::buffer(buf), rec));
            return got.size() >= a.size() + b.size();
        }));
        EXPECT_EQ(got, a + b);
        return l;
    }
};

} // namespace

TEST_F(TransportIpc, FilesystemPathBindConnectUnlink) {
    const std::string path = "/tmp/" + short_unique("zlink-path") + ".sock";
    auto l = round_trip(path);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->endpoint(), "ipc://" + path);
    EXPECT_GE(l->native_handle(), 0);
    EXPECT_TRUE(exists(path));
    l->close();
    EXPECT_FALSE(exists(path));
    l->close();
}

TEST_F(TransportIpc, StaleFileIsReplaced) {
    // libzmq unlinks whatever is at the path before binding.
    const std::string path = "/tmp/" + short_unique("zlink-stale") + ".sock";
    FILE *f = std::fopen(path.c_str(), "w");
    ASSERT_TRUE(f);
    std::fclose(f);
    auto l = round_trip(path);
    ASSERT_TRUE(l);
    l.reset(); // the destructor closes too
    EXPECT_FALSE(exists(path));
}

TEST_F(TransportIpc, RebindKeepsTheNewOwnersFile) {
    const std::string path = "/tmp/" + short_unique("zlink-rebind") + ".sock";
    int err = -1;
    auto first = listener_t::create(io, "ipc", path, options_t(), err);
    ASSERT_TRUE(first);
    auto second = listener_t::create(io, "ipc", path, options_t(), err);
    ASSERT_TRUE(second) << err; // takes the path over, as in libzmq
    first->close();
    EXPECT_TRUE(exists(path)); // not ours any more: left alone
    second->close();
    EXPECT_FALSE(exists(path));
}

TEST_F(TransportIpc, AbstractName) {
    const std::string name = "@" + short_unique("zlink-abstract");
    auto l = round_trip(name);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->endpoint(), "ipc://" + name);
    EXPECT_FALSE(exists(name)); // nothing on the filesystem
    int err = -1;
    EXPECT_FALSE(listener_t::create(io, "ipc", name, options_t(), err));
    EXPECT_EQ(err, EADDRINUSE);
    l->close();
    auto again = listener_t::create(io, "ipc", name, options_t(), err);
    EXPECT_TRUE(again) << err; // the name is free once closed
}

TEST_F(TransportIpc, Wildcard) {
    auto l = round_trip("*");
    ASSERT_TRUE(l);
    const std::string ep = l->endpoint();
    std::smatch m;
    ASSERT_TRUE(std::regex_match(ep, m, std::regex(R"(ipc://(/.+/tmp[A-Za-z0-9]{6})/socket)")))
        << ep;
    const std::string dir = m[1];
    EXPECT_TRUE(exists(dir + "/socket"));
    int err = -1;
    auto other = listener_t::create(io, "ipc", "*", options_t(), err);
    ASSERT_TRUE(other);
    EXPECT_NE(other->endpoint(), ep);
    l->close();
    EXPECT_FALSE(exists(dir + "/socket"));
    EXPECT_FALSE(exists(dir));
}

TEST_F(TransportIpc, Errors) {
    int err = -1;
    EXPECT_FALSE(listener_t::create(io, "ipc", "", options_t(), err));
    EXPECT_EQ(err, EINVAL);
    EXPECT_FALSE(listener_t::create(io, "ipc", "@", options_t(), err));
    EXPECT_EQ(err, EINVAL);
    EXPECT_FALSE(listener_t::create(io, "ipc", "/tmp/" + std::string(150, 'a'), options_t(), err));
    EXPECT_EQ(err, ENAMETOOLONG);
    EXPECT_FALSE(listener_t::create(io, "ipc", "/nonexistent-zlink-dir/x.sock", options_t(), err));
    EXPECT_EQ(err, ENOENT);

    // Nobody at the path / name.
    EXPECT_FALSE(connect("/tmp/" + short_unique("zlink-nobody") + ".sock", err));
    EXPECT_EQ(err, ENOENT);
    EXPECT_FALSE(connect("@" + short_unique("zlink-nobody"), err));
    EXPECT_EQ(err, ECONNREFUSED);
    EXPECT_FALSE(connect("/tmp/" + std::string(150, 'a'), err));
    EXPECT_EQ(err, ENAMETOOLONG);
}

TEST_F(TransportIpc, ListenerCloseWithPendingAccept) {
    const std::string path = "/tmp/" + short_unique("zlink-pending") + ".sock";
    int err = -1;
    auto l = listener_t::create(io, "ipc", path, options_t(), err);
    ASSERT_TRUE(l);
    bool called = false;
    l->start([&](std::unique_ptr<i_asio_transport>) { called = true; },
             [&](int) { called = true; });
    io.run_for(5ms);
    l.reset(); // accept still pending: the handler must not run
    io.run_for(20ms);
    EXPECT_FALSE(called);
    EXPECT_FALSE(exists(path));
}
