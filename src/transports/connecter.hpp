// Outgoing tcp:// and ipc:// connections, one attempt at a time.
//
// The session owns the retry policy: it calls start(), and on failure waits
// next_reconnect_interval() before starting again. Everything here runs on
// the io_context given to the constructor (call start/cancel on its thread).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "transports/i_asio_transport.hpp"
#include "core/options.hpp"

namespace zlink {

class connecter_t {
  public:
    // Exactly one call per start(), unless cancel() comes first:
    // (transport, 0) on success, (nullptr, errno) on failure: ECONNREFUSED,
    // ETIMEDOUT (ZMQ_CONNECT_TIMEOUT, or ZMQ_HANDSHAKE_IVL for the SOCKS
    // exchange), EHOSTUNREACH (name does not resolve to a usable address),
    // ENETUNREACH, ENOENT (ipc path), EINVAL (bad syntax), ENODEV/EPERM
    // (ZMQ_BINDTODEVICE), EADDRINUSE (source port), EACCES/EPROTO (the
    // SOCKS proxy refused us or did not speak SOCKS5)...
    using done_handler_t = std::function<void(std::unique_ptr<i_asio_transport>, int err)>;

    // protocol "tcp" or "ipc"; address is what follows "://". The options
    // are copied (ZMQ_IPV6, ZMQ_CONNECT_TIMEOUT, buffers, keepalives...).
    // With ZMQ_SOCKS_PROXY a tcp attempt connects to the proxy and succeeds
    // once the proxy has connected to the target (socks5_client.hpp).
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

    class attempt_t; // shared with pending handlers

  private:
    boost::asio::io_context &_io;
    std::string _protocol;
    std::string _address;
    options_t _options;
    std::shared_ptr<attempt_t> _attempt;
};

// libzmq's backoff: the session waits `current` ms, then current becomes
// next_reconnect_interval(options, current): doubled, capped at
// ZMQ_RECONNECT_IVL_MAX, only when that maximum is set and larger than
// ZMQ_RECONNECT_IVL; otherwise ZMQ_RECONNECT_IVL stays. Start (and, after a
// successful connection, restart) from options.reconnect_ivl. (libzmq adds
// a random jitter to each wait; zlink does not.)
int next_reconnect_interval(const options_t &options, int current_ivl);

// The address monitor events of a connection carry: the endpoint itself,
// or "tcp://<ZMQ_SOCKS_PROXY>" for a tcp connection through a proxy.
std::string connect_event_endpoint(const std::string &endpoint, const std::string &protocol,
                                   const options_t &options);

// zmq_connect's synchronous validation. protocol "tcp" or "ipc"; address is
// what follows "://". Returns false with err = EINVAL (malformed) or
// ENAMETOOLONG (ipc path). Host names are not resolved here, as in libzmq.
bool is_valid_connect_address(const std::string &protocol, const std::string &address, int &err);

} // namespace zlink
