#include "sockets/xsub.hpp"

#include <cerrno>

#include "sockets/option_flag.hpp"

namespace zlink {

xsub_t::xsub_t(ctx_t *ctx, int sid) : xsub_t(ctx, sid, ZMQ_XSUB) {}

xsub_t::xsub_t(ctx_t *ctx, int sid, int type) : socket_base_t(ctx, sid, type) {
    options.type = type;
    // Closing must not wait for subscriptions to reach the wire (libzmq).
    options.linger = 0;
    _message.init();
}

xsub_t::~xsub_t() { _message.close(); }

void xsub_t::xattach_pipe(pipe_t *pipe, bool, bool) {
    _fq.attach(pipe);
    _dist.attach(pipe);
    send_subscriptions(pipe);
}

void xsub_t::send_subscriptions(pipe_t *pipe) {
    // Tell the publisher everything we are subscribed to.
    _subscriptions.apply([pipe](const unsigned char *topic, size_t size) {
        msg_t sub;
        if (sub.init_size(size + 1) != 0)
            return;
        auto *d = static_cast<unsigned char *>(sub.data());
        d[0] = 1;
        for (size_t i = 0; i < size; ++i)
            d[i + 1] = topic[i];
        // A full pipe loses the subscription, as in libzmq.
        if (!pipe->write(&sub))
            sub.close();
    });
    pipe->flush();
}

// A reconnect behind an existing pipe: the new publisher knows nothing.
void xsub_t::xhiccuped(pipe_t *pipe) { send_subscriptions(pipe); }

void xsub_t::xread_activated(pipe_t *pipe) { _fq.activated(pipe); }

void xsub_t::xwrite_activated(pipe_t *pipe) { _dist.activated(pipe); }

void xsub_t::xpipe_terminated(pipe_t *pipe) {
    _fq.pipe_terminated(pipe);
    _dist.pipe_terminated(pipe);
}

int xsub_t::xsend(msg_t *msg) {
    const auto *data = static_cast<const unsigned char *>(msg->data());
    const size_t size = msg->size();
    const bool first_part = !_more_send;
    _more_send = msg->has_more();

    if (first_part)
        _process_subscribe = !_only_first_subscribe;
    else if (!_process_subscribe)
        return _dist.send_to_all(msg); // later part of a user message

    if (size > 0 && data[0] == 1) {
        // Every subscription goes upstream, duplicates too: XPUB filters
        // them, and forwarding devices rely on seeing each one.
        _subscriptions.add(data + 1, size - 1);
        _process_subscribe = true;
        return _dist.send_to_all(msg);
    }
    if (size > 0 && data[0] == 0) {
        _process_subscribe = true;
        // Only the last unsubscription of a topic goes upstream.
        if (_subscriptions.rm(data + 1, size - 1))
            return _dist.send_to_all(msg);
        msg->close();
        msg->init();
        return 0;
    }
    // A user message for the publishers.
    return _dist.send_to_all(msg);
}

bool xsub_t::xhas_out() { return true; }

bool xsub_t::match(const msg_t &msg) const {
    const bool found =
        _subscriptions.check(static_cast<const unsigned char *>(msg.data()), msg.size());
    return found != options.invert_matching;
}

void xsub_t::skip_rest(msg_t *msg) {
    while (msg->has_more())
        if (_fq.recv(msg) != 0)
            break;
}

int xsub_t::xrecv(msg_t *msg) {
    if (_has_message) {
        msg->move(_message);
        _has_message = false;
        _more_recv = msg->has_more();
        return 0;
    }
    for (;;) {
        if (_fq.recv(msg) != 0)
            return -1;
        // Later parts follow their first part; only SUB filters.
        if (_more_recv || !options.filter || match(*msg)) {
            _more_recv = msg->has_more();
            return 0;
        }
        skip_rest(msg);
    }
}

bool xsub_t::xhas_in() {
    if (_more_recv || _has_message)
        return true;
    for (;;) {
        if (_fq.recv(&_message) != 0)
            return false;
        if (!options.filter || match(_message)) {
            _has_message = true;
            return true;
        }
        skip_rest(&_message);
    }
}

int xsub_t::xsetsockopt(int option, const void *value, size_t size) {
    if (option == ZMQ_ONLY_FIRST_SUBSCRIBE &&
        parse_flag_option(value, size, &_only_first_subscribe))
        return 0;
    errno = EINVAL;
    return -1;
}

} // namespace zlink
