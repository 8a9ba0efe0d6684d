#include "engine/stream_engine.hpp"

#include <cerrno>
#include <chrono>
#include <string>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <zmq.h>

#include "core/feature_flags.hpp"
#include "engine/io_thread_engines.hpp"

namespace zlink {

namespace {

// Reads per turn before yielding to other connections on the io thread.
constexpr int read_budget = 64;
// System calls one write_out() may make before it gives the io thread back
// (a continuation is posted): a connection that is fed as fast as it drains
// would otherwise hold the io thread, and every other connection on it,
// until its queue or the kernel runs dry. Alone on its io thread an engine
// takes sixteen; sharing it, one (io_thread_engines.hpp).
constexpr int write_budget = 16;
constexpr int shared_write_budget = 1;

bool is_would_block(const boost::system::error_code &ec) {
    return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}

std::size_t total_size(const boost::asio::const_buffer *bufs, std::size_t n) {
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i)
        bytes += bufs[i].size();
    return bytes;
}

} // namespace

stream_engine_t::stream_engine_t(boost::asio::io_context &io,
                                 std::unique_ptr<i_asio_transport> transport,
                                 i_engine_session &session, const options_t &options,
                                 policy_t policy)
    : _io(io), _transport(std::move(transport)), _session(session), _options(options),
      _policy(policy), _reactor_read(resolve_flag("ZLINK_REACTOR_READ", options.zlink_reactor_read,
                                                  reactor_read_default, 0, 1) != 0 &&
                                     _transport && _transport->short_read_drains()),
      _engines_here(boost::asio::use_service<io_thread_engines_t>(io).count), _handshake_timer(io),
      _hb_timer(io), _hb_timeout_timer(io), _ttl_timer(io) {
    _engines_here.fetch_add(1, std::memory_order_relaxed);
    _in_msg.init();
}

stream_engine_t::~stream_engine_t() {
    _engines_here.fetch_sub(1, std::memory_order_relaxed);
    shutdown();
    _in_msg.close();
    drop_metadata();
}

void stream_engine_t::drop_metadata() {
    if (_metadata && _metadata->drop_ref(1 + _metadata_credits))
        delete _metadata;
    _metadata = nullptr;
    _metadata_credits = 0;
}

void stream_engine_t::restart_input() {
    if (_closed || !_input_stalled)
        return;
    _input_stalled = false;
    if (_reading) // called back from inside read_in: let its loop go on
        _read_again = true;
    else
        read_in();
}

void stream_engine_t::restart_output() {
    if (_closed || !_data)
        return;
    write_out();
}

void stream_engine_t::data_ready() {
    {
        std::lock_guard<std::recursive_mutex> lock(_out_mutex);
        _data = true;
    }
    _handshake_timer.cancel();
}

void stream_engine_t::set_metadata(metadata_t::dict_t props) {
    props["Peer-Address"] = _transport->peer_address();
    props["__fd"] = std::to_string(_transport->native_handle()); // ZMQ_SRCFD, as libzmq
    for (auto &kv : _transport->properties()) // after the peer's: it cannot forge them (tls)
        props[kv.first] = std::move(kv.second);
    drop_metadata();
    _metadata = new metadata_t(std::move(props));
}

// ---- closing ----

// Stop everything; no session call follows.
void stream_engine_t::shutdown() {
    std::lock_guard<std::recursive_mutex> lock(_out_mutex); // no direct write in flight
    if (_closed)
        return;
    _closed = true;
    _handshake_timer.cancel();
    _hb_timer.cancel();
    _hb_timeout_timer.cancel();
    _ttl_timer.cancel();
    if (_transport && _transport->is_open())
        _transport->close();
}

void stream_engine_t::fail(engine_close_reason reason, int value) {
    if (_closed)
        return;
    if (_pushed)
        flush_pushed_batch();
    // libzmq reports a handshake cut short (greeting included) for any
    // reason but a protocol error or refusal (already reported).
    // A transport's own refused handshake (tls) says which event it is.
    if (!_data && reason != engine_close_reason::protocol_error &&
        reason != engine_close_reason::handshake_failed) {
        uint64_t detail = uint64_t(value);
        const uint16_t event = _transport ? _transport->handshake_failure_event(detail) : 0;
        _session.monitor_event(event ? event : ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, detail);
    }
    shutdown();
    _session.engine_closed(reason, value);
}

// ---- output ----

// Speculative write: pull what is queued, write it now, wait only when the
// kernel is full. Without speculation (policy) an activation once data
// flows only fills the output and arms the wait; every data write happens
// from the notification.
void stream_engine_t::write_out(bool writable) {
    std::lock_guard<std::recursive_mutex> lock(_out_mutex);
    if (_closed || _output == output_state_t::waiting || _output == output_state_t::failed)
        return;
    if (_output == output_state_t::writing) { // re-entered from a session callback
        _write_again = true;
        return;
    }
    _output = output_state_t::writing;
    int budget =
        _engines_here.load(std::memory_order_relaxed) > 1 ? shared_write_budget : write_budget;
    for (;;) {
        _write_again = false;
        if (budget-- == 0) {
            post_write_continuation();
            break;
        }
        fill_output();
        if (_closed)
            break;
        boost::asio::const_buffer bufs[max_gather];
        const std::size_t n = output_buffers(bufs, max_gather);
        if (n == 0) {
            if (_write_again)
                continue;
            break;
        }
        // Only the data path waits: handshake commands go out at once, so
        // an ERROR sent just before a refusal's close is not lost.
        if (!_policy.speculative && !writable && _data) {
            arm_write_wait(); // the output stays queued: linger sees it
            break;
        }
        const bool deferred = writable;
        writable = false; // one write per notification
        boost::system::error_code ec;
        const std::size_t written = _transport->try_write(bufs, n, ec);
        if (written == 0 && !ec)
            ec = boost::asio::error::would_block; // never spin on a no-op write
        if (written > 0) {
            if (deferred)
                count_deferred_write();
            count_write_shape(n, written < total_size(bufs, n));
            count_write(written, _batch_msgs);
            count_io_thread_messages(_batch_msgs);
            _batch_msgs = 0;
            output_written(written);
        }
        if (ec) {
            if (is_would_block(ec)) {
                count_would_block();
                arm_write_wait();
                break;
            }
            _output = output_state_t::failed;
            write_failed(ec);
            return;
        }
    }
    if (_output == output_state_t::writing)
        _output = output_state_t::idle;
}

// Application thread: the output is idle and quiet, so these frames are all
// there is to send; one gathered non-blocking write (a second only after a
// short write). What the kernel does not take stays in the output for the
// io thread, which the caller wakes (written_partly); a write error too:
// the io thread meets it again and fails the engine as usual.
direct_write_result stream_engine_t::write_direct(msg_t *msgs, std::size_t n) {
    std::unique_lock<std::recursive_mutex> lock(_out_mutex, std::try_to_lock);
    if (!lock)
        return direct_write_result::busy;
    if (_closed || !_data || _output != output_state_t::idle || !output_quiet() ||
        !encode_direct(msgs, n))
        return direct_write_result::not_idle;
    uint64_t frames = n; // counted with the first write that moves bytes
    for (;;) {
        boost::asio::const_buffer bufs[max_gather];
        const std::size_t count = output_buffers(bufs, max_gather);
        if (count == 0)
            break;
        boost::system::error_code ec;
        const std::size_t written = _transport->try_write_direct(bufs, count, ec);
        if (written == 0)
            break;
        count_write_shape(count, written < total_size(bufs, count));
        count_write(written, frames);
        count_app_thread_messages(frames);
        frames = 0;
        output_written(written);
        if (ec)
            break;
    }
    _batch_msgs += frames; // nothing went out: the io thread's write counts them
    return has_output() ? direct_write_result::written_partly : direct_write_result::written;
}

// The peer may have said something before it went away (an ERROR command,
// say): read what is there first; reading then meets the end of the stream
// and closes. Only a reader that cannot go on closes now.
void stream_engine_t::write_failed(const boost::system::error_code &ec) {
    if (!_policy.read_after_write_error) {
        fail(engine_close_reason::peer_closed, ec.value());
        return;
    }
    _write_reason = ec == boost::asio::error::eof || ec == boost::asio::error::broken_pipe ||
                            ec == boost::asio::error::connection_reset
                        ? engine_close_reason::peer_closed
                        : engine_close_reason::io_error;
    _write_errno = ec.value();
    if (_input_stalled)
        fail(_write_reason, _write_errno);
    else if (!_reading && !_read_waiting)
        read_in();
}

// The write budget ran out with output possibly left: go on after the
// handlers already queued on the io thread, as a writability wake-up would.
void stream_engine_t::post_write_continuation() {
    count_write_yield();
    boost::asio::post(_io, [ref = handler_ref()] {
        if (stream_engine_t *self = ref.get())
            if (!self->_closed)
                self->continue_output();
    });
}

// After a write that did not come from the application's activation: resume
// reading paused for output, and tell a lingering session when all is out.
void stream_engine_t::continue_output(bool writable) {
    write_out(writable);
    if (!_closed && _paused_for_output && !output_blocks_input()) {
        _paused_for_output = false;
        read_in();
    }
    // Only a deferred write can empty what the kernel refused earlier:
    // tell a lingering session (it waits for this).
    if (!_closed && !output_pending_locked())
        _session.output_drained();
}

void stream_engine_t::arm_write_wait() {
    _output = output_state_t::waiting;
    _transport->async_wait_writable([ref = handler_ref()](const boost::system::error_code &ec) {
        stream_engine_t *self = ref.get();
        if (!self)
            return;
        {
            std::lock_guard<std::recursive_mutex> lock(self->_out_mutex);
            self->_output = output_state_t::idle;
        }
        if (self->_closed || ec == boost::asio::error::operation_aborted)
            return;
        if (ec) {
            self->fail(engine_close_reason::io_error, ec.value());
            return;
        }
        self->continue_output(true);
    });
}

// ---- input ----

void stream_engine_t::read_in() {
    if (_closed || _reading || _read_waiting)
        return;
    _reading = true;
    int budget = read_budget;
    for (;;) {
        _read_again = false;
        if (!resume_input() || _closed) {
            if (_read_again && !_closed)
                continue;
            _short_read = false; // a later read_in reads for itself first
            break;
        }
        if (budget-- == 0) {
            boost::asio::post(_io, [ref = handler_ref()] {
                if (stream_engine_t *self = ref.get())
                    self->read_in();
            });
            break;
        }
        if (output_blocks_input()) {
            _paused_for_output = true; // the writability handler resumes
            break;
        }
        // The kernel queue was empty a moment ago: skip the read that would
        // say EAGAIN (and the wait's epoll_ctl); see arm_reactor_read.
        if (_short_read && _output != output_state_t::failed) {
            _short_read = false;
            arm_reactor_read();
            break;
        }
        _short_read = false;
        boost::system::error_code ec;
        const boost::asio::mutable_buffer buf = input_buffer();
        const std::size_t n = _transport->try_read(buf, ec);
        if (n > 0) {
            took_bytes(n, buf.size());
            continue;
        }
        if (is_would_block(ec)) {
            if (_output == output_state_t::failed) { // nothing more to read from a broken link
                _reading = false;
                fail(_write_reason, _write_errno);
                return;
            }
            arm_read_wait();
            break;
        }
        _reading = false;
        read_ended(ec);
        return;
    }
    if (_pushed && !_closed)
        flush_pushed_batch();
    _reading = false;
}

// The messages pushed since the last flush become visible to the socket,
// and are counted (messages_in) here, once per batch.
void stream_engine_t::flush_pushed_batch() {
    count_in(_pushed);
    _pushed = 0;
    _session.flush_pushed();
}

// A read (ours or the reactor's) brought n of the `asked` bytes.
void stream_engine_t::took_bytes(std::size_t n, std::size_t asked) {
    count_read(n);
    ++_rx_events;
    _short_read = _reactor_read && n < asked;
    input_arrived(n);
}

// A read that returned nothing and no would_block: the end of the stream
// (or a zero-byte read) or a broken connection.
void stream_engine_t::read_ended(const boost::system::error_code &ec) {
    fail(engine_close_reason::peer_closed,
         (!ec || ec == boost::asio::error::eof) ? EPIPE : ec.value());
}

// A message the pipe refused goes first; then the protocol decodes.
bool stream_engine_t::resume_input() {
    if (_closed)
        return false;
    if (_has_in_msg) {
        if (!deliver(_in_msg))
            return false;
        _has_in_msg = false;
    }
    if (_input_stalled)
        return false;
    return process_input();
}

void stream_engine_t::arm_read_wait() {
    _read_waiting = true;
    _transport->async_wait_readable([ref = handler_ref()](const boost::system::error_code &ec) {
        stream_engine_t *self = ref.get();
        if (!self)
            return;
        self->_read_waiting = false;
        if (self->_closed || ec == boost::asio::error::operation_aborted)
            return;
        if (ec) {
            self->fail(engine_close_reason::io_error, ec.value());
            return;
        }
        self->read_in();
    });
}

// The next read goes to Asio's receive operation, into the buffer the
// protocol offers now (nothing else asks for it while _read_waiting). It
// receives once before it queues, so data or an end of stream that came
// with the edge already taken is read now; otherwise it waits for the next
// edge with no epoll_ctl (async_wait re-arms with one every time, and
// wakes once more for EPOLLOUT on a socket that ever waited to write).
void stream_engine_t::arm_reactor_read() {
    _read_waiting = true;
    const boost::asio::mutable_buffer buf = input_buffer();
    _transport->async_read_some(buf, [ref = handler_ref(), size = buf.size()](
                                         const boost::system::error_code &ec, std::size_t n) {
        stream_engine_t *self = ref.get();
        if (!self)
            return;
        self->_read_waiting = false;
        if (self->_closed || ec == boost::asio::error::operation_aborted)
            return;
        if (n == 0) {
            self->read_ended(ec);
            return;
        }
        self->count_reactor_read();
        self->took_bytes(n, size);
        self->read_in();
    });
}

bool stream_engine_t::deliver(msg_t &m) {
    if (_metadata && &m != &_in_msg && !m.is_routing_id()) {
        // zmq_msg_gets; a refused message has it already. References are
        // taken in batches: one atomic add per metadata_credit_batch messages.
        if (_metadata_credits == 0) {
            _metadata->add_ref(metadata_credit_batch);
            _metadata_credits = metadata_credit_batch;
        }
        --_metadata_credits;
        m.adopt_metadata(_metadata);
    }
    if (_session.push_msg(&m) == 0) {
        m.init();  // the session owns the body now
        ++_pushed; // counted (count_in) where the batch is flushed
        return true;
    }
    if (errno != EAGAIN) {
        m.close();
        fail(engine_close_reason::io_error, errno);
        return false;
    }
    if (&m != &_in_msg) {
        _in_msg.close();
        _in_msg.init();
        _in_msg.move(m);
        m.close();
    }
    _has_in_msg = true;
    _input_stalled = true;
    return false;
}

// ---- timers ----

void stream_engine_t::arm_handshake_deadline() {
    if (_options.handshake_ivl <= 0)
        return;
    _handshake_timer.expires_after(std::chrono::milliseconds(_options.handshake_ivl));
    _handshake_timer.async_wait([ref = handler_ref()](const boost::system::error_code &ec) {
        stream_engine_t *self = ref.get();
        if (self && !ec && !self->_closed && !self->_data)
            self->fail(engine_close_reason::handshake_timeout, ETIMEDOUT);
    });
}

void stream_engine_t::start_heartbeats() {
    if (_options.heartbeat_ivl > 0)
        arm_heartbeat();
}

void stream_engine_t::arm_heartbeat() {
    _hb_timer.expires_after(std::chrono::milliseconds(_options.heartbeat_ivl));
    _hb_timer.async_wait([ref = handler_ref()](const boost::system::error_code &ec) {
        stream_engine_t *self = ref.get();
        if (self && !ec && !self->_closed)
            self->heartbeat_tick();
    });
}

void stream_engine_t::heartbeat_tick() {
    {
        std::lock_guard<std::recursive_mutex> lock(_out_mutex);
        heartbeat_due();
    }
    const int timeout =
        _options.heartbeat_timeout == -1 ? _options.heartbeat_ivl : _options.heartbeat_timeout;
    if (timeout > 0)
        arm_silence_timer(_hb_timeout_timer, _timeout_armed, timeout);
    arm_heartbeat();
    write_out();
}

void stream_engine_t::bound_peer_silence(int ms) { arm_silence_timer(_ttl_timer, _ttl_armed, ms); }

// Fails the engine unless a read brings bytes before the timer fires.
void stream_engine_t::arm_silence_timer(boost::asio::steady_timer &timer, bool &armed, int ms) {
    if (armed)
        return;
    armed = true;
    const uint64_t mark = _rx_events;
    timer.expires_after(std::chrono::milliseconds(ms));
    timer.async_wait([ref = handler_ref(), &armed, mark](const boost::system::error_code &ec) {
        stream_engine_t *self = ref.get();
        if (!self)
            return;
        armed = false;
        if (ec || self->_closed || self->_rx_events != mark)
            return; // traffic arrived since: the peer lives
        self->fail(engine_close_reason::heartbeat_timeout, ETIMEDOUT);
    });
}

} // namespace zlink
