// PLAIN security mechanism (RFC 24), client and server.
//
//   client                         server
//   HELLO username password  --->
//                                  (ZAP request: "PLAIN", [username, password])
//                            <---  WELCOME       or ERROR "<zap status>"
//   INITIATE metadata        --->
//                            <---  READY metadata
//
// A ZAP 300 reply closes without ERROR (temporary failure, as libzmq does).
// Without a ZAP handler the server fails (NO_DETAIL, EFAULT), as libzmq 4.3.
#pragma once

#include <memory>

#include "core/options.hpp"
#include "protocol/mechanisms/mechanism.hpp"

namespace zlink {

class plain_client_t final : public mechanism_t {
  public:
    explicit plain_client_t(const mechanism_options &options);

    const char *name() const override { return "PLAIN"; }
    int next_handshake_command(msg_t *msg) override;
    int process_handshake_command(msg_t *msg) override;
    mechanism_status status() const override;

  private:
    void on_zap_reply() override {}

    enum state_t {
        sending_hello,
        waiting_for_welcome,
        sending_initiate,
        waiting_for_ready,
        ready,
    };
    state_t _state = sending_hello;
};

class plain_server_t final : public mechanism_t {
  public:
    plain_server_t(const mechanism_options &options, zap_client *zap);

    const char *name() const override { return "PLAIN"; }
    int next_handshake_command(msg_t *msg) override;
    int process_handshake_command(msg_t *msg) override;
    mechanism_status status() const override;

  private:
    void on_zap_reply() override;
    int process_hello(const zmtp_command_view &cmd);

    enum state_t {
        waiting_for_hello,
        waiting_for_zap_reply,
        sending_welcome,
        waiting_for_initiate,
        sending_ready,
        ready,
        sending_error,
        error_sent,
    };
    state_t _state = waiting_for_hello;
};

// The factory's entry (mechanism_factory.cpp): server or client by
// ZMQ_PLAIN_SERVER.
std::unique_ptr<mechanism_t> make_plain_mechanism(const options_t &options,
                                                  const mechanism_options &common, zap_client *zap);

} // namespace zlink
