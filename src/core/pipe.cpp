#include "core/pipe.hpp"

#include <atomic>
#include <chrono>
#include <climits>

#include "core/clock.hpp"
#include "core/direct_writer.hpp"
#include "core/mailbox.hpp"
#include "core/metadata.hpp"
#include "core/msg_queue.hpp"

static_assert(zlink::command_t::hiccup == 7, "pipe.hpp mirrors the command number");

namespace zlink {

// Both ends and both queues in one block; freed when the last reference
// (owners and queued commands) is dropped.
struct pipe_pair_t {
    pipe_t ends[2];
    msg_queue_t *queues[2] = {nullptr, nullptr};    // queues[i]: written by end i
    std::atomic<bool> gone[2] = {{false}, {false}}; // end i terminated
    std::atomic<int> refs{2};

    ~pipe_pair_t() {
        for (auto *q : queues)
            delete q;
        for (auto &e : ends) {
            if (mailbox_t *mb = e._mailbox.load())
                mb->drop_ref();
            e.set_peer_metadata(nullptr);
        }
    }
};

namespace {
// libzmq 4.3's rule (measured on 4.3.4): tell the writer there is room again
// every (hwm + 1) / 2 messages read.
int compute_lwm(int hwm) { return (hwm + 1) / 2; }
int end_index(const pipe_t *p, const pipe_pair_t *pair) { return p == &pair->ends[0] ? 0 : 1; }

// One queue's limit from the writer's SNDHWM and the reader's RCVHWM: -1 is
// "no value on that side"; otherwise 0 on either side means unlimited.
int combine_hwms(int a, int b) {
    if (a < 0)
        return b < 0 ? 0 : b;
    if (b < 0)
        return a;
    if (a == 0 || b == 0)
        return 0;
    return a > INT_MAX - b ? INT_MAX : a + b;
}
uint64_t pack_hwms(int sndhwm, int rcvhwm) {
    return uint64_t(uint32_t(sndhwm)) << 32 | uint32_t(rcvhwm);
}
void unpack_hwms(uint64_t v, int *sndhwm, int *rcvhwm) {
    *sndhwm = int32_t(uint32_t(v >> 32));
    *rcvhwm = int32_t(uint32_t(v));
}
} // namespace

void pipe_t::create_pair(pipe_t *ends[2], const config_t &cfg) {
    auto *pair = new pipe_pair_t;
    for (int i = 0; i < 2; ++i) {
        // The queue written by end i is read by end 1-i; conflate[j] refers to
        // the queue towards end j.
        const bool conflate = cfg.conflate[1 - i];
        pair->queues[i] = conflate ? static_cast<msg_queue_t *>(new conflate_msg_queue_t)
                                   : static_cast<msg_queue_t *>(new spsc_msg_queue_t);
    }
    for (int i = 0; i < 2; ++i) {
        pipe_t &e = pair->ends[i];
        e._pair = pair;
        e._peer = &pair->ends[1 - i];
        e._out = pair->queues[i];
        e._in = pair->queues[1 - i];
        e._out_conflate = cfg.conflate[1 - i];
        e._in_conflate = cfg.conflate[i];
        ends[i] = &e;
    }
    pipe_t &e0 = pair->ends[0], &e1 = pair->ends[1];
    e0._own_sndhwm = cfg.hwm[0];
    e0._own_rcvhwm = cfg.hwm[1];
    e1._own_sndhwm = cfg.end1_hwm[0];
    e1._own_rcvhwm = cfg.end1_hwm[1];
    e0._peer_hwms.store(pack_hwms(e1._own_sndhwm, e1._own_rcvhwm), std::memory_order_relaxed);
    e1._peer_hwms.store(pack_hwms(e0._own_sndhwm, e0._own_rcvhwm), std::memory_order_relaxed);
    e0.apply_hwms();
    e1.apply_hwms();
}

void pipe_t::apply_hwms() {
    int peer_snd, peer_rcv;
    unpack_hwms(_peer_hwms.load(std::memory_order_seq_cst), &peer_snd, &peer_rcv);
    _hwm = _out_conflate ? 0 : combine_hwms(_own_sndhwm, peer_rcv);
    const int in_hwm = _in_conflate ? 0 : combine_hwms(_own_rcvhwm, peer_snd);
    _in_lwm = in_hwm > 0 ? compute_lwm(in_hwm) : 0;
}

void pipe_t::set_own_hwms(int sndhwm, int rcvhwm, bool reopen_peer_writer) {
    _own_sndhwm = sndhwm;
    _own_rcvhwm = rcvhwm;
    apply_hwms();
    // An end without an owner yet (an inproc connect waiting for its bind)
    // gets no command; set_owner() reads the values when it is adopted.
    _peer->_peer_hwms.store(pack_hwms(sndhwm, rcvhwm), std::memory_order_seq_cst);
    if (_state == state_active)
        send_to_peer(command_t::hwm_changed, reopen_peer_writer ? 1 : 0);
}

void pipe_t::set_owner(i_pipe_events *sink, mailbox_t *mailbox) {
    _sink = sink;
    mailbox->add_ref();
    mailbox_t *old = _mailbox.exchange(mailbox, std::memory_order_seq_cst);
    if (old)
        old->drop_ref();
    // HWMs the peer's owner set while this end had nobody to tell.
    apply_hwms();
    // The peer may have terminated while this end had no owner, and its
    // pipe_term went nowhere: deliver it now.
    if (_pair->gone[1 - end_index(this, _pair)].load(std::memory_order_seq_cst))
        send_to_self(command_t::pipe_term);
}

void pipe_t::set_peer_metadata(metadata_t *m) {
    if (m)
        m->add_ref();
    if (_peer_metadata && _peer_metadata->drop_ref())
        delete _peer_metadata;
    _peer_metadata = m;
}

void pipe_t::add_ref() { _pair->refs.fetch_add(1, std::memory_order_relaxed); }

void pipe_t::drop_ref() {
    pipe_pair_t *pair = _pair;
    if (pair->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
        delete pair;
}

void pipe_t::send_to_peer(uint8_t type, uint64_t count) {
    // seq_cst pairs with set_owner(): either it sees what we stored before
    // (gone flag, peer HWMs) or we see its mailbox.
    mailbox_t *mb = _peer->_mailbox.load(std::memory_order_seq_cst);
    if (!mb)
        return; // unowned end: its future owner treats the pipe as active
    add_ref();
    mb->send(command_t{static_cast<command_t::type_t>(type), _peer, count});
}

void pipe_t::send_to_self(uint8_t type) {
    mailbox_t *mb = _mailbox.load(std::memory_order_acquire);
    if (!mb)
        return;
    add_ref();
    mb->send(command_t{static_cast<command_t::type_t>(type), this, 0});
}

bool pipe_t::check_read() {
    if (!_in_active)
        return false;
    if (_state != state_active && _state != state_waiting_for_delimiter)
        return false;
    if (!_in->check_read()) {
        _in_active = false;
        return false;
    }
    if (_in->front().is_delimiter()) {
        msg_t d;
        _in->read(d);
        on_delimiter();
        return false;
    }
    return true;
}

void pipe_t::drop_leading_routing_id() {
    if (_in->check_read() && _in->front().is_routing_id()) {
        msg_t m;
        _in->read(m);
        m.close();
    }
}

bool pipe_t::read(msg_t *msg) {
    if (!_in_active)
        return false;
    if (_state != state_active && _state != state_waiting_for_delimiter)
        return false;
    msg_t tmp;
    if (!_in->read(tmp)) {
        _in_active = false;
        return false;
    }
    if (tmp.is_delimiter()) {
        on_delimiter();
        return false;
    }
    // Count whole messages only: HWM is in messages, not parts.
    if (!tmp.has_more() && !tmp.is_routing_id()) {
        ++_msgs_read;
        if (_in_lwm > 0 && _msgs_read % static_cast<uint64_t>(_in_lwm) == 0)
            send_to_peer(command_t::activate_write, _msgs_read);
    }
    std::memcpy(static_cast<void *>(msg), &tmp, sizeof(msg_t));
    return true;
}

bool pipe_t::check_hwm() const {
    return !(_hwm > 0 && _msgs_written - _peers_msgs_read >= static_cast<uint64_t>(_hwm));
}

bool pipe_t::check_write() {
    if (!_out_active || _state != state_active)
        return false;
    if (!check_hwm()) {
        _out_active = false;
        return false;
    }
    return true;
}

bool pipe_t::write(msg_t *msg) {
    if (!check_write())
        return false;
    const bool more = msg->has_more();
    const bool is_id = msg->is_routing_id();
    _out->write(*msg, more);
    if (!more && !is_id)
        ++_msgs_written;
    msg->init();
    return true;
}

void pipe_t::rollback() {
    msg_t m;
    while (_out->unwrite(m))
        m.close();
}

namespace {
// The socket-wide side of the burst rule (try_direct_write): the last
// socket this thread flushed a parked pipe of, for which send, and when.
struct last_socket_flush_t {
    const i_pipe_events *socket = nullptr;
    uint64_t send = 0;
    uint64_t ns = 0;
};
thread_local last_socket_flush_t t_last_socket_flush;
} // namespace

void pipe_t::flush() {
    if (_state == state_terminated)
        return;
    const bool direct = _peer->_direct_writer.load(std::memory_order_relaxed) != nullptr;
    if (direct && try_direct_write())
        return;
    if (!_out->flush()) {
        send_to_peer(command_t::activate_read, 0);
        // The gap to the next send starts after this hand-off: its eventfd
        // write is our cost, not the caller's pause (under TSAN it alone
        // outlasted burst_gap and split a loop into direct writes).
        if (direct)
            _last_parked_flush_ns = t_last_socket_flush.ns = steady_now_ns();
    }
}

// The reader parked (it took everything published), so what was written
// since is all that is queued: the reader's direct writer may send it now,
// on this thread. Whatever it does not take goes back, in order, and is
// published as usual; the reader, parked, is then woken as usual.
//
// Streams stay on the io thread: one system call per message from the
// sending thread costs far more than the io thread gathering a burst into
// one write (PAIR 64 B over tcp: 0.12 M msg/s against 7.5 M). A send is a
// burst when the previous flush found the reader still busy, or when it
// comes within burst_gap of the previous one to this pipe, or of an earlier
// send of the same socket on this thread to any of its pipes; a REQ/REP
// round trip is well above that (tens of microseconds), a sending loop well
// below. The socket counts, not only the pipe: a PUSH looping over six or
// more connections came back to each pipe less often than burst_gap, so
// every message was a system call of its own (0.15 M msg/s against libzmq's
// 4.5 M). An earlier send, not the same one: a PUB's one send flushes all
// its pipes, each still written directly when idle. Not any socket of the
// thread: a REQ and its REP in one thread send within 2 us of each other.
bool pipe_t::try_direct_write() {
    constexpr uint64_t burst_gap_ns = 5000;
    last_socket_flush_t &last = t_last_socket_flush;
    if (!_out->reader_parked()) {
        _flushed_to_awake_reader = true;
        return false;
    }
    const uint64_t now = steady_now_ns();
    const bool socket_loop =
        last.socket == _sink && last.send != t_sends_started && now - last.ns < burst_gap_ns;
    const bool burst =
        _flushed_to_awake_reader || now - _last_parked_flush_ns < burst_gap_ns || socket_loop;
    _flushed_to_awake_reader = false;
    last.socket = _sink;
    last.send = t_sends_started;
    _last_parked_flush_ns = last.ns = now;
    if (burst) {
        count_direct_handoff_burst();
        return false;
    }
    const bool done = direct_write_parked();
    _last_parked_flush_ns = last.ns = steady_now_ns();
    return done;
}

bool pipe_t::direct_write_parked() {
    constexpr int max_frames = 16;
    std::unique_lock<std::mutex> gate(_peer->_direct_gate, std::try_to_lock);
    if (!gate)
        return false; // the owner is (un)registering it: the plain path
    i_direct_writer *writer = _peer->_direct_writer.load(std::memory_order_relaxed);
    if (!writer)
        return false;
    msg_t frames[max_frames];
    const int n = _out->take_unpublished(frames, max_frames);
    if (n <= 0) {
        if (n < 0)
            count_direct_handoff_too_many_frames();
        return false;
    }
    int whole = 0; // counted by write() for the HWM
    for (int i = 0; i < n; ++i)
        whole += !frames[i].has_more() && !frames[i].is_routing_id();
    const direct_write_result r = writer->write_direct(frames, size_t(n));
    gate.unlock();
    if (r == direct_write_result::written || r == direct_write_result::written_partly) {
        // Never queued as far as the reader knows: take them out of the HWM
        // count too (the reader never counts them as read).
        _msgs_written -= uint64_t(whole);
        if (r == direct_write_result::written_partly) {
            count_direct_handoff(r);
            send_to_peer(command_t::activate_read, 0); // the io thread writes the rest
        }
        return true;
    }
    count_direct_handoff(r);
    for (int i = 0; i < n; ++i)
        _out->write(frames[i], frames[i].has_more());
    return false;
}

void pipe_t::set_direct_writer(i_direct_writer *writer) {
    std::lock_guard<std::mutex> gate(_direct_gate); // waits out a write in progress
    _direct_writer.store(writer, std::memory_order_relaxed);
}

void pipe_t::terminate() {
    if (_state == state_terminated)
        return;
    if (_direct_writer.load(std::memory_order_relaxed))
        set_direct_writer(nullptr); // no writer's thread reaches our owner's engine again
    const bool peer_may_read = _state == state_active;
    _state = state_terminated;
    _sink = nullptr;
    if (peer_may_read) {
        // Everything complete we wrote stays readable; the delimiter marks
        // its end, and pipe_term wakes a peer that is not reading.
        rollback();
        msg_t d;
        d.init_delimiter();
        _out->write(d, false);
        _out->flush();
    }
    _pair->gone[end_index(this, _pair)].store(true, std::memory_order_seq_cst);
    if (peer_may_read)
        send_to_peer(command_t::pipe_term, 0);
    drop_ref(); // the owner's reference
}

void pipe_t::on_delimiter() {
    // Terminating here would re-enter the socket type while it iterates
    // its pipes; finish on the next command pass instead.
    _in_active = false;
    if (_state == state_active || _state == state_waiting_for_delimiter) {
        _state = state_delimiter_seen;
        send_to_self(command_t::pipe_delimiter);
    }
}

void pipe_t::terminate_locally() {
    if (_state == state_terminated)
        return;
    if (_direct_writer.load(std::memory_order_relaxed))
        set_direct_writer(nullptr);
    _state = state_terminated;
    i_pipe_events *sink = _sink;
    _sink = nullptr;
    _pair->gone[end_index(this, _pair)].store(true, std::memory_order_seq_cst);
    if (sink)
        sink->pipe_terminated(this);
    drop_ref(); // the owner's reference
}

void pipe_t::process_command(const command_t &cmd) {
    switch (cmd.type) {
    case command_t::activate_read:
        if ((_state == state_active || _state == state_waiting_for_delimiter) && !_in_active) {
            _in_active = true;
            if (_sink)
                _sink->read_activated(this);
        }
        break;
    case command_t::activate_write:
        _peers_msgs_read = cmd.count;
        if (_state == state_active && !_out_active) {
            _out_active = true;
            if (_sink)
                _sink->write_activated(this);
        }
        break;
    case command_t::pipe_term:
        if (_state == state_active) {
            if (_delay && _sink) {
                // Let the owner drain what the peer sent; the delimiter ends it.
                _state = state_waiting_for_delimiter;
                _in_active = true;
                _sink->read_activated(this);
            } else {
                terminate_locally();
            }
        } else if (_state == state_delimiter_seen) {
            terminate_locally();
        }
        break;
    case command_t::hwm_changed:
        apply_hwms();
        if (cmd.count && _state == state_active && !_out_active && check_hwm()) {
            _out_active = true;
            if (_sink)
                _sink->write_activated(this);
        }
        break;
    case command_t::hiccup:
        if (_state == state_active && _sink)
            _sink->hiccuped(this);
        break;
    case command_t::pipe_delimiter:
        if (_state == state_delimiter_seen)
            terminate_locally();
        break;
    default:
        break;
    }
}

} // namespace zlink
