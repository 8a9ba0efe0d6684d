// One outgoing connection attempt of a stream transport: what every
// transport's attempt shares (ZMQ_CONNECT_TIMEOUT, exactly one completion,
// abandoning). A transport derives from it and implements start_connecting()
// and release(). Runs on one io_context; the connecter keeps it alive and
// pending handlers hold shared pointers to it.
#pragma once

#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include "core/options.hpp"
#include "transports/i_asio_transport.hpp"
#include "transports/transport.hpp"

namespace zlink {

class connect_attempt_t : public std::enable_shared_from_this<connect_attempt_t> {
  public:
    // (transport, 0) on success, (nullptr, errno) on failure.
    using done_handler_t = connect_done_handler_t;

    connect_attempt_t(boost::asio::io_context &io, const options_t &options, done_handler_t done);
    virtual ~connect_attempt_t() = default;

    connect_attempt_t(const connect_attempt_t &) = delete;
    connect_attempt_t &operator=(const connect_attempt_t &) = delete;

    // Arms ZMQ_CONNECT_TIMEOUT and starts the transport's work. An exception
    // from it (Asio's resolver thread could not start, no memory) fails this
    // attempt with EAGAIN; the session retries later.
    void begin();
    // Silences the handler and releases the sockets.
    void abandon();
    bool finished() const { return _finished; }

  protected:
    virtual void start_connecting() = 0;
    // Cancels and closes whatever the transport holds (idempotent).
    virtual void release() = 0;

    // Calls the handler once; later calls (and calls after abandon) do nothing.
    void complete(std::unique_ptr<i_asio_transport> transport, int err);

    template <typename Derived>
    std::shared_ptr<Derived> self() {
        return std::static_pointer_cast<Derived>(shared_from_this());
    }

    // An Asio error as errno. Resolver failures have their own category; the
    // session only needs to know the peer is not reachable under this name.
    static int errno_of(const boost::system::error_code &ec);

    const options_t _options;

  private:
    done_handler_t _done;
    boost::asio::steady_timer _timer; // ZMQ_CONNECT_TIMEOUT
    bool _finished = false;
};

} // namespace zlink
