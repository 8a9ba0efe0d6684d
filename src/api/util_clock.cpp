// zmq_stopwatch_* and zmq_sleep: helpers libzmq ships for its perf tools.
#include <zmq.h>

#include "core/clock.hpp"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <new>
#include <thread>

namespace {
struct stopwatch {
    std::uint64_t start_us;
};

unsigned long elapsed_us(const stopwatch *watch) {
    return static_cast<unsigned long>(zlink::steady_now_us() - watch->start_us);
}
} // namespace

extern "C" {

ZMQ_EXPORT void *zmq_stopwatch_start(void) {
    auto *watch = new (std::nothrow) stopwatch{zlink::steady_now_us()};
    if (watch == nullptr)
        errno = ENOMEM;
    return watch;
}

// Microseconds since start; the watch keeps running.
ZMQ_EXPORT unsigned long zmq_stopwatch_intermediate(void *watch_) {
    if (watch_ == nullptr) {
        errno = EFAULT;
        return 0;
    }
    return elapsed_us(static_cast<stopwatch *>(watch_));
}

// Microseconds since start; frees the watch.
ZMQ_EXPORT unsigned long zmq_stopwatch_stop(void *watch_) {
    if (watch_ == nullptr) {
        errno = EFAULT;
        return 0;
    }
    auto *watch = static_cast<stopwatch *>(watch_);
    const unsigned long res = elapsed_us(watch);
    delete watch;
    return res;
}

ZMQ_EXPORT void zmq_sleep(int seconds_) {
    if (seconds_ > 0)
        std::this_thread::sleep_for(std::chrono::seconds(seconds_));
}

} // extern "C"
