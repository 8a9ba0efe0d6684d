#include "sockets/pair.hpp"

#include <cerrno>

namespace zlink {

pair_t::pair_t(ctx_t *ctx, int sid) : socket_base_t(ctx, sid, ZMQ_PAIR) { options.type = ZMQ_PAIR; }

void pair_t::xattach_pipe(pipe_t *pipe, bool, bool) {
    if (!_pipe)
        _pipe = pipe;
    else
        terminate_pipe(pipe); // a second peer is refused
}

void pair_t::xpipe_terminated(pipe_t *pipe) {
    if (pipe == _pipe)
        _pipe = nullptr;
}

// Blocking decisions are made by socket_base through xhas_in/xhas_out.
void pair_t::xread_activated(pipe_t *) {}
void pair_t::xwrite_activated(pipe_t *) {}

int pair_t::xsend(msg_t *msg) {
    const bool more = msg->has_more();
    if (!_pipe || !_pipe->write(msg)) {
        errno = EAGAIN;
        return -1;
    }
    if (!more)
        _pipe->flush();
    return 0;
}

int pair_t::xrecv(msg_t *msg) {
    msg->close();
    msg->init();
    if (!_pipe || !_pipe->read(msg)) {
        errno = EAGAIN;
        return -1;
    }
    return 0;
}

bool pair_t::xhas_in() { return _pipe && _pipe->check_read(); }

bool pair_t::xhas_out() { return _pipe && _pipe->check_write(); }

} // namespace zlink
