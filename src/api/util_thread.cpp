// zmq_threadstart / zmq_threadclose: a joinable thread behind a handle.
#include <zmq.h>

#include <cerrno>
#include <new>
#include <system_error>
#include <thread>

#if !defined _WIN32
#include <pthread.h>
#include <signal.h>
#endif

namespace {
void run(zmq_thread_fn *func, void *arg) {
#if !defined _WIN32
    // As libzmq does for its threads: signals go to the application's own
    // threads, never to a helper thread that does not expect them.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
#endif
    func(arg);
}
} // namespace

extern "C" {

ZMQ_EXPORT void *zmq_threadstart(zmq_thread_fn *func_, void *arg_) {
    if (func_ == nullptr) {
        errno = EINVAL;
        return nullptr;
    }
    try {
        return new std::thread(run, func_, arg_);
    } catch (const std::system_error &e) {
        errno = e.code().value() != 0 ? e.code().value() : EAGAIN;
    } catch (const std::bad_alloc &) {
        errno = ENOMEM;
    }
    return nullptr;
}

// Waits for the thread function to return, then frees the handle.
ZMQ_EXPORT void zmq_threadclose(void *thread_) {
    if (thread_ == nullptr)
        return;
    auto *thread = static_cast<std::thread *>(thread_);
    if (thread->joinable()) {
        try {
            thread->join();
        } catch (const std::system_error &) {
            // Joining from the thread itself: detach rather than deadlock.
            thread->detach();
        }
    }
    delete thread;
}

} // extern "C"
