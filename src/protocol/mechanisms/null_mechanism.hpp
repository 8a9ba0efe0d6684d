// NULL security mechanism (RFC 23/37): both sides send READY with their
// metadata. When ZMQ_ZAP_DOMAIN is set, each side first asks ZAP (no
// credentials) and answers a denial with ERROR "<status>" instead of READY.
#pragma once

#include <memory>

#include "core/options.hpp"
#include "protocol/mechanisms/mechanism.hpp"

namespace zlink {

class null_mechanism_t final : public mechanism_t {
  public:
    null_mechanism_t(const mechanism_options &options, zap_client *zap);

    const char *name() const override { return "NULL"; }
    int next_handshake_command(msg_t *msg) override;
    int process_handshake_command(msg_t *msg) override;
    mechanism_status status() const override;

  private:
    void on_zap_reply() override {}
    bool error_pending() const;

    bool _ready_sent = false;
    bool _error_sent = false;
    bool _ready_received = false;
    bool _command_received = false; // READY or ERROR: nothing may follow
    bool _zap_skipped = false;      // domain set but no handler bound
};

// The factory's entry (mechanism_factory.cpp).
std::unique_ptr<mechanism_t> make_null_mechanism(const options_t &options,
                                                 const mechanism_options &common, zap_client *zap);

} // namespace zlink
