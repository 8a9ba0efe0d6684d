// libFuzzer target: WebSocket framing (src/transports/ws/ws_frame_parser.hpp,
// the parser ws_stream_t reads every ws:// and wss:// frame with).
//
// Input: byte 0 = mode (bit 0: the client side, which reads unmasked frames;
// bits 1-7: chunk size, 0 = all at once), byte 1 = the fragmented-message
// limit (0 = none, else byte * 64), then the wire bytes.
// The same bytes fed in chunks and byte by byte must give the same frames
// and the same verdict, and every frame handed out must obey RFC 6455.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "transports/ws/ws_frame_parser.hpp"

namespace {

using zlink::ws_frame_collector_t;
using zlink::ws_frame_parser_t;
using zlink::ws_frame_t;

void check(bool ok) {
    if (!ok)
        std::abort();
}

bool feed(ws_frame_parser_t::config_t rules, const uint8_t *data, size_t size, size_t chunk,
          std::vector<ws_frame_t> &frames, zlink::ws_frame_error_t &error) {
    ws_frame_collector_t collector(rules);
    bool ok = true;
    for (size_t pos = 0; pos < size && ok; pos += chunk) {
        const size_t n = chunk < size - pos ? chunk : size - pos;
        ok = collector.feed(data + pos, n, frames);
    }
    error = collector.parser().error();
    check(ok == !collector.parser().failed());
    return ok;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    ws_frame_parser_t::config_t rules;
    rules.expect_masked = (data[0] & 1) == 0;
    if (data[1])
        rules.max_fragmented = uint64_t(data[1]) * 64;
    size_t chunk = data[0] >> 1;
    data += 2;
    size -= 2;
    if (chunk == 0)
        chunk = size ? size : 1;

    std::vector<ws_frame_t> chunked, bytewise;
    zlink::ws_frame_error_t chunked_error, bytewise_error;
    feed(rules, data, size, chunk, chunked, chunked_error);
    feed(rules, data, size, 1, bytewise, bytewise_error);
    check(chunked_error == bytewise_error);
    check(chunked.size() == bytewise.size());
    uint64_t fragmented = 0;
    bool open = false;
    for (size_t i = 0; i < chunked.size(); ++i) {
        const ws_frame_t &f = chunked[i];
        check(f.header.opcode == bytewise[i].header.opcode);
        check(f.payload == bytewise[i].payload);
        check(f.payload.size() == f.header.length);
        check(f.header.masked == rules.expect_masked);
        if (f.header.is_control()) {
            check(f.header.fin && f.header.length <= 125);
            continue;
        }
        check((f.header.opcode == zlink::ws_opcode::continuation) == open);
        fragmented = open ? fragmented + f.header.length : f.header.length;
        if (open || !f.header.fin)
            check(fragmented <= rules.max_fragmented);
        open = !f.header.fin;
    }
    return 0;
}
