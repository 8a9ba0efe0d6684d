#include "core/direct_writer.hpp"

#include "core/counter_set.hpp"

namespace zlink {

namespace {
counter_set_t<direct_write_counters_t> g_totals;
using totals = direct_write_counters_t;
} // namespace

direct_write_counters_t direct_write_counters() { return g_totals.snapshot(); }
void direct_write_counters_reset() { g_totals.reset(); }

void count_app_thread_messages(uint64_t n) { g_totals.add(&totals::app_messages, n); }
void count_io_thread_messages(uint64_t n) {
    if (n)
        g_totals.add(&totals::io_messages, n);
}

void count_direct_handoff_burst() { g_totals.add(&totals::handoff_burst); }
void count_direct_handoff_too_many_frames() { g_totals.add(&totals::handoff_too_many_frames); }

void count_direct_handoff(direct_write_result why) {
    switch (why) {
    case direct_write_result::written_partly:
        g_totals.add(&totals::handoff_would_block);
        break;
    case direct_write_result::busy:
        g_totals.add(&totals::handoff_busy);
        break;
    case direct_write_result::not_idle:
        g_totals.add(&totals::handoff_not_idle);
        break;
    default:
        break;
    }
}

} // namespace zlink
