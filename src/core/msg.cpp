#include "core/msg.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/metadata.hpp"
#include "core/msg_pool.hpp"

namespace zlink {

int msg_t::init() {
    _metadata = nullptr;
    _routing_id_int = 0;
    _inline_size = 0;
    _type = type_inline;
    _flags = 0;
    _reserved = 0;
    return 0;
}

int msg_t::init_size(size_t size) {
    init();
    if (size <= max_inline) {
        _inline_size = static_cast<uint8_t>(size);
        return 0;
    }
    // One allocation for header and body; the body starts right after.
    if (size > SIZE_MAX - sizeof(msg_content_t)) {
        errno = ENOMEM;
        return -1;
    }
    uint8_t pool_class = msg_pool_no_class;
    void *block = msg_pool_allocate(sizeof(msg_content_t), size, &pool_class);
    if (!block) {
        errno = ENOMEM;
        return -1;
    }
    auto *c = new (block) msg_content_t;
    c->data = static_cast<unsigned char *>(block) + sizeof(msg_content_t);
    c->size = size;
    c->ffn = nullptr;
    c->hint = nullptr;
    c->refs.store(1, std::memory_order_relaxed);
    c->pool_class = pool_class;
    _u.content = c;
    _type = type_heap;
    return 0;
}

int msg_t::init_buffer(const void *data, size_t size) {
    if (init_size(size) != 0)
        return -1;
    if (size)
        std::memcpy(this->data(), data, size);
    return 0;
}

int msg_t::init_data(void *data, size_t size, zmq_free_fn *ffn, void *hint) {
    // libzmq: a NULL buffer is only valid for an empty message.
    if (!data && size != 0) {
        errno = EFAULT;
        return -1;
    }
    init();
    if (!ffn) {
        // Nothing to free: behave like a constant message.
        _type = type_const;
        _u.constant.data = data;
        _u.constant.size = size;
        return 0;
    }
    auto *c = static_cast<msg_content_t *>(std::malloc(sizeof(msg_content_t)));
    if (!c) {
        errno = ENOMEM;
        return -1;
    }
    new (c) msg_content_t;
    c->data = data;
    c->size = size;
    c->ffn = ffn;
    c->hint = hint;
    c->refs.store(1, std::memory_order_relaxed);
    c->pool_class = msg_pool_no_class;
    _u.content = c;
    _type = type_user;
    return 0;
}

int msg_t::init_const(const void *data, size_t size) {
    init();
    _type = type_const;
    _u.constant.data = data;
    _u.constant.size = size;
    return 0;
}

int msg_t::init_delimiter() {
    init();
    _type = type_delimiter;
    return 0;
}

int msg_t::close() {
    if (!check()) {
        errno = EFAULT;
        return -1;
    }
    if (_type == type_heap || _type == type_user) {
        msg_content_t *c = _u.content;
        // Sole owner (the common case): nobody else can add a reference, so
        // the locked decrement is skipped.
        if (c->refs.load(std::memory_order_acquire) == 1 ||
            c->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            if (_type == type_user) {
                c->ffn(c->data, c->hint);
            }
            const uint8_t pool_class = c->pool_class;
            c->~msg_content_t();
            msg_pool_release(c, pool_class);
        }
    }
    reset_metadata();
    _type = 0; // a closed message is invalid until re-initialised
    return 0;
}

int msg_t::move(msg_t &src) {
    if (!src.check()) {
        errno = EFAULT;
        return -1;
    }
    if (&src == this)
        return 0;
    if (check() && close() != 0)
        return -1;
    std::memcpy(static_cast<void *>(this), &src, sizeof(msg_t));
    src.init();
    return 0;
}

int msg_t::copy(msg_t &src) {
    if (!src.check()) {
        errno = EFAULT;
        return -1;
    }
    if (&src == this)
        return 0;
    if (check() && close() != 0)
        return -1;
    if (src._type == type_heap || src._type == type_user) {
        src._u.content->refs.fetch_add(1, std::memory_order_relaxed);
        src._flags |= shared;
    }
    if (src._metadata)
        src._metadata->add_ref();
    std::memcpy(static_cast<void *>(this), &src, sizeof(msg_t));
    return 0;
}

int msg_t::trim_front(size_t n) {
    if (!check() || _type == type_delimiter || n > size()) {
        errno = EINVAL;
        return -1;
    }
    const size_t rest = size() - n;
    switch (_type) {
    case type_inline:
        std::memmove(_u.inline_data, _u.inline_data + n, rest);
        _inline_size = static_cast<uint8_t>(rest);
        return 0;
    case type_const:
        _u.constant.data = static_cast<const unsigned char *>(_u.constant.data) + n;
        _u.constant.size = rest;
        return 0;
    case type_heap:
        if (!is_shared()) { // the block still starts at content, as close() needs
            _u.content->data = static_cast<unsigned char *>(_u.content->data) + n;
            _u.content->size = rest;
            return 0;
        }
        break;
    default: // user memory: ffn wants the pointer it was given
        break;
    }
    msg_t out;
    if (out.init_buffer(static_cast<unsigned char *>(data()) + n, rest) != 0)
        return -1;
    out._flags = static_cast<uint8_t>(_flags & ~shared);
    out._routing_id_int = _routing_id_int;
    out._metadata = _metadata; // the reference moves with it
    _metadata = nullptr;
    close();
    std::memcpy(static_cast<void *>(this), &out, sizeof(msg_t));
    return 0;
}

bool msg_t::is_shared() const {
    if (_type == type_const)
        return true;
    if (_type == type_heap || _type == type_user)
        return (_flags & shared) != 0 || _u.content->refs.load(std::memory_order_relaxed) > 1;
    return false;
}

int msg_t::set_routing_id(uint32_t id) {
    if (id == 0) {
        errno = EINVAL;
        return -1;
    }
    _routing_id_int = id;
    return 0;
}

void msg_t::set_metadata(metadata_t *m) {
    reset_metadata();
    if (m) {
        m->add_ref();
        _metadata = m;
    }
}

void msg_t::reset_metadata() {
    if (_metadata) {
        if (_metadata->drop_ref())
            delete _metadata;
        _metadata = nullptr;
    }
}

} // namespace zlink
