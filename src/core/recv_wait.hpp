// Waiting for a command with at most one thread wake-up (issue 12).
//
// A message reaching an idle socket used to cost two wake-ups: the io thread
// (epoll) and then the application thread (the mailbox's eventfd). A blocking
// wait now first spins briefly on the mailbox's pending flag, so when the
// reply comes within the spin the io thread's wake-up is the only one; the
// mailbox writes its eventfd only for a parked waiter (mailbox.hpp). The spin
// is adaptive: after waits longer than the cap it stops, and probes again
// with exponential back-off, so an idle or slow socket costs no CPU.
#pragma once

#include <cstdint>

namespace zlink {

// ZLINK_RECV_SPIN_US and ZLINK_LAZY_WAKE defaults (include/zlink.h).
constexpr int recv_spin_us_default = 100;
constexpr int recv_spin_us_max = 10000;
constexpr int lazy_wake_default = 1;

uint64_t monotonic_ns();

void spin_yield(); // sched_yield()

// Spin until ready() or budget_ns has passed; true when ready. Every 32
// pauses (a microsecond or two) it looks at the clock and yields the CPU:
// the thread that brings the message (our io thread, the peer) may need
// this very CPU, and a woken thread does not always preempt a spinner at
// once (measured: without the yield, REQ/REP with both processes on 2 CPUs,
// or all on 1 CPU, starved the io threads: p50 3x higher; see
// benchwithzmq/zlink_BENCHMARK_RESULTS.md "Receive with one wake-up").
template <typename Ready> bool spin_until(Ready ready, uint64_t budget_ns) {
    const uint64_t start = monotonic_ns();
    for (unsigned i = 1;; ++i) {
        if (ready())
            return true;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
        if ((i & 31) == 0) {
            if (monotonic_ns() - start >= budget_ns)
                return ready();
            spin_yield();
        }
    }
}

// One waiter's spin decision (a socket, a poller, a thread's zmq_poll):
// spin while recent waits were shorter than the cap; after two longer ones
// skip the spin for 1, 2, 4 ... 64 waits, and spin again as soon as a wait
// (spun or parked) was short. And only while the waiter moves few messages
// between waits (a request, a reply): a stream amortises one wake-up over
// a whole batch, and a spinner would take the CPU from the io thread that
// decodes the next one (measured: PAIR 64 B tcp 4.3 M -> 1.6 M msg/s).
class spin_policy_t {
  public:
    static constexpr uint64_t max_batch = 8; // whole messages sent + received
    // moved_total: the waiter's messages sent and received so far.
    uint64_t budget_ns(uint64_t cap_ns, uint64_t moved_total) {
        const bool stream = moved_total - _moved_at_wait > max_batch;
        _moved_at_wait = moved_total;
        if (cap_ns == 0 || stream)
            return 0;
        if (_skip > 0) {
            --_skip;
            return 0;
        }
        return cap_ns;
    }
    void record(uint64_t waited_ns, uint64_t cap_ns) {
        if (waited_ns <= cap_ns) {
            _misses = 0;
            _skip = 0;
            return;
        }
        if (++_misses >= 2) {
            const unsigned shift = _misses - 2 < 6 ? _misses - 2 : 6;
            _skip = 1u << shift;
        }
    }

  private:
    unsigned _misses = 0;
    unsigned _skip = 0;
    uint64_t _moved_at_wait = 0;
};

// What the waits did, process-wide (relaxed atomics), for zmq_debug_counters.
struct recv_wait_counters_t {
    uint64_t wakeups = 0;         // eventfd writes (a parked waiter, or ZMQ_FD handed out)
    uint64_t signals_skipped = 0; // commands queued with no one parked: no eventfd write
    uint64_t spin_hits = 0;       // blocking waits a spin ended (no park, no wake-up)
    uint64_t spin_parked = 0;     // spins that ran out and parked
    uint64_t parked = 0;          // blocking waits that parked (with or without a spin)
};
recv_wait_counters_t recv_wait_counters();
void recv_wait_counters_reset();
void count_recv_wakeup();
void count_recv_signal_skipped();
void count_recv_spin_hit();
void count_recv_spin_parked();
void count_recv_parked();

} // namespace zlink
