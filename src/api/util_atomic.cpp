// zmq_atomic_counter_*: a heap std::atomic<int> behind an opaque handle.
#include <zmq.h>

#include <atomic>
#include <cerrno>
#include <new>

namespace {
std::atomic<int> *as_counter(void *counter_) { return static_cast<std::atomic<int> *>(counter_); }
} // namespace

extern "C" {

ZMQ_EXPORT void *zmq_atomic_counter_new(void) {
    auto *counter = new (std::nothrow) std::atomic<int>(0);
    if (counter == nullptr)
        errno = ENOMEM;
    return counter;
}

// libzmq does not check the handle; a NULL one is answered with EFAULT
// rather than a crash.
ZMQ_EXPORT void zmq_atomic_counter_set(void *counter_, int value_) {
    if (counter_ == nullptr) {
        errno = EFAULT;
        return;
    }
    as_counter(counter_)->store(value_);
}

// Returns the value before the increment.
ZMQ_EXPORT int zmq_atomic_counter_inc(void *counter_) {
    if (counter_ == nullptr) {
        errno = EFAULT;
        return -1;
    }
    return as_counter(counter_)->fetch_add(1);
}

// Returns 1 while the counter is still non-zero after the decrement, 0 when
// it reached zero: the reference-counting idiom.
ZMQ_EXPORT int zmq_atomic_counter_dec(void *counter_) {
    if (counter_ == nullptr) {
        errno = EFAULT;
        return -1;
    }
    // Compare the old value with 1 so INT_MIN cannot overflow.
    return as_counter(counter_)->fetch_sub(1) != 1 ? 1 : 0;
}

ZMQ_EXPORT int zmq_atomic_counter_value(void *counter_) {
    if (counter_ == nullptr) {
        errno = EFAULT;
        return -1;
    }
    return as_counter(counter_)->load();
}

ZMQ_EXPORT void zmq_atomic_counter_destroy(void **counter_p_) {
    if (counter_p_ == nullptr)
        return;
    delete as_counter(*counter_p_);
    *counter_p_ = nullptr;
}

} // extern "C"
