#include "protocol/wire_adapter.hpp"

#include <cerrno>
#include <cstring>

#include <zmq.h>

namespace zlink {

namespace {

// Subscriptions as ZMTP 3.1 commands to 3.1 peers (libzmq 4.3.4 takes them:
// tested), as messages to 3.0 peers. false would send messages to everyone
// (what pre-4.3 libzmq peers announcing 3.1 may need).
constexpr bool subscribe_commands = true;

class subscriber_wire_t final : public wire_adapter_t {
  public:
    void set_peer_minor(int zmtp_minor) override {
        _commands = subscribe_commands && zmtp_minor >= 1;
    }

    void outgoing(msg_t &part) override {
        const bool first = !_in_message;
        _in_message = part.has_more();
        if (!_commands || !first || part.has_more() || part.size() == 0)
            return;
        const auto *p = static_cast<const unsigned char *>(part.data());
        if (p[0] != 0 && p[0] != 1)
            return;
        msg_t cmd;
        cmd.init();
        const int rc = p[0] == 1 ? zmtp_make_subscribe(&cmd, p + 1, part.size() - 1)
                                 : zmtp_make_cancel(&cmd, p + 1, part.size() - 1);
        if (rc != 0) {
            cmd.close();
            return; // goes out as a message, as to a 3.0 peer
        }
        part.close();
        part.init();
        part.move(cmd);
        cmd.close();
    }

    bool resends_subscriptions() const override { return true; }

  private:
    bool _commands = false;
    bool _in_message = false; // the last part had MORE
};

class stream_wire_t final : public wire_adapter_t {
  public:
    bool notifies_connections() const override { return true; }
};

} // namespace

std::unique_ptr<wire_adapter_t> make_wire_adapter(const options_t &options) {
    if (options.type == ZMQ_SUB || options.type == ZMQ_XSUB)
        return std::make_unique<subscriber_wire_t>();
    if (options.raw_socket && options.raw_notify)
        return std::make_unique<stream_wire_t>();
    return std::make_unique<wire_adapter_t>();
}

int zmtp_subscription_message(const zmtp_command_view &cmd, msg_t *out) {
    const bool subscribe = cmd.is("SUBSCRIBE");
    if (!subscribe && !cmd.is("CANCEL"))
        return 0;
    if (out->init_size(cmd.size + 1) != 0) {
        errno = ENOMEM;
        return -1;
    }
    auto *p = static_cast<unsigned char *>(out->data());
    p[0] = subscribe ? 1 : 0;
    if (cmd.size)
        std::memcpy(p + 1, cmd.data, cmd.size);
    return 1;
}

} // namespace zlink
