#include "sockets/req.hpp"

#include <cerrno>
#include <cstring>
#include <random>

#include "sockets/option_flag.hpp"

namespace zlink {

req_t::req_t(ctx_t *ctx, int sid) : dealer_t(ctx, sid, ZMQ_REQ) {
    // Random start so ids of a restarted client do not match stale replies.
    _request_id = static_cast<uint32_t>(std::random_device{}());
}

int req_t::send_envelope() {
    _reply_pipe = nullptr;
    if (_correlate) {
        _request_id++;
        msg_t id;
        id.init_size(sizeof _request_id);
        // Host byte order: only this socket ever reads it back.
        std::memcpy(id.data(), &_request_id, sizeof _request_id);
        id.set_flags(msg_t::more);
        if (send_pipe(&id, &_reply_pipe) != 0) {
            id.close();
            return -1;
        }
    }
    msg_t bottom;
    bottom.init();
    bottom.set_flags(msg_t::more);
    if (send_pipe(&bottom, &_reply_pipe) != 0) {
        bottom.close();
        return -1;
    }
    return 0;
}

int req_t::xsend(msg_t *msg) {
    if (_receiving_reply) {
        if (_strict) {
            errno = EFSM;
            return -1;
        }
        // Relaxed: abandon the outstanding request.
        _receiving_reply = false;
        _message_begins = true;
    }
    if (_message_begins) {
        if (send_envelope() != 0)
            return -1;
        _message_begins = false;
        // Replies still queued answer older requests (or came from other
        // peers); they must not be taken as the reply to this one.
        msg_t drop;
        drop.init();
        while (dealer_t::xrecv(&drop) == 0) {
        }
        drop.close();
    }
    const bool more = msg->has_more();
    if (dealer_t::xsend(msg) != 0)
        return -1;
    if (!more) {
        _receiving_reply = true;
        _message_begins = true;
    }
    return 0;
}

int req_t::recv_reply_part(msg_t *msg) {
    for (;;) {
        pipe_t *pipe = nullptr;
        if (recv_pipe(msg, &pipe) != 0)
            return -1;
        if (!_reply_pipe || pipe == _reply_pipe)
            return 0;
    }
}

void req_t::skip_rest(msg_t *msg) {
    while (msg->has_more())
        if (recv_reply_part(msg) != 0)
            break;
}

int req_t::xrecv(msg_t *msg) {
    if (!_receiving_reply) {
        errno = EFSM;
        return -1;
    }
    // Skip messages until one starts with the expected envelope.
    while (_message_begins) {
        if (_correlate) {
            if (recv_reply_part(msg) != 0)
                return -1;
            uint32_t id = 0;
            const bool ok = msg->has_more() && msg->size() == sizeof id &&
                            (std::memcpy(&id, msg->data(), sizeof id), id == _request_id);
            if (!ok) {
                skip_rest(msg);
                continue;
            }
        }
        if (recv_reply_part(msg) != 0)
            return -1;
        if (!msg->has_more() || msg->size() != 0) {
            skip_rest(msg);
            continue;
        }
        _message_begins = false;
    }
    if (recv_reply_part(msg) != 0)
        return -1;
    if (!msg->has_more()) {
        _receiving_reply = false;
        _message_begins = true;
    }
    return 0;
}

bool req_t::xhas_in() { return _receiving_reply && dealer_t::xhas_in(); }

bool req_t::xhas_out() {
    if (_receiving_reply && _strict)
        return false;
    return dealer_t::xhas_out();
}

void req_t::xpipe_terminated(pipe_t *pipe) {
    if (pipe == _reply_pipe)
        _reply_pipe = nullptr;
    dealer_t::xpipe_terminated(pipe);
}

int req_t::xsetsockopt(int option, const void *value, size_t size) {
    bool on = false;
    if (option == ZMQ_REQ_CORRELATE && parse_flag_option(value, size, &on)) {
        _correlate = on;
        return 0;
    }
    if (option == ZMQ_REQ_RELAXED && parse_flag_option(value, size, &on)) {
        _strict = !on;
        return 0;
    }
    return dealer_t::xsetsockopt(option, value, size);
}

} // namespace zlink
