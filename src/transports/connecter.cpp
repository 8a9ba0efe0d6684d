#include "transports/connecter.hpp"

#include <cerrno>
#include <limits>

#include <boost/asio/post.hpp>

#include "transports/transport.hpp"

namespace zlink {

namespace {

const stream_transport_ops_t *stream_ops_of(const std::string &scheme) {
    const transport_t *t = find_transport(scheme);
    return t ? t->stream : nullptr;
}

// A scheme without a stream transport: fails like any attempt, on the io
// thread (after ZMQ_CONNECT_TIMEOUT is armed, as the others).
class unsupported_attempt_t final : public connect_attempt_t {
  public:
    using connect_attempt_t::connect_attempt_t;

  private:
    void start_connecting() override { complete(nullptr, EPROTONOSUPPORT); }
    void release() override {}
};

} // namespace

connecter_t::connecter_t(boost::asio::io_context &io, std::string protocol, std::string address,
                         const options_t &options)
    : _io(io), _protocol(std::move(protocol)), _address(std::move(address)), _options(options) {}

connecter_t::~connecter_t() { cancel(); }

void connecter_t::start(done_handler_t done) {
    cancel();
    if (const stream_transport_ops_t *ops = stream_ops_of(_protocol))
        _attempt = ops->make_attempt(_io, _address, _options, std::move(done));
    else
        _attempt = std::make_shared<unsupported_attempt_t>(_io, _options, std::move(done));
    auto attempt = _attempt;
    boost::asio::post(_io, [attempt] { attempt->begin(); });
}

void connecter_t::cancel() {
    if (_attempt) {
        _attempt->abandon();
        _attempt.reset();
    }
}

bool connecter_t::in_progress() const { return _attempt && !_attempt->finished(); }

int next_reconnect_interval(const options_t &options, int current_ivl) {
    const int ivl = options.reconnect_ivl;
    const int max = options.reconnect_ivl_max;
    if (max <= 0 || max <= ivl)
        return ivl;
    if (current_ivl < ivl)
        current_ivl = ivl;
    if (current_ivl >= std::numeric_limits<int>::max() / 2)
        return max;
    return current_ivl * 2 < max ? current_ivl * 2 : max;
}

std::string connect_event_endpoint(const std::string &endpoint, const std::string &protocol,
                                   const options_t &options) {
    const stream_transport_ops_t *ops = stream_ops_of(protocol);
    if (!ops || !ops->event_endpoint)
        return endpoint;
    return ops->event_endpoint(endpoint, options);
}

bool is_valid_connect_address(const std::string &protocol, const std::string &address, int &err) {
    const stream_transport_ops_t *ops = stream_ops_of(protocol);
    err = ops ? ops->check_connect_address(address) : EPROTONOSUPPORT;
    return err == 0;
}

} // namespace zlink
