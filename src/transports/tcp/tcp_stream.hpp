// A connected tcp socket as the engine's byte stream.
#pragma once

#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "transports/stream_transport.hpp"

namespace zlink {

template <>
struct stream_socket_traits<boost::asio::ip::tcp> {
    // "127.0.0.1", "::1" (libzmq's Peer-Address).
    static std::string peer_address(boost::asio::ip::tcp::socket &s);
    // "tcp://127.0.0.1:5555", "tcp://[::1]:5555".
    static std::string local_uri(boost::asio::ip::tcp::socket &s);
    // A FIN does not wake a peer that stopped reading: nothing to wait for.
    static std::size_t unread_by_peer(boost::asio::ip::tcp::socket &) { return 0; }
};

using tcp_transport_t = stream_transport_t<boost::asio::ip::tcp>;

} // namespace zlink
