#include "core/msg_pool.hpp"

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
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

bool enabled_from_env() {
    int e = g_enabled.load(std::memory_order_relaxed);
    if (e < 0) {
        e = msg_pool_enabled_by_env(std::getenv("ZLINK_MSG_POOL")) ? 1 : 0;
        int expected = -1;
        if (!g_enabled.compare_exchange_strong(expected, e, std::memory_order_relaxed))
            e = expected;
    }
    return e == 1;
}

inline bool enabled() {
    const int e = g_enabled.load(std::memory_order_relaxed);
    return e >= 0 ? e == 1 : enabled_from_env();
}

constexpr auto relaxed = std::memory_order_relaxed;

// ---- small bodies (49..128 B): per-thread magazines -----------------------
//
// A tcp/tls/ipc stream of 64 B messages allocates every body on one thread
// (sender app thread, receiver io thread) and frees it on another. glibc
// returns such a chunk to the allocating thread's arena under that arena's
// lock, so both threads pay malloc/free slow paths and contend: perf of tcp
// PAIR 64 B put malloc+free at ~15% of both cores. Here each thread keeps
// two arrays per class: blocks to hand out and blocks it freed. A full array
// of freed blocks moves to a shared depot as one unit, and an empty thread
// takes a full one from there: one lock per 32 messages instead of an arena
// lock per message, and a thread that frees its own blocks reuses them LIFO.
constexpr int small_class_count = 2; // bodies <= 64 B and <= 128 B
constexpr size_t small_capacity[small_class_count] = {64, 128};
constexpr int magazine_size = 32;
constexpr int max_depot_magazines = 64; // per class: 2048 blocks, at most 344 KiB

struct alignas(64) small_depot_t {
    spin_lock_t lock;
    int count = 0; // full magazines held
    uint64_t puts = 0, gets = 0;
    uint64_t empty = 0, full = 0; // a thread found no magazine / no room
    void *magazines[max_depot_magazines][magazine_size];
};

small_depot_t &small_depot(int cls) {
    static small_depot_t *d = new small_depot_t[small_class_count]; // never destroyed, as pool()
    return d[cls];
}

// Plain data, so reaching it costs no first-use guard (the hot path); the
// destructor lives in a second thread_local built on the first slow path.
struct small_thread_cache_t {
    struct per_class_t {
        int ready_n, freed_n;
        int depot_skips; // allocations that go straight to malloc (the depot was empty)
        void *ready[magazine_size];
        void *freed[magazine_size];
    };
    per_class_t classes[small_class_count];
    bool registered; // the thread's flusher exists
    bool dead;       // the thread's flusher ran: plain malloc/free from here on
                     // (registered is false again then, so releases see it)
};

thread_local small_thread_cache_t t_small_cache; // zero-initialised

struct small_cache_flusher_t {
    ~small_cache_flusher_t() {
        small_thread_cache_t &tc = t_small_cache;
        tc.dead = true;
        tc.registered = false; // sends every later release to the slow path
        for (auto &pc : tc.classes) {
            for (int i = 0; i < pc.ready_n; ++i)
                std::free(pc.ready[i]);
            for (int i = 0; i < pc.freed_n; ++i)
                std::free(pc.freed[i]);
            pc.ready_n = pc.freed_n = 0;
        }
    }
};

// Slow path only: makes sure the thread's cached blocks are freed when it exits.
void register_small_cache(small_thread_cache_t &tc) {
    thread_local small_cache_flusher_t flusher;
    (void)flusher;
    tc.registered = true;
}

void *small_allocate(size_t header, int cls) {
    small_thread_cache_t &tc = t_small_cache;
    auto &pc = tc.classes[cls];
    if (pc.ready_n > 0)
        return pc.ready[--pc.ready_n];
    if (pc.freed_n > 0)
        return pc.freed[--pc.freed_n];
    if (tc.dead)
        return std::malloc(header + small_capacity[cls]);
    if (pc.depot_skips > 0) {
        --pc.depot_skips;
        return std::malloc(header + small_capacity[cls]);
    }
    if (!tc.registered)
        register_small_cache(tc);
    small_depot_t &d = small_depot(cls);
    {
        std::lock_guard<spin_lock_t> guard(d.lock);
        if (d.count > 0) {
            std::memcpy(pc.ready, d.magazines[--d.count], sizeof pc.ready);
            ++d.gets;
            pc.ready_n = magazine_size;
        } else {
            ++d.empty;
        }
    }
    if (pc.ready_n > 0)
        return pc.ready[--pc.ready_n];
    // Nothing cached anywhere: a producer ahead of its consumer (an unbounded
    // PUB queue allocates 300 k bodies before the first is freed). Look again
    // a magazine later, not at every allocation: the depot's lock per
    // message cost PUB/SUB tcp 64 B ~5-10% (RESULTS_NOTES.md).
    pc.depot_skips = magazine_size - 1;
    return std::malloc(header + small_capacity[cls]);
}

void small_release(void *block, int cls) {
    small_thread_cache_t &tc = t_small_cache;
    auto &pc = tc.classes[cls];
    if (pc.freed_n == magazine_size || !tc.registered) {
        if (tc.dead) {
            std::free(block);
            return;
        }
        if (!tc.registered)
            register_small_cache(tc);
    }
    if (pc.freed_n == magazine_size) {
        small_depot_t &d = small_depot(cls);
        {
            std::lock_guard<spin_lock_t> guard(d.lock);
            if (d.count < max_depot_magazines) {
                std::memcpy(d.magazines[d.count++], pc.freed, sizeof pc.freed);
                ++d.puts;
                pc.freed_n = 0;
                pc.depot_skips = 0; // the depot is not empty now
            } else {
                ++d.full;
            }
        }
        if (pc.freed_n == magazine_size) { // depot full: back to malloc
            for (int i = 0; i < magazine_size; ++i)
                std::free(pc.freed[i]);
            pc.freed_n = 0;
        }
    }
    pc.freed[pc.freed_n++] = block;
}

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
    if (body <= small_capacity[small_class_count - 1] && enabled()) {
        const int cls = body <= small_capacity[0] ? 0 : 1;
        *pool_class = uint8_t(msg_pool_small_class_first + cls);
        void *block = small_allocate(header, cls);
        if (!block)
            *pool_class = msg_pool_no_class;
        return block;
    }
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
    if (pool_class >= msg_pool_small_class_first && pool_class < msg_pool_no_class) {
        small_release(block, pool_class - msg_pool_small_class_first);
        return;
    }
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
    for (int cls = 0; cls < small_class_count; ++cls) {
        small_depot_t &d = small_depot(cls);
        std::lock_guard<spin_lock_t> guard(d.lock);
        for (; d.count > 0; --d.count)
            for (void *block : d.magazines[d.count - 1])
                std::free(block);
    }
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
    for (int cls = 0; cls < small_class_count; ++cls) {
        small_depot_t &d = small_depot(cls);
        std::lock_guard<spin_lock_t> guard(d.lock);
        out.small_depot_puts += d.puts;
        out.small_depot_gets += d.gets;
        out.small_depot_empty += d.empty;
        out.small_depot_full += d.full;
    }
    return out;
}

void msg_pool_counters_reset() {
    for (auto &c : pool().classes) {
        std::lock_guard<spin_lock_t> guard(c.lock);
        c.hits = c.misses = c.kept = c.released = 0;
    }
    for (int cls = 0; cls < small_class_count; ++cls) {
        small_depot_t &d = small_depot(cls);
        std::lock_guard<spin_lock_t> guard(d.lock);
        d.puts = d.gets = d.empty = d.full = 0;
    }
}

} // namespace zlink
