// Security mechanism interface (ZMTP 3.x handshake after the greeting).
//
// A mechanism is a pure state machine over command frames:
//   - next_handshake_command(msg): 0 and a command to send, or -1/EAGAIN
//     when there is nothing to send right now;
//   - process_handshake_command(msg): feed a received command frame;
//     -1/EPROTO (or EFAULT) when the handshake failed;
//   - status(): handshaking, ready or error.
// The engine loops: send everything next_handshake_command() gives, process
// what arrives, until status() leaves handshaking. On error it flushes what
// it already queued (an ERROR command may be among it), reports failure()
// as a monitor event and closes the connection.
//
// failure() maps onto the monitor events:
//   protocol   -> ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, value failure_code()
//                 (a ZMQ_PROTOCOL_ERROR_* constant)
//   auth       -> ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, value failure_code()
//                 (ZAP status 300/400/500, ours or the peer's ERROR)
//   no_detail  -> ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, value failure_code()
//                 (an errno, EFAULT when ZAP is required but absent)
//   peer_error -> the peer sent ERROR with a free-text reason
//                 (peer_error_reason()); libzmq emits no event for it.
#pragma once

#include <string>
#include <vector>

#include "core/metadata.hpp"
#include "core/msg.hpp"
#include "protocol/zmtp_commands.hpp"
#include "protocol/zmtp_metadata.hpp"

namespace zlink {

class zap_client;

struct mechanism_options {
    int socket_type = 0;              // ZMQ_*, announced as Socket-Type
    std::string routing_id;           // ZMQ_ROUTING_ID, sent as Identity
    zmtp_property_list user_metadata; // ZMQ_METADATA ("X-" names)
    bool as_server = false;           // ZMQ_PLAIN_SERVER
    std::string plain_username;       // ZMQ_PLAIN_USERNAME (<= 255 bytes)
    std::string plain_password;       // ZMQ_PLAIN_PASSWORD (<= 255 bytes)
    std::string zap_domain;           // ZMQ_ZAP_DOMAIN
    bool zap_enforce_domain = false;  // ZMQ_ZAP_ENFORCE_DOMAIN
    std::string peer_address;         // the Address field of ZAP requests
};

enum class mechanism_status { handshaking, ready, error };
enum class handshake_failure { none, protocol, auth, no_detail, peer_error };

class mechanism_t {
  public:
    // zap may be nullptr: same as "no ZAP handler bound".
    mechanism_t(const mechanism_options &options, zap_client *zap);
    virtual ~mechanism_t() = default;
    mechanism_t(const mechanism_t &) = delete;
    mechanism_t &operator=(const mechanism_t &) = delete;

    virtual const char *name() const = 0; // as in the greeting
    // The greeting's as-server flag (ZMQ_PLAIN_SERVER).
    bool as_server() const { return _options.as_server; }
    // msg: initialised or closed; on 0 it holds a command frame.
    virtual int next_handshake_command(msg_t *msg) = 0;
    // msg: a received command frame; on 0 it is left empty.
    virtual int process_handshake_command(msg_t *msg) = 0;
    virtual mechanism_status status() const = 0;

    // Data phase. A mechanism that encrypts (CURVE) wraps every frame sent
    // after the handshake, data or command, in its own frame and unwraps
    // every frame received; NULL and PLAIN leave frames alone. Frames must
    // be wrapped in the order they go on the wire (nonces).
    virtual bool wraps_frames() const { return false; }
    // msg: an outgoing frame (msg_t::more / msg_t::command in its flags);
    // replaced by the frame to send. -1 with errno (ENOMEM) on failure.
    virtual int wrap(msg_t *msg) {
        (void)msg;
        return 0;
    }
    // Wrapping where the frame already sits (the encoder's batch, or the
    // message's own body): the wrapped frame is wrap_overhead() bytes into
    // prefix, then the n body bytes of body_in sealed into body_out (may be
    // body_in). flags: the frame's msg_t::more / msg_t::command. -1 (errno)
    // on failure; can_wrap(k) says beforehand whether k frames can be.
    virtual size_t wrap_overhead() const { return 0; }
    virtual int wrap_into(uint8_t flags, const uint8_t *body_in, size_t n, uint8_t *prefix,
                          uint8_t *body_out) {
        (void)flags, (void)body_in, (void)n, (void)prefix, (void)body_out;
        return 0;
    }
    virtual bool can_wrap(size_t frames) const {
        (void)frames;
        return true;
    }
    // msg: a received frame; replaced by the frame it carried, flags
    // restored. -1 (EPROTO): failure() is protocol, failure_code() the
    // ZMQ_PROTOCOL_ERROR_* value for the monitor event.
    virtual int unwrap(msg_t *msg) {
        (void)msg;
        return 0;
    }

    // Delivers the reply to our ZAP request. status_code is "200", "300",
    // "400" or "500"; anything else fails the handshake with
    // ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE. Returns 0 for any valid
    // reply, a denial included (then failure() is auth, and for 400/500
    // next_handshake_command() yields the ERROR command to send first);
    // -1 for an invalid code (EPROTO) or when no request is pending (EINVAL).
    int zap_reply(const std::string &status_code, const std::string &user_id,
                  const metadata_t::dict_t &metadata);
    // The engine could not make sense of the ZAP reply:
    // protocol_error is a ZMQ_PROTOCOL_ERROR_ZAP_* value.
    void zap_failed(int protocol_error);
    bool zap_pending() const { return _zap_state == zap_waiting; }

    handshake_failure failure() const { return _failure; }
    int failure_code() const { return _failure_code; }
    const std::string &peer_error_reason() const { return _peer_error; }

    // What the peer announced in READY / INITIATE, as received.
    const metadata_t::dict_t &peer_properties() const { return _peer_props; }
    const std::string &peer_socket_type() const { return _peer_socket_type; }
    // The peer's Identity property ("" when absent or empty).
    const std::string &peer_routing_id() const { return _peer_routing_id; }
    // From the ZAP reply.
    const std::string &user_id() const { return _user_id; }
    const metadata_t::dict_t &zap_properties() const { return _zap_props; }
    // Everything zmq_msg_gets should see, except Peer-Address (the engine
    // knows it): peer properties, ZAP metadata, and User-Id when set.
    metadata_t::dict_t message_properties() const;

  protected:
    enum zap_state_t { zap_idle, zap_waiting, zap_done };

    // Called once a valid reply arrived (status in _zap_status).
    virtual void on_zap_reply() = 0;

    // Record a failure; returns -1 with errno set (EPROTO / EFAULT).
    int fail_protocol(int code);
    int fail_auth(int status_code);
    int fail_no_detail(int err);

    // Peer metadata from READY / INITIATE: checks Socket-Type (present and
    // compatible) and records Identity. -1: INVALID_METADATA failure.
    int accept_peer_metadata(const unsigned char *data, size_t size);
    // A received ERROR command: records the reason and the failure kind.
    int process_error(const zmtp_command_view &cmd);
    // Our READY-like command with Socket-Type, Identity, user metadata.
    int make_metadata_command(msg_t *msg, const char *name) const;
    // ERROR with our ZAP status code as reason (libzmq's convention).
    int make_zap_error(msg_t *msg) const;

    // Sends the ZAP request. false: no handler (nothing sent).
    bool send_zap_request(const std::vector<std::string> &credentials);

    // Leaves msg as an empty, initialised message.
    static void clear(msg_t *msg);

    const mechanism_options _options;
    zap_client *const _zap;
    zap_state_t _zap_state = zap_idle;
    std::string _zap_status; // "200"... once zap_done
    handshake_failure _failure = handshake_failure::none;
    int _failure_code = 0;

  private:
    std::string _peer_error;
    metadata_t::dict_t _peer_props;
    std::string _peer_socket_type;
    std::string _peer_routing_id;
    std::string _user_id;
    metadata_t::dict_t _zap_props;
};

} // namespace zlink
