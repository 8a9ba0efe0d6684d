// Exported C entry points for polling and proxying: argument checks only,
// the work is in api/poll, api/poller and api/proxy.
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include <zmq.h>
// libzmq's own header #undefs ZMQ_EXPORT at its end; keep this file
// buildable against either header.
#ifndef ZMQ_EXPORT
#define ZMQ_EXPORT __attribute__((visibility("default")))
#endif

#include "api/api_guard.hpp"
#include "api/poll.hpp"
#include "api/poller.hpp"
#include "api/proxy.hpp"

#include <cerrno>
#include <new>

namespace {

zlink::socket_poller *as_poller(void *p) {
    auto *poller = static_cast<zlink::socket_poller *>(p);
    if (!poller || !poller->check_tag()) {
        errno = EFAULT;
        return nullptr;
    }
    return poller;
}

} // namespace

extern "C" {

ZMQ_EXPORT int zmq_poll(zmq_pollitem_t *items_, int nitems_, long timeout_) {
    return zlink::api_guard(-1, [&] { return zlink::poll(items_, nitems_, timeout_); });
}

ZMQ_EXPORT void *zmq_poller_new(void) {
    auto *poller = new (std::nothrow) zlink::socket_poller;
    if (!poller)
        errno = ENOMEM;
    return poller;
}

ZMQ_EXPORT int zmq_poller_destroy(void **poller_p) {
    if (!poller_p) {
        errno = EFAULT;
        return -1;
    }
    zlink::socket_poller *poller = as_poller(*poller_p);
    if (!poller)
        return -1;
    delete poller;
    *poller_p = nullptr;
    return 0;
}

ZMQ_EXPORT int zmq_poller_size(void *poller_) {
    zlink::socket_poller *poller = as_poller(poller_);
    return poller ? poller->size() : -1;
}

ZMQ_EXPORT int zmq_poller_add(void *poller_, void *socket_, void *user_data_, short events_) {
    zlink::socket_poller *poller = as_poller(poller_);
    if (!poller)
        return -1;
    return zlink::api_guard(-1, [&] { return poller->add(socket_, user_data_, events_); });
}

ZMQ_EXPORT int zmq_poller_modify(void *poller_, void *socket_, short events_) {
    zlink::socket_poller *poller = as_poller(poller_);
    return poller ? zlink::api_guard(-1, [&] { return poller->modify(socket_, events_); }) : -1;
}

ZMQ_EXPORT int zmq_poller_remove(void *poller_, void *socket_) {
    zlink::socket_poller *poller = as_poller(poller_);
    return poller ? zlink::api_guard(-1, [&] { return poller->remove(socket_); }) : -1;
}

ZMQ_EXPORT int zmq_poller_add_fd(void *poller_, zmq_fd_t fd_, void *user_data_, short events_) {
    zlink::socket_poller *poller = as_poller(poller_);
    if (!poller)
        return -1;
    return zlink::api_guard(
        -1, [&] { return poller->add_fd(static_cast<int>(fd_), user_data_, events_); });
}

ZMQ_EXPORT int zmq_poller_modify_fd(void *poller_, zmq_fd_t fd_, short events_) {
    zlink::socket_poller *poller = as_poller(poller_);
    if (!poller)
        return -1;
    return zlink::api_guard(-1, [&] { return poller->modify_fd(static_cast<int>(fd_), events_); });
}

ZMQ_EXPORT int zmq_poller_remove_fd(void *poller_, zmq_fd_t fd_) {
    zlink::socket_poller *poller = as_poller(poller_);
    if (!poller)
        return -1;
    return zlink::api_guard(-1, [&] { return poller->remove_fd(static_cast<int>(fd_)); });
}

ZMQ_EXPORT int zmq_poller_wait_all(void *poller_, zmq_poller_event_t *events_, int n_events_,
                                   long timeout_) {
    zlink::socket_poller *poller = as_poller(poller_);
    if (!poller)
        return -1;
    if (!events_) {
        errno = EFAULT;
        return -1;
    }
    if (n_events_ < 0) {
        errno = EINVAL;
        return -1;
    }
    return zlink::api_guard(-1, [&] { return poller->wait(events_, n_events_, timeout_); });
}

ZMQ_EXPORT int zmq_poller_wait(void *poller_, zmq_poller_event_t *event_, long timeout_) {
    const int rc = zmq_poller_wait_all(poller_, event_, 1, timeout_);
    if (rc < 0 && event_) {
        // Leave no stale data behind for callers that ignore the result.
        event_->socket = nullptr;
        event_->fd = -1;
        event_->user_data = nullptr;
        event_->events = 0;
    }
    return rc < 0 ? -1 : 0;
}

ZMQ_EXPORT int zmq_poller_fd(void *poller_, zmq_fd_t *fd_) {
    zlink::socket_poller *poller = as_poller(poller_);
    if (!poller)
        return -1;
    if (!fd_) {
        errno = EFAULT;
        return -1;
    }
    return zlink::api_guard(-1, [&] { return poller->signaler_fd(fd_); });
}

ZMQ_EXPORT int zmq_proxy(void *frontend_, void *backend_, void *capture_) {
    return zlink::api_guard(-1,
                            [&] { return zlink::proxy(frontend_, backend_, capture_, nullptr); });
}

ZMQ_EXPORT int zmq_proxy_steerable(void *frontend_, void *backend_, void *capture_,
                                   void *control_) {
    return zlink::api_guard(-1,
                            [&] { return zlink::proxy(frontend_, backend_, capture_, control_); });
}

// Deprecated since 3.x; the device type has never mattered.
ZMQ_EXPORT int zmq_device(int /*type_*/, void *frontend_, void *backend_) {
    return zlink::api_guard(-1,
                            [&] { return zlink::proxy(frontend_, backend_, nullptr, nullptr); });
}

} // extern "C"
