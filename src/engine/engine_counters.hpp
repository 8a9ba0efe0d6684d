// What the data path did, so the perf work can prove it (no batching timer,
// one syscall for many messages, ...): per engine, and process-wide totals
// behind zmq_debug_counters. stream_engine_t updates both once per system
// call; the totals are relaxed atomics.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zlink {

class i_engine;

struct zmtp_engine_counters_t {
    uint64_t writes = 0; // try_write calls that wrote bytes
    uint64_t write_bytes = 0;
    uint64_t would_block_writes = 0; // try_write that found the kernel full
    uint64_t reads = 0;              // try_read calls that returned bytes
    uint64_t read_bytes = 0;
    uint64_t messages_out = 0;     // data frames encoded (raw: messages written)
    uint64_t messages_in = 0;      // data frames pushed to the session
    uint64_t batched_messages = 0; // frames that shared a write with others
    uint64_t deferred_writes = 0;  // writes done from a writability notification
    // The performance plan's counters (doc/plan/PERFORMANCE_PLAN.md).
    uint64_t zerocopy_frames = 0;         // bodies written in place (ZMQ_ASIO_ZEROCOPY_WRITE)
    uint64_t fallback_frames = 0;         // bodies over 1 KiB copied (the flag was 0)
    uint64_t bytes_copied = 0;            // bodies and greeting bytes copied into the write buffer
    uint64_t partial_writes = 0;          // writes the kernel took only part of
    uint64_t gather_writes = 0;           // writes of more than one buffer (scatter-gather)
    uint64_t compactions = 0;             // read-buffer moves (0: the read path never moves)
    uint64_t compaction_bytes = 0;        // bytes those moved
    uint64_t compactions_skipped = 0;     // reads continuing a cut frame, nothing moved
    uint64_t handshake_inplace_bytes = 0; // read with the greeting, decoded in place
    uint64_t write_yields = 0;            // write loops that gave the io thread back (budget)
    uint64_t reactor_reads = 0;           // reads the io loop's receive did after a short read
};

// One engine's counters; the engine adds to the totals as it counts.
class engine_counting_t {
  public:
    const zmtp_engine_counters_t &counters() const { return _counters; }
    void count_write(uint64_t bytes, uint64_t messages);
    void count_would_block();
    void count_deferred_write();
    void count_write_yield();
    void count_read(uint64_t bytes);
    void count_reactor_read();
    void count_in(uint64_t messages);
    // Encoding: a body written in place, or `bytes` copied (fallback: a body
    // the zero-copy path would have taken).
    void count_zerocopy();
    void count_copied(uint64_t bytes, bool fallback);
    // A write of `entries` gather buffers that took fewer bytes than offered.
    void count_write_shape(std::size_t entries, bool partial);
    void count_compaction(uint64_t bytes);
    void count_compaction_skipped();
    void count_handshake_inplace(uint64_t bytes);

  private:
    // Adds to this engine's counter and to the process total.
    void add(uint64_t zmtp_engine_counters_t::*field, uint64_t n = 1);

    zmtp_engine_counters_t _counters;
};

// Totals over every engine (zmtp and raw) of the process since start or the
// last reset.
zmtp_engine_counters_t zmtp_engine_counters();
void zmtp_engine_counters_reset();
// One engine's counters (zmtp or raw engine); zeros for anything else.
zmtp_engine_counters_t engine_counters(const i_engine *engine);

} // namespace zlink
