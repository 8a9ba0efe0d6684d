// The HTTP/1.1 upgrade of ws:// and wss:// (RFC 6455 section 4), parsed
// with Boost.Beast's HTTP parser, and the ZWS 2.0 subprotocol choice.
//
// Subprotocols, the names of libzmq's draft ws transport: a NULL client
// offers "ZWS2.0/NULL, ZWS2.0" (as libzmq; jszmq's server takes the first
// offered and speaks only bare ZWS2.0, which the client sees in its first
// message), a PLAIN
// client "ZWS2.0/PLAIN", a CURVE client "ZWS2.0/CURVE"; the server takes ZWS2.0/NULL when offered,
// else the first offered one its mechanism supports. "ZWS2.0/<mech>" runs the ZMTP mechanism (READY
// and friends as command messages); bare "ZWS2.0" (what jszmq and browsers speak) has no mechanism:
// each side's first message is its routing id.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace zlink {

enum class ws_parse_status { need_more, ok, bad };

struct ws_request_t {
    std::string path; // the request target without its query
    std::string key;  // Sec-WebSocket-Key
    std::vector<std::string> protocols;
};

struct ws_response_t {
    unsigned status = 0;
    std::string accept;   // Sec-WebSocket-Accept
    std::string protocol; // Sec-WebSocket-Protocol
};

// 16 random bytes, base64 (the client's Sec-WebSocket-Key).
std::string ws_make_key();
// base64(SHA-1(key + RFC 6455's GUID)).
std::string ws_accept_for(const std::string &key);

// The subprotocols a client with this mechanism (ZMQ_NULL, ZMQ_PLAIN...) offers.
std::vector<std::string> ws_client_protocols(int mechanism);
// The server's pick among the offered ones; empty when none fits.
std::string ws_choose_protocol(int mechanism, const std::vector<std::string> &offered);

std::string ws_client_request(const std::string &host, const std::string &path,
                              const std::string &key, const std::vector<std::string> &protocols);
std::string ws_server_accept(const std::string &key, const std::string &protocol);
// A refusal (400, 404...) with Connection: close.
std::string ws_server_refusal(unsigned status, const char *reason);

// Parses an upgrade request or response from the start of `data`; on ok
// `header_size` is how many bytes it took (what follows is WebSocket data).
// A request that is HTTP but not a WebSocket upgrade is bad.
ws_parse_status ws_parse_request(const char *data, std::size_t size, std::size_t &header_size,
                                 ws_request_t &out);
ws_parse_status ws_parse_response(const char *data, std::size_t size, std::size_t &header_size,
                                  ws_response_t &out);

} // namespace zlink
