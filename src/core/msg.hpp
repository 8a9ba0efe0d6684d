// zlink::msg_t — the in-memory message, laid over the public 64-byte zmq_msg_t.
//
// Small bodies (up to max_inline bytes, more than libzmq's 33) live inside the
// message itself, so sending them costs no heap allocation. Larger bodies sit
// in one refcounted heap block (header + data) or in user memory
// (zmq_msg_init_data / zmq_send_const). Copies share the block.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <zmq.h>

namespace zlink {

class metadata_t;

// Heap block behind a large message: refcount, body, and how to free it.
struct msg_content_t {
    void *data;
    size_t size;
    zmq_free_fn *ffn; // nullptr: the body follows this header in one block
    void *hint;
    std::atomic<uint32_t> refs;
    uint8_t pool_class; // how the block goes back (msg_pool.hpp)
};

class msg_t {
  public:
    // Flags carried with the message (ZMTP frame flags and internal marks).
    enum : uint8_t {
        more = 1,        // another part follows
        command = 2,     // a ZMTP command frame (engine internal)
        routing_id = 64, // the first message of a pipe: the peer's routing id
        shared = 128,    // body shared with another message (ZMQ_SHARED)
    };
    static constexpr size_t max_inline = 48;

    int init();                 // empty message
    int init_size(size_t size); // ENOMEM on failure
    int init_data(void *data, size_t size, zmq_free_fn *ffn, void *hint);
    int init_const(const void *data, size_t size);  // never freed (zmq_send_const)
    int init_buffer(const void *data, size_t size); // init_size + memcpy
    int init_delimiter();                           // marks the end of a pipe
    int close();                                    // EFAULT if not initialised
    int move(msg_t &src);                           // src becomes empty
    int copy(msg_t &src);                           // shares the body
    // Drops the first n bytes of the body (EINVAL if n > size()). An unshared
    // heap body or a constant moves its start, inline bytes move down;
    // a shared or user-memory body is copied (ENOMEM on failure).
    int trim_front(size_t n);

    bool check() const { return _type >= type_first && _type <= type_last; }
    void *data();
    const void *data() const { return const_cast<msg_t *>(this)->data(); }
    size_t size() const;
    uint8_t flags() const { return _flags; }
    void set_flags(uint8_t f) { _flags |= f; }
    void reset_flags(uint8_t f) { _flags &= static_cast<uint8_t>(~f); }
    bool has_more() const { return (_flags & more) != 0; }
    bool is_delimiter() const { return _type == type_delimiter; }
    bool is_routing_id() const { return (_flags & routing_id) != 0; }
    bool is_command() const { return (_flags & command) != 0; }
    bool is_shared() const; // body referenced by more than one message
    bool is_inline() const { return _type == type_inline; }
    // The body is ours alone to rewrite: inline, or a heap block no other
    // message shares (user memory and constants belong to the application).
    bool body_writable() const {
        return _type == type_inline || (_type == type_heap && !is_shared());
    }

    uint32_t get_routing_id() const { return _routing_id_int; }
    int set_routing_id(uint32_t id);

    // Connection properties (zmq_msg_gets); the message holds one reference.
    metadata_t *metadata() const { return _metadata; }
    void set_metadata(metadata_t *m);
    // As set_metadata, but m's reference was already counted for this message.
    void adopt_metadata(metadata_t *m) {
        reset_metadata();
        _metadata = m;
    }
    void reset_metadata();

    // Drop the body, keep nothing: the state after zmq_msg_close + init.
    void reset() {
        close();
        init();
    }

  private:
    enum : uint8_t {
        type_first = 101,
        type_inline = 101,
        type_heap = 102,  // msg_content_t, body follows the header
        type_user = 103,  // msg_content_t pointing at user memory + ffn
        type_const = 104, // user memory, never freed, never refcounted
        type_delimiter = 105,
        type_last = 105,
    };

    union {
        unsigned char inline_data[max_inline];
        msg_content_t *content;
        struct {
            const void *data;
            size_t size;
        } constant;
    } _u;
    metadata_t *_metadata;
    uint32_t _routing_id_int;
    uint8_t _inline_size;
    uint8_t _type;
    uint8_t _flags;
    uint8_t _reserved;
};

// Inline: called several times per message on every send and receive path.
inline void *msg_t::data() {
    switch (_type) {
    case type_inline:
        return _u.inline_data;
    case type_heap:
    case type_user:
        return _u.content->data;
    case type_const:
        return const_cast<void *>(_u.constant.data);
    default:
        return nullptr;
    }
}

inline size_t msg_t::size() const {
    switch (_type) {
    case type_inline:
        return _inline_size;
    case type_heap:
    case type_user:
        return _u.content->size;
    case type_const:
        return _u.constant.size;
    default:
        return 0;
    }
}

static_assert(sizeof(msg_t) == sizeof(zmq_msg_t), "msg_t must overlay zmq_msg_t");
static_assert(alignof(msg_t) <= alignof(zmq_msg_t), "msg_t alignment");

inline msg_t *as_msg(zmq_msg_t *m) { return reinterpret_cast<msg_t *>(m); }

} // namespace zlink
