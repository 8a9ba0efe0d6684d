// zmq_poll: level-triggered multiplexing over zlink sockets and raw fds.
//
// Built on the public API (ZMQ_FD, ZMQ_EVENTS), so it works against any core
// that honours libzmq's edge-triggered ZMQ_FD contract; for zlink's own
// sockets it sleeps on the notification fd without exposing it (which would
// make it signal forever) and spins first (socket_sleep below).
#pragma once

// The poller half of this module needs the draft declarations; whichever
// header comes first must ask for them, zmq.h has an include guard.
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include <zmq.h>

#include <chrono>
#include <cstddef>

#include <cstdint>

#include "core/recv_wait.hpp"

struct pollfd;

namespace zlink {

class mailbox_t;

// libzmq semantics: returns the number of items with revents set, 0 on
// timeout, -1 with errno (EFAULT, EINVAL, EINTR, ETERM, ENOTSOCK).
// timeout_ms < 0 waits forever, 0 returns at once.
int poll(zmq_pollitem_t *items, int nitems, long timeout_ms);

namespace poll_detail {

// Sockets whose ZMQ_FD is unavailable (libzmq refuses it for thread-safe
// types) are re-checked at this interval instead of through poll().
constexpr int no_fd_recheck_ms = 1;

// ZMQ_POLL* bits do not match the POLL* bits, so raw fds need translation.
short to_poll_events(short zmq_events);
short from_poll_revents(short poll_revents);

// Reads ZMQ_EVENTS; returns -1 with errno from the socket on failure.
int socket_events(void *socket, short *events);

// Reads ZMQ_FD. Returns 0 with *fd set, 1 when the socket has no fd
// (EINVAL, e.g. thread-safe types), -1 on any other error.
int socket_fd(void *socket, int *fd);

// A zlink socket's mailbox (its notification fd, without exposing ZMQ_FD),
// its ZLINK_RECV_SPIN_US in ns and the messages it moved (added to
// *moved); nullptr when it is not a zlink socket.
mailbox_t *socket_mailbox(void *socket, uint64_t *spin_cap_ns, uint64_t *moved);
int mailbox_fd(const mailbox_t *mailbox);

// The sleep of a blocking zmq_poll / zmq_poller_wait over zlink sockets'
// mailboxes: spin first when it may pay (no raw or foreign fds to watch),
// then park on every mailbox (mailbox_t::park) around the caller's poll().
class socket_sleep {
  public:
    socket_sleep(mailbox_t *const *boxes, std::size_t n, uint64_t cap_ns, bool can_spin,
                 uint64_t moved, spin_policy_t &policy)
        : boxes_(boxes), n_(n), cap_ns_(can_spin ? cap_ns : 0), moved_(moved), policy_(policy),
          start_(monotonic_ns()) {}
    ~socket_sleep();
    // Before poll(wait_ms): false when a command is already pending (poll
    // with timeout 0 then), true when the caller may sleep.
    bool prepare(int wait_ms);
    // What to poll with (park_poll): the caller's mask while a spin holds
    // signals, else nullptr.
    const sigset_t *caller_mask() const { return signals_.caller_mask(); }
    // A signal came while the spin held signals (see signal_hold_t).
    bool signal_arrived() const { return signals_.signal_arrived(); }

  private:
    bool any_pending() const;
    mailbox_t *const *boxes_;
    std::size_t n_;
    uint64_t cap_ns_;
    uint64_t moved_;
    spin_policy_t &policy_;
    uint64_t start_;
    std::size_t parked_ = 0;
    bool waited_ = false; // prepare() ran: record the wait for the policy
    signal_hold_t signals_;
};

// Sleep for timeout_ms (negative: forever). Returns 0, or -1/EINTR.
int sleep_ms(long timeout_ms);

// ms until a deadline, for poll(); -1 means "no deadline".
class deadline {
  public:
    explicit deadline(long timeout_ms);
    bool infinite() const { return infinite_; }
    // Remaining time clamped to int; 0 once expired. -1 if infinite.
    int remaining_ms() const;
    bool expired() const { return !infinite_ && remaining_ms() == 0; }

  private:
    bool infinite_;
    std::chrono::steady_clock::time_point end_;
};

// A buffer that lives on the stack for small counts and on the heap above.
template <typename T, std::size_t N>
class small_array {
  public:
    explicit small_array(std::size_t n) : data_(n <= N ? inline_ : new T[n]) {}
    ~small_array() {
        if (data_ != inline_)
            delete[] data_;
    }
    small_array(const small_array &) = delete;
    small_array &operator=(const small_array &) = delete;
    T &operator[](std::size_t i) { return data_[i]; }
    T *data() { return data_; }

  private:
    T inline_[N];
    T *data_;
};

} // namespace poll_detail
} // namespace zlink
