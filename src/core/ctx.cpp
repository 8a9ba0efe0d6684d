#include "core/ctx.hpp"

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "engine/io_thread_pool.hpp"
#include "core/msg_pool.hpp"
#include "core/socket_base.hpp"

namespace zlink {

namespace {
// Contexts alive in the process: when the last one goes, the message pool's
// cached blocks go back to malloc.
std::atomic<int> g_live_contexts{0};
} // namespace

ctx_t::ctx_t() { g_live_contexts.fetch_add(1, std::memory_order_relaxed); }

ctx_t::~ctx_t() {
    _endpoints.end_pending();
    _io_pool.reset();
    if (_term_fd >= 0)
        ::close(_term_fd);
    _tag = dead_tag;
    if (g_live_contexts.fetch_sub(1, std::memory_order_acq_rel) == 1)
        msg_pool_trim();
}

int ctx_t::set(int option, const void *value, size_t size) {
    int v = 0;
    const bool is_int = size == sizeof(int) && value;
    if (is_int)
        std::memcpy(&v, value, sizeof v);
    std::lock_guard<std::mutex> lock(_mutex);
    switch (option) {
    case ZMQ_IO_THREADS:
        if (!is_int || v < 0)
            break;
        _io_threads = v;
        return 0;
    case ZMQ_MAX_SOCKETS:
        if (!is_int || v < 1) // libzmq 4.3.4 takes any positive count
            break;
        _max_sockets = v;
        return 0;
    case ZMQ_IPV6:
        if (!is_int || v < 0)
            break;
        _ipv6 = v != 0;
        return 0;
    case ZMQ_BLOCKY:
        if (!is_int || v < 0)
            break;
        _blocky = v != 0;
        return 0;
    case ZMQ_MAX_MSGSZ:
        if (!is_int || v < 0)
            break;
        _max_msgsz = v;
        return 0;
    case ZMQ_THREAD_PRIORITY:
        if (!is_int || v < 0)
            break;
        _thread_priority = v;
        return 0;
    case ZMQ_THREAD_SCHED_POLICY:
        if (!is_int || v < 0)
            break;
        _thread_sched_policy = v;
        return 0;
    case ZMQ_THREAD_AFFINITY_CPU_ADD:
        if (!is_int || v < 0)
            break;
        _thread_affinity.insert(v);
        return 0;
    case ZMQ_THREAD_AFFINITY_CPU_REMOVE:
        if (!is_int || v < 0)
            break;
        if (_thread_affinity.erase(v) == 0)
            break;
        return 0;
    case ZMQ_THREAD_NAME_PREFIX: // libzmq 4.3.4 takes any int, negative too
        if (!is_int)
            break;
        _thread_name_prefix = v;
        return 0;
    case ZMQ_ZERO_COPY_RECV: // draft in zmq.h, handled by libzmq 4.3.4's stable build
        if (!is_int || v < 0)
            break;
        _zero_copy_recv = v != 0;
        return 0;
    default:
        break;
    }
    errno = EINVAL;
    return -1;
}

int ctx_t::get(int option, void *value, size_t *size) {
    int v;
    std::lock_guard<std::mutex> lock(_mutex);
    switch (option) {
    case ZMQ_IO_THREADS:
        v = _io_threads;
        break;
    case ZMQ_MAX_SOCKETS:
        v = _max_sockets;
        break;
    case ZMQ_SOCKET_LIMIT:
        v = 65535;
        break;
    case ZMQ_IPV6:
        v = _ipv6;
        break;
    case ZMQ_BLOCKY:
        v = _blocky;
        break;
    case ZMQ_MAX_MSGSZ:
        v = _max_msgsz;
        break;
    case ZMQ_MSG_T_SIZE:
        v = static_cast<int>(sizeof(zmq_msg_t));
        break;
    case ZMQ_THREAD_SCHED_POLICY:
        v = _thread_sched_policy;
        break;
    case ZMQ_THREAD_NAME_PREFIX:
        v = _thread_name_prefix;
        break;
    case ZMQ_ZERO_COPY_RECV:
        v = _zero_copy_recv;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    if (!value || !size || *size < sizeof(int)) {
        errno = EINVAL;
        return -1;
    }
    std::memcpy(value, &v, sizeof v);
    *size = sizeof v;
    return 0;
}

socket_base_t *ctx_t::create_socket(int type) {
    int sid;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_terminating) {
            errno = ETERM;
            return nullptr;
        }
        if (!_started) {
            // As libzmq: the first socket starts the context, and the
            // socket and io thread counts are fixed from then on.
            _started = true;
            _started_max_sockets = _max_sockets;
            _started_io_threads = _io_threads;
        }
        if (static_cast<int>(_sockets.size()) >= _started_max_sockets) {
            errno = EMFILE;
            return nullptr;
        }
        sid = _next_sid++;
    }
    socket_base_t *s = socket_base_t::create(type, this, sid);
    if (!s)
        return nullptr;
    bool blocky;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_terminating) {
            // Lost a race with shutdown: the new socket starts terminated,
            // as libzmq's would.
            _sockets.insert(s);
            s->stop();
        } else {
            _sockets.insert(s);
        }
        blocky = _blocky;
    }
    if (!blocky) {
        int zero = 0;
        s->setsockopt(ZMQ_LINGER, &zero, sizeof zero);
    }
    if (_ipv6) {
        int one = 1;
        s->setsockopt(ZMQ_IPV6, &one, sizeof one);
    }
    return s;
}

void ctx_t::destroy_socket(socket_base_t *s) {
    std::lock_guard<std::mutex> lock(_mutex);
    _sockets.erase(s);
    notify_terminator_locked();
}

void ctx_t::notify_terminator_locked() {
    _cv.notify_all();
    if (_term_fd >= 0) {
        const uint64_t one = 1;
        ssize_t rc;
        do {
            rc = ::write(_term_fd, &one, sizeof one);
        } while (rc < 0 && errno == EINTR);
    }
}

int ctx_t::shutdown() {
    std::lock_guard<std::mutex> lock(_mutex);
    if (!_terminating.exchange(true)) {
        for (socket_base_t *s : _sockets)
            s->stop();
    }
    return 0;
}

int ctx_t::terminate() {
    shutdown();
    if (wait_for_sockets() != 0)
        return -1; // EINTR: the context stays valid, zmq_ctx_term may be retried
    delete this;
    return 0;
}

// Waits on an eventfd rather than only the condition variable so that a
// signal interrupts zmq_ctx_term with EINTR, as libzmq's does. Without a
// descriptor to spare the wait cannot be interrupted, but still ends.
int ctx_t::wait_for_sockets() {
    std::unique_lock<std::mutex> lock(_mutex);
    const auto done = [this] { return _sockets.empty() && _lingerers == 0; };
    if (done())
        return 0;
    if (_term_fd < 0)
        _term_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (_term_fd < 0) {
        _cv.wait(lock, done);
        return 0;
    }
    while (!done()) {
        lock.unlock();
        pollfd p{_term_fd, POLLIN, 0};
        const int rc = ::poll(&p, 1, -1);
        lock.lock();
        if (rc < 0 && errno == EINTR) {
            if (done())
                break;
            errno = EINTR;
            return -1;
        }
        uint64_t count;
        ssize_t n = ::read(_term_fd, &count, sizeof count);
        (void)n;
    }
    return 0;
}

void ctx_t::add_lingerer() {
    std::lock_guard<std::mutex> lock(_mutex);
    ++_lingerers;
}

void ctx_t::remove_lingerer() {
    std::lock_guard<std::mutex> lock(_mutex);
    --_lingerers;
    notify_terminator_locked();
}

io_thread_pool_t *ctx_t::io_threads() {
    std::lock_guard<std::mutex> lock(_mutex);
    if (!_io_pool && _started_io_threads == 0) {
        errno = EMTHREAD; // as libzmq: tcp/ipc need an io thread, inproc does not
        return nullptr;
    }
    if (!_io_pool)
        _io_pool = io_thread_pool_t::create(_started_io_threads);
    return _io_pool.get(); // nullptr + errno when the threads could not start
}

mailbox_t *ctx_t::engine_host_t::find_bound_endpoint(const std::string &endpoint) {
    endpoint_table_t::endpoint_t ep{};
    return _ctx._endpoints.find_or_pend(endpoint, ep, nullptr) ? ep.mailbox : nullptr;
}

} // namespace zlink
