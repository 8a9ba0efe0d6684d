#include "engine/engine_counters.hpp"

#include "core/counter_set.hpp"
#include "engine/i_engine.hpp"

namespace zlink {

namespace {
counter_set_t<zmtp_engine_counters_t> g_counters;
using totals = zmtp_engine_counters_t;
} // namespace

void engine_counting_t::add(uint64_t zmtp_engine_counters_t::*field, uint64_t n) {
    _counters.*field += n;
    g_counters.add(field, n);
}

void engine_counting_t::count_write(uint64_t bytes, uint64_t messages) {
    add(&totals::writes);
    add(&totals::write_bytes, bytes);
    if (messages)
        add(&totals::messages_out, messages);
    if (messages > 1)
        add(&totals::batched_messages, messages);
}
void engine_counting_t::count_would_block() { add(&totals::would_block_writes); }
void engine_counting_t::count_deferred_write() { add(&totals::deferred_writes); }
void engine_counting_t::count_write_yield() { add(&totals::write_yields); }
void engine_counting_t::count_read(uint64_t bytes) {
    add(&totals::reads);
    add(&totals::read_bytes, bytes);
}
void engine_counting_t::count_reactor_read() { add(&totals::reactor_reads); }
void engine_counting_t::count_in(uint64_t messages) { add(&totals::messages_in, messages); }
void engine_counting_t::count_zerocopy() { add(&totals::zerocopy_frames); }
void engine_counting_t::count_copied(uint64_t bytes, bool fallback) {
    add(&totals::bytes_copied, bytes);
    if (fallback)
        add(&totals::fallback_frames);
}
void engine_counting_t::count_write_shape(std::size_t entries, bool partial) {
    if (entries > 1)
        add(&totals::gather_writes);
    if (partial)
        add(&totals::partial_writes);
}
void engine_counting_t::count_compaction(uint64_t bytes) {
    add(&totals::compactions);
    add(&totals::compaction_bytes, bytes);
}
void engine_counting_t::count_compaction_skipped() { add(&totals::compactions_skipped); }
void engine_counting_t::count_handshake_inplace(uint64_t bytes) {
    add(&totals::handshake_inplace_bytes, bytes);
}

zmtp_engine_counters_t zmtp_engine_counters() { return g_counters.snapshot(); }
void zmtp_engine_counters_reset() { g_counters.reset(); }

zmtp_engine_counters_t engine_counters(const i_engine *engine) {
    const engine_counting_t *c = engine ? engine->counting() : nullptr;
    return c ? c->counters() : zmtp_engine_counters_t{};
}

} // namespace zlink
