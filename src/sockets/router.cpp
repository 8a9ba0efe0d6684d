#include "sockets/router.hpp"

#include <cerrno>
#include <cstring>
#include <random>

#include "sockets/option_flag.hpp"

namespace zlink {

router_t::router_t(ctx_t *ctx, int sid) : router_t(ctx, sid, ZMQ_ROUTER) {}

router_t::router_t(ctx_t *ctx, int sid, int type) : socket_base_t(ctx, sid, type) {
    options.type = type;
    options.recv_routing_id = true;
    options.raw_socket = false;
    _prefetched_id.init();
    _prefetched_msg.init();
    // Random start, so generated ids differ between sockets and runs.
    _next_id = static_cast<uint32_t>(std::random_device{}());
}

router_t::~router_t() {
    _prefetched_id.close();
    _prefetched_msg.close();
}

std::string router_t::generate_id() {
    // libzmq's format: a zero byte (never a valid user-chosen first byte)
    // and a big-endian 32-bit counter.
    const uint32_t n = _next_id++;
    const char buf[5] = {0, static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                         static_cast<char>(n >> 8), static_cast<char>(n)};
    return std::string(buf, sizeof buf);
}

void router_t::xattach_pipe(pipe_t *pipe, bool, bool locally_initiated) {
    if (_probe) {
        msg_t probe;
        probe.init();
        if (pipe->write(&probe))
            pipe->flush();
        else
            probe.close();
    }
    adopt_or_wait(pipe, locally_initiated);
}

void router_t::adopt_or_wait(pipe_t *pipe, bool locally_initiated) {
    switch (identify_peer(pipe, locally_initiated)) {
    case id_result::known:
        _fq.attach(pipe);
        break;
    case id_result::not_yet:
        _anonymous.insert(pipe);
        break;
    case id_result::duplicate:
        _ignored.insert(pipe);
        discard_input(pipe);
        break;
    }
}

void router_t::discard_input(pipe_t *pipe) {
    msg_t msg;
    msg.init();
    while (pipe->read(&msg)) {
        msg.close();
        msg.init();
    }
    msg.close();
}

router_t::id_result router_t::identify_peer(pipe_t *pipe, bool locally_initiated) {
    std::string id;
    if (locally_initiated && !pipe->routing_id().empty()) {
        // ZMQ_CONNECT_ROUTING_ID named this peer; its own id message, if
        // it sends one, is skipped on receive.
        id = pipe->routing_id();
        if (_outpipes.count(id))
            return id_result::not_yet;
    } else if (options.raw_socket) {
        id = generate_id();
    } else {
        msg_t msg;
        msg.init();
        if (!pipe->read(&msg))
            return id_result::not_yet; // read_activated retries
        if (msg.size() == 0) {
            id = generate_id();
        } else {
            id.assign(static_cast<const char *>(msg.data()), msg.size());
            auto existing = _outpipes.find(id);
            if (existing != _outpipes.end()) {
                if (!_handover) {
                    // libzmq ignores a peer with a duplicate id: it stays
                    // connected, nothing it sends is delivered.
                    msg.close();
                    return id_result::duplicate;
                }
                // The new peer takes the id; the old pipe is renamed so it
                // can still be finished, then closed.
                pipe_t *old = existing->second.pipe;
                const std::string renamed = generate_id();
                _outpipes.erase(existing);
                old->set_routing_id(renamed);
                _outpipes.emplace(renamed, out_pipe_t{old, true});
                if (old == _current_in) {
                    _closing_current_in = true; // after the message being read
                } else {
                    erase_out_pipe(old);
                    _fq.pipe_terminated(old);
                    old->rollback();
                    if (old == _current_out)
                        _current_out = nullptr;
                    terminate_pipe(old);
                }
            }
        }
        msg.close();
    }
    pipe->set_routing_id(id);
    _outpipes.emplace(id, out_pipe_t{pipe, true});
    return id_result::known;
}

void router_t::erase_out_pipe(pipe_t *pipe) {
    auto it = _outpipes.find(pipe->routing_id());
    if (it != _outpipes.end() && it->second.pipe == pipe)
        _outpipes.erase(it);
}

void router_t::xpipe_terminated(pipe_t *pipe) {
    if (_anonymous.erase(pipe) || _ignored.erase(pipe))
        return;
    erase_out_pipe(pipe);
    _fq.pipe_terminated(pipe);
    pipe->rollback();
    if (pipe == _current_out)
        _current_out = nullptr;
    if (pipe == _current_in) {
        _current_in = nullptr;
        _closing_current_in = false;
    }
}

void router_t::xread_activated(pipe_t *pipe) {
    if (_ignored.count(pipe)) {
        discard_input(pipe);
        return;
    }
    auto it = _anonymous.find(pipe);
    if (it == _anonymous.end()) {
        _fq.activated(pipe);
        return;
    }
    _anonymous.erase(it);
    adopt_or_wait(pipe, false);
}

void router_t::xwrite_activated(pipe_t *pipe) {
    auto it = _outpipes.find(pipe->routing_id());
    if (it != _outpipes.end() && it->second.pipe == pipe)
        it->second.active = true;
}

int router_t::xsend(msg_t *msg) {
    if (!_more_out) {
        // First frame: the routing id of the destination.
        if (msg->has_more()) {
            _more_out = true;
            auto it =
                _outpipes.find(std::string(static_cast<const char *>(msg->data()), msg->size()));
            if (it != _outpipes.end()) {
                _current_out = it->second.pipe;
                if (!_current_out->check_write()) {
                    const bool full = !_current_out->check_hwm();
                    it->second.active = false;
                    _current_out = nullptr;
                    if (_mandatory) {
                        _more_out = false;
                        errno = full ? EAGAIN : EHOSTUNREACH;
                        return -1;
                    }
                }
            } else if (_mandatory) {
                _more_out = false;
                errno = EHOSTUNREACH;
                return -1;
            }
        }
        // An id frame alone (no MORE) is malformed and silently dropped.
        msg->close();
        msg->init();
        return 0;
    }

    if (options.raw_socket)
        msg->reset_flags(msg_t::more);
    _more_out = msg->has_more();

    if (!_current_out) {
        msg->close(); // unroutable: dropped
        msg->init();
        return 0;
    }
    if (_raw && msg->size() == 0) {
        // Raw mode: an empty message closes the connection.
        pipe_t *p = _current_out;
        _current_out = nullptr;
        erase_out_pipe(p);
        _fq.pipe_terminated(p);
        terminate_pipe(p);
        msg->close();
        msg->init();
        return 0;
    }
    if (!_current_out->write(msg)) {
        // The HWM was checked on the id frame, so the pipe is dying: drop
        // what was written of this message (e.g. REP's envelope).
        msg->close();
        msg->init();
        _current_out->rollback();
        _current_out = nullptr;
        return 0;
    }
    if (!_more_out) {
        _current_out->flush();
        _current_out = nullptr;
    }
    return 0;
}

void router_t::rollback() {
    if (_current_out) {
        _current_out->rollback();
        _current_out = nullptr;
    }
    // Also when the id was unknown: the next frame is an id again.
    _more_out = false;
}

int router_t::recv_data(msg_t *msg, pipe_t **pipe) {
    int rc = _fq.recv(msg, pipe);
    while (rc == 0 && msg->is_routing_id())
        rc = _fq.recv(msg, pipe);
    return rc;
}

void router_t::make_id_frame(msg_t *id, pipe_t *pipe, const msg_t &payload) {
    const std::string &rid = pipe->routing_id();
    id->close();
    id->init_buffer(rid.data(), rid.size());
    id->set_flags(msg_t::more);
    if (payload.metadata())
        id->set_metadata(payload.metadata());
}

void router_t::finish_in_message() {
    // The whole message from _current_in has been delivered.
    if (_closing_current_in && _current_in) {
        pipe_t *old = _current_in;
        erase_out_pipe(old);
        _fq.pipe_terminated(old);
        old->rollback();
        if (old == _current_out)
            _current_out = nullptr;
        terminate_pipe(old);
    }
    _closing_current_in = false;
    _current_in = nullptr;
}

int router_t::xrecv(msg_t *msg) {
    if (_prefetched) {
        if (!_id_sent) {
            msg->move(_prefetched_id);
            _id_sent = true;
        } else {
            msg->move(_prefetched_msg);
            _prefetched = false;
        }
        _more_in = msg->has_more();
        if (!_more_in)
            finish_in_message();
        return 0;
    }

    pipe_t *pipe = nullptr;
    if (recv_data(msg, &pipe) != 0)
        return -1;

    if (_more_in) {
        // A later part of the message being read.
        _more_in = msg->has_more();
        if (!_more_in)
            finish_in_message();
        return 0;
    }
    // A new message: return the sender's id first, keep the payload.
    _prefetched_msg.move(*msg);
    _prefetched = true;
    _id_sent = true;
    _current_in = pipe;
    make_id_frame(msg, pipe, _prefetched_msg);
    _more_in = true;
    return 0;
}

bool router_t::xhas_in() {
    if (_more_in || _prefetched)
        return true;
    pipe_t *pipe = nullptr;
    if (recv_data(&_prefetched_msg, &pipe) != 0)
        return false;
    make_id_frame(&_prefetched_id, pipe, _prefetched_msg);
    _prefetched = true;
    _id_sent = false;
    _current_in = pipe;
    return true;
}

bool router_t::xhas_out() {
    // Without MANDATORY a send never blocks: unroutable messages drop.
    if (!_mandatory)
        return true;
    for (auto &kv : _outpipes)
        if (kv.second.pipe->check_hwm())
            return true;
    return false;
}

int router_t::xsetsockopt(int option, const void *value, size_t size) {
    bool on = false;
    if (!parse_flag_option(value, size, &on)) {
        errno = EINVAL;
        return -1;
    }
    switch (option) {
    case ZMQ_ROUTER_RAW:
        _raw = on;
        if (_raw) {
            options.recv_routing_id = false;
            options.raw_socket = true;
        }
        return 0;
    case ZMQ_ROUTER_MANDATORY:
        _mandatory = on;
        return 0;
    case ZMQ_PROBE_ROUTER:
        _probe = on;
        return 0;
    case ZMQ_ROUTER_HANDOVER:
        _handover = on;
        return 0;
    default:
        errno = EINVAL;
        return -1;
    }
}

} // namespace zlink
