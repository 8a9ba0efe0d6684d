// Client side of a SOCKS5 CONNECT (RFC 1928) with optional username/password
// authentication (RFC 1929), as libzmq's ZMQ_SOCKS_PROXY does it: one method
// offered (0x00, or 0x02 when a username is set), the target host sent as an
// IPv4/IPv6 address when it is numeric and as an unresolved DOMAINNAME
// otherwise. Runs asynchronously on the socket's io_context.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

namespace zlink {

struct socks5_request_t {
    std::string host; // target host as written in the endpoint, brackets stripped
    uint16_t port = 0;
    std::string username; // empty: no authentication
    std::string password;
};

// The messages, exposed for the unit tests.
std::string socks5_greeting(bool basic_auth);
std::string socks5_auth_request(const std::string &username, const std::string &password);
// Empty when the host cannot be sent (a name longer than 255 bytes).
std::string socks5_connect_request(const std::string &host, uint16_t port);
// From the first 5 bytes of the CONNECT reply (VER REP RSV ATYP and the
// first address byte): how many bytes are left, or -1 if malformed.
int socks5_reply_remaining(const unsigned char head[5]);
// errno for a non-zero REP field.
int socks5_reply_errno(unsigned char rep);

// Runs the exchange on a connected socket and calls done exactly once:
// 0 when the proxy has connected to the target (the socket then carries the
// target's bytes and nothing of the reply), or an errno: EPROTO (not a
// SOCKS5 answer), EACCES (method or credentials refused), a REP-based one,
// or the socket error (ECANCELED/EBADF when the socket is closed under it).
// The socket must outlive the exchange; close it to abandon it.
void socks5_handshake(boost::asio::ip::tcp::socket &socket, socks5_request_t request,
                      std::function<void(int err)> done);

} // namespace zlink
