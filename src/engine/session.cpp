#include "engine/session.hpp"

#include <algorithm>
#include <exception>

#include <boost/asio/post.hpp>
#include <zmq.h>

#include "engine/session_registry.hpp"
#include "transports/connecter.hpp"
#include "engine/zmtp_engine.hpp"
#include "engine/raw_engine.hpp"
#include "protocol/mechanisms/zap_pipe_client.hpp"
#include "engine/engine_host.hpp"
#include "core/mailbox.hpp"
#include "core/monitor_channel.hpp"
#include "protocol/wire_adapter.hpp"

namespace zlink {

session_t::session_t(boost::asio::io_context &io, config_t cfg)
    : _io(io), _cfg(std::move(cfg)), _mailbox(new mailbox_t),
      _wire(make_wire_adapter(_cfg.options)), _timer(io), _linger_timer(io), _peer_read_timer(io) {
    _cfg.socket_mailbox->add_ref();
    _cfg.host->add_lingerer();
    if (_cfg.monitor)
        _cfg.monitor->hold(); // released by finish(), after our last event
    _current_ivl = _cfg.options.reconnect_ivl;
}

session_t::~session_t() {
    if (!_finished)
        finish(); // only when an exception cut the start short: release the ctx
    set_peer_metadata(nullptr);
    _mailbox->close();
    _mailbox->drop_ref();
    _cfg.socket_mailbox->drop_ref();
}

void session_t::set_pipe(pipe_t *end) {
    _pipe = end;
    _pipe->set_owner(this, _mailbox);
}

// ---------------------------------------------------------------------------
// Connecting and reconnecting

void session_t::start_connecting() {
    // Until the io thread adopts it, this handler is the session's owner.
    boost::asio::post(_io, [self = shared_from_this()]() mutable {
        session_t *s = self.get();
        boost::asio::use_service<session_registry_t>(s->_io).adopt(std::move(self));
        s->connect_now();
    });
}

void session_t::connect_now() {
    // A terminating session still connects: its queue may be waiting for
    // the peer (ZMQ_LINGER).
    _reconnect_pending = false;
    if (_finished)
        return;
    _connecter = std::make_shared<connecter_t>(_io, _cfg.protocol, _cfg.address, _cfg.options);
    std::weak_ptr<session_t> weak = weak_from_this();
    monitor_event(ZMQ_EVENT_CONNECT_DELAYED, EINPROGRESS);
    _connecter->start([weak](std::unique_ptr<i_asio_transport> t, int err) {
        auto self = weak.lock();
        if (!self || self->_finished)
            return;
        self->_connecter.reset();
        if (!t) {
            (void)err;
            if (self->_terminating && !self->_pipe) {
                self->finish(); // closing, and nothing left to deliver
                return;
            }
            self->schedule_reconnect();
            if (self->_terminating)
                self->maybe_finish_linger(); // done if nothing is left or no retry comes
            return;
        }
        self->_engine_fd = t->native_handle();
        self->monitor_event(ZMQ_EVENT_CONNECTED, static_cast<uint64_t>(self->_engine_fd));
        self->start_engine(std::move(t));
    });
}

void session_t::schedule_reconnect() {
    if (_cfg.options.reconnect_ivl < 0 || _finished)
        return; // ZMQ_RECONNECT_IVL -1: never reconnect
    const int ivl = _current_ivl;
    _current_ivl = next_reconnect_interval(_cfg.options, _current_ivl); // libzmq's backoff
    monitor_event(ZMQ_EVENT_CONNECT_RETRIED, static_cast<uint64_t>(ivl));
    _timer.expires_after(std::chrono::milliseconds(ivl));
    _reconnect_pending = true;
    std::weak_ptr<session_t> weak = weak_from_this();
    _timer.async_wait([weak](const boost::system::error_code &ec) {
        if (ec)
            return;
        if (auto self = weak.lock())
            self->connect_now();
    });
}

void session_t::start_accepted(std::unique_ptr<i_asio_transport> transport) {
    boost::asio::use_service<session_registry_t>(_io).adopt(shared_from_this());
    _engine_fd = transport->native_handle();
    start_engine(std::move(transport));
}

void session_t::start_engine(std::unique_ptr<i_asio_transport> transport) {
    _ended_engine.reset(); // closed in an earlier turn: off every call stack
    try {
        if (_cfg.options.raw_socket)
            _engine = make_raw_engine(_io, std::move(transport), this, _cfg.options, _cfg.connecter,
                                      _cfg.endpoint);
        else
            _engine = make_zmtp_engine(_io, std::move(transport), this, _cfg.options,
                                       _cfg.connecter, _cfg.endpoint);
        _engine->start();
    } catch (const std::exception &) {
        // Out of memory for this connection: drop it (the transport closed
        // as it unwound) and go on as after a lost connection.
        end_engine();
        if (_cfg.connecter && !_terminating)
            schedule_reconnect();
        else
            finish();
    }
}

// The engine may be on the call stack (this runs inside its callbacks):
// close it now, destroy it on a later turn.
void session_t::end_engine() {
    if (!_engine)
        return;
    if (_pipe) // first: no sending thread reaches the engine past this point
        _pipe->set_direct_writer(nullptr);
    _engine->close();
    _ended_engine = std::move(_engine);               // an earlier one is off every stack by now
    std::weak_ptr<session_t> weak = weak_from_this(); // empty in the destructor
    boost::asio::post(_io, [weak] {
        if (auto self = weak.lock())
            self->_ended_engine.reset();
    });
}

// ---------------------------------------------------------------------------
// Engine callbacks

void session_t::create_pipe_to_socket() {
    const bool conflate = _cfg.options.effective_conflate();
    pipe_t::config_t cfg;
    cfg.hwm[0] = _cfg.options.sndhwm; // socket -> session
    cfg.hwm[1] = _cfg.options.rcvhwm; // session -> socket
    cfg.conflate[0] = cfg.conflate[1] = conflate;
    pipe_t *ends[2];
    pipe_t::create_pair(ends, cfg);
    ends[0]->set_endpoint(_cfg.endpoint);
    set_pipe(ends[1]);
    _routing_id_delivered = false;
    // The socket adopts its end on its own thread; if it is gone, the
    // mailbox ends that end and we learn it through pipe_term.
    _cfg.socket_mailbox->send(command_t{command_t::attach_pipe, ends[0], _cfg.connecter ? 1u : 0u});
}

void session_t::engine_ready(const engine_peer_info &peer) {
    // (the engine itself reports ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    _current_ivl = _cfg.options.reconnect_ivl;
    if (!_pipe && !_terminating)
        create_pipe_to_socket();
    set_peer_metadata(peer.metadata);
    push_raw_notification();
    // The handshake is over: the sending thread may write while the engine
    // is idle (withdrawn in end_engine, and by the pipe when it ends).
    if (_pipe && _engine)
        _pipe->set_direct_writer(_engine->direct_writer());
}

void session_t::set_peer_metadata(metadata_t *m) {
    if (m)
        m->add_ref();
    if (_peer_metadata && _peer_metadata->drop_ref())
        delete _peer_metadata;
    _peer_metadata = m;
}

void session_t::push_raw_notification() {
    // ZMQ_STREAM tells the application about connects and disconnects with
    // an empty message (ZMQ_STREAM_NOTIFY, on by default), which carries
    // the connection's properties (Peer-Address) as libzmq's does.
    if (!_wire->notifies_connections() || !_pipe)
        return;
    msg_t m;
    m.init();
    m.set_metadata(_peer_metadata);
    if (_pipe->write(&m))
        _pipe->flush();
    else
        m.close();
}

int session_t::push_msg(msg_t *msg) {
    if (msg->is_routing_id()) {
        // Only the first connection of a pipe introduces the peer, and only
        // to sockets that route by id.
        if (_routing_id_delivered || !_cfg.options.recv_routing_id) {
            msg->close();
            msg->init();
            return 0;
        }
        _routing_id_delivered = true;
    }
    const bool more = msg->has_more();
    if (!_pipe || !_pipe->write(msg)) {
        errno = EAGAIN;
        return -1;
    }
    _incomplete_in = more;
    return 0;
}

void session_t::flush_pushed() {
    if (_pipe)
        _pipe->flush();
}

int session_t::pull_msg(msg_t *msg) {
    if (!_pipe || !_pipe->read(msg)) {
        errno = EAGAIN;
        return -1;
    }
    _incomplete_out = msg->has_more();
    return 0;
}

void session_t::engine_closed(engine_close_reason reason, int) {
    end_engine();
    if (_pipe && _incomplete_in) {
        // A multipart message cut by the disconnect must not reach the socket.
        _pipe->rollback();
        _pipe->flush();
    }
    _incomplete_in = false;
    // The engine took the first parts of a message and lost them with the
    // connection: the rest must not open the next connection. (The socket
    // publishes a message only whole, so the rest is already readable.)
    while (_pipe && _incomplete_out) {
        msg_t rest;
        rest.init();
        if (!_pipe->read(&rest))
            break;
        _incomplete_out = rest.has_more();
        rest.close();
    }
    _incomplete_out = false;
    push_raw_notification();
    set_peer_metadata(nullptr);
    monitor_event(ZMQ_EVENT_DISCONNECTED, static_cast<uint64_t>(_engine_fd));
    _engine_fd = -1;
    // A connecter reconnects after a lost connection (lingering or not), as
    // libzmq does; a protocol error or a refused handshake (ERROR received,
    // ZAP denial) ends it for good, with its queue: libzmq 4.3 ends the
    // session there.
    const bool refused = reason == engine_close_reason::protocol_error ||
                         reason == engine_close_reason::handshake_failed;
    if (!_cfg.connecter || refused) {
        finish();
        return;
    }
    if (_cfg.options.reconnect_ivl < 0 && !_terminating) {
        // No reconnect: libzmq drops the endpoint, so the socket's pipe
        // ends (a send gets EAGAIN) and zmq_disconnect says ENOENT.
        finish();
        return;
    }
    if (_cfg.options.immediate && _pipe) {
        // ZMQ_IMMEDIATE: no queue while disconnected.
        _pipe->terminate();
        _pipe = nullptr;
    }
    if (_pipe && _wire->resends_subscriptions()) {
        // As libzmq: SUB re-sends its subscriptions at the disconnect (they
        // wait in the pipe for the next connection), and that command is
        // what wakes its ZMQ_FD; other types get no command here.
        _pipe->send_hiccup();
    }
    schedule_reconnect();
    if (_terminating)
        maybe_finish_linger();
}

void session_t::monitor_event(uint16_t event, uint64_t value) {
    if (!_cfg.monitor || _finished) // nothing after finish() released the channel
        return;
    if (_cfg.connecter) // a SOCKS connection's events name the proxy, as libzmq's
        _cfg.monitor->emit(event, value,
                           connect_event_endpoint(_cfg.endpoint, _cfg.protocol, _cfg.options));
    else
        _cfg.monitor->emit(event, value, _cfg.endpoint);
}

zap_client *session_t::zap() {
    if (!_zap) {
        std::weak_ptr<session_t> weak = weak_from_this();
        boost::asio::io_context *io = &_io;
        auto poke = [weak, io] {
            boost::asio::post(*io, [weak] {
                auto self = weak.lock();
                if (self && self->_zap)
                    self->_zap->deliver_replies(engine_zap_target(self->_engine.get()));
            });
        };
        i_engine_host *host = _cfg.host;
        auto find_bound = [host](const std::string &ep) { return host->find_bound_endpoint(ep); };
        _zap = std::make_unique<zap_pipe_client_t>(find_bound, this, _mailbox, poke);
    }
    return _zap.get();
}

// ---------------------------------------------------------------------------
// Pipe events

void session_t::read_activated(pipe_t *pipe) {
    if (_zap && _zap->owns(pipe)) {
        _zap->deliver_replies(engine_zap_target(_engine.get()));
        return;
    }
    if (pipe != _pipe)
        return;
    if (_engine) {
        _engine->restart_output();
    } else if (_terminating) {
        maybe_finish_linger(); // the socket's delimiter may have arrived
    }
}

void session_t::write_activated(pipe_t *pipe) {
    if (pipe == _pipe && _engine)
        _engine->restart_input();
}

void session_t::pipe_terminated(pipe_t *pipe) {
    if (_zap && _zap->owns(pipe)) {
        _zap->pipe_gone();
        return;
    }
    if (pipe != _pipe)
        return;
    _pipe = nullptr;
    // The socket let go (close, disconnect): what it queued has been pulled.
    if (!_terminating)
        do_terminate(_cfg.options.linger);
    else
        maybe_finish_linger();
}

// ---------------------------------------------------------------------------
// Termination

void session_t::terminate(int linger) { post_terminate(_io, weak_from_this(), linger); }

// Posted, as it may come from inside the session; a session that is gone
// has nothing left to end.
void session_t::post_terminate(boost::asio::io_context &io, std::weak_ptr<session_t> session,
                               int linger) {
    boost::asio::post(io, [session = std::move(session), linger] {
        if (auto self = session.lock())
            self->do_terminate(linger);
    });
}

void session_t::do_terminate(int linger) {
    if (_terminating || _finished)
        return;
    if (linger == linger_from_options)
        linger = _cfg.options.linger;
    _terminating = true;
    // The reconnect timer keeps running: a queue waiting for its peer is
    // delivered if the connection comes within the linger period.
    if (linger == 0) {
        finish();
        return;
    }
    if (linger > 0) {
        _linger_timer.expires_after(std::chrono::milliseconds(linger));
        std::weak_ptr<session_t> weak = weak_from_this();
        _linger_timer.async_wait([weak](const boost::system::error_code &ec) {
            if (ec)
                return;
            if (auto self = weak.lock())
                self->finish();
        });
    }
    maybe_finish_linger();
}

// Called whenever something a lingering session waits for may have changed:
// the pipe ended, the engine drained or closed, a connect attempt failed.
void session_t::maybe_finish_linger() {
    if (!_terminating || _finished)
        return;
    if (_pipe && !_engine) {
        // Nobody reads the pipe while disconnected: if all that is left is
        // the socket's delimiter, read it, so the pipe ends (pipe_terminated
        // comes back here) instead of waiting for a connection.
        _pipe->check_read();
    }
    const bool queued = _pipe != nullptr;
    const bool unsent = _engine && _engine->output_pending();
    if (!queued && !unsent) {
        if (!wait_for_peer_to_read())
            finish();
        return;
    }
    if (!_engine && !_connecter && !_reconnect_pending) {
        finish(); // never reconnecting: nothing can carry the rest
        return;
    }
    // Otherwise pipe_terminated(), output_drained(), engine_closed(), the
    // connect result or the linger timer brings us back.
}

// ipc: a unix socket closed under a peer reports EPOLLHUP even to a reader
// that stopped polling for input, and libzmq 4.3.4 then drops what it has
// not read yet (its input is stopped whenever its pipe is at RCVHWM). So
// the connection stays open until the peer has read everything we wrote,
// within the linger period and while the peer keeps reading.
bool session_t::wait_for_peer_to_read() {
    constexpr auto stall_limit = std::chrono::seconds(1);
    const std::size_t unread = _engine ? _engine->unread_by_peer() : 0;
    if (unread == 0)
        return false;
    const auto now = std::chrono::steady_clock::now();
    if (_peer_unread == 0 || unread < _peer_unread)
        _peer_read_progress = now;
    else if (now - _peer_read_progress >= stall_limit)
        return false; // the peer stopped reading: close as libzmq would
    _peer_unread = unread;
    // No event says "the peer read": look again shortly.
    _peer_read_timer.expires_after(std::chrono::milliseconds(2));
    std::weak_ptr<session_t> weak = weak_from_this();
    _peer_read_timer.async_wait([weak](const boost::system::error_code &ec) {
        if (ec)
            return;
        if (auto self = weak.lock())
            self->maybe_finish_linger();
    });
    return true;
}

void session_t::output_drained() {
    if (_terminating && !_pipe)
        maybe_finish_linger();
}

void session_t::finish() {
    if (_finished)
        return;
    _finished = true;
    _finished_seen->store(true, std::memory_order_release);
    _reconnect_pending = false;
    _timer.cancel();
    _linger_timer.cancel();
    _peer_read_timer.cancel();
    if (_connecter) {
        _connecter->cancel();
        _connecter.reset();
    }
    end_engine();
    if (_pipe) {
        pipe_t *p = _pipe;
        _pipe = nullptr;
        p->terminate();
    }
    _zap.reset();
    _mailbox->close();
    if (_cfg.monitor)
        _cfg.monitor->release(); // before remove_lingerer: zmq_ctx_term waits for both
    _cfg.host->remove_lingerer();
    // Not before the caller returns (it may be a call out of our engine):
    // the io thread lets go of us on a later turn. (Empty in the destructor.)
    std::weak_ptr<session_t> weak = weak_from_this();
    if (!weak.expired()) {
        boost::asio::io_context *io = &_io;
        boost::asio::post(_io, [weak, io] {
            if (auto self = weak.lock())
                boost::asio::use_service<session_registry_t>(*io).release(self.get());
        });
    }
}

} // namespace zlink
