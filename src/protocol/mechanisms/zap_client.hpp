// ZAP (RFC 27) as the mechanisms see it: a mechanism asks through a
// zap_client; the owner of the connection reads the handler's reply, parses
// it (zap_protocol.hpp) and hands it to the zap_reply_target that drives the
// mechanism (the ZMTP engine), which passes it on through
// mechanism_t::zap_reply() / zap_failed() and goes on with the handshake.
#pragma once

#include <string>
#include <vector>

#include "protocol/mechanisms/zap_protocol.hpp"

namespace zlink {

class zap_client {
  public:
    virtual ~zap_client() = default;

    // Sends one ZAP request. Returns false when no ZAP handler is bound
    // (nothing sent); the mechanism then applies libzmq's policy: NULL goes
    // on without ZAP unless ZMQ_ZAP_ENFORCE_DOMAIN, PLAIN fails the
    // handshake (HANDSHAKE_FAILED_NO_DETAIL, EFAULT).
    // The reply may be delivered from inside this call or any time later.
    virtual bool request(const std::string &domain, const std::string &address,
                         const std::string &routing_id, const std::string &mechanism,
                         const std::vector<std::string> &credentials) = 0;
};

// Where a ZAP reply goes, on the connection's thread. Delivering from inside
// zap_client::request() is allowed.
class zap_reply_target {
  public:
    virtual ~zap_reply_target() = default;
    // A well-formed reply (zap_parse_reply returned 0).
    virtual void zap_reply_received(const zap_reply_t &reply) = 0;
    // A malformed reply: protocol_error is the ZMQ_PROTOCOL_ERROR_ZAP_* value
    // zap_parse_reply returned. The handshake fails.
    virtual void zap_reply_failed(int protocol_error) = 0;
};

} // namespace zlink
