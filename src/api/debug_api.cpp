// zmq_debug_counters: what the wire engine's data path did (writes, bytes,
// would-block, batching), so every performance claim can be checked by a
// counter. The engine updates them once per system call with relaxed
// atomics, cheap enough to keep in every build.
#include <zlink.h>

#include "engine/io_thread_pool.hpp"
#include "engine/zmtp_engine.hpp"
#include "core/direct_writer.hpp"
#include "core/msg_pool.hpp"
#include "core/recv_wait.hpp"

extern "C" {

ZLINK_EXPORT int zmq_debug_counters(zlink_debug_counter_t *out, int max) {
    const zlink::zmtp_engine_counters_t c = zlink::zmtp_engine_counters();
    const zlink::msg_pool_counters_t p = zlink::msg_pool_counters();
    const zlink::direct_write_counters_t d = zlink::direct_write_counters();
    const zlink::recv_wait_counters_t w = zlink::recv_wait_counters();
    const zlink_debug_counter_t all[] = {
        {"engine_writes", c.writes},
        {"engine_write_bytes", c.write_bytes},
        {"engine_would_block_writes", c.would_block_writes},
        {"engine_reads", c.reads},
        {"engine_read_bytes", c.read_bytes},
        {"engine_messages_out", c.messages_out},
        {"engine_messages_in", c.messages_in},
        {"engine_batched_messages", c.batched_messages},
        {"engine_deferred_writes", c.deferred_writes},
        {"engine_write_yields", c.write_yields},
        {"engine_reactor_reads", c.reactor_reads},
        {"engine_app_thread_messages", d.app_messages},
        {"engine_io_thread_messages", d.io_messages},
        // The performance plan's counters (zmq_debug_get_* below).
        {"engine_zerocopy_frames", c.zerocopy_frames},
        {"engine_zerocopy_fallback_frames", c.fallback_frames},
        {"engine_bytes_copied", c.bytes_copied},
        {"engine_partial_writes", c.partial_writes},
        {"engine_gather_writes", c.gather_writes},
        {"engine_read_compactions", c.compactions},
        {"engine_read_compaction_bytes", c.compaction_bytes},
        {"engine_read_compactions_skipped", c.compactions_skipped},
        {"engine_handshake_inplace_bytes", c.handshake_inplace_bytes},
        {"app_write_handoff_would_block", d.handoff_would_block},
        {"app_write_handoff_busy", d.handoff_busy},
        {"app_write_handoff_not_idle", d.handoff_not_idle},
        {"app_write_handoff_too_many_frames", d.handoff_too_many_frames},
        {"app_write_handoff_burst", d.handoff_burst},
        {"msg_pool_hits", p.hits},
        {"msg_pool_misses", p.misses},
        {"msg_pool_kept", p.kept},
        {"msg_pool_released", p.released},
        {"msg_pool_small_depot_puts", p.small_depot_puts},
        {"msg_pool_small_depot_gets", p.small_depot_gets},
        {"msg_pool_small_depot_empty", p.small_depot_empty},
        {"msg_pool_small_depot_full", p.small_depot_full},
        // Exceptions a handler let escape into an io thread's run loop,
        // which went on running (0 unless something is wrong).
        {"io_thread_escaped_exceptions", zlink::io_thread_pool_t::escaped_exceptions()},
        {"recv_wakeups", w.wakeups},
        {"recv_signals_skipped", w.signals_skipped},
        {"recv_spin_hits", w.spin_hits},
        {"recv_spin_parked", w.spin_parked},
        {"recv_parked", w.parked},
        {"recv_spin_contended", w.spin_contended},
        {"recv_spin_skipped", w.spin_skipped},
        {"recv_spin_one_cpu", w.spin_one_cpu},
        {"io_polls_found", w.io_polls_found},
    };
    const int total = static_cast<int>(sizeof all / sizeof all[0]);
    if (!out)
        return total;
    int n = 0;
    for (; n < total && n < max; ++n)
        out[n] = all[n];
    return n;
}

ZLINK_EXPORT void zmq_debug_counters_reset(void) {
    zlink::zmtp_engine_counters_reset();
    zlink::msg_pool_counters_reset();
    zlink::direct_write_counters_reset();
    zlink::io_thread_pool_t::reset_escaped_exceptions();
    zlink::recv_wait_counters_reset();
}

// The performance plan's names (doc/plan/PERFORMANCE_PLAN.md), each one
// entry of the table above; present in every build, like the table.
ZLINK_EXPORT size_t zmq_debug_get_zerocopy_count(void) {
    return size_t(zlink::zmtp_engine_counters().zerocopy_frames);
}
ZLINK_EXPORT size_t zmq_debug_get_fallback_count(void) {
    return size_t(zlink::zmtp_engine_counters().fallback_frames);
}
ZLINK_EXPORT size_t zmq_debug_get_bytes_copied(void) {
    return size_t(zlink::zmtp_engine_counters().bytes_copied);
}
ZLINK_EXPORT size_t zmq_debug_get_scatter_gather_count(void) {
    return size_t(zlink::zmtp_engine_counters().gather_writes);
}
ZLINK_EXPORT size_t zmq_debug_get_partial_write_count(void) {
    return size_t(zlink::zmtp_engine_counters().partial_writes);
}
ZLINK_EXPORT size_t zmq_debug_get_compaction_count(void) {
    return size_t(zlink::zmtp_engine_counters().compactions);
}
ZLINK_EXPORT size_t zmq_debug_get_compaction_bytes(void) {
    return size_t(zlink::zmtp_engine_counters().compaction_bytes);
}
ZLINK_EXPORT size_t zmq_debug_get_compaction_skipped_count(void) {
    return size_t(zlink::zmtp_engine_counters().compactions_skipped);
}
ZLINK_EXPORT size_t zmq_debug_get_batch_flush_count(void) {
    return size_t(zlink::zmtp_engine_counters().writes);
}
ZLINK_EXPORT size_t zmq_debug_get_batched_message_count(void) {
    return size_t(zlink::zmtp_engine_counters().batched_messages);
}
ZLINK_EXPORT void zmq_debug_reset_counters(void) { zmq_debug_counters_reset(); }

} // extern "C"
