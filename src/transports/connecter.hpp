// Outgoing connections of a stream transport, one attempt at a time. The
// scheme picks the transport (transport.hpp), whose attempt does the work.
//
// The session owns the retry policy: it calls start(), and on failure waits
// next_reconnect_interval() before starting again. Everything here runs on
// the io_context given to the constructor (call start/cancel on its thread).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "transports/connect_attempt.hpp"
#include "transports/i_asio_transport.hpp"
#include "core/options.hpp"

namespace zlink {

class connecter_t {
  public:
    // Exactly one call per start(), unless cancel() comes first:
    // (transport, 0) on success, (nullptr, errno) on failure: ECONNREFUSED,
    // ETIMEDOUT (ZMQ_CONNECT_TIMEOUT), EHOSTUNREACH, EINVAL (bad syntax),
    // EPROTONOSUPPORT (no stream transport for the scheme), or whatever the
    // transport's attempt reports (see its folder).
    using done_handler_t = connect_attempt_t::done_handler_t;

    // protocol: the scheme; address is what follows "://". The options are
    // copied (ZMQ_IPV6, ZMQ_CONNECT_TIMEOUT, buffers, keepalives...).
    connecter_t(boost::asio::io_context &io, std::string protocol, std::string address,
                const options_t &options);
    ~connecter_t(); // cancel()

    connecter_t(const connecter_t &) = delete;
    connecter_t &operator=(const connecter_t &) = delete;

    // Starts an attempt (cancelling one in progress without calling its
    // handler). The handler is never called from inside start().
    void start(done_handler_t done);
    // Abandons the attempt in progress; its handler will not be called.
    void cancel();
    bool in_progress() const;

    const std::string &address() const { return _address; }

  private:
    boost::asio::io_context &_io;
    std::string _protocol;
    std::string _address;
    options_t _options;
    std::shared_ptr<connect_attempt_t> _attempt; // shared with its pending handlers
};

// libzmq's backoff: the session waits `current` ms, then current becomes
// next_reconnect_interval(options, current): doubled, capped at
// ZMQ_RECONNECT_IVL_MAX, only when that maximum is set and larger than
// ZMQ_RECONNECT_IVL; otherwise ZMQ_RECONNECT_IVL stays. Start (and, after a
// successful connection, restart) from options.reconnect_ivl. (libzmq adds
// a random jitter to each wait; zlink does not.)
int next_reconnect_interval(const options_t &options, int current_ivl);

// The address monitor events of a connection carry: the endpoint itself,
// unless its transport says otherwise (a connection through a SOCKS proxy
// names the proxy).
std::string connect_event_endpoint(const std::string &endpoint, const std::string &protocol,
                                   const options_t &options);

// zmq_connect's synchronous validation. protocol: the scheme; address is
// what follows "://". Returns false with err = EINVAL (malformed),
// EPROTONOSUPPORT (no stream transport for the scheme) or the transport's
// own errno. Host names are not resolved here, as in libzmq.
bool is_valid_connect_address(const std::string &protocol, const std::string &address, int &err);

} // namespace zlink
