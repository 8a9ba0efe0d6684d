// socket_base_t::create — the one place that knows every socket type.
#include <cerrno>
#include <new>

#include "core/mailbox.hpp"
#include "core/socket_base.hpp"
#include "sockets/dealer.hpp"
#include "sockets/pair.hpp"
#include "sockets/pub.hpp"
#include "sockets/pull.hpp"
#include "sockets/push.hpp"
#include "sockets/rep.hpp"
#include "sockets/req.hpp"
#include "sockets/router.hpp"
#include "sockets/stream.hpp"
#include "sockets/sub.hpp"
#include "sockets/xpub.hpp"
#include "sockets/xsub.hpp"

namespace zlink {

socket_base_t *socket_base_t::create(int type, ctx_t *ctx, int sid) {
    socket_base_t *s = nullptr;
    switch (type) {
    case ZMQ_PAIR:
        s = new (std::nothrow) pair_t(ctx, sid);
        break;
    case ZMQ_PUB:
        s = new (std::nothrow) pub_t(ctx, sid);
        break;
    case ZMQ_SUB:
        s = new (std::nothrow) sub_t(ctx, sid);
        break;
    case ZMQ_REQ:
        s = new (std::nothrow) req_t(ctx, sid);
        break;
    case ZMQ_REP:
        s = new (std::nothrow) rep_t(ctx, sid);
        break;
    case ZMQ_DEALER:
        s = new (std::nothrow) dealer_t(ctx, sid);
        break;
    case ZMQ_ROUTER:
        s = new (std::nothrow) router_t(ctx, sid);
        break;
    case ZMQ_PULL:
        s = new (std::nothrow) pull_t(ctx, sid);
        break;
    case ZMQ_PUSH:
        s = new (std::nothrow) push_t(ctx, sid);
        break;
    case ZMQ_XPUB:
        s = new (std::nothrow) xpub_t(ctx, sid);
        break;
    case ZMQ_XSUB:
        s = new (std::nothrow) xsub_t(ctx, sid);
        break;
    case ZMQ_STREAM:
        s = new (std::nothrow) stream_t(ctx, sid);
        break;
    default:
        // Draft socket types (SERVER, CLIENT, RADIO, ...) are not built.
        errno = EINVAL;
        return nullptr;
    }
    if (!s) {
        errno = ENOMEM;
        return nullptr;
    }
    // The socket's ZMQ_FD: out of descriptors, zmq_socket fails with
    // EMFILE/ENFILE as libzmq's does.
    if (s->_mailbox->open_fd() != 0) {
        const int err = errno;
        delete s;
        errno = err;
        return nullptr;
    }
    return s;
}

} // namespace zlink
