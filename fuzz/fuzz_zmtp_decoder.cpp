// libFuzzer target: the ZMTP frame decoder, through both feeding paths
// (decode() and the direct read target), with a max message size.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/msg.hpp"
#include "protocol/zmtp_commands.hpp"
#include "protocol/zmtp_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    const size_t chunk = (data[0] % 64) + 1;
    const bool direct = data[1] & 1;
    // Always some limit: with none, a peer-declared 2^50-byte frame is
    // allocated up front (as in libzmq) and ASan reports the huge malloc.
    const int64_t maxsize = (data[1] & 2) ? int64_t(data[1]) * 16 : (1 << 20);
    data += 2;
    size -= 2;

    zlink::zmtp_decoder_t dec(maxsize);
    size_t off = 0;
    while (off < size) {
        auto target = dec.get_read_target();
        zlink::zmtp_decode_status st;
        if (direct && target.size) {
            size_t n = size - off < chunk ? size - off : chunk;
            if (n > target.size)
                n = target.size;
            std::memcpy(target.data, data + off, n);
            off += n;
            st = dec.commit_read(n);
        } else {
            size_t consumed = 0;
            const size_t n = size - off < chunk ? size - off : chunk;
            st = dec.decode(data + off, n, &consumed);
            off += consumed;
        }
        if (st == zlink::zmtp_decode_status::error)
            break;
        if (st == zlink::zmtp_decode_status::frame_ready) {
            zlink::msg_t m;
            m.init();
            if (dec.take(&m) != 0)
                __builtin_trap();
            if (maxsize >= 0 && m.size() > uint64_t(maxsize))
                __builtin_trap();
            // Commands must parse as commands once the decoder let them by.
            zlink::zmtp_command_view cmd;
            if (m.is_command() && !zlink::zmtp_parse_command(m, &cmd))
                __builtin_trap();
            m.close();
        }
    }
    return 0;
}
