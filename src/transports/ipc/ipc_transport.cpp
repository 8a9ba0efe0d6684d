#include "transports/ipc/ipc_transport.hpp"

#include "transports/ipc/ipc_address.hpp"

namespace zlink {

namespace {

// 0, EINVAL or ENAMETOOLONG; "*" and "@name" pass (libzmq: a file named "*").
int check_ipc_connect_address(const std::string &address) {
    ipc_address_t parsed;
    return parse_ipc_address(address, parsed);
}

const stream_transport_ops_t ipc_ops = {check_ipc_connect_address, listen_ipc,
                                        make_ipc_connect_attempt, nullptr};

} // namespace

const transport_t ipc_transport = {"ipc", "ipc", &ipc_ops, nullptr};

} // namespace zlink
