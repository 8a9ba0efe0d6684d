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

#include <algorithm>
#include <cstdint>
#include <poll.h>
#include <signal.h>

namespace zlink {

// ZLINK_RECV_SPIN_US and ZLINK_LAZY_WAKE defaults (include/zlink.h).
constexpr int recv_spin_us_default = 100;
constexpr int recv_spin_us_max = 10000;
constexpr int lazy_wake_default = 1;

uint64_t monotonic_ns();

void spin_yield(); // sched_yield()

// ready_late: the message came, but after the spinner had lost the CPU for a
// time slice (see spin_until): ready for this wait, contended for the policy.
enum class spin_result { ready, ready_late, ran_out, contended };

// Spin until ready() or budget_ns has passed. Every 32 pauses (a
// microsecond or two) it reads the clock and yields the CPU: the thread
// that brings the message (our io thread, the peer) may need this very CPU,
// and a woken thread does not always preempt a spinner at once (without
// the yield, REQ/REP on 2 CPUs or on 1 CPU starved the io threads: p50 3x).
// A yield that kept us off the CPU for a whole time slice (lost_slice_ns)
// without the message coming means another program wanted this CPU: give
// up and sleep (yielding to a busy neighbour costs a slice each time).
// Shorter absences are not contention: in a quiet REQ/REP run on a 2-vCPU
// VM a yield came back 50-400 us late several times a second (nothing
// CPU-bound running; not attributed), and backing off for each kept the
// spin off for up to half the run (RESULTS_NOTES.md "A stall is not a
// neighbour").
// Losing a whole slice (in a yield or preempted between two looks) counts
// as contention even when the message came meanwhile: with a CPU-bound
// program on our CPU, a spinner is runnable, not sleeping, so the io
// thread's hand-off cannot preempt the neighbour and every message waits
// out its slice (measured: REQ/REP p50 2 ms against libzmq's 33 us), and
// the message has always come by the time we run again.
//
// one_cpu (the thread may run on one cpu only, single_cpu_thread()): no
// thread that could set the flag runs while we pause, so the first yield
// comes at once, and so does every one after a yield that ran another
// thread (took over switched_ns); a yield that came straight back found no
// one else ready here (our io thread is asleep): pause before the next, as
// above, instead of a ~1 us system call per look.
//
// Cpu: the clock and the yield (a test passes a scripted one).
struct real_cpu_t {
    uint64_t now() const { return monotonic_ns(); }
    void yield() const { spin_yield(); }
};
template <typename Ready, typename Cpu = real_cpu_t>
spin_result spin_until(Ready ready, uint64_t budget_ns, bool one_cpu = false, Cpu &&cpu = Cpu{}) {
    constexpr uint64_t switched_ns = 3000, lost_slice_ns = 500000;
    constexpr unsigned pauses_per_yield = 32;
    const uint64_t start = cpu.now();
    uint64_t last_look = start; // the last clock reading while on the CPU
    const auto came = [&] {
        return cpu.now() - last_look > lost_slice_ns ? spin_result::ready_late : spin_result::ready;
    };
    unsigned pauses = one_cpu ? 0 : pauses_per_yield; // before the next yield
    for (;;) {
        if (ready())
            return came();
        if (pauses > 0) {
            --pauses;
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#elif defined(__aarch64__)
            asm volatile("yield");
#endif
            continue;
        }
        const uint64_t now = cpu.now();
        if (now - start >= budget_ns)
            return ready() ? came() : spin_result::ran_out;
        if (now - last_look > lost_slice_ns)
            return spin_result::contended; // preempted for a slice, nothing came
        cpu.yield();
        last_look = cpu.now();
        const uint64_t off_cpu = last_look - now;
        if (off_cpu > lost_slice_ns)
            return ready() ? spin_result::ready_late : spin_result::contended;
        pauses = one_cpu && off_cpu > switched_ns ? 0 : pauses_per_yield;
    }
}

// The calling thread may run on one cpu only (sched_getaffinity, looked up
// again every 100 ms). Measured with both REQ/REP processes on one cpu:
// benchwithzmq/RESULTS_NOTES.md "One-cpu latency and syscalls".
bool single_cpu_thread(uint64_t now_ns);

// One waiter's spin decision (a socket, a poller, a thread's zmq_poll).
// - Waits longer than the cap: after two in a row the spin is skipped for
//   1, 2, 4 ... 64 waits; a short wait (spun or parked) ends the streak.
// - A contended CPU (spin_result::contended): no spin for 10 ms, doubling
//   up to 3.2 s while it recurs; 1000 clean spins forget it. Under
//   contention a yielding spinner loses whole time slices while a sleeper is
//   woken promptly (measured with a parallel build on the 2 CPUs: p90 went
//   from 60 us to 3 ms while spinning). Time, not a wait count, because a
//   busy neighbour stays for seconds; short at first, because our own io
//   thread's handshake can look the same once.
// - Only while the waiter moves few messages between waits (a request, a
//   reply): a stream amortises one wake-up over a whole batch, and a
//   spinner would take the CPU from the io thread that decodes the next
//   one (measured: PAIR 64 B tcp 4.3 M -> 1.6 M msg/s).
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
        if (_contended_backoff_ns && monotonic_ns() < _no_spin_until_ns)
            return 0;
        return cap_ns;
    }
    void spun(spin_result r) {
        constexpr uint64_t first_backoff_ns = 10000000, max_backoff_ns = 3200000000;
        if (r == spin_result::contended || r == spin_result::ready_late) {
            _contended_backoff_ns = _contended_backoff_ns
                                        ? std::min(_contended_backoff_ns * 2, max_backoff_ns)
                                        : first_backoff_ns;
            _no_spin_until_ns = monotonic_ns() + _contended_backoff_ns;
            _clean_spins = 0;
        } else if (r == spin_result::ready && ++_clean_spins >= 1000) {
            _contended_backoff_ns = 0;
        }
    }
    void record(uint64_t waited_ns, uint64_t cap_ns) {
        if (waited_ns <= cap_ns) {
            _misses = 0;
            return;
        }
        if (++_misses >= 2) {
            const unsigned shift = _misses - 2 < 6 ? _misses - 2 : 6;
            _skip = std::max(_skip, 1u << shift);
        }
    }

  private:
    unsigned _misses = 0;
    unsigned _skip = 0;
    uint64_t _contended_backoff_ns = 0;
    uint64_t _no_spin_until_ns = 0;
    unsigned _clean_spins = 0;
    uint64_t _moved_at_wait = 0;
};

// What the waits did, process-wide (relaxed atomics), for zmq_debug_counters.
struct recv_wait_counters_t {
    uint64_t wakeups = 0;         // eventfd writes (a parked waiter, or ZMQ_FD handed out)
    uint64_t signals_skipped = 0; // commands queued with no one parked: no eventfd write
    uint64_t spin_hits = 0;       // blocking waits a spin ended (no park, no wake-up)
    uint64_t spin_parked = 0;     // spins that ran out (or lost the CPU) and parked
    uint64_t spin_contended = 0;  // spins given up: a yield lost the CPU to another program
    uint64_t spin_skipped =
        0;               // waits the policy kept from spinning (long waits, contention, a stream)
    uint64_t parked = 0; // blocking waits that parked (with or without a spin)
    uint64_t spin_one_cpu = 0;   // spins of a one-cpu thread (yield first, see spin_until)
    uint64_t io_polls_found = 0; // io-thread polls (ZLINK_IO_POLL) that found work to run
};
recv_wait_counters_t recv_wait_counters();
void recv_wait_counters_reset();
void count_recv_wakeup();
void count_recv_signal_skipped();
void count_recv_spin_hit();
void count_recv_spin_parked();
void count_recv_parked();
void count_recv_spin_contended();
void count_recv_spin_skipped();
void count_recv_spin_one_cpu();
void count_io_poll_found();

// The io threads poll instead of sleeping while an application thread of
// the process spins for a message (ZLINK_IO_POLL, io_thread_pool.cpp): the
// message then needs no wake-up at all. A spin announces until when it may
// last; the io threads poll until then.
void note_app_spin_until(uint64_t deadline_ns);
uint64_t app_spin_until_ns();

// Signals are held (blocked) while a wait spins, and the park that follows
// sleeps with the caller's mask (ppoll): a signal that comes during the spin
// then ends the park with EINTR, as in libzmq, instead of being handled
// before a sleep that nothing would end. Released (mask restored, a held
// signal delivered) when the wait is over. Nothing is held without a spin.
class signal_hold_t {
  public:
    signal_hold_t() = default;
    signal_hold_t(const signal_hold_t &) = delete;
    signal_hold_t &operator=(const signal_hold_t &) = delete;
    ~signal_hold_t() {
        if (_held)
            pthread_sigmask(SIG_SETMASK, &_caller, nullptr);
    }
    void hold() {
        if (_held)
            return;
        sigset_t all;
        sigfillset(&all);
        _held = pthread_sigmask(SIG_BLOCK, &all, &_caller) == 0;
    }
    // The mask to sleep with, or nullptr when nothing is held.
    const sigset_t *caller_mask() const { return _held ? &_caller : nullptr; }
    // A signal the caller does not block came while held: the wait must end
    // with EINTR even if the spin found a command (the handler runs when the
    // hold is released, and nothing would interrupt the next sleep).
    bool signal_arrived() const {
        if (!_held)
            return false;
        sigset_t pending;
        if (sigpending(&pending) != 0)
            return false;
        for (int s = 1; s < NSIG; ++s)
            if (sigismember(&pending, s) == 1 && sigismember(&_caller, s) == 0 && has_handler(s))
                return true;
        return false;
    }

  private:
    // Only a handler interrupts a wait: an ignored signal (SIGCHLD by
    // default, when a child exits) does not, in ppoll or in libzmq.
    static bool has_handler(int s) {
        struct sigaction current;
        if (sigaction(s, nullptr, &current) != 0)
            return false;
        if (current.sa_flags & SA_SIGINFO)
            return true;
        return current.sa_handler != SIG_IGN && current.sa_handler != SIG_DFL;
    }

    sigset_t _caller;
    bool _held = false;
};

// poll(), or ppoll() with the caller's mask while signals are held.
int park_poll(pollfd *fds, nfds_t n, int timeout_ms, const sigset_t *caller_mask);

// How long a spin runs before it holds signals.
constexpr uint64_t unheld_spin_ns = 2000;

// The spin part of a blocking wait, counted: true when ready() came within
// it (no park, no eventfd write). timeout_ms: the wait's own bound (-1 none).
// Signals are held after its first unheld_spin_ns (see signal_hold_t).
template <typename Ready>
bool spin_before_park(spin_policy_t &policy, uint64_t cap_ns, uint64_t moved_total, int timeout_ms,
                      signal_hold_t &signals, Ready ready) {
    uint64_t budget = policy.budget_ns(cap_ns, moved_total);
    if (timeout_ms >= 0 && budget > uint64_t(timeout_ms) * 1000000u)
        budget = uint64_t(timeout_ms) * 1000000u;
    if (budget == 0) {
        if (cap_ns != 0)
            count_recv_spin_skipped();
        return false;
    }
    // The first microseconds spin without holding signals: on one cpu the
    // answer usually comes with the first yield, and holding costs three
    // system calls (block, pending check, restore). A signal handled in that
    // window is lost to this wait, as one is in libzmq between its last
    // look and poll(); a longer spin holds them (see signal_hold_t).
    const uint64_t spin_start = monotonic_ns();
    note_app_spin_until(spin_start + budget);
    const bool one_cpu = single_cpu_thread(spin_start);
    if (one_cpu)
        count_recv_spin_one_cpu();
    spin_result r = spin_until(ready, budget < unheld_spin_ns ? budget : unheld_spin_ns, one_cpu);
    if (r == spin_result::ran_out && budget > unheld_spin_ns) {
        signals.hold();
        r = spin_until(ready, budget - unheld_spin_ns, one_cpu);
    }
    policy.spun(r);
    if (r == spin_result::contended || r == spin_result::ready_late)
        count_recv_spin_contended();
    if (r == spin_result::ready || r == spin_result::ready_late) {
        count_recv_spin_hit();
        return true;
    }
    count_recv_spin_parked();
    return false;
}

} // namespace zlink
