// i_asio_transport over a connected kernel stream socket, for any Asio
// stream protocol. A transport that uses it (tcp/, ipc/) specialises
// stream_socket_traits for its protocol: the only protocol-specific parts
// are the address strings.
//
// try_write/try_read are direct sendmsg/recv calls on the non-blocking fd:
// no Asio bookkeeping on the speculative fast path. MSG_NOSIGNAL keeps a
// closed peer from raising SIGPIPE.
#pragma once

#include <cerrno>
#include <string>
#include <sys/socket.h>
#include <sys/uio.h>
#include <utility>

#include <boost/asio/error.hpp>

#include "transports/i_asio_transport.hpp"

namespace zlink {

// Specialised by each transport for its protocol:
//   static std::string peer_address(typename Protocol::socket &);  // libzmq's Peer-Address
//   static std::string local_uri(typename Protocol::socket &);     // "scheme://..."
//   static std::size_t unread_by_peer(typename Protocol::socket &); // see i_asio_transport
template <typename Protocol>
struct stream_socket_traits;

template <typename Protocol>
class stream_transport_t final : public i_asio_transport {
  public:
    using socket_t = typename Protocol::socket;

    // Takes a connected socket; makes it non-blocking and records the
    // addresses now, while the peer is surely still there.
    explicit stream_transport_t(socket_t &&socket) : _socket(std::move(socket)) {
        boost::system::error_code ec;
        _socket.non_blocking(true, ec);
        _peer_address = stream_socket_traits<Protocol>::peer_address(_socket);
        _local_endpoint = stream_socket_traits<Protocol>::local_uri(_socket);
    }
    ~stream_transport_t() override { close(); }

    stream_transport_t(const stream_transport_t &) = delete;
    stream_transport_t &operator=(const stream_transport_t &) = delete;

    // A sendmsg on the fd touches nothing a read or a wait uses.
    bool try_write_alongside_reads() const override { return true; }
    // recv copies until the buffer is full or the queue empty; Asio's
    // async_read_some tries a receive before it queues (no epoll_ctl).
    bool short_read_drains() const override { return true; }

    std::size_t try_write(const boost::asio::const_buffer *bufs, std::size_t count,
                          boost::system::error_code &ec) override {
        ec.clear();
        if (!_socket.is_open()) {
            ec = boost::asio::error::bad_descriptor;
            return 0;
        }
        iovec iov[max_iov];
        std::size_t n = 0;
        for (std::size_t i = 0; i < count && n < max_iov; ++i) {
            if (bufs[i].size() == 0)
                continue;
            iov[n].iov_base = const_cast<void *>(bufs[i].data());
            iov[n].iov_len = bufs[i].size();
            ++n;
        }
        if (n == 0)
            return 0;
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = n;
        for (;;) {
            const ssize_t rc = ::sendmsg(_socket.native_handle(), &msg, MSG_NOSIGNAL);
            if (rc >= 0)
                return static_cast<std::size_t>(rc);
            if (errno == EINTR)
                continue;
            set_error(ec, errno);
            return 0;
        }
    }

    std::size_t try_read(boost::asio::mutable_buffer buf, boost::system::error_code &ec) override {
        ec.clear();
        if (!_socket.is_open()) {
            ec = boost::asio::error::bad_descriptor;
            return 0;
        }
        if (buf.size() == 0)
            return 0;
        for (;;) {
            const ssize_t rc = ::recv(_socket.native_handle(), buf.data(), buf.size(), 0);
            if (rc > 0)
                return static_cast<std::size_t>(rc);
            if (rc == 0) {
                ec = boost::asio::error::eof;
                return 0;
            }
            if (errno == EINTR)
                continue;
            set_error(ec, errno);
            return 0;
        }
    }

    void async_wait_writable(wait_handler_t handler) override {
        _socket.async_wait(socket_t::wait_write, std::move(handler));
    }
    void async_wait_readable(wait_handler_t handler) override {
        _socket.async_wait(socket_t::wait_read, std::move(handler));
    }
    void async_read_some(boost::asio::mutable_buffer buf, handler_t handler) override {
        _socket.async_read_some(buf, std::move(handler));
    }
    void async_write_some(boost::asio::const_buffer buf, handler_t handler) override {
        _socket.async_write_some(buf, std::move(handler));
    }

    void close() override {
        if (!_socket.is_open())
            return;
        boost::system::error_code ec;
        _socket.cancel(ec);
        _socket.close(ec);
    }
    bool is_open() const override { return _socket.is_open(); }

    std::string peer_address() const override { return _peer_address; }
    std::string local_endpoint() const override { return _local_endpoint; }
    int native_handle() override { return _socket.is_open() ? _socket.native_handle() : -1; }

    std::size_t unread_by_peer() override {
        return _socket.is_open() ? stream_socket_traits<Protocol>::unread_by_peer(_socket) : 0;
    }

    socket_t &socket() { return _socket; }

    bool move_to(boost::asio::io_context &io) override {
        boost::system::error_code ec;
        const auto protocol = _socket.local_endpoint(ec).protocol();
        if (ec)
            return false;
        socket_t moved(io);
        moved.assign(protocol, _socket.release(ec), ec);
        moved.non_blocking(true, ec);
        _socket = std::move(moved);
        return !ec;
    }
    // A connected ipc client socket has no name of its own; the connecter
    // records the address it connected to instead.
    void set_local_endpoint(std::string uri) { _local_endpoint = std::move(uri); }

  private:
    // Enough for a batch of frames; a partial write is normal anyway.
    static constexpr std::size_t max_iov = 64;

    static void set_error(boost::system::error_code &ec, int err) {
        // EAGAIN == EWOULDBLOCK on Linux; compares equal to error::would_block.
        ec = boost::system::error_code(err, boost::asio::error::get_system_category());
    }

    socket_t _socket;
    std::string _peer_address;
    std::string _local_endpoint;
};

} // namespace zlink
