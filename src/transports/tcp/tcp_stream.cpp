#include "transports/tcp/tcp_stream.hpp"

#include "transports/tcp/tcp_address.hpp"

namespace zlink {

std::string
stream_socket_traits<boost::asio::ip::tcp>::peer_address(boost::asio::ip::tcp::socket &s) {
    boost::system::error_code ec;
    const auto ep = s.remote_endpoint(ec);
    return ec ? std::string() : tcp_address_string(ep.address());
}

std::string stream_socket_traits<boost::asio::ip::tcp>::local_uri(boost::asio::ip::tcp::socket &s) {
    boost::system::error_code ec;
    const auto ep = s.local_endpoint(ec);
    return ec ? std::string() : tcp_endpoint_uri(ep);
}

} // namespace zlink
