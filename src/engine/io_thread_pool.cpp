#include "engine/io_thread_pool.hpp"

#include <cerrno>
#include <csignal>
#include <new>
#include <pthread.h>

#include <boost/asio/steady_timer.hpp>

#include "core/exception_errno.hpp"
#include "core/feature_flags.hpp"
#include "core/recv_wait.hpp"
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
    const bool poll_for_spinners = resolve_flag("ZLINK_IO_POLL", -1, io_poll_default, 0, 1) != 0;
    for (;;) {
        try {
            if (!poll_for_spinners) {
                ctx->run();
                return; // stopped
            }
            serve_polling_for_spinners(*ctx);
            return;
        } catch (...) {
            g_escaped.fetch_add(1, std::memory_order_relaxed);
        }
    }
}

// While an application thread of this process spins for a message (its
// receive spin, core/recv_wait.hpp), this io thread polls its reactor
// instead of sleeping in epoll_wait: the message that ends the spin then
// reaches a thread that is awake, and no thread is woken at all. Measured
// on a 2-vCPU VM where a wake-up across cpus costs ~45 us: REQ/REP tcp 64 B
// with a process on each cpu, p50 39 -> 23 us (12 runs; bimodal), CPU per
// round trip 118 -> 77 us (benchwithzmq/RESULTS_NOTES.md "The io thread
// polls while the application spins"). Otherwise it runs one handler at a time and
// sleeps as before; the poll ends when the spin's budget does, so it costs
// at most one spin's length after the last spinning wait, and nothing when
// the receive spin is off (ZLINK_RECV_SPIN_US=0) or held back by its policy.
void io_thread_pool_t::serve_polling_for_spinners(boost::asio::io_context &ctx) {
    // A yield that kept us off the cpu this long ran more than our own
    // spinner: the cpu is crowded (both processes of a REQ/REP on one cpu:
    // four threads taking turns, p50 8.0 -> 9.1 us with polling), so this
    // spin's poll ends and the io thread sleeps as before. Measured: 3 us
    // gave up too often on two cpus, no limit lost on one (RESULTS_NOTES).
    constexpr uint64_t crowded_ns = 10000;
    uint64_t gave_up_on = 0; // the spin deadline a crowded yield ended our poll for
    for (;;) {
        const uint64_t until = app_spin_until_ns();
        if (until != gave_up_on && monotonic_ns() < until) {
            if (ctx.poll() != 0) {
                count_io_poll_found();
            } else if (!ctx.stopped()) {
                const uint64_t before = monotonic_ns();
                spin_yield(); // the spinner may share this cpu
                if (monotonic_ns() - before > crowded_ns)
                    gave_up_on = until;
            }
        } else {
            ctx.run_one();
        }
        if (ctx.stopped())
            return;
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
