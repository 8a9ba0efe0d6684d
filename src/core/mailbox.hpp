// Commands between threads, and the fd that wakes the thread owning them.
//
// Every socket and every session owns one mailbox. Other threads post
// commands (pipe activation, termination, attach, stop); the owner drains
// them when it sends, receives, polls or blocks. A socket's mailbox has an
// eventfd (open_fd), written only when the queue goes from empty to
// non-empty and someone may be waiting on it: a parked owner or zmq_poll
// (park()), or anyone once the fd was handed out as ZMQ_FD (expose_fd());
// a spinning or busy owner sees the pending flag instead (core/recv_wait.hpp). A session's mailbox
// has no fd and no queue: each command goes straight to its deliverer, which posts it onto the io
// thread (the io_context's queue is the only one), so a connection costs no descriptor and no lock
// here.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <signal.h>
#include <vector>

namespace zlink {

class pipe_t;

struct command_t {
    enum type_t : uint8_t {
        activate_read,  // pipe: the peer wrote while we were asleep
        activate_write, // pipe: the peer read up to `count`, room again
        pipe_term,      // pipe: the peer is gone (a delimiter follows its data)
        pipe_delimiter, // pipe: we read the peer's delimiter (self-posted)
        attach_pipe,    // socket: adopt `pipe` (inproc connect to our bind)
        stop,           // socket: the context is terminating
        wake,           // nothing: just wake the owner
        hiccup,         // pipe: the peer's connection was re-established
        hwm_changed,    // pipe: the peer's owner changed its HWMs (count 1: reopen writer)
    };
    type_t type;
    pipe_t *pipe;   // holds a reference on the pipe pair while queued
    uint64_t count; // activate_write: the peer's msgs_read
};

class mailbox_t {
  public:
    mailbox_t(); // without an fd
    ~mailbox_t();
    mailbox_t(const mailbox_t &) = delete;
    mailbox_t &operator=(const mailbox_t &) = delete;

    // Thread-safe. After close() commands are dropped (references released).
    void send(const command_t &cmd);
    // Owner only: move every pending command into `out` (appending).
    // Returns false when there was nothing.
    bool take_all(std::vector<command_t> &out);
    // Cheap check without a syscall or lock.
    bool has_pending() const { return _pending.load(std::memory_order_acquire); }
    // A command is pending, or the eventfd may be readable with nothing
    // queued (a write that take_all could not drain yet): take_all then.
    bool needs_take() const { return has_pending() || _signaled.load(std::memory_order_acquire); }
    // Give the mailbox its eventfd (sockets). -1 with errno (EMFILE,
    // ENFILE, ENOMEM) when the process is out of descriptors.
    int open_fd();
    // Owner only, needs the fd: block until a command is pending or timeout
    // (ms, -1 forever). 1 when something is pending, 0 on timeout, -1 with
    // EINTR when a signal interrupted the wait (as libzmq's blocking calls).
    // caller_mask: sleep with this signal mask (signals held during a spin).
    int wait(int timeout_ms, const sigset_t *caller_mask = nullptr);
    int fd() const { return _fd; }
    // Owner's thread, before blocking on fd() (itself or in zmq_poll): the
    // Dekker half of the lazy signal. false when a command is already
    // pending (do not block); true: blocking is safe, unpark() after.
    bool park();
    void unpark() { _parked.fetch_sub(1, std::memory_order_seq_cst); }
    // ZMQ_FD was handed to the application: from now on every empty ->
    // non-empty transition writes the eventfd (libzmq's contract).
    void expose_fd();
    // ZLINK_LAZY_WAKE=0: write the eventfd on every transition, as before.
    void set_lazy_wake(bool lazy) { _always_signal.store(!lazy, std::memory_order_seq_cst); }
    void close();
    // io-thread owners take each command through `deliver` (a post onto
    // their io_context) instead of the queue. Set before the first send;
    // the deliverer releases a command its owner can no longer take.
    void set_deliverer(std::function<void(const command_t &)> deliver) {
        _deliver = std::move(deliver);
    }
    // What a command holds (a pipe reference, or an attach_pipe's pipe end)
    // when no one will act on it.
    static void release(const command_t &cmd);

    void add_ref() { _refs.fetch_add(1, std::memory_order_relaxed); }
    void drop_ref() {
        if (_refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

  private:
    std::mutex _mutex;
    std::vector<command_t> _queue;
    std::atomic<bool> _pending{false};
    bool _closed = false;
    // The eventfd was (or is being) written and not drained yet; written
    // under _mutex, read without it only as a hint (needs_take).
    std::atomic<bool> _signaled{false};
    // The write itself happens after the unlock (a woken owner would find
    // the mutex taken); take_all drains only when no write is on its way.
    std::atomic<int> _writes_in_flight{0};
    std::atomic<int> _parked{0};
    std::atomic<bool> _always_signal{false}; // exposed as ZMQ_FD, or lazy wake off
    bool arm_signal_locked();
    void write_signal();
    void drain_locked();
    int _fd = -1;
    std::function<void(const command_t &)> _deliver;
    std::atomic<int> _refs{1};
};

} // namespace zlink
