#include "transports/ipc/ipc_transport.hpp"

#include <boost/asio/local/stream_protocol.hpp>

#include "transports/connect_attempt.hpp"
#include "transports/ipc/ipc_address.hpp"
#include "transports/ipc/ipc_stream.hpp"
#include "transports/socket_options.hpp"

namespace zlink {

namespace {

using ipc = boost::asio::local::stream_protocol;
using boost::system::error_code;

// Errors: ENOENT (no such path), ECONNREFUSED (nobody listening), EINVAL,
// ENAMETOOLONG (does not fit sun_path)...
class ipc_connect_attempt_t final : public connect_attempt_t {
  public:
    ipc_connect_attempt_t(boost::asio::io_context &io, const std::string &address,
                          const options_t &options, done_handler_t done)
        : connect_attempt_t(io, options, std::move(done)), _address(address), _socket(io) {}

  private:
    void start_connecting() override {
        ipc_address_t addr;
        if (const int err = parse_ipc_address(_address, addr))
            return complete(nullptr, err);
        error_code ec;
        if (_socket.open(ipc(), ec))
            return complete(nullptr, ec.value());
        set_close_on_exec(_socket.native_handle());
        apply_socket_buffer_options(_socket.native_handle(), _options);
        auto me = self<ipc_connect_attempt_t>();
        _socket.async_connect(addr.endpoint(), [me, uri = addr.uri()](const error_code &ec) {
            if (me->finished())
                return;
            if (ec)
                return me->complete(nullptr, errno_of(ec));
            // A connected unix socket has no name of its own: the stream's
            // local endpoint is the address it connected to.
            auto t = std::make_unique<ipc_transport_t>(std::move(me->_socket));
            t->set_local_endpoint(uri);
            me->complete(std::move(t), 0);
        });
    }

    void release() override {
        error_code ec;
        _socket.close(ec);
    }

    std::string _address;
    ipc::socket _socket;
};

} // namespace

std::shared_ptr<connect_attempt_t>
make_ipc_connect_attempt(boost::asio::io_context &io, const std::string &address,
                         const options_t &options, connect_attempt_t::done_handler_t done) {
    return std::make_shared<ipc_connect_attempt_t>(io, address, options, std::move(done));
}

} // namespace zlink
