#include "core/direct_writer.hpp"

#include <atomic>
#include <initializer_list>

namespace zlink {

namespace {
struct totals_t {
    std::atomic<uint64_t> app{0}, io{0}, would_block{0}, busy{0}, not_idle{0}, too_many{0},
        burst{0};
} g_totals;
constexpr auto relaxed = std::memory_order_relaxed;
} // namespace

direct_write_counters_t direct_write_counters() {
    direct_write_counters_t c;
    c.app_messages = g_totals.app.load(relaxed);
    c.io_messages = g_totals.io.load(relaxed);
    c.handoff_would_block = g_totals.would_block.load(relaxed);
    c.handoff_busy = g_totals.busy.load(relaxed);
    c.handoff_not_idle = g_totals.not_idle.load(relaxed);
    c.handoff_too_many_frames = g_totals.too_many.load(relaxed);
    c.handoff_burst = g_totals.burst.load(relaxed);
    return c;
}

void direct_write_counters_reset() {
    for (auto *a : {&g_totals.app, &g_totals.io, &g_totals.would_block, &g_totals.busy,
                    &g_totals.not_idle, &g_totals.too_many, &g_totals.burst})
        a->store(0, relaxed);
}

void count_app_thread_messages(uint64_t n) { g_totals.app.fetch_add(n, relaxed); }
void count_io_thread_messages(uint64_t n) {
    if (n)
        g_totals.io.fetch_add(n, relaxed);
}

void count_direct_handoff_burst() { g_totals.burst.fetch_add(1, relaxed); }
void count_direct_handoff_too_many_frames() { g_totals.too_many.fetch_add(1, relaxed); }

void count_direct_handoff(direct_write_result why) {
    switch (why) {
    case direct_write_result::written_partly:
        g_totals.would_block.fetch_add(1, relaxed);
        break;
    case direct_write_result::busy:
        g_totals.busy.fetch_add(1, relaxed);
        break;
    case direct_write_result::not_idle:
        g_totals.not_idle.fetch_add(1, relaxed);
        break;
    default:
        break;
    }
}

} // namespace zlink
