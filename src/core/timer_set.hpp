#ifndef ZLINK_CORE_TIMER_SET_HPP
#define ZLINK_CORE_TIMER_SET_HPP

#include <cstddef>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

namespace zlink {
// A set of repeating millisecond timers driven by the caller (no thread of
// its own): timeout() says how long the caller may block, execute() runs
// whatever is due. Backs zmq_timers_* and is reusable by anything that
// polls. Not thread-safe, like libzmq's timers.
//
// Every operation has an overload taking `now_ms` so tests (and callers that
// already read the clock) control time; the others read steady_now_ms().
class timer_set {
  public:
    using handler_fn = void (*)(int timer_id, void *arg);

    // Returns a positive id, or -1 with errno EFAULT if handler is null
    // (libzmq's documented error for a bad callback).
    int add(std::size_t interval_ms, handler_fn handler, void *arg);
    int add(std::uint64_t now_ms, std::size_t interval_ms, handler_fn handler, void *arg);

    // -1/EINVAL if the id is unknown or already cancelled. A timer cancelled
    // from inside a handler during execute() does not run afterwards.
    int cancel(int timer_id);

    // Both restart the countdown from now; set_interval also changes it.
    int set_interval(int timer_id, std::size_t interval_ms);
    int set_interval(std::uint64_t now_ms, int timer_id, std::size_t interval_ms);
    int reset(int timer_id);
    int reset(std::uint64_t now_ms, int timer_id);

    // Milliseconds until the next timer is due (0 if overdue), -1 if none.
    long timeout() const;
    long timeout(std::uint64_t now_ms) const;

    // Runs every timer due at now_ms, earliest deadline first (ties in the
    // order they were scheduled). Each fired timer is rescheduled to
    // now_ms + interval before its handler runs, so a handler may cancel,
    // reset or re-interval any timer, including itself. Timers added by a
    // handler wait for a later execute(). Returns the number fired.
    int execute();
    int execute(std::uint64_t now_ms);

    std::size_t size() const noexcept { return _timers.size(); }
    bool empty() const noexcept { return _timers.empty(); }

  private:
    using schedule_t = std::multimap<std::uint64_t, int>;

    struct entry_t {
        std::size_t interval;
        handler_fn handler;
        void *arg;
        schedule_t::iterator slot; // position in _schedule
    };

    void schedule(entry_t &entry, int timer_id, std::uint64_t when);
    int next_id();

    // deadline -> id; the id map owns the timer's data.
    schedule_t _schedule;
    std::unordered_map<int, entry_t> _timers;
    // Reused by execute() so firing timers does not allocate.
    std::vector<int> _due;
    int _last_id = 0;
};
} // namespace zlink

#endif
