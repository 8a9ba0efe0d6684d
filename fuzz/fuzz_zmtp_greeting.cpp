// libFuzzer target: the ZMTP greeting parser, fed in chunks the input picks.
#include <cstddef>
#include <cstdint>

#include "protocol/zmtp_greeting.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    // The first byte picks the chunk size, the rest is the peer's bytes.
    const size_t chunk = (data[0] % 16) + 1;
    zlink::zmtp_greeting_parser_t parser(data[0] & 0x80 ? "NULL" : "");
    size_t off = 1;
    while (off < size) {
        size_t consumed = 0;
        const size_t n = size - off < chunk ? size - off : chunk;
        const auto st = parser.feed(data + off, n, &consumed);
        if (consumed > n)
            __builtin_trap();
        off += consumed;
        if (st != zlink::zmtp_greeting_status::need_more)
            break;
    }
    if (parser.done() && parser.revision() == zlink::zmtp_revision::unknown)
        __builtin_trap();
    return 0;
}
