// A bound endpoint of a stream transport and its accept loop.
//
// create() binds synchronously on the caller's (application) thread so
// zmq_bind can return the errno and ZMQ_LAST_ENDPOINT at once; start() then
// accepts on the io_context given to create(). What is accepted comes out
// as a ready byte stream: the transport has applied its socket options,
// accept filters and any handshake of its own.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "core/options.hpp"
#include "transports/i_asio_transport.hpp"

namespace zlink {

class listener_t {
  public:
    using accept_handler_t = std::function<void(std::unique_ptr<i_asio_transport>)>;
    using accept_failed_handler_t = std::function<void(int err)>;

    // The transport's accept loop, shared with its pending handlers.
    class impl_t {
      public:
        virtual ~impl_t() = default;
        virtual void start(accept_handler_t on_accept, accept_failed_handler_t on_failed) = 0;
        virtual void close() = 0;
    };

    // protocol: the scheme; address is what follows "://". Returns nullptr
    // and sets err on failure: EPROTONOSUPPORT (no stream transport for the
    // scheme), or the transport's errno (EINVAL, ENODEV, EADDRINUSE,
    // EADDRNOTAVAIL, ENAMETOOLONG, ENOENT, EACCES, EPERM...).
    static std::unique_ptr<listener_t> create(boost::asio::io_context &io,
                                              const std::string &protocol,
                                              const std::string &address, const options_t &options,
                                              int &err);
    // For transports: a bound endpoint, its resolved URI and its fd.
    listener_t(std::shared_ptr<impl_t> impl, std::string endpoint, int fd);
    ~listener_t(); // close()

    listener_t(const listener_t &) = delete;
    listener_t &operator=(const listener_t &) = delete;

    // The resolved endpoint for ZMQ_LAST_ENDPOINT and monitor events:
    // "tcp://127.0.0.1:54321", "tcp://[::1]:5555", "tcp://0.0.0.0:5555",
    // "ipc:///tmp/x", "ipc://@name", "ipc:///tmp/tmpAbC123/socket" for "*".
    const std::string &endpoint() const { return _endpoint; }
    // For a transport over another one's listener (ws adds its path).
    void set_endpoint(std::string endpoint) { _endpoint = std::move(endpoint); }
    int native_handle() const { return _fd; }

    // Begins accepting; call once. Handlers run on the io thread. After an
    // accept error the loop goes on (on_accept_failed reports it; EMFILE and
    // friends back off for 100 ms so an fd shortage does not spin).
    void start(accept_handler_t on_accept, accept_failed_handler_t on_accept_failed);

    // Stops accepting and releases what the bind holds (an ipc path's
    // socket file, and the private directory of "ipc://*"). Idempotent.
    // Safe from any thread; no handler is invoked once close() has returned,
    // except one already running on the io thread (call it there to rule
    // that out).
    void close();

  private:
    std::shared_ptr<impl_t> _impl;
    std::string _endpoint;
    int _fd;
};

} // namespace zlink
