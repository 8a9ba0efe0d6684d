#ifndef ZLINK_CORE_CLOCK_HPP
#define ZLINK_CORE_CLOCK_HPP

#include <chrono>
#include <cstdint>

namespace zlink {
// Monotonic time for timeouts and intervals: the wall clock can jump (NTP,
// manual changes) and must never make a timer fire early or late.
inline std::uint64_t steady_now_ns() noexcept {
    using namespace std::chrono;
    return static_cast<std::uint64_t>(
        duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count());
}

inline std::uint64_t steady_now_us() noexcept {
    using namespace std::chrono;
    return static_cast<std::uint64_t>(
        duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

inline std::uint64_t steady_now_ms() noexcept {
    using namespace std::chrono;
    return static_cast<std::uint64_t>(
        duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}
} // namespace zlink

#endif
