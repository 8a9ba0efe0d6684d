// The ZMTP 3.x engine: runs one connection (greeting, NULL/PLAIN handshake,
// ZAP, framing, heartbeats) on one io thread, between an i_asio_transport
// and an i_engine_session.
//
// Threading: everything (make, start, restart_*, close, ZAP delivery) must
// run on the io_context's thread; the engine never locks.
//
// Speed: writes are speculative. restart_output() (or the end of the
// handshake) pulls every queued message into an encoder batch and calls
// transport->try_write() in the same call stack; only would_block or a
// partial write arms async_wait_writable(). No timer and no post() on the
// data path. Two feature flags (zlink.h, core/feature_flags.hpp) switch this
// off for comparison: ZLINK_SPECULATIVE_WRITE=0 waits for writability before
// every write, ZLINK_WRITE_BATCH_BYTES caps how much one write gathers.
// Reads go through try_read() into a 64 KiB buffer decoded in place; big
// bodies are read straight into the message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "transports/i_asio_transport.hpp"
#include "engine/i_engine.hpp"

namespace zlink {

// What the data path did, so the perf work can prove it (no batching timer,
// one syscall for many messages, ...). Per engine and process-wide totals.
struct zmtp_engine_counters_t {
    uint64_t writes = 0;             // try_write calls that wrote bytes
    uint64_t write_bytes = 0;
    uint64_t would_block_writes = 0; // try_write that found the kernel full
    uint64_t reads = 0;              // try_read calls that returned bytes
    uint64_t read_bytes = 0;
    uint64_t messages_out = 0;       // data frames encoded
    uint64_t messages_in = 0;        // data frames pushed to the session
    uint64_t batched_messages = 0;   // frames that shared a write with others
    uint64_t deferred_writes = 0;    // writes done from a writability notification
};

// Base of the engines that keep counters (zmtp and raw).
class engine_stats_t {
  public:
    virtual ~engine_stats_t() = default;
    const zmtp_engine_counters_t &counters() const { return _counters; }

  protected:
    void count_write(uint64_t bytes, uint64_t messages);
    void count_would_block();
    void count_deferred_write();
    void count_read(uint64_t bytes);
    void count_in(uint64_t messages);
    zmtp_engine_counters_t _counters;
};

// Totals over every engine (zmtp and raw) of the process since start or the
// last reset. Relaxed atomics, updated once per syscall.
zmtp_engine_counters_t zmtp_engine_counters();
void zmtp_engine_counters_reset();
// One engine's counters (zmtp or raw engine); zeros for anything else.
zmtp_engine_counters_t engine_counters(const i_engine *engine);

// as_client: we connected (informational; the PLAIN role comes from
// options.as_server). endpoint: the URI, for diagnostics.
std::shared_ptr<i_engine> make_zmtp_engine(boost::asio::io_context &io,
                                           std::unique_ptr<i_asio_transport> transport,
                                           i_engine_session *session,
                                           const options_t &options, bool as_client,
                                           const std::string &endpoint);

} // namespace zlink
