#include "core/mailbox.hpp"

#include <cerrno>
#include <cstdint>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/pipe.hpp"
#include "core/recv_wait.hpp"

namespace zlink {

mailbox_t::mailbox_t() { _queue.reserve(16); }

int mailbox_t::open_fd() {
    if (_fd >= 0)
        return 0;
    _fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return _fd >= 0 ? 0 : -1;
}

mailbox_t::~mailbox_t() {
    for (const auto &c : _queue)
        release(c);
    if (_fd >= 0)
        ::close(_fd);
}

void mailbox_t::release(const command_t &cmd) {
    if (!cmd.pipe)
        return;
    // attach_pipe carries the ownership of a pipe end: with no one to
    // adopt it, end it so its peer learns the connection is gone.
    if (cmd.type == command_t::attach_pipe)
        cmd.pipe->terminate();
    else
        cmd.pipe->drop_ref();
}

void mailbox_t::send(const command_t &cmd) {
    if (_deliver) {
        _deliver(cmd);
        return;
    }
    bool dropped = false, wake = false;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_closed) {
            dropped = true; // owner is gone: no one to act on the command
        } else {
            _queue.push_back(cmd);
            // seq_cst store, then load of _parked: with park()'s increment,
            // then load of _pending, one side always sees the other.
            _pending.store(true, std::memory_order_seq_cst);
            if (!_signaled.load(std::memory_order_relaxed) && _fd >= 0) {
                if (_parked.load(std::memory_order_seq_cst) > 0 ||
                    _always_signal.load(std::memory_order_seq_cst))
                    wake = arm_signal_locked();
                else
                    count_recv_signal_skipped();
            }
        }
    }
    if (dropped)
        release(cmd);
    if (wake)
        write_signal();
}

// Under _mutex: the write is owed (done by write_signal after the unlock).
// The reference keeps the fd open until then.
bool mailbox_t::arm_signal_locked() {
    _signaled.store(true, std::memory_order_relaxed);
    _writes_in_flight.fetch_add(1, std::memory_order_relaxed);
    add_ref();
    count_recv_wakeup();
    return true;
}

void mailbox_t::write_signal() {
    uint64_t one = 1;
    ssize_t rc;
    do {
        rc = ::write(_fd, &one, sizeof one);
    } while (rc < 0 && errno == EINTR);
    _writes_in_flight.fetch_sub(1, std::memory_order_release);
    drop_ref();
}

// Under _mutex: read the eventfd back to empty. Its write may still be on
// its way (the owner can wake, and even take the queue, before the writer's
// write() has returned): then the read finds nothing and _signaled stays set
// for the next take_all or wait() (a parked owner wakes once for nothing).
// A read that got something consumed every write that had landed.
void mailbox_t::drain_locked() {
    if (!_signaled.load(std::memory_order_relaxed))
        return;
    // Loaded before the read: none on its way then means the read gets it.
    const bool landed = _writes_in_flight.load(std::memory_order_acquire) == 0;
    uint64_t v;
    if (::read(_fd, &v, sizeof v) == ssize_t(sizeof v) || landed)
        _signaled.store(false, std::memory_order_relaxed);
}

bool mailbox_t::park() {
    _parked.fetch_add(1, std::memory_order_seq_cst);
    if (_pending.load(std::memory_order_seq_cst)) {
        _parked.fetch_sub(1, std::memory_order_seq_cst);
        return false;
    }
    return true;
}

void mailbox_t::expose_fd() {
    if (_always_signal.exchange(true, std::memory_order_seq_cst))
        return;
    // Commands queued while nobody watched: raise the fd for them now, as
    // libzmq's fd would already be readable.
    bool wake = false;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (!_queue.empty() && !_signaled.load(std::memory_order_relaxed) && _fd >= 0)
            wake = arm_signal_locked();
    }
    if (wake)
        write_signal();
}

bool mailbox_t::take_all(std::vector<command_t> &out) {
    if (!needs_take())
        return false;
    std::lock_guard<std::mutex> lock(_mutex);
    // Drain before taking: a send after this point finds _signaled clear
    // and writes again, so its wake-up cannot be swallowed.
    drain_locked();
    if (_queue.empty())
        return false;
    out.insert(out.end(), _queue.begin(), _queue.end());
    _queue.clear();
    _pending.store(false, std::memory_order_release);
    return true;
}

int mailbox_t::wait(int timeout_ms, const sigset_t *caller_mask) {
    if (has_pending())
        return 1;
    if (_fd < 0)
        return 0; // fd-less owners take commands through their deliverer
    if (!park())
        return 1;
    pollfd p{_fd, POLLIN, 0};
    const int rc = park_poll(&p, 1, timeout_ms, caller_mask);
    const int err = errno;
    unpark();
    if (rc < 0 && err == EINTR) {
        errno = EINTR;
        return -1;
    }
    if (rc > 0 && !has_pending()) {
        // Readable with nothing queued: a write take_all could not drain.
        std::lock_guard<std::mutex> lock(_mutex);
        drain_locked();
    }
    return rc > 0 || has_pending() ? 1 : 0;
}

void mailbox_t::close() {
    std::vector<command_t> dropped;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _closed = true;
        dropped.swap(_queue);
        _pending.store(false, std::memory_order_release);
    }
    for (const auto &c : dropped)
        release(c);
}

} // namespace zlink
