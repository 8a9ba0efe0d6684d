// What a socket type changes on its connections beyond the protocol itself.
// The session and the engine ask a wire adapter, chosen from the options by
// make_wire_adapter(), instead of looking at the socket type:
//   - SUB, XSUB: a subscription message ("\x01topic" / "\x00topic") goes to a
//     ZMTP 3.1 peer as a SUBSCRIBE / CANCEL command (to 3.0 peers as it is),
//     and after a disconnect the socket sends its subscriptions again (the
//     session's hiccup command through the pipe);
//   - STREAM with ZMQ_STREAM_NOTIFY: an empty message tells the application
//     about every connect and disconnect.
// Each engine has its own (outgoing() keeps per-connection state); the
// session keeps one for its own questions.
#pragma once

#include <memory>

#include "core/msg.hpp"
#include "core/options.hpp"
#include "protocol/zmtp_commands.hpp"

namespace zlink {

class wire_adapter_t {
  public:
    virtual ~wire_adapter_t() = default;

    // Engine: the peer's ZMTP minor version (0: ZMTP 3.0), once its
    // greeting is in.
    virtual void set_peer_minor(int zmtp_minor) { (void)zmtp_minor; }
    // Engine: a part the socket queued, before it is encoded; may replace it
    // by a command frame. Parts come in order, whole messages only.
    virtual void outgoing(msg_t &part) { (void)part; }

    // Session: an empty message goes to the socket at connect and disconnect.
    virtual bool notifies_connections() const { return false; }
    // Session: the socket resends its subscriptions after a disconnect.
    virtual bool resends_subscriptions() const { return false; }
};

std::unique_ptr<wire_adapter_t> make_wire_adapter(const options_t &options);

// A SUBSCRIBE or CANCEL command from the peer as the message its socket
// reads ("\x01topic" / "\x00topic"), whatever our socket type. 1: *out holds
// it; 0: cmd is another command; -1: no memory (ENOMEM).
int zmtp_subscription_message(const zmtp_command_view &cmd, msg_t *out);

} // namespace zlink
