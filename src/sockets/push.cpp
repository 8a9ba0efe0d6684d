#include "sockets/push.hpp"

#include <cerrno>

namespace zlink {

push_t::push_t(ctx_t *ctx, int sid) : socket_base_t(ctx, sid, ZMQ_PUSH) { options.type = ZMQ_PUSH; }

void push_t::xattach_pipe(pipe_t *pipe, bool, bool) {
    // Nobody reads the inbound side, so a closing peer must not wait for
    // us to read its delimiter.
    pipe->set_nodelay();
    _lb.attach(pipe);
}

int push_t::xsend(msg_t *msg) { return _lb.send(msg); }

int push_t::xrecv(msg_t *) {
    errno = ENOTSUP;
    return -1;
}

bool push_t::xhas_out() { return _lb.has_out(); }

void push_t::xwrite_activated(pipe_t *pipe) { _lb.activated(pipe); }

void push_t::xpipe_terminated(pipe_t *pipe) { _lb.pipe_terminated(pipe); }

} // namespace zlink
