// A bound, listening tcp:// or ipc:// socket and its accept loop.
//
// create() binds synchronously on the caller's (application) thread so
// zmq_bind can return the errno and ZMQ_LAST_ENDPOINT at once; start() then
// accepts on the io_context given to create(). Accepted sockets get the
// socket options applied and are handed over as transports.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "transports/i_asio_transport.hpp"
#include "core/options.hpp"

namespace zlink {

class listener_t {
  public:
    using accept_handler_t = std::function<void(std::unique_ptr<i_asio_transport>)>;
    using accept_failed_handler_t = std::function<void(int err)>;

    // protocol is "tcp" or "ipc"; address is what follows "://". Returns
    // nullptr and sets err (EINVAL, ENODEV, EADDRINUSE, EADDRNOTAVAIL,
    // ENAMETOOLONG, ENOENT, EACCES, EPERM, EPROTONOSUPPORT...) on failure.
    static std::unique_ptr<listener_t> create(boost::asio::io_context &io,
                                              const std::string &protocol,
                                              const std::string &address,
                                              const options_t &options, int &err);
    ~listener_t(); // close()

    listener_t(const listener_t &) = delete;
    listener_t &operator=(const listener_t &) = delete;

    // The resolved endpoint for ZMQ_LAST_ENDPOINT and monitor events:
    // "tcp://127.0.0.1:54321", "tcp://[::1]:5555", "tcp://0.0.0.0:5555",
    // "ipc:///tmp/x", "ipc://@name", "ipc:///tmp/tmpAbC123/socket" for "*".
    const std::string &endpoint() const { return _endpoint; }
    int native_handle() const { return _fd; }

    // Begins accepting; call once. Handlers run on the io thread. After an
    // accept error the loop goes on (on_accept_failed reports it; EMFILE and
    // friends back off for 100 ms so an fd shortage does not spin).
    void start(accept_handler_t on_accept, accept_failed_handler_t on_accept_failed);

    // Stops accepting and, for an ipc filesystem path, removes the socket
    // file (and the private directory of "ipc://*"). Idempotent. Safe from
    // any thread; no handler is invoked once close() has returned, except
    // one already running on the io thread (call it there to rule that out).
    void close();

    class impl_t; // protocol-specific state, shared with pending handlers

  private:
    listener_t(std::shared_ptr<impl_t> impl, std::string endpoint, int fd);

    std::shared_ptr<impl_t> _impl;
    std::string _endpoint;
    int _fd;
};

} // namespace zlink
