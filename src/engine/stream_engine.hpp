// What every engine does with the bytes of one connection, whatever they
// mean: the read loop with its budget, the speculative (in-stack) gathered
// write, the waits for readability and writability, failure handling,
// handshake and heartbeat timers, and the counters. A protocol derives from
// it (zmtp_engine_t, raw_engine_t) and says what a read decodes to and what
// to write next.
//
// Threading and ownership: everything runs on the io_context's thread. The
// session owns the engine (unique_ptr) and destroys it only from a handler
// of its own, never inside a call into or out of the engine; handlers the
// engine arms hold its lifetime token, not the engine. doc/DESIGN.md
// "Threads and ownership" says who may touch the output and when.
//
// Speed: writes are speculative. restart_output() (or anything that queues
// output) pulls what is queued into the output and calls
// transport->try_write() in the same call stack; only would_block or a
// partial write arms async_wait_writable(). No timer and no post() on the
// data path, except that a long queue gives the io thread back (a posted
// continuation) after sixteen writes, or after every write when other
// engines share the io thread (io_thread_engines.hpp). Reads go through
// try_read() in a loop of at most read_budget system calls before yielding
// to the io thread's other connections; after a short read on tcp/ipc the
// next one is Asio's receive (arm_reactor_read).
//
// The output side is one state (output_state_t), the handshake that a later
// application-thread writer would take part in:
//   idle    -- write_out() -->  writing  (a write loop runs on this stack)
//   writing -- kernel full -->  waiting  (a writability wait is armed)
//   waiting -- writable   -->   idle, then writing (a deferred write)
//   writing -- error      -->   failed   (for good; input may still be read)
//
// Application-thread write (write_direct, ZLINK_APP_THREAD_WRITE): the
// sending thread may write while the output is idle and quiet. _out_mutex
// makes that safe: the io thread holds it (blocking; a direct write is one
// non-blocking system call) wherever it changes what write_direct reads or
// writes -- the output state, the encoder, pending commands and replies,
// _data, _closed, the transport's close -- and the sending thread only
// try-locks it, giving the message back to the pipe when it is taken.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/metadata.hpp"
#include "engine/engine_counters.hpp"
#include "engine/i_engine.hpp"
#include "engine/lifetime_token.hpp"
#include "transports/i_asio_transport.hpp"

namespace zlink {

class stream_engine_t : public i_engine, public i_direct_writer, protected engine_counting_t {
  public:
    ~stream_engine_t() override;

    void restart_input() override;
    void restart_output() override;
    void close() override { shutdown(); }
    bool output_pending() const override { return !_closed && output_pending_locked(); }
    // Application thread, through the session's pipe (core/direct_writer.hpp).
    direct_write_result write_direct(msg_t *msgs, std::size_t n) override;
    const engine_counting_t *counting() const override { return this; }

  protected:
    struct policy_t {
        bool speculative = true; // false: wait for writability before every data write
        // A failed write first reads what the peer said before it went (an
        // ERROR command, say); false: fail at once.
        bool read_after_write_error = true;
    };
    stream_engine_t(boost::asio::io_context &io, std::unique_ptr<i_asio_transport> transport,
                    i_engine_session &session, const options_t &options, policy_t policy);

    // ---- the protocol's part ----
    // Move what is to be sent into the output: own commands first, the
    // session's messages only once data_ready() was called.
    virtual void fill_output() = 0;
    // The output as a gather list of at most `max` buffers; 0: nothing.
    virtual std::size_t output_buffers(boost::asio::const_buffer *bufs, std::size_t max) = 0;
    // The kernel took `bytes` from the front of output_buffers().
    virtual void output_written(std::size_t bytes) = 0;
    virtual bool has_output() const = 0;
    // Where the next read goes, and what to do with the `bytes` it brought.
    virtual boost::asio::mutable_buffer input_buffer() = 0;
    virtual void input_arrived(std::size_t bytes) = 0;
    // Decode and deliver what input_arrived() left buffered. false: stop
    // reading (the engine closed, or deliver() found the pipe full).
    virtual bool process_input() = 0;
    // A heartbeat is due (start_heartbeats()): queue the PING.
    virtual void heartbeat_due() {}
    // true: the peer asks for more replies than the blocked output can
    // hold (a PING flood that never reads); reading pauses until the
    // output moves again.
    virtual bool replies_overflow() const { return false; }
    // Application-thread write: nothing at all waits to be written (commands,
    // replies, a pulled message), so new messages may go first.
    virtual bool output_quiet() const { return false; }
    // Encodes the n frames into the empty output; false: not supported.
    virtual bool encode_direct(msg_t *msgs, std::size_t n) {
        (void)msgs;
        (void)n;
        return false;
    }
    // The io thread holds this while it changes output state outside
    // write_out (a queued PONG, say).
    std::unique_lock<std::recursive_mutex> lock_output() const {
        return std::unique_lock<std::recursive_mutex>(_out_mutex);
    }

    // ---- what the base does for it ----
    void write_out(bool writable = false); // writable: from a writability wait
    void post_write_continuation();
    void continue_output(bool writable = false);
    void read_in();
    // The end: flushes what was pushed, reports a handshake cut short,
    // closes, tells the session (once). Nothing happens after.
    void fail(engine_close_reason reason, int value);
    // Pushes m to the session; on a full pipe keeps it (reading stops until
    // restart_input()). false: kept, or the engine failed.
    bool deliver(msg_t &m);
    void messages_added(uint64_t n) { _batch_msgs += n; } // counted with the next write
    // The handshake is over: the session's messages flow (restart_output)
    // and the handshake deadline ends.
    void data_ready();
    bool closed() const { return _closed; }
    // Fails the engine (handshake_timeout) unless data_ready() comes within
    // ZMQ_HANDSHAKE_IVL.
    void arm_handshake_deadline();
    // ZMQ_HEARTBEAT_IVL: heartbeat_due() every interval, and a failure
    // (heartbeat_timeout) when nothing arrives within ZMQ_HEARTBEAT_TIMEOUT
    // of a PING.
    void start_heartbeats();
    // The peer's PING TTL: fail unless something arrives within `ms`.
    void bound_peer_silence(int ms);
    // The connection's properties for zmq_msg_gets: `props` plus
    // Peer-Address, the fd (ZMQ_SRCFD) and the transport's properties (tls:
    // TLS-Subject); set on every delivered message.
    void set_metadata(metadata_t::dict_t props);
    metadata_t *metadata() const { return _metadata; }

    boost::asio::io_context &_io;
    const std::unique_ptr<i_asio_transport> _transport;
    i_engine_session &_session;
    const options_t _options;

  private:
    enum class output_state_t { idle, writing, waiting, failed };
    static constexpr std::size_t max_gather = 64;

    void shutdown();
    // has_output() read under _out_mutex (a direct write may be filling it).
    bool output_pending_locked() const {
        std::lock_guard<std::recursive_mutex> lock(_out_mutex);
        return has_output();
    }
    bool resume_input();
    void arm_write_wait();
    bool output_blocks_input() const {
        return _output == output_state_t::waiting && replies_overflow();
    }
    void arm_read_wait();
    // ZLINK_REACTOR_READ: after a short read, the io loop's receive does the
    // next read (it reads once before it waits, so no edge is lost).
    void arm_reactor_read();
    // The two ends of a read, shared by read_in and arm_reactor_read.
    void took_bytes(std::size_t n, std::size_t asked);
    void read_ended(const boost::system::error_code &ec);
    void flush_pushed_batch();
    void write_failed(const boost::system::error_code &ec);
    void arm_heartbeat();
    void heartbeat_tick();
    void arm_silence_timer(boost::asio::steady_timer &timer, bool &armed, int ms);
    // What handlers capture to reach the engine (never keeps it alive).
    lifetime_token<stream_engine_t>::ref handler_ref() const { return _token.weak(); }

    const lifetime_token<stream_engine_t> _token{this};
    mutable std::recursive_mutex _out_mutex; // see the header comment
    const policy_t _policy;
    const bool _reactor_read;        // ZLINK_REACTOR_READ and the transport allows it
    std::atomic<int> &_engines_here; // engines on this io thread (io_thread_engines.hpp)
    bool _closed = false;
    bool _data = false; // data_ready() was called
    metadata_t *_metadata = nullptr;
    // References to _metadata taken ahead for received messages (deliver).
    static constexpr int metadata_credit_batch = 256;
    int _metadata_credits = 0;
    void drop_metadata(); // _metadata's own reference and the unused credits

    // Output.
    output_state_t _output = output_state_t::idle;
    bool _write_again = false; // write_out() re-entered: the loop goes on
    engine_close_reason _write_reason = engine_close_reason::io_error;
    int _write_errno = 0;
    uint64_t _batch_msgs = 0; // messages added since the last write

    // Input.
    msg_t _in_msg; // decoded, refused by a full pipe
    bool _has_in_msg = false;
    bool _input_stalled = false;
    bool _reading = false, _read_waiting = false, _read_again = false;
    bool _paused_for_output = false; // replies_overflow() while the output waited
    bool _short_read = false;        // the last read emptied the kernel queue (_reactor_read)
    uint64_t _pushed = 0;            // pushed since the last flush_pushed()
    uint64_t _rx_events = 0;         // reads that returned bytes (heartbeat liveness)

    boost::asio::steady_timer _handshake_timer, _hb_timer, _hb_timeout_timer, _ttl_timer;
    bool _timeout_armed = false, _ttl_armed = false;
};

} // namespace zlink
