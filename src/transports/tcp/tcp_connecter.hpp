// A tcp:// connection attempt: resolves the host (in getaddrinfo's order,
// filtered by ZMQ_IPV6), binds the optional source address, applies the
// socket options and, with ZMQ_SOCKS_PROXY, connects to the proxy and runs
// the SOCKS5 exchange (socks5_client.hpp) before the connection counts.
//
// Transports that run over tcp (tls, ws) derive from it and override
// on_connected() to run their own handshake on the socket.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transports/connect_attempt.hpp"
#include "transports/tcp/tcp_address.hpp"

namespace zlink {

class tcp_connect_attempt_t : public connect_attempt_t {
  public:
    // address: what follows "tcp://". Errors: ECONNREFUSED, ETIMEDOUT
    // (ZMQ_CONNECT_TIMEOUT, or ZMQ_HANDSHAKE_IVL for the SOCKS exchange),
    // EHOSTUNREACH (name does not resolve to a usable address), ENETUNREACH,
    // EINVAL (bad syntax), ENODEV/EPERM (ZMQ_BINDTODEVICE), EADDRINUSE
    // (source port), EACCES/EPROTO (the SOCKS proxy refused us or did not
    // speak SOCKS5)...
    tcp_connect_attempt_t(boost::asio::io_context &io, const std::string &address,
                          const options_t &options, done_handler_t done);

  protected:
    void start_connecting() override;
    void release() override;
    // The socket is connected to the target (through the proxy, if any) and
    // has its tcp options; completes with a tcp stream.
    virtual void on_connected(boost::asio::ip::tcp::socket socket);

  private:
    void on_resolved(const boost::system::error_code &ec,
                     const boost::asio::ip::tcp::resolver::results_type &results);
    void connect_next();
    void on_tcp_connected(const boost::system::error_code &ec);
    void finish_tcp();
    void begin_socks();

    std::string _address;
    boost::asio::ip::tcp::resolver _resolver;
    boost::asio::ip::tcp::socket _socket;
    boost::asio::steady_timer _socks_timer;
    bool _socks = false; // through ZMQ_SOCKS_PROXY
    tcp_connect_address_t _parsed;
    boost::asio::ip::tcp::endpoint _source;
    std::vector<boost::asio::ip::tcp::endpoint> _endpoints;
    std::size_t _next = 0;
    int _last_err = EHOSTUNREACH;
};

// The address a connecting session's monitor events carry: the endpoint,
// or "tcp://<ZMQ_SOCKS_PROXY>" through a proxy (as libzmq).
std::string tcp_event_endpoint(const std::string &endpoint, const options_t &options);

} // namespace zlink
