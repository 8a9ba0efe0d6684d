#include "transports/ipc/ipc_stream.hpp"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include "transports/ipc/ipc_address.hpp"

namespace zlink {

using unix_stream = boost::asio::local::stream_protocol;

std::string stream_socket_traits<unix_stream>::peer_address(unix_stream::socket &s) {
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

std::string stream_socket_traits<unix_stream>::local_uri(unix_stream::socket &s) {
    boost::system::error_code ec;
    const auto ep = s.local_endpoint(ec);
    return ec ? std::string() : "ipc://" + ipc_name_of(ep);
}

std::size_t stream_socket_traits<unix_stream>::unread_by_peer(unix_stream::socket &s) {
    int queued = 0;
    if (::ioctl(s.native_handle(), TIOCOUTQ, &queued) == 0 && queued > 0)
        return static_cast<std::size_t>(queued);
    return 0;
}

} // namespace zlink
