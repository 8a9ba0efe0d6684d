// ZMQ_USE_FD: the application creates, binds and listens on the socket
// itself (systemd socket activation, privilege drop); zmq_bind then adopts
// that fd whatever address it is given, ZMQ_LAST_ENDPOINT names the fd's
// real address, and an fd of the wrong family is refused.
#include "net_testutil.hpp"

#include <sys/un.h>
#include <unistd.h>

using namespace testutil;

namespace {

class UseFd : public net_test {};

int listening_tcp_fd(int &port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(0, ::bind(fd, reinterpret_cast<sockaddr *>(&a), len));
    EXPECT_EQ(0, ::listen(fd, 16));
    EXPECT_EQ(0, ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len));
    port = ntohs(a.sin_port);
    return fd;
}

int listening_ipc_fd(const std::string &path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    ::unlink(path.c_str());
    EXPECT_EQ(0, ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a));
    EXPECT_EQ(0, ::listen(fd, 16));
    return fd;
}

void exchange_through(void *server, const std::string &ep, void *client) {
    ASSERT_EQ(0, zmq_connect(client, ep.c_str()));
    ASSERT_EQ(0, send_parts(client, {"hello", "fd"}));
    EXPECT_EQ((std::vector<std::string>{"hello", "fd"}), recv_multipart(server));
}

TEST_F(UseFd, TcpBindAdoptsTheListeningFd) {
    SKIP_WITHOUT_TCP();
    int port = 0;
    const int fd = listening_tcp_fd(port);
    void *server = make(ZMQ_PULL);
    ASSERT_EQ(0, zmq_setsockopt(server, ZMQ_USE_FD, &fd, sizeof fd));
    // The address is not used for binding: the fd already is bound.
    ASSERT_EQ(0, zmq_bind(server, "tcp://127.0.0.1:*"));
    const std::string ep = "tcp://127.0.0.1:" + std::to_string(port);
    EXPECT_EQ(ep, last_endpoint(server));
    exchange_through(server, ep, make(ZMQ_PUSH));
}

TEST_F(UseFd, IpcBindAdoptsTheListeningFd) {
    SKIP_WITHOUT_NET(transport::ipc_path);
    const std::string ep = bind_spec(transport::ipc_path);
    const int fd = listening_ipc_fd(ep.substr(6));
    void *server = make(ZMQ_PULL);
    ASSERT_EQ(0, zmq_setsockopt(server, ZMQ_USE_FD, &fd, sizeof fd));
    ASSERT_EQ(0, zmq_bind(server, ep.c_str()));
    EXPECT_EQ(ep, last_endpoint(server));
    exchange_through(server, ep, make(ZMQ_PUSH));
}

TEST_F(UseFd, TcpFdGivenToAnIpcBindIsRefused) {
    SKIP_WITHOUT_TCP();
    int port = 0;
    const int fd = listening_tcp_fd(port);
    void *server = make(ZMQ_PULL);
    ASSERT_EQ(0, zmq_setsockopt(server, ZMQ_USE_FD, &fd, sizeof fd));
    const std::string ep = bind_spec(transport::ipc_path);
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
    // libzmq 4.3.4 adopts any fd without checking its family: the bind
    // succeeds and the socket then listens on the tcp port.
    EXPECT_EQ(0, zmq_bind(server, ep.c_str()));
#else
    EXPECT_ZMQ_ERR(zmq_bind(server, ep.c_str()), EINVAL);
    ::close(fd);
#endif
}

} // namespace
