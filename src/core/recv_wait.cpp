#include "core/recv_wait.hpp"

#include <sched.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <initializer_list>

namespace zlink {

namespace {
struct totals_t {
    std::atomic<uint64_t> wakeups{0}, skipped{0}, spin_hits{0}, spin_parked{0}, parked{0},
        contended{0}, skipped_spins{0};
} g_totals;
constexpr auto relaxed = std::memory_order_relaxed;
} // namespace

uint64_t monotonic_ns() {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count());
}

void spin_yield() { sched_yield(); }

int park_poll(pollfd *fds, nfds_t n, int timeout_ms, const sigset_t *caller_mask) {
    if (!caller_mask)
        return ::poll(fds, n, timeout_ms);
    timespec ts{timeout_ms / 1000, long(timeout_ms % 1000) * 1000000L};
    return ::ppoll(fds, n, timeout_ms < 0 ? nullptr : &ts, caller_mask);
}

recv_wait_counters_t recv_wait_counters() {
    recv_wait_counters_t c;
    c.wakeups = g_totals.wakeups.load(relaxed);
    c.signals_skipped = g_totals.skipped.load(relaxed);
    c.spin_hits = g_totals.spin_hits.load(relaxed);
    c.spin_parked = g_totals.spin_parked.load(relaxed);
    c.parked = g_totals.parked.load(relaxed);
    c.spin_contended = g_totals.contended.load(relaxed);
    c.spin_skipped = g_totals.skipped_spins.load(relaxed);
    return c;
}

void recv_wait_counters_reset() {
    for (auto *a :
         {&g_totals.wakeups, &g_totals.skipped, &g_totals.spin_hits, &g_totals.spin_parked,
          &g_totals.parked, &g_totals.contended, &g_totals.skipped_spins})
        a->store(0, relaxed);
}

void count_recv_wakeup() { g_totals.wakeups.fetch_add(1, relaxed); }
void count_recv_signal_skipped() { g_totals.skipped.fetch_add(1, relaxed); }
void count_recv_spin_hit() { g_totals.spin_hits.fetch_add(1, relaxed); }
void count_recv_spin_parked() { g_totals.spin_parked.fetch_add(1, relaxed); }
void count_recv_parked() { g_totals.parked.fetch_add(1, relaxed); }
void count_recv_spin_contended() { g_totals.contended.fetch_add(1, relaxed); }
void count_recv_spin_skipped() { g_totals.skipped_spins.fetch_add(1, relaxed); }

} // namespace zlink
