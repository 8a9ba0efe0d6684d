#include "engine/io_thread_pool.hpp"

#include <cerrno>
#include <csignal>
#include <new>
#include <pthread.h>

#include <boost/asio/steady_timer.hpp>

#include "core/exception_errno.hpp"
#include "transports/io_domain.hpp"

namespace zlink {

namespace {

std::atomic<uint64_t> g_escaped{0};

// New threads inherit the creator's signal mask: with the asynchronous
// signals blocked while they start, those go to the application's threads
// (as with libzmq), so Ctrl-C interrupts a call blocked in zmq_recv instead
// of landing on an io thread. Faults stay unblocked: they hit the faulting
// thread anyway, and blocking them would only bypass crash handlers.
class async_signals_blocked_t {
  public:
    async_signals_blocked_t() {
        sigset_t all;
        sigfillset(&all);
        for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP})
            sigdelset(&all, fault);
        pthread_sigmask(SIG_BLOCK, &all, &_saved);
    }
    ~async_signals_blocked_t() { pthread_sigmask(SIG_SETMASK, &_saved, nullptr); }

  private:
    sigset_t _saved;
};

} // namespace

std::unique_ptr<io_thread_pool_t> io_thread_pool_t::create(int threads) {
    std::unique_ptr<io_thread_pool_t> pool;
    try {
        pool.reset(new io_thread_pool_t);
    } catch (const std::bad_alloc &) {
        errno = ENOMEM;
        return nullptr;
    }
    if (pool->start(threads) != 0) {
        const int err = errno;
        pool.reset(); // stops and joins what did start
        errno = err;
        return nullptr;
    }
    return pool;
}

int io_thread_pool_t::start(int threads) {
    if (threads < 1)
        threads = 1;
    try {
        for (int i = 0; i < threads; ++i) {
            auto ctx = std::make_unique<boost::asio::io_context>(1);
            // The reactor (epoll, eventfd, timerfd) is made on first use and
            // throws if it cannot get its descriptors: make it now, where
            // the failure can still be returned, not later in a handler.
            boost::asio::steady_timer make_reactor(*ctx);
            boost::asio::make_service<io_domain_t>(*ctx, this);
            _guards.emplace_back(boost::asio::make_work_guard(*ctx));
            _contexts.push_back(std::move(ctx));
        }
        async_signals_blocked_t blocked;
        for (auto &ctx : _contexts)
            _threads.emplace_back(&io_thread_pool_t::run, ctx.get());
    } catch (...) {
        errno = errno_of_current_exception();
        return -1;
    }
    return 0;
}

// An exception escaping a handler would end the thread and with it the
// process (std::terminate). Asio lets run() resume after one, so the thread
// goes on serving every other connection bound to it; the causes are fixed
// where they arise, this is the backstop.
void io_thread_pool_t::run(boost::asio::io_context *ctx) {
    for (;;) {
        try {
            ctx->run();
            return; // stopped
        } catch (...) {
            g_escaped.fetch_add(1, std::memory_order_relaxed);
        }
    }
}

uint64_t io_thread_pool_t::escaped_exceptions() {
    return g_escaped.load(std::memory_order_relaxed);
}
void io_thread_pool_t::reset_escaped_exceptions() { g_escaped.store(0, std::memory_order_relaxed); }

io_thread_pool_t::~io_thread_pool_t() {
    for (auto &g : _guards)
        g.reset();
    for (auto &c : _contexts)
        c->stop();
    for (auto &t : _threads)
        t.join();
}

boost::asio::io_context &io_thread_pool_t::next() {
    return *_contexts[_next.fetch_add(1, std::memory_order_relaxed) % _contexts.size()];
}

} // namespace zlink
