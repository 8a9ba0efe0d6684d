// Process-wide debug counters that mirror a plain snapshot struct (only
// uint64_t fields): one relaxed atomic per field, named by the field's
// member pointer. A counter set is then declared once, as its struct,
// instead of again as atomics, in a snapshot function and in a reset list.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace zlink {

template <typename Snapshot>
class counter_set_t {
  public:
    static_assert(std::is_standard_layout<Snapshot>::value &&
                      std::is_trivially_copyable<Snapshot>::value,
                  "a counter snapshot is a plain struct");
    static constexpr std::size_t size = sizeof(Snapshot) / sizeof(uint64_t);
    static_assert(sizeof(Snapshot) == size * sizeof(uint64_t), "only uint64_t fields");

    void add(uint64_t Snapshot::*field, uint64_t n = 1) {
        _values[index(field)].fetch_add(n, std::memory_order_relaxed);
    }
    Snapshot snapshot() const {
        uint64_t values[size];
        for (std::size_t i = 0; i < size; ++i)
            values[i] = _values[i].load(std::memory_order_relaxed);
        Snapshot s;
        std::memcpy(&s, values, sizeof s);
        return s;
    }
    void reset() {
        for (auto &v : _values)
            v.store(0, std::memory_order_relaxed);
    }

  private:
    // The field's position: its offset in the struct, in uint64_t steps.
    static std::size_t index(uint64_t Snapshot::*field) {
        const Snapshot probe{};
        return std::size_t(reinterpret_cast<const char *>(&(probe.*field)) -
                           reinterpret_cast<const char *>(&probe)) /
               sizeof(uint64_t);
    }

    std::array<std::atomic<uint64_t>, size> _values{};
};

} // namespace zlink
