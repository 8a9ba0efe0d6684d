#include "core/timer_set.hpp"

#include "core/clock.hpp"

#include <cerrno>
#include <climits>
#include <limits>
#include <utility>

namespace zlink {
namespace {
// A huge interval (SIZE_MAX is legal in the C API) must mean "far future",
// not wrap around to "already due".
std::uint64_t deadline(std::uint64_t now_ms, std::size_t interval_ms) {
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t interval = static_cast<std::uint64_t>(interval_ms);
    return interval > max - now_ms ? max : now_ms + interval;
}
} // namespace

int timer_set::next_id() {
    // Ids only need to be unique among live timers; after INT_MAX adds wrap
    // to 1 and skip ids still in use.
    do {
        _last_id = _last_id == INT_MAX ? 1 : _last_id + 1;
    } while (_timers.count(_last_id) != 0);
    return _last_id;
}

void timer_set::schedule(entry_t &entry, int timer_id, std::uint64_t when) {
    entry.slot = _schedule.emplace(when, timer_id);
}

int timer_set::add(std::size_t interval_ms, handler_fn handler, void *arg) {
    return add(steady_now_ms(), interval_ms, handler, arg);
}

int timer_set::add(std::uint64_t now_ms, std::size_t interval_ms, handler_fn handler, void *arg) {
    if (handler == nullptr) {
        errno = EFAULT;
        return -1;
    }
    const int id = next_id();
    entry_t &entry = _timers.emplace(id, entry_t{interval_ms, handler, arg, {}}).first->second;
    schedule(entry, id, deadline(now_ms, interval_ms));
    return id;
}

int timer_set::cancel(int timer_id) {
    const auto it = _timers.find(timer_id);
    if (it == _timers.end()) {
        errno = EINVAL;
        return -1;
    }
    _schedule.erase(it->second.slot);
    _timers.erase(it);
    return 0;
}

int timer_set::set_interval(int timer_id, std::size_t interval_ms) {
    return set_interval(steady_now_ms(), timer_id, interval_ms);
}

int timer_set::set_interval(std::uint64_t now_ms, int timer_id, std::size_t interval_ms) {
    const auto it = _timers.find(timer_id);
    if (it == _timers.end()) {
        errno = EINVAL;
        return -1;
    }
    entry_t &entry = it->second;
    entry.interval = interval_ms;
    _schedule.erase(entry.slot);
    schedule(entry, timer_id, deadline(now_ms, interval_ms));
    return 0;
}

int timer_set::reset(int timer_id) { return reset(steady_now_ms(), timer_id); }

int timer_set::reset(std::uint64_t now_ms, int timer_id) {
    const auto it = _timers.find(timer_id);
    if (it == _timers.end()) {
        errno = EINVAL;
        return -1;
    }
    entry_t &entry = it->second;
    _schedule.erase(entry.slot);
    schedule(entry, timer_id, deadline(now_ms, entry.interval));
    return 0;
}

long timer_set::timeout() const { return timeout(steady_now_ms()); }

long timer_set::timeout(std::uint64_t now_ms) const {
    if (_schedule.empty())
        return -1;
    const std::uint64_t next = _schedule.begin()->first;
    if (next <= now_ms)
        return 0;
    const std::uint64_t left = next - now_ms;
    const auto max = static_cast<std::uint64_t>(LONG_MAX);
    return static_cast<long>(left > max ? max : left);
}

int timer_set::execute() { return execute(steady_now_ms()); }

int timer_set::execute(std::uint64_t now_ms) {
    // Snapshot the due ids first: handlers may add, cancel or reschedule
    // timers, which would invalidate any iterator into _schedule. Taking the
    // buffer out of the member keeps a (pathological) nested execute() from
    // trampling it while still reusing its capacity.
    std::vector<int> due;
    due.swap(_due);
    due.clear();
    for (auto it = _schedule.begin(); it != _schedule.end() && it->first <= now_ms; ++it)
        due.push_back(it->second);

    int fired = 0;
    for (const int id : due) {
        const auto it = _timers.find(id);
        // Cancelled, or pushed into the future, by an earlier handler.
        if (it == _timers.end() || it->second.slot->first > now_ms)
            continue;
        entry_t &entry = it->second;
        const handler_fn handler = entry.handler;
        void *const arg = entry.arg;
        _schedule.erase(entry.slot);
        schedule(entry, id, deadline(now_ms, entry.interval));
        // `entry` may dangle after this call (the handler can cancel it).
        handler(id, arg);
        ++fired;
    }
    due.clear();
    if (due.capacity() > _due.capacity())
        _due.swap(due);
    return fired;
}
} // namespace zlink
