// The exported C entry points for contexts, sockets and messages: check the
// arguments the way libzmq does (ENOTSOCK, EFAULT, EINVAL) and call the core.
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sys/uio.h>

#include <zmq.h>

#include "api/api_guard.hpp"
#include "core/ctx.hpp"
#include "core/metadata.hpp"
#include "core/msg.hpp"
#include "core/socket_base.hpp"
#include "transports/transport.hpp"

using zlink::api_guard;
using zlink::as_msg;
using zlink::ctx_t;
using zlink::msg_t;
using zlink::socket_base_t;

namespace {

ctx_t *as_ctx(void *c) {
    auto *ctx = static_cast<ctx_t *>(c);
    if (!ctx || !ctx->check_tag()) {
        errno = EFAULT;
        return nullptr;
    }
    return ctx;
}

socket_base_t *as_socket(void *s) {
    if (!socket_base_t::is_socket(s)) {
        errno = ENOTSOCK;
        return nullptr;
    }
    return static_cast<socket_base_t *>(s);
}

int send_msg(socket_base_t *s, msg_t *m, int flags) {
    const size_t size = m->size();
    if (api_guard(-1, [&] { return s->send(m, flags); }) != 0)
        return -1;
    return size > INT_MAX ? INT_MAX : static_cast<int>(size);
}

int recv_msg(socket_base_t *s, msg_t *m, int flags) {
    if (api_guard(-1, [&] { return s->recv(m, flags); }) != 0)
        return -1;
    const size_t size = m->size();
    return size > INT_MAX ? INT_MAX : static_cast<int>(size);
}

} // namespace

extern "C" {

// ---- Context ---------------------------------------------------------------

ZMQ_EXPORT void *zmq_ctx_new(void) {
    return api_guard<void *>(nullptr, [] { return new ctx_t; });
}

ZMQ_EXPORT int zmq_ctx_term(void *context) {
    ctx_t *ctx = as_ctx(context);
    return ctx ? api_guard(-1, [&] { return ctx->terminate(); }) : -1;
}

ZMQ_EXPORT int zmq_ctx_shutdown(void *context) {
    ctx_t *ctx = as_ctx(context);
    return ctx ? api_guard(-1, [&] { return ctx->shutdown(); }) : -1;
}

ZMQ_EXPORT int zmq_ctx_set(void *context, int option, int optval) {
    ctx_t *ctx = as_ctx(context);
    return ctx ? api_guard(-1, [&] { return ctx->set(option, &optval, sizeof optval); }) : -1;
}

ZMQ_EXPORT int zmq_ctx_get(void *context, int option) {
    ctx_t *ctx = as_ctx(context);
    if (!ctx)
        return -1;
    int v = 0;
    size_t size = sizeof v;
    return ctx->get(option, &v, &size) == 0 ? v : -1;
}

ZMQ_EXPORT void *zmq_init(int io_threads) {
    if (io_threads < 0) {
        errno = EINVAL;
        return nullptr;
    }
    void *ctx = zmq_ctx_new();
    if (ctx)
        zmq_ctx_set(ctx, ZMQ_IO_THREADS, io_threads);
    return ctx;
}

ZMQ_EXPORT int zmq_term(void *context) { return zmq_ctx_term(context); }
ZMQ_EXPORT int zmq_ctx_destroy(void *context) { return zmq_ctx_term(context); }

// ---- Sockets -----------------------------------------------------------------

ZMQ_EXPORT void *zmq_socket(void *context, int type) {
    ctx_t *ctx = as_ctx(context);
    if (!ctx)
        return nullptr;
    return api_guard<void *>(nullptr, [&] { return ctx->create_socket(type); });
}

ZMQ_EXPORT int zmq_close(void *s) {
    socket_base_t *sock = as_socket(s);
    return sock ? api_guard(-1, [&] { return sock->close(); }) : -1;
}

ZMQ_EXPORT int zmq_setsockopt(void *s, int option, const void *optval, size_t optvallen) {
    socket_base_t *sock = as_socket(s);
    return sock ? api_guard(-1, [&] { return sock->setsockopt(option, optval, optvallen); }) : -1;
}

ZMQ_EXPORT int zmq_getsockopt(void *s, int option, void *optval, size_t *optvallen) {
    socket_base_t *sock = as_socket(s);
    return sock ? api_guard(-1, [&] { return sock->getsockopt(option, optval, optvallen); }) : -1;
}

ZMQ_EXPORT int zmq_bind(void *s, const char *addr) {
    socket_base_t *sock = as_socket(s);
    return sock ? api_guard(-1, [&] { return sock->bind(addr); }) : -1;
}

ZMQ_EXPORT int zmq_connect(void *s, const char *addr) {
    socket_base_t *sock = as_socket(s);
    return sock ? api_guard(-1, [&] { return sock->connect(addr); }) : -1;
}

ZMQ_EXPORT int zmq_unbind(void *s, const char *addr) {
    socket_base_t *sock = as_socket(s);
    return sock ? api_guard(-1, [&] { return sock->unbind(addr); }) : -1;
}

ZMQ_EXPORT int zmq_disconnect(void *s, const char *addr) {
    socket_base_t *sock = as_socket(s);
    return sock ? api_guard(-1, [&] { return sock->disconnect(addr); }) : -1;
}

ZMQ_EXPORT int zmq_socket_monitor(void *s, const char *addr, int events) {
    socket_base_t *sock = as_socket(s);
    if (!sock)
        return -1;
    return api_guard(
        -1, [&] { return sock->monitor(addr, static_cast<uint16_t>(events), 1, ZMQ_PAIR); });
}

// ---- Send / receive ------------------------------------------------------------

ZMQ_EXPORT int zmq_send(void *s, const void *buf, size_t len, int flags) {
    socket_base_t *sock = as_socket(s);
    if (!sock)
        return -1;
    if (!buf && len) {
        errno = EFAULT;
        return -1;
    }
    msg_t m;
    if (m.init_buffer(buf, len) != 0)
        return -1;
    const int rc = send_msg(sock, &m, flags);
    if (rc < 0) {
        const int err = errno;
        m.close();
        errno = err;
    }
    return rc;
}

ZMQ_EXPORT int zmq_send_const(void *s, const void *buf, size_t len, int flags) {
    socket_base_t *sock = as_socket(s);
    if (!sock)
        return -1;
    if (!buf && len) {
        errno = EFAULT;
        return -1;
    }
    msg_t m;
    m.init_const(buf, len);
    const int rc = send_msg(sock, &m, flags);
    if (rc < 0) {
        const int err = errno;
        m.close();
        errno = err;
    }
    return rc;
}

ZMQ_EXPORT int zmq_recv(void *s, void *buf, size_t len, int flags) {
    socket_base_t *sock = as_socket(s);
    if (!sock)
        return -1;
    if (!buf && len) {
        errno = EFAULT;
        return -1;
    }
    msg_t m;
    m.init();
    const int rc = recv_msg(sock, &m, flags);
    if (rc < 0) {
        const int err = errno;
        m.close();
        errno = err;
        return -1;
    }
    // Truncate silently; the return value tells the real size.
    const size_t n = m.size() < len ? m.size() : len;
    if (n)
        std::memcpy(buf, m.data(), n);
    m.close();
    return rc;
}

ZMQ_EXPORT int zmq_sendmsg(void *s, zmq_msg_t *msg, int flags) {
    return zmq_msg_send(msg, s, flags);
}
ZMQ_EXPORT int zmq_recvmsg(void *s, zmq_msg_t *msg, int flags) {
    return zmq_msg_recv(msg, s, flags);
}

ZMQ_EXPORT int zmq_sendiov(void *s, struct iovec *iov, size_t count, int flags) {
    socket_base_t *sock = as_socket(s);
    if (!sock)
        return -1;
    if (count == 0 || !iov) {
        errno = EINVAL;
        return -1;
    }
    // libzmq: every part goes with the caller's flags (0 means separate
    // messages), the last without ZMQ_SNDMORE; the result is the last part's size.
    int rc = -1;
    for (size_t i = 0; i < count; ++i) {
        msg_t m;
        if (m.init_buffer(iov[i].iov_base, iov[i].iov_len) != 0)
            return -1;
        const int part_flags = i + 1 < count ? flags : flags & ~ZMQ_SNDMORE;
        rc = send_msg(sock, &m, part_flags);
        if (rc < 0) {
            const int err = errno;
            m.close();
            errno = err;
            return -1;
        }
    }
    return rc;
}

ZMQ_EXPORT int zmq_recviov(void *s, struct iovec *iov, size_t *count, int flags) {
    socket_base_t *sock = as_socket(s);
    if (!sock)
        return -1;
    if (!count || *count == 0 || !iov) {
        errno = EINVAL;
        return -1;
    }
    // Each part goes into a malloc'ed buffer the caller frees (libzmq's rule);
    // *count says how many were filled, also when a later part fails.
    const size_t capacity = *count;
    *count = 0;
    bool more = true;
    while (more && *count < capacity) {
        msg_t m;
        m.init();
        if (api_guard(-1, [&] { return sock->recv(&m, flags); }) != 0) {
            const int err = errno;
            m.close();
            errno = err;
            return -1;
        }
        const size_t size = m.size();
        void *buf = std::malloc(size ? size : 1);
        if (!buf) {
            m.close();
            errno = ENOMEM;
            return -1;
        }
        if (size)
            std::memcpy(buf, m.data(), size);
        iov[*count].iov_base = buf;
        iov[*count].iov_len = size;
        more = m.has_more();
        m.close();
        ++*count;
    }
    return static_cast<int>(*count);
}

// ---- Messages ----------------------------------------------------------------

ZMQ_EXPORT int zmq_msg_init(zmq_msg_t *msg) { return as_msg(msg)->init(); }

ZMQ_EXPORT int zmq_msg_init_size(zmq_msg_t *msg, size_t size) {
    return as_msg(msg)->init_size(size);
}

ZMQ_EXPORT int zmq_msg_init_data(zmq_msg_t *msg, void *data, size_t size, zmq_free_fn *ffn,
                                 void *hint) {
    return as_msg(msg)->init_data(data, size, ffn, hint);
}

ZMQ_EXPORT int zmq_msg_send(zmq_msg_t *msg, void *s, int flags) {
    socket_base_t *sock = as_socket(s);
    if (!sock)
        return -1;
    if (!msg) {
        errno = EFAULT;
        return -1;
    }
    return send_msg(sock, as_msg(msg), flags);
}

ZMQ_EXPORT int zmq_msg_recv(zmq_msg_t *msg, void *s, int flags) {
    socket_base_t *sock = as_socket(s);
    if (!sock)
        return -1;
    if (!msg) {
        errno = EFAULT;
        return -1;
    }
    return recv_msg(sock, as_msg(msg), flags);
}

ZMQ_EXPORT int zmq_msg_close(zmq_msg_t *msg) {
    if (!msg) {
        errno = EFAULT;
        return -1;
    }
    return as_msg(msg)->close();
}

ZMQ_EXPORT int zmq_msg_move(zmq_msg_t *dest, zmq_msg_t *src) {
    if (!dest || !src) {
        errno = EFAULT;
        return -1;
    }
    return as_msg(dest)->move(*as_msg(src));
}

ZMQ_EXPORT int zmq_msg_copy(zmq_msg_t *dest, zmq_msg_t *src) {
    if (!dest || !src) {
        errno = EFAULT;
        return -1;
    }
    return as_msg(dest)->copy(*as_msg(src));
}

ZMQ_EXPORT void *zmq_msg_data(zmq_msg_t *msg) { return msg ? as_msg(msg)->data() : nullptr; }

ZMQ_EXPORT size_t zmq_msg_size(const zmq_msg_t *msg) {
    return msg ? reinterpret_cast<const msg_t *>(msg)->size() : 0;
}

ZMQ_EXPORT int zmq_msg_more(const zmq_msg_t *msg) {
    return msg && reinterpret_cast<const msg_t *>(msg)->has_more() ? 1 : 0;
}

ZMQ_EXPORT int zmq_msg_get(const zmq_msg_t *msg, int property) {
    const msg_t *m = reinterpret_cast<const msg_t *>(msg);
    if (!m || !m->check()) {
        errno = EFAULT;
        return -1;
    }
    switch (property) {
    case ZMQ_MORE:
        return m->has_more() ? 1 : 0;
    case ZMQ_SRCFD: {
        // Deprecated; as libzmq, the connection's fd is the "__fd" property.
        const char *fd = m->metadata() ? m->metadata()->get("__fd") : nullptr;
        if (!fd) {
            errno = EINVAL;
            return -1;
        }
        return std::atoi(fd);
    }
    case ZMQ_SHARED:
        return m->is_shared() ? 1 : 0;
    default:
        errno = EINVAL;
        return -1;
    }
}

ZMQ_EXPORT int zmq_msg_set(zmq_msg_t *, int, int) {
    // libzmq defines no settable property.
    errno = EINVAL;
    return -1;
}

ZMQ_EXPORT const char *zmq_msg_gets(const zmq_msg_t *msg, const char *property) {
    const msg_t *m = reinterpret_cast<const msg_t *>(msg);
    if (!m || !property) {
        errno = EINVAL;
        return nullptr;
    }
    if (const zlink::metadata_t *md = m->metadata()) {
        if (const char *v = md->get(property))
            return v;
    }
    errno = EINVAL;
    return nullptr;
}

ZMQ_EXPORT int zmq_msg_set_routing_id(zmq_msg_t *msg, uint32_t routing_id) {
    return as_msg(msg)->set_routing_id(routing_id);
}

ZMQ_EXPORT uint32_t zmq_msg_routing_id(zmq_msg_t *msg) { return as_msg(msg)->get_routing_id(); }

// ---- Capabilities ------------------------------------------------------------

ZMQ_EXPORT int zmq_has(const char *capability) {
    if (!capability)
        return 0;
        // What this build carries: the transports say which names are theirs,
        // "curve" is there when built with libsodium. GSSAPI, PGM, NORM, TIPC
        // and VMCI are not built; "draft" means the draft socket types exist,
        // which they do not here.
#ifdef ZLINK_HAVE_CURVE
    if (std::strcmp(capability, "curve") == 0)
        return 1;
#endif
    return zlink::has_transport_capability(capability) ? 1 : 0;
}

} // extern "C"
