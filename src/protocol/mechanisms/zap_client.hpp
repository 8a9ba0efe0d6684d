// The mechanisms' view of ZAP (RFC 27): they ask, the engine carries the
// request to inproc://zeromq.zap.01 and later hands the answer back through
// mechanism_t::zap_reply() (or mechanism_t::zap_failed() when the reply was
// malformed; see zap_protocol.hpp for the frame codec).
#pragma once

#include <string>
#include <vector>

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
                         const std::string &routing_id,
                         const std::string &mechanism,
                         const std::vector<std::string> &credentials) = 0;
};

} // namespace zlink
