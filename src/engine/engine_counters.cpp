#include "engine/engine_counters.hpp"

#include <atomic>

#include "engine/i_engine.hpp"

namespace zlink {

namespace {
struct global_counters_t {
    std::atomic<uint64_t> writes{0}, write_bytes{0}, would_block_writes{0}, reads{0}, read_bytes{0},
        messages_out{0}, messages_in{0}, batched_messages{0}, deferred_writes{0},
        zerocopy_frames{0}, fallback_frames{0}, bytes_copied{0}, partial_writes{0},
        gather_writes{0}, compactions{0}, compaction_bytes{0}, compactions_skipped{0},
        handshake_inplace_bytes{0}, write_yields{0}, reactor_reads{0};
} g_counters;
constexpr auto relaxed = std::memory_order_relaxed;
} // namespace

void engine_counting_t::count_write(uint64_t bytes, uint64_t messages) {
    ++_counters.writes;
    _counters.write_bytes += bytes;
    _counters.messages_out += messages;
    g_counters.writes.fetch_add(1, relaxed);
    g_counters.write_bytes.fetch_add(bytes, relaxed);
    if (messages) {
        g_counters.messages_out.fetch_add(messages, relaxed);
        if (messages > 1) {
            _counters.batched_messages += messages;
            g_counters.batched_messages.fetch_add(messages, relaxed);
        }
    }
}
void engine_counting_t::count_would_block() {
    ++_counters.would_block_writes;
    g_counters.would_block_writes.fetch_add(1, relaxed);
}
void engine_counting_t::count_deferred_write() {
    ++_counters.deferred_writes;
    g_counters.deferred_writes.fetch_add(1, relaxed);
}
void engine_counting_t::count_write_yield() {
    ++_counters.write_yields;
    g_counters.write_yields.fetch_add(1, relaxed);
}
void engine_counting_t::count_read(uint64_t bytes) {
    ++_counters.reads;
    _counters.read_bytes += bytes;
    g_counters.reads.fetch_add(1, relaxed);
    g_counters.read_bytes.fetch_add(bytes, relaxed);
}
void engine_counting_t::count_reactor_read() {
    ++_counters.reactor_reads;
    g_counters.reactor_reads.fetch_add(1, relaxed);
}
void engine_counting_t::count_in(uint64_t messages) {
    _counters.messages_in += messages;
    g_counters.messages_in.fetch_add(messages, relaxed);
}
void engine_counting_t::count_zerocopy() {
    ++_counters.zerocopy_frames;
    g_counters.zerocopy_frames.fetch_add(1, relaxed);
}
void engine_counting_t::count_copied(uint64_t bytes, bool fallback) {
    _counters.bytes_copied += bytes;
    g_counters.bytes_copied.fetch_add(bytes, relaxed);
    if (fallback) {
        ++_counters.fallback_frames;
        g_counters.fallback_frames.fetch_add(1, relaxed);
    }
}
void engine_counting_t::count_write_shape(std::size_t entries, bool partial) {
    if (entries > 1) {
        ++_counters.gather_writes;
        g_counters.gather_writes.fetch_add(1, relaxed);
    }
    if (partial) {
        ++_counters.partial_writes;
        g_counters.partial_writes.fetch_add(1, relaxed);
    }
}
void engine_counting_t::count_compaction(uint64_t bytes) {
    ++_counters.compactions;
    _counters.compaction_bytes += bytes;
    g_counters.compactions.fetch_add(1, relaxed);
    g_counters.compaction_bytes.fetch_add(bytes, relaxed);
}
void engine_counting_t::count_compaction_skipped() {
    ++_counters.compactions_skipped;
    g_counters.compactions_skipped.fetch_add(1, relaxed);
}
void engine_counting_t::count_handshake_inplace(uint64_t bytes) {
    _counters.handshake_inplace_bytes += bytes;
    g_counters.handshake_inplace_bytes.fetch_add(bytes, relaxed);
}

zmtp_engine_counters_t zmtp_engine_counters() {
    zmtp_engine_counters_t c;
    c.writes = g_counters.writes.load(relaxed);
    c.write_bytes = g_counters.write_bytes.load(relaxed);
    c.would_block_writes = g_counters.would_block_writes.load(relaxed);
    c.reads = g_counters.reads.load(relaxed);
    c.read_bytes = g_counters.read_bytes.load(relaxed);
    c.messages_out = g_counters.messages_out.load(relaxed);
    c.messages_in = g_counters.messages_in.load(relaxed);
    c.batched_messages = g_counters.batched_messages.load(relaxed);
    c.deferred_writes = g_counters.deferred_writes.load(relaxed);
    c.zerocopy_frames = g_counters.zerocopy_frames.load(relaxed);
    c.fallback_frames = g_counters.fallback_frames.load(relaxed);
    c.bytes_copied = g_counters.bytes_copied.load(relaxed);
    c.partial_writes = g_counters.partial_writes.load(relaxed);
    c.gather_writes = g_counters.gather_writes.load(relaxed);
    c.compactions = g_counters.compactions.load(relaxed);
    c.compaction_bytes = g_counters.compaction_bytes.load(relaxed);
    c.compactions_skipped = g_counters.compactions_skipped.load(relaxed);
    c.handshake_inplace_bytes = g_counters.handshake_inplace_bytes.load(relaxed);
    c.write_yields = g_counters.write_yields.load(relaxed);
    c.reactor_reads = g_counters.reactor_reads.load(relaxed);
    return c;
}

void zmtp_engine_counters_reset() {
    for (auto *a :
         {&g_counters.writes, &g_counters.write_bytes, &g_counters.would_block_writes,
          &g_counters.reads, &g_counters.read_bytes, &g_counters.messages_out,
          &g_counters.messages_in, &g_counters.batched_messages, &g_counters.deferred_writes,
          &g_counters.zerocopy_frames, &g_counters.fallback_frames, &g_counters.bytes_copied,
          &g_counters.partial_writes, &g_counters.gather_writes, &g_counters.compactions,
          &g_counters.compaction_bytes, &g_counters.compactions_skipped,
          &g_counters.handshake_inplace_bytes, &g_counters.write_yields,
          &g_counters.reactor_reads})
        a->store(0, relaxed);
}

zmtp_engine_counters_t engine_counters(const i_engine *engine) {
    const engine_counting_t *c = engine ? engine->counting() : nullptr;
    return c ? c->counters() : zmtp_engine_counters_t{};
}

} // namespace zlink
