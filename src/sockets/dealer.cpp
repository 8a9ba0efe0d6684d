#include "sockets/dealer.hpp"

#include <cerrno>

#include "sockets/option_flag.hpp"

namespace zlink {

dealer_t::dealer_t(ctx_t *ctx, int sid) : dealer_t(ctx, sid, ZMQ_DEALER) {}

dealer_t::dealer_t(ctx_t *ctx, int sid, int type) : socket_base_t(ctx, sid, type) {
    options.type = type;
}

void dealer_t::xattach_pipe(pipe_t *pipe, bool, bool) {
    if (_probe_router) {
        // An empty message lets a ROUTER peer learn about us at once.
        msg_t probe;
        probe.init();
        if (pipe->write(&probe))
            pipe->flush();
        else
            probe.close();
    }
    _fq.attach(pipe);
    _lb.attach(pipe);
}

int dealer_t::xsend(msg_t *msg) { return _lb.send(msg); }

int dealer_t::xrecv(msg_t *msg) { return _fq.recv(msg); }

bool dealer_t::xhas_in() { return _fq.has_in(); }

bool dealer_t::xhas_out() { return _lb.has_out(); }

void dealer_t::xread_activated(pipe_t *pipe) { _fq.activated(pipe); }

void dealer_t::xwrite_activated(pipe_t *pipe) { _lb.activated(pipe); }

void dealer_t::xpipe_terminated(pipe_t *pipe) {
    _fq.pipe_terminated(pipe);
    _lb.pipe_terminated(pipe);
}

int dealer_t::xsetsockopt(int option, const void *value, size_t size) {
    if (option == ZMQ_PROBE_ROUTER && parse_flag_option(value, size, &_probe_router))
        return 0;
    errno = EINVAL;
    return -1;
}

} // namespace zlink
