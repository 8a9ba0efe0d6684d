#include "transports/ws/ws_frame_parser.hpp"

#include <algorithm>
#include <cstring>

namespace zlink {

const char *ws_frame_error_name(ws_frame_error_t error) {
    switch (error) {
    case ws_frame_error_t::none:
        return "none";
    case ws_frame_error_t::reserved_bits:
        return "reserved bits set";
    case ws_frame_error_t::mask_mismatch:
        return "wrong masking for the direction";
    case ws_frame_error_t::length_top_bit:
        return "64-bit length with the top bit set";
    case ws_frame_error_t::reserved_opcode:
        return "reserved opcode";
    case ws_frame_error_t::control_fragmented:
        return "fragmented control frame";
    case ws_frame_error_t::control_too_long:
        return "control frame over 125 bytes";
    case ws_frame_error_t::close_payload_size:
        return "close frame with a 1-byte body";
    case ws_frame_error_t::continuation_without_start:
        return "continuation without a started message";
    case ws_frame_error_t::message_inside_message:
        return "new message inside a fragmented one";
    case ws_frame_error_t::too_large:
        return "message over the size limit";
    case ws_frame_error_t::frame_after_close:
        return "frame after close";
    }
    return "unknown";
}

bool ws_frame_parser_t::fail(ws_frame_error_t error) {
    _error = error;
    return false;
}

namespace {

// A frame header's size from its second byte: 2, + 2 or 8 length bytes,
// + 4 mask bytes (RFC 6455 5.2).
std::size_t header_size(unsigned char b1) {
    const unsigned len7 = b1 & 0x7f;
    return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) ? 4 : 0);
}

} // namespace

std::size_t ws_frame_parser_t::take_header(const unsigned char *data, std::size_t size) {
    std::size_t used = 0;
    while (used < size && !_in_frame && !failed()) {
        if (_close_seen) {
            fail(ws_frame_error_t::frame_after_close);
            break;
        }
        if (_have == 0 && size - used >= 2) {
            // The whole header is here (the usual case): take it at once.
            const std::size_t need = header_size(data[used + 1]);
            if (size - used >= need) {
                std::memcpy(_bytes, data + used, need);
                used += need;
                if (check_header())
                    _in_frame = true;
                continue;
            }
        }
        _bytes[_have++] = data[used++];
        const std::size_t need = _have >= 2 ? header_size(_bytes[1]) : 2;
        if (_have == need) {
            _have = 0;
            if (check_header())
                _in_frame = true;
        }
    }
    return used;
}

bool ws_frame_parser_t::check_header() {
    const unsigned char b0 = _bytes[0], b1 = _bytes[1];
    ws_frame_header_t h;
    h.fin = (b0 & 0x80) != 0;
    h.opcode = b0 & 0x0f;
    h.masked = (b1 & 0x80) != 0;
    if (b0 & 0x70)
        return fail(ws_frame_error_t::reserved_bits);
    // Clients mask, servers do not (RFC 6455 5.1).
    if (h.masked != _config.expect_masked)
        return fail(ws_frame_error_t::mask_mismatch);
    uint64_t len = b1 & 0x7f;
    std::size_t pos = 2;
    if (len == 126) {
        len = (uint64_t(_bytes[2]) << 8) | _bytes[3];
        pos = 4;
    } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; ++i)
            len = (len << 8) | _bytes[2 + i];
        pos = 10;
        if (len >> 63)
            return fail(ws_frame_error_t::length_top_bit);
    }
    if (h.masked)
        std::memcpy(h.mask, _bytes + pos, 4);
    h.length = len;
    if (h.is_control()) {
        if (h.opcode != ws_opcode::close && h.opcode != ws_opcode::ping &&
            h.opcode != ws_opcode::pong)
            return fail(ws_frame_error_t::reserved_opcode);
        if (!h.fin)
            return fail(ws_frame_error_t::control_fragmented);
        if (len > 125)
            return fail(ws_frame_error_t::control_too_long);
        if (h.opcode == ws_opcode::close && len == 1)
            return fail(ws_frame_error_t::close_payload_size);
        _close_seen = h.opcode == ws_opcode::close;
    } else if (h.opcode == ws_opcode::continuation) {
        if (!_message_open)
            return fail(ws_frame_error_t::continuation_without_start);
    } else if (h.opcode == ws_opcode::text || h.opcode == ws_opcode::binary) {
        if (_message_open)
            return fail(ws_frame_error_t::message_inside_message);
        _message_size = 0;
    } else {
        return fail(ws_frame_error_t::reserved_opcode);
    }
    if (!h.is_control()) {
        // _message_size <= max_fragmented holds, so this cannot overflow.
        const bool fragmented = !h.fin || h.opcode == ws_opcode::continuation;
        if (fragmented && len > _config.max_fragmented - _message_size)
            return fail(ws_frame_error_t::too_large);
        _message_size += len;
        _message_open = !h.fin;
    }
    _header = h;
    _payload_left = len;
    return true;
}

void ws_frame_parser_t::take_payload(unsigned char *dst, const unsigned char *src, std::size_t n) {
    n = std::size_t(std::min<uint64_t>(n, _payload_left));
    if (_header.masked)
        ws_apply_mask(dst, src, n, _header.mask, payload_offset());
    else if (dst != src)
        std::memmove(dst, src, n);
    _payload_left -= n;
}

void ws_frame_parser_t::end_frame() {
    _in_frame = false;
    _payload_left = 0;
}

// Eight bytes at a time: a byte loop costs most of ws's throughput. The
// word mask is the key rotated to `offset` (no per-byte set-up: a 64 B
// message's frame is masked or unmasked once per side).
void ws_apply_mask(unsigned char *dst, const unsigned char *src, std::size_t n,
                   const unsigned char mask[4], uint64_t offset) {
    unsigned char rotated[8];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t key;
    std::memcpy(&key, mask, 4);
    const unsigned shift = unsigned(offset & 3) * 8;
    if (shift)
        key = (key >> shift) | (key << (32 - shift));
    const uint64_t word_mask = uint64_t(key) | (uint64_t(key) << 32);
    std::memcpy(rotated, &word_mask, 8);
#else
    for (int i = 0; i < 8; ++i)
        rotated[i] = mask[(offset + uint64_t(i)) & 3];
    uint64_t word_mask;
    std::memcpy(&word_mask, rotated, 8);
#endif
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, src + i, 8);
        w ^= word_mask;
        std::memcpy(dst + i, &w, 8);
    }
    for (; i < n; ++i)
        dst[i] = src[i] ^ rotated[i & 7];
}

void ws_append_header(std::vector<unsigned char> &out, unsigned opcode, uint64_t payload_size,
                      bool fin, const unsigned char *mask) {
    out.push_back(static_cast<unsigned char>((fin ? 0x80 : 0) | opcode));
    const unsigned char mask_bit = mask ? 0x80 : 0;
    if (payload_size < 126) {
        out.push_back(static_cast<unsigned char>(mask_bit | payload_size));
    } else if (payload_size <= 0xffff) {
        out.push_back(mask_bit | 126);
        out.push_back(static_cast<unsigned char>(payload_size >> 8));
        out.push_back(static_cast<unsigned char>(payload_size & 0xff));
    } else {
        out.push_back(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<unsigned char>((payload_size >> shift) & 0xff));
    }
    if (mask)
        out.insert(out.end(), mask, mask + 4);
}

bool ws_frame_collector_t::feed(const unsigned char *data, std::size_t size,
                                std::vector<ws_frame_t> &frames) {
    std::size_t pos = 0;
    for (;;) {
        if (_parser.failed())
            return false;
        if (!_parser.in_frame()) {
            if (pos == size)
                return true;
            pos += _parser.take_header(data + pos, size - pos);
            if (_parser.in_frame())
                _payload.clear();
            continue;
        }
        const std::size_t n = std::size_t(std::min<uint64_t>(_parser.payload_left(), size - pos));
        const std::size_t at = _payload.size();
        _payload.insert(_payload.end(), data + pos, data + pos + n);
        _parser.take_payload(_payload.data() + at, _payload.data() + at, n);
        pos += n;
        if (_parser.payload_left() > 0)
            return true; // pos == size: the rest of the payload comes later
        frames.push_back(ws_frame_t{_parser.header(), std::move(_payload)});
        _payload.clear();
        _parser.end_frame();
    }
}

} // namespace zlink
