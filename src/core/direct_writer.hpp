// i_direct_writer — how a sending application thread writes a message to
// the kernel itself when the connection is idle (ZLINK_APP_THREAD_WRITE),
// without a hand-off to the io thread. The engine implements it; its
// session registers it on the pipe end it reads (pipe_t::set_direct_writer),
// so the socket side reaches it through the pipe and never names an engine.
//
// Ownership (doc/DESIGN.md "Threads and ownership"): the app thread calls
// write_direct() only with the reader end's gate mutex held (try_lock), so
// the registration cannot be cleared, and the engine not closed, while the
// call runs; the engine itself try-locks its output against the io thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zlink {

class msg_t;

enum class direct_write_result {
    written,        // every byte went to the kernel
    written_partly, // taken; the rest waits in the engine: the io thread must resume it
    busy,           // the io thread holds the output: nothing taken
    not_idle,       // handshake, queued output or a writability wait: nothing taken
};

class i_direct_writer {
  public:
    virtual ~i_direct_writer() = default;
    // Application thread. msgs: n frames forming whole messages, in order.
    // written / written_partly: every frame was taken (each left empty);
    // busy / not_idle: none was.
    virtual direct_write_result write_direct(msg_t *msgs, std::size_t n) = 0;
};

// The calling thread's zmq_send calls so far (socket_base_t::send counts):
// pipe_t::try_direct_write tells a send loop over a socket's connections
// (a new send) from one send that flushes many pipes (PUB, XPUB).
inline thread_local uint64_t t_sends_started = 0;

// Process-wide totals for zmq_debug_counters (relaxed atomics).
struct direct_write_counters_t {
    uint64_t app_messages = 0; // data frames written by the application thread
    uint64_t io_messages = 0;  // data frames written by an io thread
    uint64_t handoff_would_block = 0;
    uint64_t handoff_busy = 0;
    uint64_t handoff_not_idle = 0;
    uint64_t handoff_too_many_frames = 0; // one flush of more frames than a direct write takes
    uint64_t handoff_burst = 0;           // a send right after another: the io thread gathers them
};
direct_write_counters_t direct_write_counters();
void direct_write_counters_reset();
void count_app_thread_messages(uint64_t n);
void count_io_thread_messages(uint64_t n);
void count_direct_handoff(direct_write_result why);
void count_direct_handoff_too_many_frames();
void count_direct_handoff_burst();

} // namespace zlink
