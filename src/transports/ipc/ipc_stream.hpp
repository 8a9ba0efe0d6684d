// A connected unix stream socket as the engine's byte stream.
#pragma once

#include <string>

#include <boost/asio/local/stream_protocol.hpp>

#include "transports/stream_transport.hpp"

namespace zlink {

template <>
struct stream_socket_traits<boost::asio::local::stream_protocol> {
    // "localhost:uid:gid:pid", as libzmq 4.3 on Linux.
    static std::string peer_address(boost::asio::local::stream_protocol::socket &s);
    // "ipc:///path", "ipc://@abstract".
    static std::string local_uri(boost::asio::local::stream_protocol::socket &s);
    // Bytes the peer has not read yet (SIOCOUTQ on a unix stream socket
    // counts sent data until the receiver consumes it).
    static std::size_t unread_by_peer(boost::asio::local::stream_protocol::socket &s);
};

using ipc_transport_t = stream_transport_t<boost::asio::local::stream_protocol>;

} // namespace zlink
