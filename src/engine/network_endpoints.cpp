#include "engine/network_endpoints.hpp"

#include <cerrno>

#include <boost/asio/post.hpp>
#include <zmq.h>

#include "engine/engine_host.hpp"
#include "engine/io_thread_pool.hpp"
#include "engine/session.hpp"
#include "transports/connecter.hpp"
#include "transports/listener.hpp"
#include "core/mailbox.hpp"
#include "core/monitor_channel.hpp"
#include "core/pipe.hpp"

namespace zlink {

// A bound endpoint: the listener and the sessions it accepted. After
// creation it is touched only on its io thread (but for listener->close(),
// which is safe from any thread).
struct listen_point_t {
    // Keeps the socket's mailbox alive for connections accepted after the
    // socket closed (their pipe then ends at once).
    explicit listen_point_t(mailbox_t *mb) : socket_mailbox(mb) { socket_mailbox->add_ref(); }
    ~listen_point_t() { socket_mailbox->drop_ref(); }
    listen_point_t(const listen_point_t &) = delete;
    listen_point_t &operator=(const listen_point_t &) = delete;

    mailbox_t *socket_mailbox;
    boost::asio::io_context *io = nullptr;
    std::shared_ptr<listener_t> listener;
    std::vector<std::weak_ptr<session_t>> sessions;
    std::string endpoint;
    bool closed = false;

    // `session_linger`: 0 on unbind (libzmq drops the accepted connections
    // at once), the socket's ZMQ_LINGER on close.
    void close_on_io_thread(const std::shared_ptr<monitor_channel_t> &monitor, int session_linger) {
        if (closed)
            return;
        closed = true;
        const int fd = listener->native_handle();
        listener->close();
        monitor->emit(ZMQ_EVENT_CLOSED, static_cast<uint64_t>(fd), endpoint);
        for (auto &w : sessions) {
            if (auto s = w.lock())
                s->terminate(session_linger);
        }
        sessions.clear();
        monitor->release(); // held since bind
    }
};

network_endpoints_t::network_endpoints_t(i_engine_host *host, mailbox_t *socket_mailbox,
                                         std::shared_ptr<monitor_channel_t> monitor)
    : _host(host), _socket_mailbox(socket_mailbox), _monitor(std::move(monitor)) {}

network_endpoints_t::~network_endpoints_t() { close_all(); }

session_t::config_t network_endpoints_t::session_config(const options_t &options,
                                                        const std::string &endpoint,
                                                        const std::string &protocol,
                                                        const std::string &address,
                                                        bool connecter) const {
    session_t::config_t cfg;
    cfg.host = _host;
    cfg.socket_mailbox = _socket_mailbox;
    cfg.monitor = _monitor;
    cfg.options = options;
    cfg.endpoint = endpoint;
    cfg.protocol = protocol;
    cfg.address = address;
    cfg.connecter = connecter;
    return cfg;
}

int network_endpoints_t::bind(const std::string &uri, const std::string &protocol,
                              const std::string &address, const options_t &options,
                              std::string *resolved) {
    io_thread_pool_t *pool = _host->io_threads();
    if (!pool)
        return -1; // errno from starting the io threads
    boost::asio::io_context &io = pool->next();
    int err = 0;
    std::shared_ptr<listener_t> listener = listener_t::create(io, protocol, address, options, err);
    if (!listener) {
        _monitor->emit(ZMQ_EVENT_BIND_FAILED, static_cast<uint64_t>(err), uri);
        errno = err;
        return -1;
    }
    const std::string resolved_uri = listener->endpoint();
    auto point = std::make_shared<listen_point_t>(_socket_mailbox);
    point->io = &io;
    point->listener = listener;
    point->endpoint = resolved_uri;
    // Only the resolved URI names it for unbind, as in libzmq: unbinding
    // "tcp://127.0.0.1:*" or "ipc://*" is ENOENT.
    _listeners.emplace(resolved_uri, point);
    *resolved = resolved_uri;
    _monitor->hold();
    _monitor->emit(ZMQ_EVENT_LISTENING, static_cast<uint64_t>(listener->native_handle()),
                   resolved_uri);
    wake_socket();

    const session_t::config_t base =
        session_config(options, resolved_uri, protocol, address, false);
    std::weak_ptr<listen_point_t> weak = point;
    std::shared_ptr<monitor_channel_t> monitor = _monitor;
    boost::asio::post(io, [weak, base, monitor, &io] {
        auto p = weak.lock();
        if (!p || p->closed)
            return;
        p->listener->start(
            [weak, base, monitor, &io](std::unique_ptr<i_asio_transport> t) {
                auto p = weak.lock();
                if (!p || p->closed)
                    return;
                monitor->emit(ZMQ_EVENT_ACCEPTED, static_cast<uint64_t>(t->native_handle()),
                              p->endpoint);
                auto s = session_t::create(io, base);
                // Forget sessions that already ended, so the list stays short.
                auto &v = p->sessions;
                v.erase(
                    std::remove_if(v.begin(), v.end(),
                                   [](const std::weak_ptr<session_t> &w) { return w.expired(); }),
                    v.end());
                v.push_back(s);
                s->start_accepted(std::move(t));
            },
            [weak, monitor](int err) {
                if (auto p = weak.lock())
                    monitor->emit(ZMQ_EVENT_ACCEPT_FAILED, static_cast<uint64_t>(err), p->endpoint);
            });
    });
    return 0;
}

int network_endpoints_t::connect(const std::string &uri, const std::string &protocol,
                                 const std::string &address, const options_t &options,
                                 pipe_t **socket_end) {
    // As libzmq: no io thread (ZMQ_IO_THREADS 0) is EMTHREAD before the
    // address is even looked at.
    io_thread_pool_t *pool = _host->io_threads();
    if (!pool)
        return -1;
    int err = 0;
    if (!is_valid_connect_address(protocol, address, err)) {
        errno = err;
        return -1;
    }
    boost::asio::io_context &io = pool->next();
    auto session = session_t::create(io, session_config(options, uri, protocol, address, true));
    *socket_end = nullptr;
    if (!options.immediate) {
        // Messages queue while the connection is being made.
        const bool conflate = options.effective_conflate();
        pipe_t::config_t pc;
        pc.hwm[0] = options.sndhwm;
        pc.hwm[1] = options.rcvhwm;
        pc.conflate[0] = pc.conflate[1] = conflate;
        pipe_t *ends[2];
        pipe_t::create_pair(ends, pc);
        ends[0]->set_endpoint(uri);
        session->set_pipe(ends[1]);
        *socket_end = ends[0];
    }
    _sessions.emplace(uri, session_handle_t(session));
    session->start_connecting(); // hands the session to its io thread
    wake_socket();
    return 0;
}

// libzmq's socket gets a command ('own') for each listener or connecter it
// launches, so its ZMQ_FD turns readable after zmq_bind/zmq_connect; loops
// built on ZMQ_FD (czmq's zpoller) count on that wakeup.
void network_endpoints_t::wake_socket() {
    _socket_mailbox->send(command_t{command_t::wake, nullptr, 0});
}

bool network_endpoints_t::has_endpoint(const std::string &uri) const {
    if (_listeners.count(uri))
        return true;
    auto range = _sessions.equal_range(uri);
    for (auto it = range.first; it != range.second; ++it)
        if (!it->second.finished())
            return true;
    return false;
}

int network_endpoints_t::term_endpoint(const std::string &uri, int linger) {
    return end_endpoint(uri, linger, 0);
}

int network_endpoints_t::end_endpoint(const std::string &uri, int linger, int accepted_linger) {
    bool found = false;
    auto lr = _listeners.equal_range(uri);
    std::vector<std::shared_ptr<listen_point_t>> points;
    for (auto it = lr.first; it != lr.second; ++it)
        points.push_back(it->second);
    for (auto &p : points) {
        // Drop every alias (original and resolved URI) of this listener.
        for (auto it = _listeners.begin(); it != _listeners.end();) {
            if (it->second == p)
                it = _listeners.erase(it);
            else
                ++it;
        }
        // Closed here, not later on the io thread: once zmq_unbind returns
        // the address is free, and an ipc socket file removed later could
        // be one a new bind of the same path has just made.
        p->listener->close();
        std::shared_ptr<monitor_channel_t> monitor = _monitor;
        boost::asio::post(*p->io, [p, monitor, accepted_linger] {
            p->close_on_io_thread(monitor, accepted_linger);
        });
        found = true;
    }
    auto sr = _sessions.equal_range(uri);
    for (auto it = sr.first; it != sr.second; ++it) {
        if (!it->second.finished()) // e.g. gave up with ZMQ_RECONNECT_IVL -1
            found = true;
        it->second.terminate(linger);
    }
    _sessions.erase(uri);
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

void network_endpoints_t::close_all(int linger) {
    std::vector<std::string> uris;
    for (auto &l : _listeners)
        uris.push_back(l.first);
    for (auto &s : _sessions)
        uris.push_back(s.first);
    for (auto &u : uris) {
        if (_listeners.count(u) || _sessions.count(u))
            end_endpoint(u, linger, linger);
    }
}

} // namespace zlink
