#include "transports/tcp/tcp_transport.hpp"

#include <algorithm>
#include <cerrno>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "transports/socket_acceptor.hpp"
#include "transports/tcp/tcp_address.hpp"
#include "transports/tcp/tcp_socket_options.hpp"
#include "transports/tcp/tcp_stream.hpp"

namespace zlink {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using tcp_acceptor_t = socket_acceptor_t<tcp>;

namespace {

// ZMQ_TCP_ACCEPT_FILTER (as set at bind time), then the options of an
// established connection.
socket_acceptor_hooks_t tcp_accept_hooks(const options_t &options) {
    socket_acceptor_hooks_t hooks;
    hooks.admit = [options](int fd) {
        if (!tcp_peer_allowed(fd, options.tcp_accept_filters))
            return EACCES;
        apply_connected_tcp_options(fd, options);
        return 0;
    };
    return hooks;
}

// "tcp://127.0.0.1:5555" under another scheme ("tls://...").
std::string scheme_uri(const std::string &scheme, const tcp::endpoint &ep) {
    const std::string uri = tcp_endpoint_uri(ep);
    return scheme + uri.substr(uri.find("://"));
}

std::unique_ptr<listener_t> adopt_tcp_fd(asio::io_context &io, const options_t &options, int &err,
                                         const std::string &scheme,
                                         tcp_stream_factory_t make_stream) {
    int family = AF_UNSPEC;
    if ((err = listening_fd_family(options.use_fd, family)) != 0)
        return nullptr;
    if (family != AF_INET && family != AF_INET6) {
        err = EINVAL;
        return nullptr;
    }
    tcp::endpoint bound;
    auto state =
        adopt_listening_fd(io, tcp_accept_hooks(options),
                           family == AF_INET6 ? tcp::v6() : tcp::v4(), options.use_fd, bound, err);
    if (!state)
        return nullptr;
    state->set_stream_factory(std::move(make_stream));
    return std::make_unique<listener_t>(std::move(state), scheme_uri(scheme, bound),
                                        options.use_fd);
}

} // namespace

bool tcp_peer_allowed(int fd, const std::vector<tcp_address_mask_t> &filters) {
    if (filters.empty())
        return true;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0)
        return false;
    return std::any_of(filters.begin(), filters.end(), [&](const tcp_address_mask_t &f) {
        return f.matches(reinterpret_cast<const sockaddr *>(&ss), len);
    });
}

std::unique_ptr<listener_t> listen_tcp(asio::io_context &io, const std::string &address,
                                       const options_t &options, int &err) {
    return listen_tcp_as(io, address, options, err, "tcp", nullptr);
}

std::unique_ptr<listener_t> listen_tcp_as(asio::io_context &io, const std::string &address,
                                          const options_t &options, int &err,
                                          const std::string &scheme,
                                          tcp_stream_factory_t make_stream) {
    // ZMQ_USE_FD: the address is ignored, as in libzmq, and the endpoint
    // read back from the socket.
    if (options.use_fd != -1)
        return adopt_tcp_fd(io, options, err, scheme, std::move(make_stream));
    tcp::endpoint ep;
    if ((err = resolve_tcp_bind_address(address, options.ipv6, ep)) != 0)
        return nullptr;
    auto state = std::make_shared<tcp_acceptor_t>(io, tcp_accept_hooks(options));
    state->set_stream_factory(std::move(make_stream));
    auto &acc = state->acceptor();
    error_code ec;
    if (acc.open(ep.protocol(), ec)) {
        err = ec.value();
        return nullptr;
    }
    set_close_on_exec(acc.native_handle());
    const bool v6 = ep.address().is_v6();
    if (v6) // ZMQ_IPV6 means dual-stack: IPv4 peers reach "::" too
        acc.set_option(asio::ip::v6_only(false), ec);
    acc.set_option(asio::socket_base::reuse_address(true), ec);
    if ((err = apply_pre_connect_tcp_options(acc.native_handle(), v6, options)) != 0)
        return nullptr;
    if (acc.bind(ep, ec) || acc.listen(options.backlog, ec)) {
        err = ec.value();
        return nullptr;
    }
    const auto bound = acc.local_endpoint(ec);
    if (ec) {
        err = ec.value();
        return nullptr;
    }
    const int fd = acc.native_handle();
    return std::make_unique<listener_t>(std::move(state), scheme_uri(scheme, bound), fd);
}

} // namespace zlink
