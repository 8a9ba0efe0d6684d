#include "api/poll.hpp"

#include <poll.h>
#include <time.h>

#include <cerrno>
#include <climits>
#include <cstdint>

#include "core/mailbox.hpp"
#include "core/socket_base.hpp"

namespace zlink {
namespace poll_detail {

mailbox_t *socket_mailbox(void *socket, uint64_t *spin_cap_ns, uint64_t *moved) {
    if (!socket_base_t::is_socket(socket))
        return nullptr;
    auto *s = static_cast<socket_base_t *>(socket);
    *spin_cap_ns = s->recv_spin_cap_ns();
    *moved += s->msgs_moved();
    return s->mailbox();
}

int mailbox_fd(const mailbox_t *mailbox) { return mailbox->fd(); }

bool socket_sleep::any_pending() const {
    for (std::size_t i = 0; i < n_; ++i)
        if (boxes_[i]->has_pending())
            return true;
    return false;
}

bool socket_sleep::prepare(int wait_ms) {
    if (wait_ms == 0)
        return false;
    waited_ = true;
    if (spin_before_park(policy_, cap_ns_, moved_, wait_ms, signals_,
                         [this] { return any_pending(); }))
        return false;
    for (; parked_ < n_; ++parked_) {
        if (!boxes_[parked_]->park())
            return false; // the destructor unparks those before it
    }
    count_recv_parked();
    return true;
}

socket_sleep::~socket_sleep() {
    for (std::size_t i = 0; i < parked_; ++i)
        boxes_[i]->unpark();
    if (waited_)
        policy_.record(monotonic_ns() - start_, cap_ns_);
}

short to_poll_events(short zmq_events) {
    short ev = 0;
    if (zmq_events & ZMQ_POLLIN)
        ev |= POLLIN;
    if (zmq_events & ZMQ_POLLOUT)
        ev |= POLLOUT;
    if (zmq_events & ZMQ_POLLPRI)
        ev |= POLLPRI;
    // POLLERR is always reported by the kernel; nothing to request.
    return ev;
}

short from_poll_revents(short poll_revents) {
    short ev = 0;
    if (poll_revents & POLLIN)
        ev |= ZMQ_POLLIN;
    if (poll_revents & POLLOUT)
        ev |= ZMQ_POLLOUT;
    if (poll_revents & POLLPRI)
        ev |= ZMQ_POLLPRI;
    // libzmq folds every other condition (ERR, HUP, NVAL) into ZMQ_POLLERR.
    if (poll_revents & ~(POLLIN | POLLOUT | POLLPRI))
        ev |= ZMQ_POLLERR;
    return ev;
}

int socket_events(void *socket, short *events) {
    int value = 0;
    size_t len = sizeof value;
    if (zmq_getsockopt(socket, ZMQ_EVENTS, &value, &len) != 0)
        return -1;
    *events = static_cast<short>(value & (ZMQ_POLLIN | ZMQ_POLLOUT));
    return 0;
}

int socket_fd(void *socket, int *fd) {
    zmq_fd_t value = -1;
    size_t len = sizeof value;
    if (zmq_getsockopt(socket, ZMQ_FD, &value, &len) != 0)
        return errno == EINVAL ? 1 : -1;
    *fd = static_cast<int>(value);
    return 0;
}

int sleep_ms(long timeout_ms) {
    if (timeout_ms == 0)
        return 0;
    timespec ts;
    if (timeout_ms < 0) {
        // "Forever": libzmq ends up in a (very long) usleep as well.
        ts.tv_sec = 3600;
        ts.tv_nsec = 0;
        for (;;)
            if (nanosleep(&ts, nullptr) != 0 && errno == EINTR)
                return -1;
    }
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = (timeout_ms % 1000) * 1000000L;
    if (nanosleep(&ts, nullptr) != 0)
        return -1; // EINTR, as usleep would report it
    return 0;
}

deadline::deadline(long timeout_ms) : infinite_(timeout_ms < 0) {
    if (!infinite_)
        end_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
}

int deadline::remaining_ms() const {
    if (infinite_)
        return -1;
    auto left = end_ - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero())
        return 0;
    // Round up so poll() never wakes a fraction of a ms early and spins.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

} // namespace poll_detail

using namespace poll_detail;

namespace {

// Fill revents of every item from ZMQ_EVENTS (sockets) and pfds (raw fds).
// Returns the number of items with events, or -1 on a socket error.
int collect(zmq_pollitem_t *items, int nitems, pollfd *pfds) {
    int count = 0;
    for (int i = 0; i < nitems; ++i) {
        zmq_pollitem_t &item = items[i];
        short revents = 0;
        if (item.socket) {
            // Even items with no events are checked: libzmq reports a
            // closed context or a bad socket on them too.
            short ev;
            if (socket_events(item.socket, &ev) != 0)
                return -1;
            revents = ev & item.events;
        } else if (pfds[i].fd >= 0) {
            revents = from_poll_revents(pfds[i].revents);
            // Requested bits, plus errors which are reported unasked.
            revents &= static_cast<short>(item.events | ZMQ_POLLERR);
        }
        item.revents = revents;
        if (revents)
            ++count;
    }
    return count;
}

} // namespace

int poll(zmq_pollitem_t *items, int nitems, long timeout_ms) {
    if (nitems < 0) {
        errno = EINVAL;
        return -1;
    }
    if (nitems == 0)
        return sleep_ms(timeout_ms);
    if (!items) {
        errno = EFAULT;
        return -1;
    }

    const deadline until(timeout_ms);
    small_array<pollfd, ZMQ_POLLITEMS_DFLT> pfds(static_cast<std::size_t>(nitems));

    // First pass: sockets via ZMQ_EVENTS only, raw fds with a zero-timeout
    // poll (skipped when there are none, so the pure-socket fast path makes
    // no syscall of its own).
    int raw = 0;
    for (int i = 0; i < nitems; ++i) {
        pfds[i].revents = 0;
        if (items[i].socket) {
            pfds[i].fd = -1; // filled in below, only if we have to block
            pfds[i].events = 0;
        } else {
            pfds[i].fd = static_cast<int>(items[i].fd);
            pfds[i].events = to_poll_events(items[i].events);
            ++raw;
        }
    }
    if (raw > 0 && ::poll(pfds.data(), static_cast<nfds_t>(nitems), 0) < 0)
        return -1;
    int count = collect(items, nitems, pfds.data());
    if (count != 0 || timeout_ms == 0)
        return count;

    // Nothing ready: wait on the sockets' notification fds. ZMQ_EVENTS was
    // read before the fds, so a change after that read raises the fd (zlink
    // sockets: once socket_sleep has parked on them).
    bool has_fdless_socket = false;
    small_array<mailbox_t *, ZMQ_POLLITEMS_DFLT> boxes(static_cast<std::size_t>(nitems));
    std::size_t nboxes = 0;
    uint64_t spin_cap_ns = UINT64_MAX, moved = 0;
    bool foreign = raw > 0; // fds a spin cannot watch
    for (int i = 0; i < nitems; ++i) {
        if (!items[i].socket)
            continue;
        int fd = -1;
        uint64_t cap = 0;
        if (mailbox_t *mb = socket_mailbox(items[i].socket, &cap, &moved)) {
            boxes[nboxes++] = mb;
            spin_cap_ns = cap < spin_cap_ns ? cap : spin_cap_ns;
            fd = mailbox_fd(mb);
        } else {
            foreign = true;
            int rc = socket_fd(items[i].socket, &fd);
            if (rc < 0)
                return -1;
            if (rc == 1) {
                has_fdless_socket = true;
                continue;
            }
        }
        pfds[i].fd = fd;
        pfds[i].events = items[i].events ? POLLIN : 0;
    }

    thread_local spin_policy_t spin_policy; // zmq_poll has no object to keep it in
    for (;;) {
        int wait_ms = until.remaining_ms();
        if (has_fdless_socket && (wait_ms < 0 || wait_ms > no_fd_recheck_ms))
            wait_ms = no_fd_recheck_ms;
        for (int i = 0; i < nitems; ++i)
            pfds[i].revents = 0;
        {
            socket_sleep sleep(boxes.data(), nboxes, spin_cap_ns, !foreign, moved, spin_policy);
            if (!sleep.prepare(wait_ms))
                wait_ms = 0; // a command came: only the raw fds' state is wanted
            if ((wait_ms != 0 || raw > 0) && park_poll(pfds.data(), static_cast<nfds_t>(nitems),
                                                       wait_ms, sleep.caller_mask()) < 0)
                return -1; // EINTR (or ENOMEM) goes back to the caller, as libzmq
            if (sleep.signal_arrived()) {
                errno = EINTR;
                return -1;
            }
        }
        count = collect(items, nitems, pfds.data());
        if (count != 0)
            return count;
        if (until.expired())
            return 0;
    }
}

} // namespace zlink
