// The draft zmq_poller_* API: a registration-based poller over zlink sockets
// and raw fds, built on the public API like zlink::poll.
#pragma once

#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include <zmq.h>

#include <poll.h>

#include <cstdint>
#include <vector>

#include "core/recv_wait.hpp"

namespace zlink {

class mailbox_t;

class socket_poller {
  public:
    socket_poller() = default;
    ~socket_poller();
    socket_poller(const socket_poller &) = delete;
    socket_poller &operator=(const socket_poller &) = delete;

    // The C API receives a void*; the tag tells a live poller from garbage
    // or a destroyed one (EFAULT), as libzmq does.
    bool check_tag() const { return tag_ == live_tag; }

    int add(void *socket, void *user_data, short events);
    int modify(void *socket, short events);
    int remove(void *socket);
    int add_fd(int fd, void *user_data, short events);
    int modify_fd(int fd, short events);
    int remove_fd(int fd);

    // Fills up to n events; returns how many (never 0), or -1 with errno
    // EAGAIN (timeout), EFAULT (nothing to wait on forever), ETERM, EINTR.
    int wait(zmq_poller_event_t *events, int n, long timeout_ms);

    int size() const { return static_cast<int>(items_.size()); }

    // An fd readable whenever wait() may have something to report; only
    // offered when a thread-safe socket is registered (libzmq's contract).
    int signaler_fd(zmq_fd_t *fd);

  private:
    static constexpr std::uint32_t live_tag = 0xCAFEB0B0;
    static constexpr std::uint32_t dead_tag = 0xDEADBEEF;

    struct item {
        void *socket; // null for a raw fd
        int fd;       // the raw fd; -1 for sockets
        void *user_data;
        short events;
        bool thread_safe;
    };

    item *find_socket(void *socket);
    item *find_fd(int fd);
    int rebuild();
    int collect(zmq_poller_event_t *events, int n);
    int sync_signaler();
    void release_mailboxes();
    std::uint64_t moved_total() const; // messages its sockets moved (spin policy)

    std::uint32_t tag_ = live_tag;
    std::vector<item> items_;
    // Parallel to items_; entries with fd -1 are skipped by poll().
    std::vector<pollfd> pollfds_;
    bool need_rebuild_ = true;
    int active_ = 0;     // items with a non-empty event mask
    int raw_active_ = 0; // raw fds among them
    bool fdless_socket_ = false;
    // zlink sockets' mailboxes (a reference each), to spin and park on;
    // foreign_: fds a spin cannot watch (raw, other cores' sockets).
    std::vector<mailbox_t *> mailboxes_;
    std::uint64_t spin_cap_ns_ = 0;
    bool foreign_ = false;
    spin_policy_t spin_;
    int epoll_fd_ = -1; // lazily made for signaler_fd()
    std::vector<int> epoll_members_;
};

} // namespace zlink
