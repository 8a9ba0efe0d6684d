#include "api/poller.hpp"

#include "api/poll.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

#include "core/mailbox.hpp"

namespace zlink {

using namespace poll_detail;

namespace {

constexpr short valid_events = ZMQ_POLLIN | ZMQ_POLLOUT | ZMQ_POLLERR | ZMQ_POLLPRI;

// Tells a socket from garbage through the public API. ETERM still proves a
// socket (its context is closing); libzmq accepts those at add time too.
int probe_socket(void *socket, bool *thread_safe) {
    *thread_safe = false;
    if (!socket) {
        errno = ENOTSOCK;
        return -1;
    }
    int value = 0;
    size_t len = sizeof value;
    if (zmq_getsockopt(socket, ZMQ_THREAD_SAFE, &value, &len) == 0) {
        *thread_safe = value != 0;
        return 0;
    }
    if (errno == ENOTSOCK)
        return -1;
    // Some other refusal (ETERM, an older core without the option): it
    // answered like a socket, so treat it as one.
    int type = 0;
    len = sizeof type;
    if (zmq_getsockopt(socket, ZMQ_TYPE, &type, &len) != 0 && errno == ENOTSOCK)
        return -1;
    return 0;
}

} // namespace

socket_poller::~socket_poller() {
    release_mailboxes();
    if (epoll_fd_ >= 0)
        ::close(epoll_fd_);
    tag_ = dead_tag;
}

socket_poller::item *socket_poller::find_socket(void *socket) {
    for (item &it : items_)
        if (it.socket == socket)
            return &it;
    return nullptr;
}

socket_poller::item *socket_poller::find_fd(int fd) {
    for (item &it : items_)
        if (!it.socket && it.fd == fd)
            return &it;
    return nullptr;
}

int socket_poller::add(void *socket, void *user_data, short events) {
    bool thread_safe = false;
    if (probe_socket(socket, &thread_safe) != 0)
        return -1;
    if (events & ~valid_events) {
        errno = EINVAL;
        return -1;
    }
    if (find_socket(socket)) {
        errno = EINVAL;
        return -1;
    }
    items_.push_back(item{socket, -1, user_data, events, thread_safe});
    need_rebuild_ = true;
    return epoll_fd_ >= 0 ? sync_signaler() : 0;
}

int socket_poller::modify(void *socket, short events) {
    bool thread_safe = false;
    if (probe_socket(socket, &thread_safe) != 0)
        return -1;
    if (events & ~valid_events) {
        errno = EINVAL;
        return -1;
    }
    item *it = find_socket(socket);
    if (!it) {
        errno = EINVAL;
        return -1;
    }
    it->events = events;
    need_rebuild_ = true;
    return epoll_fd_ >= 0 ? sync_signaler() : 0;
}

int socket_poller::remove(void *socket) {
    bool thread_safe = false;
    if (probe_socket(socket, &thread_safe) != 0)
        return -1;
    item *it = find_socket(socket);
    if (!it) {
        errno = EINVAL;
        return -1;
    }
    items_.erase(items_.begin() + (it - items_.data()));
    need_rebuild_ = true;
    return epoll_fd_ >= 0 ? sync_signaler() : 0;
}

int socket_poller::add_fd(int fd, void *user_data, short events) {
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    if (events & ~valid_events) {
        errno = EINVAL;
        return -1;
    }
    if (find_fd(fd)) {
        errno = EINVAL;
        return -1;
    }
    items_.push_back(item{nullptr, fd, user_data, events, false});
    need_rebuild_ = true;
    return epoll_fd_ >= 0 ? sync_signaler() : 0;
}

int socket_poller::modify_fd(int fd, short events) {
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    if (events & ~valid_events) {
        errno = EINVAL;
        return -1;
    }
    item *it = find_fd(fd);
    if (!it) {
        errno = EINVAL;
        return -1;
    }
    it->events = events;
    need_rebuild_ = true;
    return epoll_fd_ >= 0 ? sync_signaler() : 0;
}

int socket_poller::remove_fd(int fd) {
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    item *it = find_fd(fd);
    if (!it) {
        errno = EINVAL;
        return -1;
    }
    items_.erase(items_.begin() + (it - items_.data()));
    need_rebuild_ = true;
    return epoll_fd_ >= 0 ? sync_signaler() : 0;
}

uint64_t socket_poller::moved_total() const {
    uint64_t moved = 0, cap = 0;
    for (const item &it : items_)
        if (it.socket && it.events)
            socket_mailbox(it.socket, &cap, &moved);
    return moved;
}

void socket_poller::release_mailboxes() {
    for (mailbox_t *mb : mailboxes_)
        mb->drop_ref();
    mailboxes_.clear();
}

// Socket fds are fetched here, not at add time, so a socket whose context
// is terminated is reported by wait() (ETERM), as in libzmq.
int socket_poller::rebuild() {
    pollfds_.resize(items_.size());
    active_ = 0;
    raw_active_ = 0;
    fdless_socket_ = false;
    release_mailboxes();
    spin_cap_ns_ = UINT64_MAX;
    foreign_ = false;
    for (std::size_t i = 0; i < items_.size(); ++i) {
        const item &it = items_[i];
        pollfd &p = pollfds_[i];
        p.fd = -1;
        p.events = 0;
        p.revents = 0;
        if (!it.events)
            continue;
        ++active_;
        if (!it.socket) {
            p.fd = it.fd;
            p.events = to_poll_events(it.events);
            ++raw_active_;
            foreign_ = true;
            continue;
        }
        int fd = -1;
        uint64_t cap = 0;
        uint64_t moved = 0; // read again at each wait
        if (mailbox_t *mb = socket_mailbox(it.socket, &cap, &moved)) {
            mb->add_ref(); // a socket closed while registered leaves no dangling mailbox
            mailboxes_.push_back(mb);
            spin_cap_ns_ = cap < spin_cap_ns_ ? cap : spin_cap_ns_;
            fd = mailbox_fd(mb);
        } else {
            foreign_ = true;
            const int rc = socket_fd(it.socket, &fd);
            if (rc < 0)
                return -1;
            if (rc == 1) {
                fdless_socket_ = true;
                continue;
            }
        }
        p.fd = fd;
        p.events = POLLIN;
    }
    need_rebuild_ = false;
    return 0;
}

int socket_poller::collect(zmq_poller_event_t *events, int n) {
    int found = 0;
    for (std::size_t i = 0; i < items_.size() && found < n; ++i) {
        const item &it = items_[i];
        short revents = 0;
        if (it.socket) {
            short ev;
            if (socket_events(it.socket, &ev) != 0)
                return -1;
            revents = ev & it.events;
        } else if (it.events) {
            revents = from_poll_revents(pollfds_[i].revents) & it.events;
        }
        if (!revents)
            continue;
        zmq_poller_event_t &e = events[found++];
        e.socket = it.socket;
        e.fd = it.socket ? -1 : it.fd;
        e.user_data = it.user_data;
        e.events = revents;
    }
    return found;
}

int socket_poller::wait(zmq_poller_event_t *events, int n, long timeout_ms) {
    if (items_.empty() && timeout_ms < 0) {
        errno = EFAULT; // would block forever on nothing
        return -1;
    }
    if (need_rebuild_ && rebuild() != 0)
        return -1;
    if (active_ == 0) {
        if (timeout_ms < 0) {
            errno = EFAULT;
            return -1;
        }
        if (sleep_ms(timeout_ms) != 0)
            return -1;
        errno = EAGAIN;
        return -1;
    }

    const deadline until(timeout_ms);
    const nfds_t nfds = static_cast<nfds_t>(pollfds_.size());
    bool first_pass = true;
    for (;;) {
        // First pass: ZMQ_EVENTS only (plus a zero-timeout poll for raw fds),
        // so a ready socket costs no syscall of ours.
        if (!first_pass || raw_active_ > 0) {
            int wait_ms = first_pass ? 0 : until.remaining_ms();
            if (fdless_socket_ && (wait_ms < 0 || wait_ms > no_fd_recheck_ms))
                wait_ms = no_fd_recheck_ms;
            for (pollfd &p : pollfds_)
                p.revents = 0;
            socket_sleep sleep(mailboxes_.data(), first_pass ? 0 : mailboxes_.size(), spin_cap_ns_,
                               !foreign_, first_pass ? 0 : moved_total(), spin_);
            if (first_pass || !sleep.prepare(wait_ms))
                wait_ms = 0; // a command came: only the raw fds' state is wanted
            if ((wait_ms != 0 || raw_active_ > 0) &&
                park_poll(pollfds_.data(), nfds, wait_ms, sleep.caller_mask()) < 0)
                return -1; // EINTR
            if (sleep.signal_arrived()) {
                errno = EINTR;
                return -1;
            }
        }
        const int found = collect(events, n);
        if (found < 0)
            return -1;
        if (found > 0) {
            for (int i = found; i < n; ++i)
                events[i] = zmq_poller_event_t{nullptr, -1, nullptr, 0};
            return found;
        }
        if (timeout_ms == 0 || (!first_pass && until.expired()))
            break;
        first_pass = false;
    }
    errno = EAGAIN;
    return -1;
}

int socket_poller::signaler_fd(zmq_fd_t *fd) {
    bool any_thread_safe = false;
    for (const item &it : items_)
        any_thread_safe = any_thread_safe || it.thread_safe;
    if (!any_thread_safe) {
        errno = EINVAL;
        return -1;
    }
    if (epoll_fd_ < 0) {
        epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
        if (epoll_fd_ < 0)
            return -1;
    }
    if (sync_signaler() != 0)
        return -1;
    *fd = epoll_fd_;
    return 0;
}

// The poller's fd is an epoll set over every member's fd, so it becomes
// readable whenever wait() could find something; re-synced on each change.
int socket_poller::sync_signaler() {
    for (int fd : epoll_members_)
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    epoll_members_.clear();
    for (const item &it : items_) {
        if (!it.events)
            continue;
        epoll_event ev{};
        int fd = it.fd;
        if (it.socket) {
            const int rc = socket_fd(it.socket, &fd);
            if (rc < 0)
                return -1;
            if (rc == 1)
                continue; // no fd to watch; wait() still polls it
            ev.events = EPOLLIN;
        } else {
            if (it.events & ZMQ_POLLIN)
                ev.events |= EPOLLIN;
            if (it.events & ZMQ_POLLOUT)
                ev.events |= EPOLLOUT;
            if (it.events & ZMQ_POLLPRI)
                ev.events |= EPOLLPRI;
        }
        ev.data.fd = fd;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0)
            epoll_members_.push_back(fd);
    }
    return 0;
}

} // namespace zlink
