#include "sockets/pub.hpp"

#include <cerrno>

namespace zlink {

pub_t::pub_t(ctx_t *ctx, int sid) : xpub_t(ctx, sid, ZMQ_PUB) {}

void pub_t::xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) {
    // Only subscriptions come back from peers, and they are worthless once
    // the peer closes: do not make its termination wait for us.
    pipe->set_nodelay();
    xpub_t::xattach_pipe(pipe, subscribe_to_all, locally_initiated);
}

int pub_t::xrecv(msg_t *) {
    errno = ENOTSUP;
    return -1;
}

bool pub_t::xhas_in() { return false; }

} // namespace zlink
