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
    bool dropped = false;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_closed) {
            dropped = true; // owner is gone: no one to act on the command
        } else {
            _queue.push_back(cmd);
            // seq_cst store, then load of _parked: with park()'s increment,
            // then load of _pending, one side always sees the other.
            _pending.store(true, std::memory_order_seq_cst);
            if (!_signaled && _fd >= 0) {
                if (_parked.load(std::memory_order_seq_cst) > 0 ||
                    _always_signal.load(std::memory_order_seq_cst))
                    signal_locked();
                else
                    count_recv_signal_skipped();
            }
        }
    }
    if (dropped)
        release(cmd);
}

// Under _mutex, so take_all() cannot drain between the flag and the write.
void mailbox_t::signal_locked() {
    _signaled = true;
    count_recv_wakeup();
    uint64_t one = 1;
    ssize_t rc;
    do {
        rc = ::write(_fd, &one, sizeof one);
    } while (rc < 0 && errno == EINTR);
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
    std::lock_guard<std::mutex> lock(_mutex);
    if (!_queue.empty() && !_signaled && _fd >= 0)
        signal_locked();
}

bool mailbox_t::take_all(std::vector<command_t> &out) {
    if (!_pending.load(std::memory_order_acquire))
        return false;
    std::lock_guard<std::mutex> lock(_mutex);
    if (_queue.empty())
        return false;
    out.insert(out.end(), _queue.begin(), _queue.end());
    _queue.clear();
    _pending.store(false, std::memory_order_release);
    if (_signaled && _fd >= 0) {
        // Drain the eventfd while holding the lock so a concurrent send
        // cannot have its wake-up swallowed.
        uint64_t v;
        ssize_t rc = ::read(_fd, &v, sizeof v);
        (void)rc;
    }
    _signaled = false;
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
