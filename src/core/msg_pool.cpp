#include "core/msg_pool.hpp"

#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace zlink {

namespace {

constexpr size_t min_pooled_body = 128; // up to here glibc's per-thread cache (tcache) is as fast
constexpr int first_log2 = 7;           // class 0 covers bodies in (128 B, 160 B]
constexpr int last_log2 = 19;           // the last class ends at 1 MiB
constexpr int class_count = (last_log2 - first_log2 + 1) * 4;
constexpr int max_blocks_per_class = 64;
// Per class; the bound for the whole pool is the sum over the 44 classes
// (about 53 MiB if every class were full, which needs every size in use).
constexpr size_t max_bytes_per_class = 2u << 20;

// A tiny spin lock: the critical sections below are a few instructions, and
// the two threads that meet here (sender and receiver of one flow) run on
// different cores. A std::mutex measured worse: under contention it went to
// futex sleeps (inproc PAIR 1 KiB, perf: 16% of the time in futex paths).
class spin_lock_t {
  public:
    void lock() {
        for (int spins = 0; _held.exchange(true, std::memory_order_acquire); ++spins) {
            while (_held.load(std::memory_order_relaxed)) {
                if (spins++ > 128) {
                    std::this_thread::yield(); // holder was preempted
                    spins = 0;
                } else {
                    cpu_relax();
                }
            }
        }
    }
    void unlock() { _held.store(false, std::memory_order_release); }

  private:
    static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    std::atomic<bool> _held{false};
};

// One size class: a small stack of free blocks and its counters, all
// guarded by one lock on the class's own cache lines (no shared atomics
// bounce between threads using different classes).
struct alignas(64) size_class_t {
    spin_lock_t lock;
    int count = 0;
    int limit = 0;
    size_t capacity = 0; // body bytes every block of this class can hold
    uint64_t hits = 0, misses = 0, kept = 0, released = 0;
    std::array<void *, max_blocks_per_class> blocks{};
};

struct pool_t {
    std::array<size_class_t, class_count> classes;

    pool_t() {
        for (int i = 0; i < class_count; ++i) {
            size_class_t &c = classes[size_t(i)];
            const size_t base = size_t(1) << (first_log2 + i / 4);
            c.capacity = base + (base / 4) * size_t(i % 4 + 1);
            const size_t by_bytes = max_bytes_per_class / c.capacity;
            c.limit = int(by_bytes < max_blocks_per_class ? by_bytes : max_blocks_per_class);
            if (c.limit < 2)
                c.limit = 2;
        }
    }
};

// Never destroyed: messages may be freed from static destructors or
// detached threads after main returns. The cached blocks stay reachable.
pool_t &pool() {
    static pool_t *p = new pool_t;
    return *p;
}

std::atomic<int> g_enabled{-1}; // -1: not read from the environment yet

bool enabled() {
    int e = g_enabled.load(std::memory_order_relaxed);
    if (e < 0) {
        e = msg_pool_enabled_by_env(std::getenv("ZLINK_MSG_POOL")) ? 1 : 0;
        int expected = -1;
        if (!g_enabled.compare_exchange_strong(expected, e, std::memory_order_relaxed))
            e = expected;
    }
    return e == 1;
}

constexpr auto relaxed = std::memory_order_relaxed;

} // namespace

bool msg_pool_enabled_by_env(const char *value) { return !(value && value[0] == '0'); }

void msg_pool_set_enabled(bool on) { g_enabled.store(on ? 1 : 0, relaxed); }

uint8_t msg_pool_class_of(size_t body) {
    if (body <= min_pooled_body || body > (size_t(1) << (last_log2 + 1)))
        return msg_pool_no_class;
    // 2^k < body <= 2^(k+1); quarter steps of 2^k / 4 above 2^k.
    const int k = 63 - __builtin_clzll(static_cast<unsigned long long>(body - 1));
    const size_t base = size_t(1) << k;
    const size_t step = base / 4;
    const size_t quarter = (body - base + step - 1) / step; // 1..4
    return static_cast<uint8_t>((k - first_log2) * 4 + int(quarter) - 1);
}

size_t msg_pool_class_capacity(uint8_t pool_class) {
    return pool_class < class_count ? pool().classes[pool_class].capacity : 0;
}

void *msg_pool_allocate(size_t header, size_t body, uint8_t *pool_class) {
    *pool_class = msg_pool_no_class;
    const uint8_t cls = msg_pool_class_of(body);
    if (cls == msg_pool_no_class || !enabled())
        return std::malloc(header + body);
    size_class_t &c = pool().classes[cls];
    void *block = nullptr;
    {
        std::lock_guard<spin_lock_t> guard(c.lock);
        if (c.count > 0) {
            block = c.blocks[size_t(--c.count)];
            ++c.hits;
        } else {
            ++c.misses;
        }
    }
    if (!block) {
        // Allocate the class's full capacity so the block can serve any
        // body of this class when it comes back.
        block = std::malloc(header + c.capacity);
        if (!block)
            return nullptr;
    }
    *pool_class = cls;
    return block;
}

void msg_pool_release(void *block, uint8_t pool_class) {
    if (pool_class >= class_count) {
        std::free(block);
        return;
    }
    size_class_t &c = pool().classes[pool_class];
    {
        std::lock_guard<spin_lock_t> guard(c.lock);
        if (c.count < c.limit) {
            c.blocks[size_t(c.count++)] = block;
            ++c.kept;
            return;
        }
        ++c.released;
    }
    std::free(block);
}

void msg_pool_trim() {
    for (auto &c : pool().classes) {
        std::array<void *, max_blocks_per_class> out{};
        int n = 0;
        {
            std::lock_guard<spin_lock_t> guard(c.lock);
            n = c.count;
            for (int i = 0; i < n; ++i)
                out[size_t(i)] = c.blocks[size_t(i)];
            c.count = 0;
        }
        for (int i = 0; i < n; ++i)
            std::free(out[size_t(i)]);
    }
}

msg_pool_counters_t msg_pool_counters() {
    msg_pool_counters_t out;
    for (auto &c : pool().classes) {
        std::lock_guard<spin_lock_t> guard(c.lock);
        out.hits += c.hits;
        out.misses += c.misses;
        out.kept += c.kept;
        out.released += c.released;
    }
    return out;
}

void msg_pool_counters_reset() {
    for (auto &c : pool().classes) {
        std::lock_guard<spin_lock_t> guard(c.lock);
        c.hits = c.misses = c.kept = c.released = 0;
    }
}

} // namespace zlink
