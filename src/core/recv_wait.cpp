#include "core/recv_wait.hpp"

#include "core/clock.hpp"
#include "core/counter_set.hpp"

#include <sched.h>
#include <time.h>

#include <atomic>

namespace zlink {

namespace {
counter_set_t<recv_wait_counters_t> g_totals;
std::atomic<uint64_t> g_app_spin_until_ns{0};
} // namespace

void note_app_spin_until(uint64_t deadline_ns) {
    // Only ever later: a short spin must not cut a longer one's poll short.
    uint64_t cur = g_app_spin_until_ns.load(std::memory_order_relaxed);
    while (cur < deadline_ns && !g_app_spin_until_ns.compare_exchange_weak(
                                    cur, deadline_ns, std::memory_order_relaxed)) {
    }
}
uint64_t app_spin_until_ns() { return g_app_spin_until_ns.load(std::memory_order_relaxed); }

uint64_t monotonic_ns() { return steady_now_ns(); }

void spin_yield() { sched_yield(); }

bool single_cpu_thread(uint64_t now_ns) {
    constexpr uint64_t recheck_ns = 100000000;
    thread_local uint64_t checked_at = 0;
    thread_local bool single = false;
    if (checked_at == 0 || now_ns - checked_at >= recheck_ns) {
        cpu_set_t set;
        CPU_ZERO(&set);
        single = sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1;
        checked_at = now_ns ? now_ns : 1;
    }
    return single;
}

int park_poll(pollfd *fds, nfds_t n, int timeout_ms, const sigset_t *caller_mask) {
    if (!caller_mask)
        return ::poll(fds, n, timeout_ms);
    timespec ts{timeout_ms / 1000, long(timeout_ms % 1000) * 1000000L};
    return ::ppoll(fds, n, timeout_ms < 0 ? nullptr : &ts, caller_mask);
}

recv_wait_counters_t recv_wait_counters() { return g_totals.snapshot(); }
void recv_wait_counters_reset() { g_totals.reset(); }

void count_recv_wakeup() { g_totals.add(&recv_wait_counters_t::wakeups); }
void count_recv_signal_skipped() { g_totals.add(&recv_wait_counters_t::signals_skipped); }
void count_recv_spin_hit() { g_totals.add(&recv_wait_counters_t::spin_hits); }
void count_recv_spin_parked() { g_totals.add(&recv_wait_counters_t::spin_parked); }
void count_recv_parked() { g_totals.add(&recv_wait_counters_t::parked); }
void count_recv_spin_contended() { g_totals.add(&recv_wait_counters_t::spin_contended); }
void count_recv_spin_skipped() { g_totals.add(&recv_wait_counters_t::spin_skipped); }
void count_recv_spin_one_cpu() { g_totals.add(&recv_wait_counters_t::spin_one_cpu); }
void count_io_poll_found() { g_totals.add(&recv_wait_counters_t::io_polls_found); }

} // namespace zlink
