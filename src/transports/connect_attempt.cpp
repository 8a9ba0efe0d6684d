#include "transports/connect_attempt.hpp"

#include <cerrno>
#include <chrono>
#include <exception>

#include <boost/asio/error.hpp>

namespace zlink {

connect_attempt_t::connect_attempt_t(boost::asio::io_context &io, const options_t &options,
                                     done_handler_t done)
    : _options(options), _done(std::move(done)), _timer(io) {}

void connect_attempt_t::begin() {
    if (_finished)
        return;
    if (_options.connect_timeout > 0) {
        auto me = shared_from_this();
        _timer.expires_after(std::chrono::milliseconds(_options.connect_timeout));
        _timer.async_wait([me](const boost::system::error_code &ec) {
            if (!ec)
                me->complete(nullptr, ETIMEDOUT);
        });
    }
    try {
        start_connecting();
    } catch (const std::exception &) {
        complete(nullptr, EAGAIN);
    }
}

void connect_attempt_t::abandon() {
    _finished = true;
    _done = nullptr;
    _timer.cancel();
    release();
}

void connect_attempt_t::complete(std::unique_ptr<i_asio_transport> transport, int err) {
    if (_finished)
        return;
    _finished = true;
    _timer.cancel();
    release();
    auto done = std::move(_done);
    _done = nullptr;
    if (done)
        done(std::move(transport), err);
}

int connect_attempt_t::errno_of(const boost::system::error_code &ec) {
    if (ec.category() == boost::asio::error::get_system_category() ||
        ec.category() == boost::system::generic_category())
        return ec.value();
    return EHOSTUNREACH;
}

} // namespace zlink
