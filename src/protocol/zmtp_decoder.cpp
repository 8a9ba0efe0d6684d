#include "protocol/zmtp_decoder.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "protocol/zmtp_wire.hpp"

namespace zlink {

const char *zmtp_decode_error_name(zmtp_decode_error e) {
    switch (e) {
    case zmtp_decode_error::none:
        return "none";
    case zmtp_decode_error::reserved_flags:
        return "reserved_flags";
    case zmtp_decode_error::malformed_size:
        return "malformed_size";
    case zmtp_decode_error::too_large:
        return "too_large";
    case zmtp_decode_error::malformed_command:
        return "malformed_command";
    case zmtp_decode_error::out_of_memory:
        return "out_of_memory";
    }
    return "?";
}

zmtp_decoder_t::zmtp_decoder_t(int64_t maxmsgsize) : _maxmsgsize(maxmsgsize) { _msg.init(); }

zmtp_decoder_t::~zmtp_decoder_t() {
    _msg.close();
    free_partial();
}

namespace {
void free_body(void *data, void *) { std::free(data); }
} // namespace

void zmtp_decoder_t::free_partial() {
    std::free(_partial);
    _partial = nullptr;
    _cap = 0;
}

unsigned char *zmtp_decoder_t::body_data() {
    return _partial ? _partial : static_cast<unsigned char *>(_msg.data());
}

zmtp_decode_status zmtp_decoder_t::body_progress(size_t n) {
    _got += n;
    if (_got == _size)
        return finish_frame();
    if (_partial && _got == _cap) {
        const size_t cap = static_cast<size_t>(std::min<uint64_t>(_size, uint64_t(_cap) * 2));
        auto *p = static_cast<unsigned char *>(std::realloc(_partial, cap));
        if (!p)
            return fail(zmtp_decode_error::out_of_memory);
        _partial = p;
        _cap = cap;
    }
    return zmtp_decode_status::need_more;
}

zmtp_decode_status zmtp_decoder_t::status() const {
    switch (_state) {
    case st_ready:
        return zmtp_decode_status::frame_ready;
    case st_error:
        return zmtp_decode_status::error;
    default:
        return zmtp_decode_status::need_more;
    }
}

int zmtp_decoder_t::error_errno() const {
    switch (_error) {
    case zmtp_decode_error::none:
        return 0;
    case zmtp_decode_error::too_large:
        return EMSGSIZE;
    case zmtp_decode_error::out_of_memory:
        return ENOMEM;
    default:
        return EPROTO;
    }
}

zmtp_decode_status zmtp_decoder_t::fail(zmtp_decode_error e) {
    _error = e;
    _state = st_error;
    _msg.close();
    _msg.init();
    free_partial();
    return zmtp_decode_status::error;
}

// The size is known: validate it and allocate the body.
zmtp_decode_status zmtp_decoder_t::start_body() {
    const bool long_size = (_flags & zmtp_flag_long) != 0;
    _size = long_size ? zmtp_get_u64(_size_buf) : _size_buf[0];
    if (_size > uint64_t(INT64_MAX))
        return fail(zmtp_decode_error::malformed_size);
    if (_maxmsgsize >= 0 && _size > uint64_t(_maxmsgsize))
        return fail(zmtp_decode_error::too_large);
    if (_size > uint64_t(SIZE_MAX))
        return fail(zmtp_decode_error::too_large);
    if ((_flags & zmtp_flag_command) && _size == 0)
        return fail(zmtp_decode_error::malformed_command);
    _msg.close();
    _msg.init();
    if (_size > prealloc_max) {
        _partial = static_cast<unsigned char *>(std::malloc(prealloc_max));
        if (!_partial)
            return fail(zmtp_decode_error::out_of_memory);
        _cap = prealloc_max;
    } else if (_msg.init_size(static_cast<size_t>(_size)) != 0) {
        _msg.init();
        return fail(zmtp_decode_error::out_of_memory);
    }
    _got = 0;
    _state = st_body;
    if (_size == 0)
        return finish_frame();
    return zmtp_decode_status::need_more;
}

zmtp_decode_status zmtp_decoder_t::finish_frame() {
    if (_partial) {
        // The whole body arrived: the message takes the block as it is.
        unsigned char *body = _partial;
        _partial = nullptr;
        _cap = 0;
        if (_msg.init_data(body, static_cast<size_t>(_size), free_body, nullptr) != 0) {
            std::free(body);
            _msg.init();
            return fail(zmtp_decode_error::out_of_memory);
        }
    }
    if (_flags & zmtp_flag_command) {
        // command-body = name-length name data, name 1..255 bytes.
        const auto *p = static_cast<const unsigned char *>(_msg.data());
        if (p[0] == 0 || size_t(p[0]) + 1 > _msg.size())
            return fail(zmtp_decode_error::malformed_command);
        _msg.set_flags(msg_t::command);
    } else if (_flags & zmtp_flag_more) {
        _msg.set_flags(msg_t::more);
    }
    _state = st_ready;
    return zmtp_decode_status::frame_ready;
}

zmtp_decode_status zmtp_decoder_t::decode(const unsigned char *data, size_t size,
                                          size_t *consumed) {
    size_t used = 0;
    while (used < size) {
        if (_state == st_flags) {
            _flags = data[used++];
            if (_flags & zmtp_flag_reserved) {
                fail(zmtp_decode_error::reserved_flags);
                break;
            }
            // RFC 23: a command is %x04 or %x06, never with MORE.
            if ((_flags & zmtp_flag_command) && (_flags & zmtp_flag_more)) {
                fail(zmtp_decode_error::malformed_command);
                break;
            }
            _size_need = (_flags & zmtp_flag_long) ? 8 : 1;
            _size_got = 0;
            _state = st_size;
        } else if (_state == st_size) {
            const size_t n = std::min(size - used, _size_need - _size_got);
            std::memcpy(_size_buf + _size_got, data + used, n);
            _size_got += n;
            used += n;
            if (_size_got == _size_need && start_body() != zmtp_decode_status::need_more)
                break;
        } else if (_state == st_body) {
            const size_t n = static_cast<size_t>(std::min<uint64_t>(size - used, body_room()));
            std::memcpy(body_data() + _got, data + used, n);
            used += n;
            if (body_progress(n) != zmtp_decode_status::need_more)
                break;
        } else {
            break; // ready or error: the caller must act first
        }
    }
    if (consumed)
        *consumed = used;
    return status();
}

zmtp_decoder_t::read_target zmtp_decoder_t::get_read_target() {
    if (_state != st_body)
        return {nullptr, 0};
    return {body_data() + _got, static_cast<size_t>(body_room())};
}

zmtp_decode_status zmtp_decoder_t::commit_read(size_t n) {
    if (_state != st_body)
        return status();
    return body_progress(static_cast<size_t>(std::min<uint64_t>(n, body_room())));
}

int zmtp_decoder_t::take(msg_t *out) {
    if (_state != st_ready) {
        errno = EAGAIN;
        return -1;
    }
    out->move(_msg);
    _state = st_flags;
    return 0;
}

} // namespace zlink
