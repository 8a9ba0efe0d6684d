#include "core/msg_pool.hpp"

#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>

namespace zlink {

namespace {

constexpr size_t min_pooled_body = 512; // smaller bodies: malloc's per-thread cache (tcache) does well
constexpr int first_log2 = 9;                // class 0 covers bodies in (512 B, 640 B]
constexpr int last_log2 = 19;                // the last class ends at 1 MiB
constexpr int class_count = (last_log2 - first_log2 + 1) * 4;
constexpr int max_blocks_per_class = 64;
constexpr size_t max_bytes_per_class = 4u << 20;
constexpr size_t max_pooled_bytes = 32u << 20;

// One size class: a small stack of free blocks. A mutex is enough here: it is
// what glibc takes anyway when one thread frees another's block, and it is
// held for a few instructions.
struct size_class_t {
    std::mutex lock;
    int count = 0;
    int limit = 0;
    size_t capacity = 0; // body bytes every block of this class can hold
    std::array<void *, max_blocks_per_class> blocks{};
};

struct pool_t {
    std::array<size_class_t, class_count> classes;
    std::atomic<size_t> pooled_bytes{0};
    std::atomic<uint64_t> hits{0}, misses{0}, kept{0}, released{0};

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
    pool_t &p = pool();
    size_class_t &c = p.classes[cls];
    void *block = nullptr;
    {
        std::lock_guard<std::mutex> guard(c.lock);
        if (c.count > 0)
            block = c.blocks[size_t(--c.count)];
    }
    if (block) {
        p.pooled_bytes.fetch_sub(c.capacity, relaxed);
        p.hits.fetch_add(1, relaxed);
    } else {
        // Allocate the class's full capacity so the block can serve any
        // body of this class when it comes back.
        block = std::malloc(header + c.capacity);
        if (!block)
            return nullptr;
        p.misses.fetch_add(1, relaxed);
    }
    *pool_class = cls;
    return block;
}

void msg_pool_release(void *block, uint8_t pool_class) {
    if (pool_class >= class_count) {
        std::free(block);
        return;
    }
    pool_t &p = pool();
    size_class_t &c = p.classes[pool_class];
    // Reserve room in the global budget first; undo if over it.
    if (p.pooled_bytes.fetch_add(c.capacity, relaxed) + c.capacity <= max_pooled_bytes) {
        std::lock_guard<std::mutex> guard(c.lock);
        if (c.count < c.limit) {
            c.blocks[size_t(c.count++)] = block;
            p.kept.fetch_add(1, relaxed);
            return;
        }
    }
    p.pooled_bytes.fetch_sub(c.capacity, relaxed);
    p.released.fetch_add(1, relaxed);
    std::free(block);
}

void msg_pool_trim() {
    pool_t &p = pool();
    for (auto &c : p.classes) {
        std::array<void *, max_blocks_per_class> out{};
        int n = 0;
        {
            std::lock_guard<std::mutex> guard(c.lock);
            n = c.count;
            for (int i = 0; i < n; ++i)
                out[size_t(i)] = c.blocks[size_t(i)];
            c.count = 0;
        }
        for (int i = 0; i < n; ++i)
            std::free(out[size_t(i)]);
        if (n)
            p.pooled_bytes.fetch_sub(c.capacity * size_t(n), relaxed);
    }
}

msg_pool_counters_t msg_pool_counters() {
    const pool_t &p = pool();
    msg_pool_counters_t c;
    c.hits = p.hits.load(relaxed);
    c.misses = p.misses.load(relaxed);
    c.kept = p.kept.load(relaxed);
    c.released = p.released.load(relaxed);
    return c;
}

void msg_pool_counters_reset() {
    pool_t &p = pool();
    p.hits.store(0, relaxed);
    p.misses.store(0, relaxed);
    p.kept.store(0, relaxed);
    p.released.store(0, relaxed);
}

} // namespace zlink
