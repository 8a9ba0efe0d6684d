#include "protocol/zmtp_encoder.hpp"

#include <algorithm>
#include <cstring>

namespace zlink {

namespace {
size_t encode_header(uint8_t flags, size_t size, unsigned char *out) {
    if (size > 255) {
        out[0] = flags | zmtp_flag_long;
        zmtp_put_u64(out + 1, size);
        return 9;
    }
    out[0] = flags;
    out[1] = static_cast<unsigned char>(size);
    return 2;
}
} // namespace

size_t zmtp_encode_header(const msg_t &msg, unsigned char *out) {
    uint8_t flags = 0;
    if (msg.is_command())
        flags |= zmtp_flag_command;
    else if (msg.has_more())
        flags |= zmtp_flag_more;
    return encode_header(flags, msg.size(), out);
}

zmtp_encoder_t::zmtp_encoder_t(unsigned char *batch, size_t capacity, size_t copy_threshold)
    : _batch(batch), _capacity(capacity), _threshold(copy_threshold) {
    // Keep "any message fits into an empty encoder" true: a copied body
    // needs room for its header too.
    if (_capacity < zmtp_max_header_size)
        _capacity = 0;
    _threshold = std::min(_threshold, _capacity - std::min(_capacity, zmtp_max_header_size));
    for (auto &m : _refs)
        m.init();
}

zmtp_encoder_t::~zmtp_encoder_t() {
    for (auto &m : _refs)
        m.close();
}

const unsigned char *zmtp_encoder_t::segment_data(const segment &s) const {
    if (s.data)
        return s.data;
    return static_cast<const unsigned char *>(_refs[s.ref].data());
}

// Appends to the batch buffer, growing the last segment when it already ends
// at the fill point so consecutive small frames form one gather entry.
void zmtp_encoder_t::append_bytes(const void *data, size_t size) {
    if (size)
        std::memcpy(reserve_bytes(size), data, size);
}

unsigned char *zmtp_encoder_t::reserve_bytes(size_t size) {
    unsigned char *at = _batch + _fill;
    if (size == 0)
        return at;
    segment *last = _nseg ? &_segs[_nseg - 1] : nullptr;
    if (last && last->data && last->data + last->size == _batch + _fill && _nseg - 1 >= _head) {
        last->size += size;
    } else {
        _segs[_nseg++] = segment{_batch + _fill, size, 0};
    }
    _fill += size;
    _pending += size;
    return at;
}

bool zmtp_encoder_t::add_raw(const void *data, size_t size) {
    if (size > _capacity - _fill || _nseg == max_buffers)
        return false;
    append_bytes(data, size);
    return true;
}

bool zmtp_encoder_t::add(msg_t *msg) {
    unsigned char header[zmtp_max_header_size];
    const size_t hsize = zmtp_encode_header(*msg, header);
    const size_t bsize = msg->size();
    const size_t room = _capacity - _fill;

    if (bsize <= _threshold) {
        if (hsize + bsize > room || _nseg == max_buffers)
            return false;
        append_bytes(header, hsize);
        append_bytes(msg->data(), bsize);
        msg->close();
        msg->init();
        return true;
    }
    // Large body: header in the batch, body by reference. Needs up to two
    // new segments (header may start a new one) and a free ref slot.
    if (hsize > room || _nrefs == max_refs || _nseg + 2 > max_buffers)
        return false;
    append_bytes(header, hsize);
    const size_t slot = _nrefs++;
    _refs[slot].move(*msg);
    _segs[_nseg++] = segment{nullptr, bsize, slot};
    _pending += bsize;
    return true;
}

bool zmtp_encoder_t::add_to_fill(msg_t *msg, size_t prefix_size, frame_to_fill *out) {
    const size_t bsize = msg->size();
    unsigned char header[zmtp_max_header_size];
    const size_t hsize = encode_header(0, prefix_size + bsize, header);
    const size_t room = _capacity - _fill;
    if (copies(prefix_size + bsize)) {
        if (hsize + prefix_size + bsize > room || _nseg == max_buffers)
            return false;
        append_bytes(header, hsize);
        out->prefix = reserve_bytes(prefix_size + bsize);
        out->body = out->prefix + prefix_size;
        out->body_in_batch = true;
        return true;
    }
    if (hsize + prefix_size > room || _nrefs == max_refs || _nseg + 2 > max_buffers)
        return false;
    append_bytes(header, hsize);
    out->prefix = reserve_bytes(prefix_size);
    const size_t slot = _nrefs++;
    _refs[slot].move(*msg);
    _segs[_nseg++] = segment{nullptr, bsize, slot};
    _pending += bsize;
    out->body = static_cast<unsigned char *>(_refs[slot].data());
    out->body_in_batch = false;
    return true;
}

size_t zmtp_encoder_t::buffers(zmtp_out_buffer *out, size_t max) const {
    size_t n = 0;
    for (size_t i = _head; i < _nseg && n < max; ++i) {
        const size_t skip = i == _head ? _head_off : 0;
        out[n++] = zmtp_out_buffer{segment_data(_segs[i]) + skip, _segs[i].size - skip};
    }
    return n;
}

void zmtp_encoder_t::consume(size_t n) {
    n = std::min(n, _pending);
    _pending -= n;
    while (n > 0 && _head < _nseg) {
        segment &s = _segs[_head];
        const size_t left = s.size - _head_off;
        if (n < left) {
            _head_off += n;
            return;
        }
        n -= left;
        if (!s.data) {
            // Fully written: the body is no longer needed.
            _refs[s.ref].close();
            _refs[s.ref].init();
        }
        ++_head;
        _head_off = 0;
    }
    reset_if_drained();
}

void zmtp_encoder_t::reset_if_drained() {
    if (_head != _nseg)
        return;
    _head = _nseg = 0;
    _head_off = 0;
    _fill = 0;
    _nrefs = 0;
}

} // namespace zlink
