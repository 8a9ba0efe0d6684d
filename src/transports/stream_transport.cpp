#include "transports/stream_transport.hpp"

#include <string>
#include <sys/socket.h>

#include "transports/ipc/ipc_address.hpp"
#include "transports/tcp/tcp_address.hpp"

namespace zlink {

std::string transport_peer_address(boost::asio::ip::tcp::socket &s) {
    boost::system::error_code ec;
    const auto ep = s.remote_endpoint(ec);
    return ec ? std::string() : tcp_address_string(ep.address());
}

std::string transport_local_uri(boost::asio::ip::tcp::socket &s) {
    boost::system::error_code ec;
    const auto ep = s.local_endpoint(ec);
    return ec ? std::string() : tcp_endpoint_uri(ep);
}

std::string transport_peer_address(boost::asio::local::stream_protocol::socket &s) {
    // libzmq 4.3 reports "localhost:uid:gid:pid" for ipc peers on Linux
    // (getnameinfo's name for AF_UNIX plus the SO_PEERCRED credentials).
    std::string out;
#if defined(SO_PEERCRED)
    ucred cred{};
    socklen_t size = sizeof cred;
    if (::getsockopt(s.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &size) == 0) {
        out = "localhost:" + std::to_string(cred.uid) + ":" + std::to_string(cred.gid) + ":" +
              std::to_string(cred.pid);
    }
#else
    (void)s;
#endif
    return out;
}

std::string transport_local_uri(boost::asio::local::stream_protocol::socket &s) {
    boost::system::error_code ec;
    const auto ep = s.local_endpoint(ec);
    return ec ? std::string() : "ipc://" + ipc_name_of(ep);
}

} // namespace zlink
