#include "transports/tcp/tcp_transport.hpp"

#include <cerrno>

#include "transports/tcp/tcp_address.hpp"
#include "transports/tcp/tcp_connecter.hpp"

namespace zlink {

namespace {

int check_tcp_connect_address(const std::string &address) {
    return is_valid_tcp_connect_address(address) ? 0 : EINVAL;
}

std::shared_ptr<connect_attempt_t> make_tcp_attempt(boost::asio::io_context &io,
                                                    const std::string &address,
                                                    const options_t &options,
                                                    connect_attempt_t::done_handler_t done) {
    return std::make_shared<tcp_connect_attempt_t>(io, address, options, std::move(done));
}

const stream_transport_ops_t tcp_ops = {check_tcp_connect_address, listen_tcp, make_tcp_attempt,
                                        tcp_event_endpoint};

} // namespace

// Always there, so not a zmq_has() capability (libzmq has none for it).
const transport_t tcp_transport = {"tcp", nullptr, &tcp_ops, nullptr};

} // namespace zlink
