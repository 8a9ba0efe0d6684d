// ZAP (RFC 27) frames, so the engine's zap_client can talk to the handler at
// inproc://zeromq.zap.01 over a REQ-style pipe (empty delimiter first).
#pragma once

#include <string>
#include <vector>

#include "core/metadata.hpp"

namespace zlink {

// Request frames in order: "", "1.0", request_id, domain, address,
// routing_id, mechanism, credentials... (all but the last carry MORE).
std::vector<std::string> zap_request_frames(const std::string &request_id,
                                            const std::string &domain, const std::string &address,
                                            const std::string &routing_id,
                                            const std::string &mechanism,
                                            const std::vector<std::string> &credentials);

struct zap_reply_t {
    std::string status_code; // "200", "300", "400" or "500"
    std::string status_text;
    std::string user_id;
    metadata_t::dict_t metadata;
};

// Parses the reply frames ("", "1.0", request_id, status code, status text,
// user id, metadata). Returns 0, or the ZMQ_PROTOCOL_ERROR_ZAP_* value to
// hand to mechanism_t::zap_failed().
int zap_parse_reply(const std::vector<std::string> &frames, const std::string &expected_request_id,
                    zap_reply_t *out);

} // namespace zlink
