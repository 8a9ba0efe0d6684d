#include "transports/listener.hpp"

#include <cerrno>

#include "transports/transport.hpp"

namespace zlink {

listener_t::listener_t(std::shared_ptr<impl_t> impl, std::string endpoint, int fd)
    : _impl(std::move(impl)), _endpoint(std::move(endpoint)), _fd(fd) {}

listener_t::~listener_t() { close(); }

std::unique_ptr<listener_t> listener_t::create(boost::asio::io_context &io,
                                               const std::string &protocol,
                                               const std::string &address, const options_t &options,
                                               int &err) {
    const transport_t *t = find_transport(protocol);
    if (!t || !t->stream) {
        err = EPROTONOSUPPORT;
        return nullptr;
    }
    err = 0;
    auto listener = t->stream->listen(io, address, options, err);
    if (!listener && err == 0)
        err = EINVAL;
    return listener;
}

void listener_t::start(accept_handler_t on_accept, accept_failed_handler_t on_accept_failed) {
    if (_impl)
        _impl->start(std::move(on_accept), std::move(on_accept_failed));
}

void listener_t::close() {
    if (_impl)
        _impl->close();
}

} // namespace zlink
