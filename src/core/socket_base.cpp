#include "core/socket_base.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <zlink.h>

#include "engine/network_endpoints.hpp"
#include "core/ctx.hpp"
#include "core/direct_writer.hpp"
#include "core/feature_flags.hpp"
#include "core/mailbox.hpp"
#include "core/monitor_channel.hpp"
#include "transports/transport.hpp"

namespace zlink {

namespace {
int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
template <typename M>
void erase_pipe(M &map, pipe_t *pipe) {
    for (auto it = map.begin(); it != map.end();) {
        if (it->second == pipe)
            it = map.erase(it);
        else
            ++it;
    }
}
} // namespace

std::atomic<std::ptrdiff_t> socket_base_t::_tag_offset{-1};

bool socket_base_t::is_socket(const void *p) {
    const std::ptrdiff_t off = _tag_offset.load(std::memory_order_relaxed);
    if (!p || off < 0)
        return false; // no socket was ever made, so this is none
    uint32_t tag;
    std::memcpy(&tag, static_cast<const char *>(p) + off, sizeof tag);
    return tag == live_tag;
}

socket_base_t::socket_base_t(ctx_t *ctx, int sid, int type)
    : _ctx(ctx), _sid(sid), _mailbox(new mailbox_t),
      _monitor(std::make_shared<monitor_channel_t>()) {
    options.type = type;
    resolve_wait_flags();
    _tag_offset.store(reinterpret_cast<const char *>(&_tag) - reinterpret_cast<const char *>(this),
                      std::memory_order_relaxed);
}

socket_base_t::~socket_base_t() {
    _mailbox->close();
    _mailbox->drop_ref();
    _tag = dead_tag;
}

// ---------------------------------------------------------------------------
// Commands

int socket_base_t::process_commands(int timeout_ms) {
    // A signal ends a blocking wait with EINTR, as in libzmq, so Ctrl-C and
    // alarm()-based timeouts reach a thread blocked in send or recv.
    if (timeout_ms != 0 && wait_for_command(timeout_ms) < 0)
        return -1;
    if (_mailbox->needs_take()) {
        // Swap into a local buffer: handlers may re-enter (e.g. a send from
        // a callback) without invalidating what we iterate.
        std::vector<command_t> cmds;
        cmds.swap(_commands);
        if (_mailbox->take_all(cmds)) {
            for (const command_t &c : cmds)
                dispatch(c);
        }
        cmds.clear();
        if (_commands.empty())
            _commands.swap(cmds);
    }
    if (_ctx_terminated.load(std::memory_order_acquire)) {
        errno = ETERM;
        return -1;
    }
    return 0;
}

int socket_base_t::wait_for_command(int timeout_ms) {
    if (_mailbox->has_pending())
        return 1;
    const uint64_t start = monotonic_ns();
    signal_hold_t signals;
    if (spin_before_park(_spin, _recv_spin_cap_ns, _msgs_moved, timeout_ms, signals,
                         [this] { return _mailbox->has_pending(); })) {
        _spin.record(monotonic_ns() - start, _recv_spin_cap_ns);
        if (signals.signal_arrived()) {
            errno = EINTR; // the handler runs as `signals` releases
            return -1;
        }
        return 1;
    }
    count_recv_parked();
    const int rc = _mailbox->wait(timeout_ms, signals.caller_mask());
    if (rc >= 0)
        _spin.record(monotonic_ns() - start, _recv_spin_cap_ns);
    return rc;
}

void socket_base_t::resolve_wait_flags() {
    _recv_spin_cap_ns = uint64_t(resolve_flag("ZLINK_RECV_SPIN_US", options.zlink_recv_spin_us,
                                              recv_spin_us_default, 0, recv_spin_us_max)) *
                        1000u;
    _mailbox->set_lazy_wake(
        resolve_flag("ZLINK_LAZY_WAKE", options.zlink_lazy_wake, lazy_wake_default, 0, 1) != 0);
}

void socket_base_t::dispatch(const command_t &cmd) {
    switch (cmd.type) {
    case command_t::stop:
        _ctx_terminated.store(true, std::memory_order_release);
        break;
    case command_t::wake:
        break;
    case command_t::attach_pipe:
        // The command carried the ownership reference of this end.
        attach_pipe(cmd.pipe, false, cmd.count != 0);
        // Refused (a PAIR's second peer): terminated, maybe freed already.
        if (std::find(_pipes.begin(), _pipes.end(), cmd.pipe) == _pipes.end())
            break;
        if (!cmd.pipe->endpoint().empty())
            (cmd.count != 0 ? _connected_pipes : _bound_pipes)
                .emplace(cmd.pipe->endpoint(), cmd.pipe);
        cmd.pipe->flush();
        break;
    default:
        cmd.pipe->process_command(cmd);
        cmd.pipe->drop_ref();
        break;
    }
}

void socket_base_t::stop() {
    _ctx_terminated.store(true, std::memory_order_release);
    _mailbox->send(command_t{command_t::stop, nullptr, 0});
}

// ---------------------------------------------------------------------------
// Pipes

void socket_base_t::attach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) {
    pipe->set_owner(this, _mailbox);
    if (!options.recv_routing_id)
        pipe->drop_leading_routing_id();
    _pipes.push_back(pipe);
    xattach_pipe(pipe, subscribe_to_all, locally_initiated);
}

void socket_base_t::read_activated(pipe_t *pipe) { xread_activated(pipe); }
void socket_base_t::write_activated(pipe_t *pipe) { xwrite_activated(pipe); }

void socket_base_t::pipe_terminated(pipe_t *pipe) {
    xpipe_terminated(pipe);
    forget_pipe(pipe);
}

void socket_base_t::forget_pipe(pipe_t *pipe) {
    _pipes.erase(std::remove(_pipes.begin(), _pipes.end(), pipe), _pipes.end());
    erase_pipe(_bound_pipes, pipe);
    erase_pipe(_connected_pipes, pipe);
}

void socket_base_t::terminate_pipe(pipe_t *pipe) {
    forget_pipe(pipe);
    pipe->terminate();
}

endpoint_table_t &socket_base_t::endpoint_host_t::host_endpoints() const {
    return _socket._ctx->endpoints();
}

void socket_base_t::endpoint_host_t::attach_endpoint_pipe(pipe_t *pipe, const std::string &endpoint,
                                                          bool connected) {
    _socket.attach_pipe(pipe, false, connected);
    (connected ? _socket._connected_pipes : _socket._bound_pipes).emplace(endpoint, pipe);
}

void socket_base_t::endpoint_host_t::forget_bound_pipes(const std::string &endpoint) {
    _socket._bound_pipes.erase(endpoint);
}

// ---------------------------------------------------------------------------
// Default hooks

int socket_base_t::xsend(msg_t *) {
    errno = ENOTSUP;
    return -1;
}
int socket_base_t::xrecv(msg_t *) {
    errno = ENOTSUP;
    return -1;
}
bool socket_base_t::xhas_in() { return false; }
bool socket_base_t::xhas_out() { return false; }
void socket_base_t::xread_activated(pipe_t *) {}
void socket_base_t::xwrite_activated(pipe_t *) {}
int socket_base_t::xsetsockopt(int, const void *, size_t) {
    errno = EINVAL;
    return -1;
}
int socket_base_t::xgetsockopt(int, void *, size_t *) {
    errno = EINVAL;
    return -1;
}

// ---------------------------------------------------------------------------
// Options

int socket_base_t::setsockopt(int option, const void *value, size_t size) {
    if (_ctx_terminated.load(std::memory_order_acquire)) {
        errno = ETERM;
        return -1;
    }
    if (xsetsockopt(option, value, size) == 0)
        return 0;
    if (errno != EINVAL)
        return -1;
    if (options.setsockopt(option, value, size) != 0)
        return -1;
    if (option == ZLINK_RECV_SPIN_US || option == ZLINK_LAZY_WAKE)
        resolve_wait_flags();
    if (option == ZMQ_SNDHWM || option == ZMQ_RCVHWM) {
        // libzmq 4.3 applies new HWMs to the pipes that already exist.
        for (pipe_t *p : _pipes)
            p->set_own_hwms(options.sndhwm, options.rcvhwm);
    }
    return 0;
}

int socket_base_t::getsockopt(int option, void *value, size_t *size) {
    if (_ctx_terminated.load(std::memory_order_acquire)) {
        errno = ETERM;
        return -1;
    }
    switch (option) {
    case ZMQ_RCVMORE:
        return option_put_int(value, size, _rcvmore ? 1 : 0);
    case ZMQ_FD:
        _mailbox->expose_fd(); // the application may now wait on it itself
        return option_put_int(value, size, _mailbox->fd());
    case ZMQ_THREAD_SAFE:
        return option_put_int(value, size, 0);
    case ZMQ_EVENTS: {
        if (process_commands(0) != 0)
            return -1;
        int events = 0;
        if (xhas_out())
            events |= ZMQ_POLLOUT;
        if (xhas_in())
            events |= ZMQ_POLLIN;
        return option_put_int(value, size, events);
    }
    case ZMQ_LAST_ENDPOINT: {
        if (!value || !size || *size < _last_endpoint.size() + 1) {
            errno = EINVAL;
            return -1;
        }
        std::memcpy(value, _last_endpoint.c_str(), _last_endpoint.size() + 1);
        option_zero_tail(value, _last_endpoint.size() + 1, *size);
        *size = _last_endpoint.size() + 1;
        return 0;
    }
    default:
        break;
    }
    if (xgetsockopt(option, value, size) == 0)
        return 0;
    if (errno != EINVAL)
        return -1;
    return options.getsockopt(option, value, size);
}

// ---------------------------------------------------------------------------
// Endpoints

// "scheme://address": the scheme's transport and the address.
int socket_base_t::parse_endpoint(const std::string &uri, const transport_t *&transport,
                                  std::string &address) {
    const size_t pos = uri.find("://");
    if (pos == std::string::npos || pos == 0) {
        errno = EINVAL;
        return -1;
    }
    address = uri.substr(pos + 3);
    if (address.empty()) {
        errno = EINVAL;
        return -1;
    }
    transport = find_transport(uri.substr(0, pos));
    if (!transport) {
        // pgm/epgm/norm/tipc/vmci/udp are known to libzmq but not built here.
        errno = EPROTONOSUPPORT;
        return -1;
    }
    return 0;
}

// What bind, connect, unbind and disconnect check first, as libzmq does.
int socket_base_t::begin_endpoint_call(const char *endpoint, const transport_t *&transport,
                                       std::string &address) {
    if (_ctx_terminated.load(std::memory_order_acquire)) {
        errno = ETERM;
        return -1;
    }
    if (!endpoint) {
        errno = EINVAL;
        return -1;
    }
    if (process_commands(0) != 0)
        return -1;
    return parse_endpoint(endpoint, transport, address);
}

int socket_base_t::bind(const char *endpoint) {
    const transport_t *transport = nullptr;
    std::string address;
    if (begin_endpoint_call(endpoint, transport, address) != 0)
        return -1;
    if (transport->pipes) {
        if (transport->pipes->bind(_endpoint_host, endpoint) != 0)
            return -1;
        _last_endpoint = endpoint;
        return 0;
    }
    std::string resolved;
    if (net().bind(endpoint, transport->scheme, address, options, &resolved) != 0)
        return -1;
    _last_endpoint = resolved;
    return 0;
}

int socket_base_t::connect(const char *endpoint) {
    const transport_t *transport = nullptr;
    std::string address;
    if (begin_endpoint_call(endpoint, transport, address) != 0)
        return -1;
    if (transport->pipes) {
        if (transport->pipes->connect(_endpoint_host, endpoint) != 0)
            return -1;
        _last_endpoint = endpoint;
        return 0;
    }
    // libzmq 4.3 makes one connection per endpoint for these types and
    // answers a repeated connect with success and nothing else.
    const bool single_connect = options.type == ZMQ_DEALER || options.type == ZMQ_SUB ||
                                options.type == ZMQ_PUB || options.type == ZMQ_REQ;
    if (single_connect && _net && _net->has_endpoint(endpoint))
        return 0;
    pipe_t *end = nullptr;
    if (net().connect(endpoint, transport->scheme, address, options, &end) != 0)
        return -1;
    if (!options.connect_routing_id.empty()) {
        if (end)
            end->set_routing_id(options.connect_routing_id);
        options.connect_routing_id.clear();
    }
    if (end) {
        attach_pipe(end, false, true);
        _connected_pipes.emplace(endpoint, end);
    }
    _last_endpoint = endpoint;
    return 0;
}

int socket_base_t::unbind(const char *endpoint) { return term_endpoint(endpoint); }
int socket_base_t::disconnect(const char *endpoint) { return term_endpoint(endpoint); }

// Unbind and disconnect alike end what the endpoint names: a bound name or
// listener, and the connections this socket made to it.
int socket_base_t::term_endpoint(const char *endpoint) {
    const transport_t *transport = nullptr;
    std::string address;
    if (begin_endpoint_call(endpoint, transport, address) != 0)
        return -1;
    bool found = false;
    if (transport->pipes) {
        if (transport->pipes->unbind(_endpoint_host, endpoint) == 0)
            found = true;
    } else if (_net && _net->term_endpoint(endpoint, options.linger) == 0) {
        found = true;
    }
    std::vector<pipe_t *> victims;
    auto range = _connected_pipes.equal_range(endpoint);
    for (auto it = range.first; it != range.second; ++it)
        victims.push_back(it->second);
    for (pipe_t *p : victims) {
        xpipe_terminated(p);
        terminate_pipe(p);
        found = true;
    }
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Sending and receiving

int socket_base_t::wait_until(int timeout_ms, int64_t deadline_ms, bool *expired) {
    int wait_ms = -1;
    if (timeout_ms > 0) {
        const int64_t left = deadline_ms - now_ms();
        if (left <= 0) {
            *expired = true;
            return 0;
        }
        wait_ms = static_cast<int>(left);
    }
    return process_commands(wait_ms);
}

int socket_base_t::send(msg_t *msg, int flags) {
    if (_ctx_terminated.load(std::memory_order_acquire)) {
        errno = ETERM;
        return -1;
    }
    if (!msg || !msg->check()) {
        errno = EFAULT;
        return -1;
    }
    if (_mailbox->has_pending() && process_commands(0) != 0)
        return -1;
    msg->reset_flags(msg_t::more | msg_t::routing_id | msg_t::command);
    // libzmq: a received message sent on loses its connection properties.
    msg->reset_metadata();
    if (flags & ZMQ_SNDMORE)
        msg->set_flags(msg_t::more);

    const bool last_part = !(flags & ZMQ_SNDMORE);
    ++t_sends_started;
    if (xsend(msg) == 0) {
        _msgs_moved += last_part;
        return 0;
    }
    if (errno != EAGAIN)
        return -1;
    const int timeout = options.sndtimeo;
    if ((flags & ZMQ_DONTWAIT) || timeout == 0)
        return -1;
    const int64_t deadline = timeout > 0 ? now_ms() + timeout : 0;
    for (;;) {
        bool expired = false;
        if (wait_until(timeout, deadline, &expired) != 0)
            return -1;
        if (xsend(msg) == 0) {
            _msgs_moved += last_part;
            return 0;
        }
        if (errno != EAGAIN)
            return -1;
        if (expired) {
            errno = EAGAIN;
            return -1;
        }
    }
}

int socket_base_t::recv(msg_t *msg, int flags) {
    if (_ctx_terminated.load(std::memory_order_acquire)) {
        errno = ETERM;
        return -1;
    }
    if (!msg || !msg->check()) {
        errno = EFAULT;
        return -1;
    }
    if (_mailbox->has_pending() && process_commands(0) != 0)
        return -1;
    // xrecv fills an empty message; whatever the caller had is released.
    if (msg->close() != 0)
        return -1;
    msg->init();

    int rc = xrecv(msg);
    if (rc != 0 && errno == EAGAIN && !(flags & ZMQ_DONTWAIT) && options.rcvtimeo != 0) {
        const int timeout = options.rcvtimeo;
        const int64_t deadline = timeout > 0 ? now_ms() + timeout : 0;
        for (;;) {
            bool expired = false;
            if (wait_until(timeout, deadline, &expired) != 0)
                return -1;
            rc = xrecv(msg);
            if (rc == 0 || errno != EAGAIN)
                break;
            if (expired) {
                errno = EAGAIN;
                break;
            }
        }
    }
    if (rc != 0)
        return -1;
    _rcvmore = msg->has_more();
    _msgs_moved += !_rcvmore;
    msg->reset_flags(msg_t::routing_id | msg_t::command);
    return 0;
}

// ---------------------------------------------------------------------------
// Close

int socket_base_t::close() {
    close_pipe_endpoints(_endpoint_host);
    if (_net)
        _net->close_all(options.linger); // ZMQ_LINGER as it is now
    // libzmq 4.3: listeners' CLOSED and lingering sessions' events first,
    // then MONITOR_STOPPED once they are all done.
    _monitor->close_when_released();
    // Messages already in inproc pipes stay readable by the peers (also by
    // a socket that binds later, for connects still pending); their ends see
    // the delimiter after them.
    std::vector<pipe_t *> pipes;
    pipes.swap(_pipes);
    for (pipe_t *p : pipes)
        p->terminate();
    _bound_pipes.clear();
    _connected_pipes.clear();
    _mailbox->close();
    ctx_t *ctx = _ctx;
    ctx->destroy_socket(this);
    delete this;
    return 0;
}

// ---------------------------------------------------------------------------
// Monitor

int socket_base_t::monitor(const char *endpoint, uint64_t events, int event_version, int type) {
    if (_ctx_terminated.load(std::memory_order_acquire)) {
        errno = ETERM;
        return -1;
    }
    if (event_version != 1 || type != ZMQ_PAIR) {
        errno = EINVAL;
        return -1;
    }
    if (!endpoint) {
        close_monitor(true);
        return 0;
    }
    const transport_t *transport = nullptr;
    std::string address;
    if (parse_endpoint(endpoint, transport, address) != 0)
        return -1;
    // As libzmq: the monitor PAIR is bound in this context (inproc).
    if (!transport->pipes) {
        errno = EPROTONOSUPPORT;
        return -1;
    }
    close_monitor(true);
    socket_base_t *s = _ctx->create_socket(ZMQ_PAIR);
    if (!s)
        return -1;
    int zero = 0;
    s->setsockopt(ZMQ_LINGER, &zero, sizeof zero);
    if (s->bind(endpoint) != 0) {
        const int err = errno;
        s->close();
        errno = err;
        return -1;
    }
    _monitor->set(&s->_as_monitor_socket, events);
    return 0;
}

network_endpoints_t &socket_base_t::net() {
    if (!_net)
        _net = std::make_unique<network_endpoints_t>(&_ctx->engine_host(), _mailbox, _monitor);
    return *_net;
}

void socket_base_t::event(uint16_t event, uint64_t value, const std::string &endpoint) {
    _monitor->emit(event, value, endpoint);
}

void socket_base_t::close_monitor(bool announce) { _monitor->close(announce); }

} // namespace zlink
