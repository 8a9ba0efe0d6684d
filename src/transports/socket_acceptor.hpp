// The accept loop of a listening kernel socket (an Asio acceptor of any
// stream protocol), for the transports whose listener is one: tcp, ipc.
// The transport binds the acceptor, then supplies what differs: which
// accepted peers it admits and how it prepares them, and what closing the
// listener must clean up. Accepted sockets come out as stream_transport_t,
// so the transport's stream_socket_traits must be visible where this is used.
#pragma once

#include <cerrno>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transports/listener.hpp"
#include "transports/socket_options.hpp"
#include "transports/stream_transport.hpp"

namespace zlink {

struct socket_acceptor_hooks_t {
    // On each accepted socket (io thread): 0 to hand it over, or an errno to
    // close it at once and report ZMQ_EVENT_ACCEPT_FAILED (accept filters).
    // Also applies the options an accepted socket gets. May be empty.
    std::function<int(int fd)> admit;
    // Once, when the listener closes or its bind fails (under the
    // acceptor's lock). May be empty.
    std::function<void()> on_close;
};

template <typename Protocol>
class socket_acceptor_t final : public listener_t::impl_t,
                                public std::enable_shared_from_this<socket_acceptor_t<Protocol>> {
  public:
    using acceptor_t = typename Protocol::acceptor;
    using socket_t = typename Protocol::socket;
    // Makes the stream of an admitted socket, for a transport with a layer
    // of its own over the socket (tls). Unset: a stream_transport_t.
    using stream_factory_t = std::function<std::unique_ptr<i_asio_transport>(socket_t)>;

    socket_acceptor_t(boost::asio::io_context &io, socket_acceptor_hooks_t hooks)
        : _acceptor(io), _retry_timer(io), _hooks(std::move(hooks)) {}

    ~socket_acceptor_t() override { close(); }

    // For the transport's bind, before the listener exists.
    acceptor_t &acceptor() { return _acceptor; }
    // Before start(), if at all.
    void set_stream_factory(stream_factory_t factory) { _make_stream = std::move(factory); }

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
        boost::system::error_code ec;
        _retry_timer.cancel();
        _acceptor.close(ec);
        if (_hooks.on_close)
            _hooks.on_close();
    }

  private:
    // Errors that say "the process or system is out of something": retrying
    // at once would spin on the still-readable listening socket.
    static bool is_resource_error(int err) {
        return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
    }

    void accept_next_locked() {
        auto self = this->shared_from_this();
        _acceptor.async_accept([self](const boost::system::error_code &ec, socket_t socket) {
            self->on_accepted(ec, std::move(socket));
        });
    }

    void on_accepted(const boost::system::error_code &ec, socket_t socket) {
        std::unique_lock<std::mutex> lock(_mutex);
        if (_closed || ec == boost::asio::error::operation_aborted)
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
        if (const int refused = _hooks.admit ? _hooks.admit(fd) : 0) {
            // As libzmq: a filtered peer is closed at once and reported as
            // ACCEPT_FAILED (libzmq's value is a stale errno; zlink: EACCES).
            boost::system::error_code ignored;
            socket.close(ignored);
            accept_next_locked();
            auto on_failed = _on_failed;
            lock.unlock();
            if (on_failed)
                on_failed(refused);
            return;
        }
        accept_next_locked();
        auto on_accept = _on_accept;
        lock.unlock();
        // Handlers are copied so one may close (or destroy) the listener.
        if (!on_accept)
            return;
        if (_make_stream)
            on_accept(_make_stream(std::move(socket)));
        else
            on_accept(std::make_unique<stream_transport_t<Protocol>>(std::move(socket)));
    }

    void schedule_next_locked(int err) {
        if (!is_resource_error(err)) {
            accept_next_locked();
            return;
        }
        auto self = this->shared_from_this();
        _retry_timer.expires_after(std::chrono::milliseconds(100));
        _retry_timer.async_wait([self](const boost::system::error_code &ec) {
            std::lock_guard<std::mutex> lock(self->_mutex);
            if (!ec && !self->_closed)
                self->accept_next_locked();
        });
    }

    std::mutex _mutex;
    acceptor_t _acceptor;
    boost::asio::steady_timer _retry_timer;
    socket_acceptor_hooks_t _hooks;
    listener_t::accept_handler_t _on_accept;
    listener_t::accept_failed_handler_t _on_failed;
    stream_factory_t _make_stream;
    bool _closed = false;
};

// ZMQ_USE_FD: the application already bound (and listened on) the socket.
// The address family of that fd, or an errno (getsockname failed).
inline int listening_fd_family(int fd, int &family) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0)
        return errno;
    family = ss.ss_family;
    return 0;
}

// ZMQ_USE_FD: hands the listening fd to a new acceptor of `proto` (the
// caller checked its family); `bound` gets its address. nullptr + err when
// the fd cannot be assigned or has no address.
template <typename Protocol>
std::shared_ptr<socket_acceptor_t<Protocol>>
adopt_listening_fd(boost::asio::io_context &io, socket_acceptor_hooks_t hooks,
                   const Protocol &proto, int fd, typename Protocol::endpoint &bound, int &err) {
    auto state = std::make_shared<socket_acceptor_t<Protocol>>(io, std::move(hooks));
    boost::system::error_code ec;
    if (!state->acceptor().assign(proto, fd, ec))
        bound = state->acceptor().local_endpoint(ec);
    if (ec) {
        err = ec.value();
        return nullptr;
    }
    return state;
}

} // namespace zlink
