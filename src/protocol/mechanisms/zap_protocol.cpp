#include "protocol/mechanisms/zap_protocol.hpp"

#include <zmq.h>

#include "protocol/zmtp_metadata.hpp"

namespace zlink {

std::vector<std::string> zap_request_frames(const std::string &request_id,
                                            const std::string &domain, const std::string &address,
                                            const std::string &routing_id,
                                            const std::string &mechanism,
                                            const std::vector<std::string> &credentials) {
    std::vector<std::string> f{"", "1.0", request_id, domain, address, routing_id, mechanism};
    f.insert(f.end(), credentials.begin(), credentials.end());
    return f;
}

int zap_parse_reply(const std::vector<std::string> &frames, const std::string &expected_request_id,
                    zap_reply_t *out) {
    if (frames.size() != 7 || !frames[0].empty())
        return ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY;
    if (frames[1] != "1.0")
        return ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION;
    if (frames[2] != expected_request_id)
        return ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID;
    const std::string &code = frames[3];
    if (code != "200" && code != "300" && code != "400" && code != "500")
        return ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE;
    metadata_t::dict_t md;
    const auto *p = reinterpret_cast<const unsigned char *>(frames[6].data());
    if (zmtp_parse_metadata(p, frames[6].size(), &md) != zmtp_metadata_error::ok)
        return ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA;
    out->status_code = code;
    out->status_text = frames[4];
    out->user_id = frames[5];
    out->metadata = std::move(md);
    return 0;
}

} // namespace zlink
