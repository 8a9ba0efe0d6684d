#include "sockets/stream.hpp"

#include <cerrno>
#include <cstring>
#include <random>

namespace zlink {

stream_t::stream_t(ctx_t *ctx, int sid) : socket_base_t(ctx, sid, ZMQ_STREAM) {
    options.type = ZMQ_STREAM;
    options.raw_socket = true;
    options.recv_routing_id = false;
    _prefetched_id.init();
    _prefetched_msg.init();
    _next_id = static_cast<uint32_t>(std::random_device{}());
}

stream_t::~stream_t() {
    _prefetched_id.close();
    _prefetched_msg.close();
}

void stream_t::xattach_pipe(pipe_t *pipe, bool, bool locally_initiated) {
    std::string id;
    if (locally_initiated && !pipe->routing_id().empty() && !_outpipes.count(pipe->routing_id())) {
        id = pipe->routing_id(); // ZMQ_CONNECT_ROUTING_ID
    } else {
        // Raw peers never send an id: always generate one (libzmq format,
        // a zero byte and a big-endian counter).
        const uint32_t n = _next_id++;
        const char buf[5] = {0, static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                             static_cast<char>(n >> 8), static_cast<char>(n)};
        id.assign(buf, sizeof buf);
        // libzmq makes the last generated id readable as ZMQ_ROUTING_ID
        // (STREAM-to-STREAM code learns its peer's id this way).
        options.routing_id = id;
    }
    pipe->set_routing_id(id);
    _outpipes[id] = pipe;
    _fq.attach(pipe);
}

void stream_t::erase_out_pipe(pipe_t *pipe) {
    auto it = _outpipes.find(pipe->routing_id());
    if (it != _outpipes.end() && it->second == pipe)
        _outpipes.erase(it);
}

void stream_t::xpipe_terminated(pipe_t *pipe) {
    erase_out_pipe(pipe);
    _fq.pipe_terminated(pipe);
    if (pipe == _current_out)
        _current_out = nullptr;
}

void stream_t::xread_activated(pipe_t *pipe) { _fq.activated(pipe); }

void stream_t::xwrite_activated(pipe_t *) {}

int stream_t::xsend(msg_t *msg) {
    if (!_more_out) {
        // First frame: the connection's routing id. Unlike ROUTER, an
        // unknown or full peer is always reported.
        if (msg->has_more()) {
            auto it =
                _outpipes.find(std::string(static_cast<const char *>(msg->data()), msg->size()));
            if (it == _outpipes.end()) {
                errno = EHOSTUNREACH;
                return -1;
            }
            if (!it->second->check_write()) {
                errno = EAGAIN;
                return -1;
            }
            _current_out = it->second;
            _more_out = true;
        }
        // An id frame without MORE is malformed and silently dropped.
        msg->close();
        msg->init();
        return 0;
    }
    // The data frame; MORE means nothing on a byte stream.
    msg->reset_flags(msg_t::more);
    _more_out = false;
    pipe_t *out = _current_out;
    _current_out = nullptr;
    if (!out) {
        msg->close();
        msg->init();
        return 0;
    }
    if (msg->size() == 0) {
        // [id][empty] closes the connection.
        erase_out_pipe(out);
        _fq.pipe_terminated(out);
        terminate_pipe(out);
        msg->close();
        msg->init();
        return 0;
    }
    if (out->write(msg))
        out->flush();
    else {
        msg->close();
        msg->init();
    }
    return 0;
}

void stream_t::make_id_frame(msg_t *id, pipe_t *pipe, const msg_t &payload) {
    const std::string &rid = pipe->routing_id();
    id->close();
    id->init_buffer(rid.data(), rid.size());
    id->set_flags(msg_t::more);
    if (payload.metadata())
        id->set_metadata(payload.metadata());
}

int stream_t::xrecv(msg_t *msg) {
    if (_prefetched) {
        if (!_id_sent) {
            msg->move(_prefetched_id);
            _id_sent = true;
        } else {
            msg->move(_prefetched_msg);
            _prefetched = false;
        }
        return 0;
    }
    pipe_t *pipe = nullptr;
    if (_fq.recv(&_prefetched_msg, &pipe) != 0)
        return -1;
    // Data is returned after the id of the connection it came from.
    make_id_frame(msg, pipe, _prefetched_msg);
    _prefetched = true;
    _id_sent = true;
    return 0;
}

bool stream_t::xhas_in() {
    if (_prefetched)
        return true;
    pipe_t *pipe = nullptr;
    if (_fq.recv(&_prefetched_msg, &pipe) != 0)
        return false;
    make_id_frame(&_prefetched_id, pipe, _prefetched_msg);
    _prefetched = true;
    _id_sent = false;
    return true;
}

// Whether a send succeeds depends on the peer the id names.
bool stream_t::xhas_out() { return true; }

int stream_t::xsetsockopt(int option, const void *value, size_t size) {
    if (option == ZMQ_STREAM_NOTIFY && value && size == sizeof(int)) {
        int v = 0;
        std::memcpy(&v, value, sizeof v);
        if (v == 0 || v == 1) {
            options.raw_notify = v != 0;
            return 0;
        }
    }
    errno = EINVAL;
    return -1;
}

} // namespace zlink
