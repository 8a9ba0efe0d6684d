#include "transports/tls/tls_transport.hpp"

#include <cerrno>

#include "core/feature_flags.hpp"
#include "transports/connect_attempt.hpp"
#include "transports/tcp/tcp_address.hpp"
#include "transports/tcp/tcp_connecter.hpp"
#include "transports/tcp/tcp_transport.hpp"
#include "transports/tls/tls_context.hpp"
#include "transports/tls/tls_stream.hpp"

namespace zlink {

namespace asio = boost::asio;

namespace {

bool tls_batch(const options_t &options) {
    return resolve_flag("ZLINK_TLS_BATCH", options.zlink_tls_batch, tls_batch_default, 0, 1) != 0;
}

// tcp's attempt up to the connected socket, then the client side of TLS.
// The context is made per attempt, so option changes apply on reconnect.
class tls_connect_attempt_t final : public tcp_connect_attempt_t {
  public:
    tls_connect_attempt_t(asio::io_context &io, const std::string &address,
                          const options_t &options, done_handler_t done)
        : tcp_connect_attempt_t(io, address, options, std::move(done)), _address(address) {}

  protected:
    void on_connected(asio::ip::tcp::socket socket) override {
        int err = 0;
        tls_context_ptr ctx = make_tls_client_context(_options, err);
        if (!ctx)
            return complete(nullptr, err);
        std::string host = _options.tls_hostname;
        if (host.empty()) {
            tcp_connect_address_t parsed;
            if (parse_tcp_connect_address(_address, parsed) == 0)
                host = parsed.host;
        }
        complete(std::make_unique<tls_stream_t>(std::move(socket), std::move(ctx),
                                                tls_stream_t::role_t::client, host,
                                                tls_batch(_options)),
                 0);
    }

  private:
    std::string _address;
};

int check_tls_connect_address(const std::string &address) {
    return is_valid_tcp_connect_address(address) ? 0 : EINVAL;
}

// Binds like tcp; a certificate and key that do not load fail the bind.
std::unique_ptr<listener_t> listen_tls(asio::io_context &io, const std::string &address,
                                       const options_t &options, int &err) {
    tls_context_ptr ctx = make_tls_server_context(options, err);
    if (!ctx)
        return nullptr;
    const bool batch = tls_batch(options);
    return listen_tcp_as(
        io, address, options, err, "tls",
        [ctx, batch](asio::ip::tcp::socket socket) -> std::unique_ptr<i_asio_transport> {
            return std::make_unique<tls_stream_t>(
                std::move(socket), ctx, tls_stream_t::role_t::server, std::string(), batch);
        });
}

std::shared_ptr<connect_attempt_t> make_tls_attempt(asio::io_context &io,
                                                    const std::string &address,
                                                    const options_t &options,
                                                    connect_attempt_t::done_handler_t done) {
    return std::make_shared<tls_connect_attempt_t>(io, address, options, std::move(done));
}

const stream_transport_ops_t tls_ops = {check_tls_connect_address, listen_tls, make_tls_attempt,
                                        tcp_event_endpoint};

} // namespace

const transport_t tls_transport = {"tls", "tls", &tls_ops, nullptr};

} // namespace zlink
