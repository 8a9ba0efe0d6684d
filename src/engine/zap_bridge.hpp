// How a ZAP reply gets back to the engine whose mechanism asked.
//
// The mechanism asks through the session's zap_client (session->zap()); the
// session carries the request to inproc://zeromq.zap.01, reads the reply,
// parses it with zap_parse_reply() (it chose the request id) and hands the
// result to the engine through this interface, on the engine's io thread.
// Delivering from inside zap_client::request() is allowed too.
#pragma once

#include <memory>

#include "engine/i_engine.hpp"
#include "protocol/mechanisms/zap_protocol.hpp"

namespace zlink {

class zap_reply_target {
  public:
    virtual ~zap_reply_target() = default;
    // A well-formed reply (zap_parse_reply returned 0).
    virtual void zap_reply_received(const zap_reply_t &reply) = 0;
    // A malformed reply: protocol_error is the ZMQ_PROTOCOL_ERROR_ZAP_* value
    // zap_parse_reply returned. The handshake fails.
    virtual void zap_reply_failed(int protocol_error) = 0;
};

// The ZAP entry of an engine made by make_zmtp_engine(); nullptr for other
// engines (raw).
zap_reply_target *engine_zap_target(i_engine *engine);

} // namespace zlink
