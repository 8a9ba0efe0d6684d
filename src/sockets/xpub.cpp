#include "sockets/xpub.hpp"

#include <cerrno>
#include <cstring>

#include "core/metadata.hpp"
#include "sockets/option_flag.hpp"

namespace zlink {

xpub_t::xpub_t(ctx_t *ctx, int sid) : xpub_t(ctx, sid, ZMQ_XPUB) {}

xpub_t::xpub_t(ctx_t *ctx, int sid, int type) : socket_base_t(ctx, sid, type) {
    options.type = type;
}

xpub_t::~xpub_t() {
    for (pending_t &p : _pending)
        if (p.metadata && p.metadata->drop_ref())
            delete p.metadata;
}

void xpub_t::queue_pending(const void *data, size_t size, metadata_t *meta, uint8_t flags,
                           bool subscription, pipe_t *pipe) {
    if (meta)
        meta->add_ref();
    _pending.push_back(pending_t{std::string(static_cast<const char *>(data), size), meta, flags,
                                 subscription, pipe});
}

void xpub_t::xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool) {
    _dist.attach(pipe);
    // Peers that cannot subscribe (subscribe_to_all) get everything.
    if (subscribe_to_all)
        _subscriptions.add(nullptr, 0, pipe);
    if (!_welcome_msg.empty()) {
        msg_t welcome;
        welcome.init_buffer(_welcome_msg.data(), _welcome_msg.size());
        if (pipe->write(&welcome))
            pipe->flush();
        else
            welcome.close();
    }
    // Subscriptions may already be waiting in the new pipe.
    xread_activated(pipe);
}

void xpub_t::xread_activated(pipe_t *pipe) {
    msg_t msg;
    msg.init();
    while (pipe->read(&msg)) {
        const auto *data = static_cast<const unsigned char *>(msg.data());
        const size_t size = msg.size();
        const bool first_part = !_more_recv;
        _more_recv = msg.has_more();

        bool is_sub_or_cancel = false;
        bool subscribe = false;
        if ((first_part || _process_subscribe) && size > 0 && (data[0] == 0 || data[0] == 1)) {
            is_sub_or_cancel = true;
            subscribe = data[0] == 1;
        }
        if (first_part)
            _process_subscribe = !_only_first_subscribe || is_sub_or_cancel;

        if (is_sub_or_cancel) {
            const unsigned char *topic = data + 1;
            const size_t topic_size = size - 1;
            bool notify = false;
            if (_manual) {
                // Remember what the peer asked for, to unsubscribe it when
                // it goes; the application decides what it really gets.
                if (subscribe)
                    _manual_subscriptions.add(topic, topic_size, pipe);
                else
                    _manual_subscriptions.rm(topic, topic_size, pipe);
            } else if (subscribe) {
                notify = _subscriptions.add(topic, topic_size, pipe) || _verbose_subs;
            } else {
                const auto r = _subscriptions.rm(topic, topic_size, pipe);
                notify = r != subscription_table_t::values_remain || _verbose_unsubs;
            }
            if (_manual || (options.type == ZMQ_XPUB && notify))
                queue_pending(data, size, msg.metadata(), 0, true, pipe);
        } else if (options.type != ZMQ_PUB) {
            // A user message sent upstream by an XSUB peer.
            queue_pending(data, size, msg.metadata(), msg.flags() & msg_t::more, false, pipe);
        }
        msg.close();
        msg.init();
    }
    msg.close();
}

void xpub_t::xwrite_activated(pipe_t *pipe) { _dist.activated(pipe); }

void xpub_t::queue_unsubscription(const unsigned char *topic, size_t size) {
    if (options.type == ZMQ_PUB)
        return;
    std::string unsub(1, '\0');
    unsub.append(reinterpret_cast<const char *>(topic), size);
    _pending.push_back(pending_t{std::move(unsub), nullptr, 0, true, nullptr});
    if (_manual)
        _last_pipe = nullptr;
}

void xpub_t::xpipe_terminated(pipe_t *pipe) {
    auto unsub = [this](const unsigned char *topic, size_t size) {
        queue_unsubscription(topic, size);
    };
    if (_manual) {
        // Report every topic the peer asked for; the real table just
        // forgets the pipe.
        _manual_subscriptions.rm(pipe, unsub, false);
        _subscriptions.rm(
            pipe, [](const unsigned char *, size_t) {}, false);
        if (pipe == _last_pipe)
            _last_pipe = nullptr;
    } else {
        // Topics nobody else wants any more are unsubscribed upstream.
        _subscriptions.rm(pipe, unsub, !_verbose_unsubs);
    }
    for (pending_t &p : _pending)
        if (p.pipe == pipe)
            p.pipe = nullptr; // never hand a dead pipe to ZMQ_SUBSCRIBE
    _dist.pipe_terminated(pipe);
}

int xpub_t::xsend(msg_t *msg) {
    const bool more = msg->has_more();
    if (!_more_send) {
        // First part: choose the pipes for the whole message.
        _dist.unmatch();
        const auto *data = static_cast<const unsigned char *>(msg->data());
        if (_manual && _last_pipe && _send_last_pipe) {
            pipe_t *last = _last_pipe;
            _subscriptions.match(data, msg->size(), [this, last](pipe_t *p) {
                if (p == last)
                    _dist.match(p);
            });
            _last_pipe = nullptr;
        } else {
            _subscriptions.match(data, msg->size(), [this](pipe_t *p) { _dist.match(p); });
        }
        if (options.invert_matching)
            _dist.reverse_match();
    }
    if (!_lossy && !_dist.check_hwm()) {
        errno = EAGAIN; // ZMQ_XPUB_NODROP: block instead of dropping
        return -1;
    }
    _dist.send_to_matching(msg);
    if (!more)
        _dist.unmatch();
    _more_send = more;
    return 0;
}

bool xpub_t::xhas_out() { return _dist.has_out(); }

int xpub_t::xrecv(msg_t *msg) {
    if (_pending.empty()) {
        errno = EAGAIN;
        return -1;
    }
    pending_t p = std::move(_pending.front());
    _pending.pop_front();
    // Manual mode: ZMQ_SUBSCRIBE now applies to the sender of this one.
    if (_manual && p.subscription)
        _last_pipe = (p.pipe && _dist.has_pipe(p.pipe)) ? p.pipe : nullptr;
    msg->close();
    msg->init_buffer(p.data.data(), p.data.size());
    if (p.flags)
        msg->set_flags(p.flags);
    if (p.metadata) {
        msg->set_metadata(p.metadata);
        if (p.metadata->drop_ref())
            delete p.metadata;
    }
    return 0;
}

bool xpub_t::xhas_in() { return !_pending.empty(); }

int xpub_t::xsetsockopt(int option, const void *value, size_t size) {
    bool on = false;
    switch (option) {
    case ZMQ_XPUB_VERBOSE:
    case ZMQ_XPUB_VERBOSER:
    case ZMQ_XPUB_MANUAL_LAST_VALUE:
    case ZMQ_XPUB_NODROP:
    case ZMQ_XPUB_MANUAL:
    case ZMQ_ONLY_FIRST_SUBSCRIBE:
        if (!parse_flag_option(value, size, &on)) {
            errno = EINVAL;
            return -1;
        }
        if (option == ZMQ_XPUB_VERBOSE) {
            _verbose_subs = on;
            _verbose_unsubs = false;
        } else if (option == ZMQ_XPUB_VERBOSER) {
            _verbose_subs = _verbose_unsubs = on;
        } else if (option == ZMQ_XPUB_MANUAL_LAST_VALUE) {
            _manual = _send_last_pipe = on;
        } else if (option == ZMQ_XPUB_NODROP) {
            _lossy = !on;
        } else if (option == ZMQ_XPUB_MANUAL) {
            _manual = on;
        } else {
            _only_first_subscribe = on;
        }
        return 0;
    case ZMQ_SUBSCRIBE:
    case ZMQ_UNSUBSCRIBE:
        if (!_manual || (size && !value))
            break;
        // Applies to the pipe whose subscription was received last.
        if (_last_pipe) {
            const auto *topic = static_cast<const unsigned char *>(value);
            if (option == ZMQ_SUBSCRIBE)
                _subscriptions.add(topic, size, _last_pipe);
            else
                _subscriptions.rm(topic, size, _last_pipe);
        }
        return 0;
    case ZMQ_XPUB_WELCOME_MSG:
        if (size && !value)
            break;
        if (size)
            _welcome_msg.assign(static_cast<const char *>(value), size);
        else
            _welcome_msg.clear();
        return 0;
    default:
        break;
    }
    errno = EINVAL;
    return -1;
}

} // namespace zlink
