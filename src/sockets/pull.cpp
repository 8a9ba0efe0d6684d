#include "sockets/pull.hpp"

#include <cerrno>

namespace zlink {

pull_t::pull_t(ctx_t *ctx, int sid) : socket_base_t(ctx, sid, ZMQ_PULL) { options.type = ZMQ_PULL; }

void pull_t::xattach_pipe(pipe_t *pipe, bool, bool) { _fq.attach(pipe); }

int pull_t::xsend(msg_t *) {
    errno = ENOTSUP;
    return -1;
}

int pull_t::xrecv(msg_t *msg) { return _fq.recv(msg); }

bool pull_t::xhas_in() { return _fq.has_in(); }

void pull_t::xread_activated(pipe_t *pipe) { _fq.activated(pipe); }

void pull_t::xpipe_terminated(pipe_t *pipe) { _fq.pipe_terminated(pipe); }

} // namespace zlink
