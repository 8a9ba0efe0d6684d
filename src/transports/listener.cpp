#include "transports/listener.hpp"

#include <cerrno>
#include <chrono>
#include <mutex>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transports/ipc/ipc_address.hpp"
#include "transports/socket_options.hpp"
#include "transports/stream_transport.hpp"
#include "transports/tcp/tcp_address.hpp"

namespace zlink {

namespace asio = boost::asio;
using boost::system::error_code;

class listener_t::impl_t {
  public:
    virtual ~impl_t() = default;
    virtual void start(accept_handler_t on_accept, accept_failed_handler_t on_failed) = 0;
    virtual void close() = 0;
};

namespace {

// Errors that say "the process or system is out of something": retrying
// at once would spin on the still-readable listening socket.
bool is_resource_error(int err) {
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

template <typename Protocol>
class acceptor_impl_t final : public listener_t::impl_t,
                              public std::enable_shared_from_this<acceptor_impl_t<Protocol>> {
  public:
    using acceptor_t = typename Protocol::acceptor;
    using socket_t = typename Protocol::socket;
    static constexpr bool is_tcp = std::is_same<Protocol, asio::ip::tcp>::value;

    acceptor_impl_t(asio::io_context &io, const options_t &options)
        : _acceptor(io), _retry_timer(io), _options(options) {}

    ~acceptor_impl_t() override { close(); }

    acceptor_t &acceptor() { return _acceptor; }

    // What close() must remove: the socket file (if its inode is still ours)
    // and the private directory of a wildcard address.
    void set_cleanup(std::string path, std::string dir) {
        _path = std::move(path);
        _dir = std::move(dir);
        struct stat st {};
        if (!_path.empty() && ::stat(_path.c_str(), &st) == 0) {
            _dev = st.st_dev;
            _ino = st.st_ino;
        }
    }

    void start(listener_t::accept_handler_t on_accept,
               listener_t::accept_failed_handler_t on_failed) override {
        std::lock_guard<std::mutex> lock(_mutex);
        _on_accept = std::move(on_accept);
        _on_failed = std::move(on_failed);
        if (!_closed)
            accept_next_locked();
    }

    void close() override {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_closed)
            return;
        _closed = true;
        error_code ec;
        _retry_timer.cancel();
        _acceptor.close(ec);
        remove_files();
    }

  private:
    void accept_next_locked() {
        auto self = this->shared_from_this();
        _acceptor.async_accept([self](const error_code &ec, socket_t socket) {
            self->on_accepted(ec, std::move(socket));
        });
    }

    void on_accepted(const error_code &ec, socket_t socket) {
        std::unique_lock<std::mutex> lock(_mutex);
        if (_closed || ec == asio::error::operation_aborted)
            return;
        if (ec) {
            const int err = ec.value();
            schedule_next_locked(err);
            auto on_failed = _on_failed;
            lock.unlock();
            if (on_failed)
                on_failed(err);
            return;
        }
        const int fd = socket.native_handle();
        set_close_on_exec(fd);
        if (!peer_allowed(fd)) {
            // As libzmq: a filtered peer is closed at once and reported as
            // ACCEPT_FAILED (libzmq's value is a stale errno; zlink: EACCES).
            error_code ignored;
            socket.close(ignored);
            accept_next_locked();
            auto on_failed = _on_failed;
            lock.unlock();
            if (on_failed)
                on_failed(EACCES);
            return;
        }
        if (is_tcp)
            apply_connected_tcp_options(fd, _options);
        accept_next_locked();
        auto on_accept = _on_accept;
        lock.unlock();
        // Handlers are copied so one may close (or destroy) the listener.
        if (on_accept)
            on_accept(std::make_unique<stream_transport_t<Protocol>>(std::move(socket)));
    }

    // ZMQ_TCP_ACCEPT_FILTER / ZMQ_IPC_FILTER_*, as set at bind time.
    bool peer_allowed(int fd) const {
        return is_tcp ? tcp_peer_allowed(fd, _options.tcp_accept_filters)
                      : ipc_peer_allowed(fd, _options.ipc_filters);
    }

    void schedule_next_locked(int err) {
        if (!is_resource_error(err)) {
            accept_next_locked();
            return;
        }
        auto self = this->shared_from_this();
        _retry_timer.expires_after(std::chrono::milliseconds(100));
        _retry_timer.async_wait([self](const error_code &ec) {
            std::lock_guard<std::mutex> lock(self->_mutex);
            if (!ec && !self->_closed)
                self->accept_next_locked();
        });
    }

    void remove_files() {
        if (!_path.empty()) {
            struct stat st {};
            // Someone may have bound the same path since (libzmq unlinks a
            // stale file before bind); do not remove their socket.
            if (::stat(_path.c_str(), &st) == 0 && st.st_dev == _dev && st.st_ino == _ino)
                ::unlink(_path.c_str());
            _path.clear();
        }
        if (!_dir.empty()) {
            ::rmdir(_dir.c_str());
            _dir.clear();
        }
    }

    std::mutex _mutex;
    acceptor_t _acceptor;
    asio::steady_timer _retry_timer;
    options_t _options;
    listener_t::accept_handler_t _on_accept;
    listener_t::accept_failed_handler_t _on_failed;
    bool _closed = false;
    std::string _path, _dir;
    dev_t _dev = 0;
    ino_t _ino = 0;
};

// ZMQ_USE_FD: the application already bound (and listened on) the socket;
// the address is ignored, as in libzmq, and the endpoint read back from it.
template <typename Protocol>
int adopt_fd(asio::io_context &io, const options_t &options,
             std::shared_ptr<listener_t::impl_t> &impl, std::string &endpoint, int &fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(options.use_fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0)
        return errno;
    auto state = std::make_shared<acceptor_impl_t<Protocol>>(io, options);
    error_code ec;
    constexpr bool is_tcp = std::is_same<Protocol, asio::ip::tcp>::value;
    const bool family_ok = is_tcp ? (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
                                  : ss.ss_family == AF_UNIX;
    if (!family_ok)
        return EINVAL;
    const Protocol proto = [&] {
        if constexpr (is_tcp)
            return ss.ss_family == AF_INET6 ? asio::ip::tcp::v6() : asio::ip::tcp::v4();
        else
            return Protocol();
    }();
    if (state->acceptor().assign(proto, options.use_fd, ec))
        return ec.value();
    const auto bound = state->acceptor().local_endpoint(ec);
    if (ec)
        return ec.value();
    if constexpr (is_tcp)
        endpoint = tcp_endpoint_uri(bound);
    else
        endpoint = "ipc://" + ipc_name_of(bound);
    fd = options.use_fd;
    impl = std::move(state);
    return 0;
}

int bind_tcp(asio::io_context &io, const std::string &address, const options_t &options,
             std::shared_ptr<listener_t::impl_t> &impl, std::string &endpoint, int &fd) {
    if (options.use_fd != -1)
        return adopt_fd<asio::ip::tcp>(io, options, impl, endpoint, fd);
    asio::ip::tcp::endpoint ep;
    if (const int err = resolve_tcp_bind_address(address, options.ipv6, ep))
        return err;
    auto state = std::make_shared<acceptor_impl_t<asio::ip::tcp>>(io, options);
    auto &acc = state->acceptor();
    error_code ec;
    if (acc.open(ep.protocol(), ec))
        return ec.value();
    set_close_on_exec(acc.native_handle());
    const bool v6 = ep.address().is_v6();
    if (v6) // ZMQ_IPV6 means dual-stack: IPv4 peers reach "::" too
        acc.set_option(asio::ip::v6_only(false), ec);
    acc.set_option(asio::socket_base::reuse_address(true), ec);
    if (const int err = apply_pre_connect_options(acc.native_handle(), true, v6, options))
        return err;
    if (acc.bind(ep, ec) || acc.listen(options.backlog, ec))
        return ec.value();
    const auto bound = acc.local_endpoint(ec);
    if (ec)
        return ec.value();
    endpoint = tcp_endpoint_uri(bound);
    fd = acc.native_handle();
    impl = std::move(state);
    return 0;
}

int bind_ipc(asio::io_context &io, const std::string &address, const options_t &options,
             std::shared_ptr<listener_t::impl_t> &impl, std::string &endpoint, int &fd) {
    if (options.use_fd != -1)
        return adopt_fd<asio::local::stream_protocol>(io, options, impl, endpoint, fd);
    ipc_address_t addr;
    std::string dir;
    const int perr = address == "*" ? make_ipc_wildcard(addr, dir) : parse_ipc_address(address, addr);
    if (perr != 0)
        return perr;
    auto state = std::make_shared<acceptor_impl_t<asio::local::stream_protocol>>(io, options);
    // From here on, failing removes the wildcard directory.
    state->set_cleanup(std::string(), dir);
    auto &acc = state->acceptor();
    error_code ec;
    if (acc.open(asio::local::stream_protocol(), ec))
        return ec.value();
    set_close_on_exec(acc.native_handle());
    if (const int err = apply_pre_connect_options(acc.native_handle(), false, false, options))
        return err;
    // As libzmq: a file left by an earlier run would make bind fail.
    if (!addr.abstract)
        ::unlink(addr.name.c_str());
    if (acc.bind(addr.endpoint(), ec))
        return ec.value();
    state->set_cleanup(addr.abstract ? std::string() : addr.name, dir);
    if (acc.listen(options.backlog, ec))
        return ec.value();
    endpoint = addr.uri();
    fd = acc.native_handle();
    impl = std::move(state);
    return 0;
}

} // namespace

listener_t::listener_t(std::shared_ptr<impl_t> impl, std::string endpoint, int fd)
    : _impl(std::move(impl)), _endpoint(std::move(endpoint)), _fd(fd) {}

listener_t::~listener_t() { close(); }

std::unique_ptr<listener_t> listener_t::create(asio::io_context &io, const std::string &protocol,
                                               const std::string &address,
                                               const options_t &options, int &err) {
    std::shared_ptr<impl_t> impl;
    std::string endpoint;
    int fd = -1;
    if (protocol == "tcp")
        err = bind_tcp(io, address, options, impl, endpoint, fd);
    else if (protocol == "ipc")
        err = bind_ipc(io, address, options, impl, endpoint, fd);
    else
        err = EPROTONOSUPPORT;
    if (err != 0)
        return nullptr;
    return std::unique_ptr<listener_t>(new listener_t(std::move(impl), std::move(endpoint), fd));
}

void listener_t::start(accept_handler_t on_accept, accept_failed_handler_t on_accept_failed) {
    if (_impl)
        _impl->start(std::move(on_accept), std::move(on_accept_failed));
}

void listener_t::close() {
    if (_impl)
        _impl->close();
}

} // namespace zlink
