// zmq_timers_*: handle validation and errno over core/timer_set.
#include <zmq.h>

#include "api/api_guard.hpp"
#include "core/timer_set.hpp"

#include <cerrno>
#include <cstdint>
#include <new>

namespace {
// The tag lets us answer EFAULT for a pointer that is not (or no longer)
// a timers handle, as libzmq does, instead of corrupting memory.
constexpr std::uint32_t live_tag = 0x7a74696du; // "ztim"
constexpr std::uint32_t dead_tag = 0xdeadd00du;

struct timers_handle {
    std::uint32_t tag = live_tag;
    zlink::timer_set timers;

    ~timers_handle() { tag = dead_tag; }
};

zlink::timer_set *checked(void *timers_) {
    auto *handle = static_cast<timers_handle *>(timers_);
    if (handle == nullptr || handle->tag != live_tag) {
        errno = EFAULT;
        return nullptr;
    }
    return &handle->timers;
}
} // namespace

extern "C" {

ZMQ_EXPORT void *zmq_timers_new(void) {
    auto *handle = new (std::nothrow) timers_handle;
    if (handle == nullptr)
        errno = ENOMEM;
    return handle;
}

ZMQ_EXPORT int zmq_timers_destroy(void **timers_p_) {
    if (timers_p_ == nullptr || checked(*timers_p_) == nullptr) {
        errno = EFAULT;
        return -1;
    }
    delete static_cast<timers_handle *>(*timers_p_);
    *timers_p_ = nullptr;
    return 0;
}

ZMQ_EXPORT int zmq_timers_add(void *timers_, size_t interval_, zmq_timer_fn handler_, void *arg_) {
    zlink::timer_set *timers = checked(timers_);
    if (timers == nullptr)
        return -1;
    // A null handler is EFAULT (set by timer_set), per libzmq's man page.
    return zlink::api_guard(-1, [&] { return timers->add(interval_, handler_, arg_); });
}

ZMQ_EXPORT int zmq_timers_cancel(void *timers_, int timer_id_) {
    zlink::timer_set *timers = checked(timers_);
    return timers ? timers->cancel(timer_id_) : -1;
}

ZMQ_EXPORT int zmq_timers_set_interval(void *timers_, int timer_id_, size_t interval_) {
    zlink::timer_set *timers = checked(timers_);
    return timers ? zlink::api_guard(-1, [&] { return timers->set_interval(timer_id_, interval_); })
                  : -1;
}

ZMQ_EXPORT int zmq_timers_reset(void *timers_, int timer_id_) {
    zlink::timer_set *timers = checked(timers_);
    return timers ? zlink::api_guard(-1, [&] { return timers->reset(timer_id_); }) : -1;
}

ZMQ_EXPORT long zmq_timers_timeout(void *timers_) {
    zlink::timer_set *timers = checked(timers_);
    return timers ? timers->timeout() : -1;
}

ZMQ_EXPORT int zmq_timers_execute(void *timers_) {
    zlink::timer_set *timers = checked(timers_);
    if (timers == nullptr)
        return -1;
    return zlink::api_guard(-1, [&] {
        timers->execute();
        return 0;
    });
}

} // extern "C"
