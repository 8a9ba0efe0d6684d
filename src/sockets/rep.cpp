#include "sockets/rep.hpp"

#include <cerrno>

namespace zlink {

rep_t::rep_t(ctx_t *ctx, int sid) : router_t(ctx, sid, ZMQ_REP) {}

int rep_t::xsend(msg_t *msg) {
    if (!_sending_reply) {
        errno = EFSM;
        return -1;
    }
    const bool more = msg->has_more();
    if (router_t::xsend(msg) != 0)
        return -1;
    if (!more)
        _sending_reply = false;
    return 0;
}

int rep_t::xrecv(msg_t *msg) {
    if (_sending_reply) {
        errno = EFSM;
        return -1;
    }
    if (_request_begins) {
        // Copy the envelope straight into the reply pipe, up to and
        // including the empty delimiter.
        for (;;) {
            if (router_t::xrecv(msg) != 0)
                return -1;
            if (msg->has_more()) {
                const bool bottom = msg->size() == 0;
                router_t::xsend(msg);
                if (bottom)
                    break;
            } else {
                // No delimiter: not a request. Forget the envelope.
                router_t::rollback();
            }
        }
        _request_begins = false;
    }
    if (router_t::xrecv(msg) != 0)
        return -1;
    if (!msg->has_more()) {
        _sending_reply = true;
        _request_begins = true;
    }
    return 0;
}

bool rep_t::xhas_in() { return !_sending_reply && router_t::xhas_in(); }

bool rep_t::xhas_out() { return _sending_reply && router_t::xhas_out(); }

} // namespace zlink
