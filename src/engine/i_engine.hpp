// The boundary between a session (owner of one pipe end, io thread) and the
// engine that speaks ZMTP on one connection. Everything here runs on the
// session's io thread.
//
// Data path: the engine pulls messages the socket sent (pull_msg) and pushes
// messages it decoded (push_msg). When the pipe is full push_msg returns
// -1/EAGAIN and the engine stops reading until restart_input(); when there
// is nothing to send pull_msg returns -1/EAGAIN and the engine goes idle
// until restart_output(). An idle engine writes a new message at once
// (speculative write), not on a timer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/direct_writer.hpp"
#include "core/metadata.hpp"
#include "core/msg.hpp"
#include "core/options.hpp"

namespace zlink {

class zap_client;
class zap_reply_target;
class engine_counting_t;

enum class engine_close_reason {
    peer_closed,       // orderly EOF or reset by the peer
    io_error,          // read/write error (value: errno)
    protocol_error,    // bad greeting/frame/command (monitor event already sent)
    handshake_failed,  // mechanism refused (monitor event already sent)
    handshake_timeout, // ZMQ_HANDSHAKE_IVL elapsed
    heartbeat_timeout, // no traffic within ZMQ_HEARTBEAT_TIMEOUT / TTL
};

struct engine_peer_info {
    std::string routing_id;         // the peer's Identity property ("" if none)
    metadata_t *metadata = nullptr; // properties for zmq_msg_gets (engine keeps a ref)
    int zmtp_minor = 1;             // 0: ZMTP 3.0 peer (subscriptions as messages)
};

class i_engine_session {
  public:
    virtual ~i_engine_session() = default;
    virtual int push_msg(msg_t *msg) = 0; // 0 taken; -1/EAGAIN pipe full
    virtual void flush_pushed() = 0;      // make pushed messages visible to the socket
    virtual int pull_msg(msg_t *msg) = 0; // 0 got one; -1/EAGAIN nothing queued
    virtual void engine_ready(const engine_peer_info &peer) = 0;
    // The engine is finished (called at most once); it makes no call after.
    virtual void engine_closed(engine_close_reason reason, int value) = 0;
    virtual void monitor_event(uint16_t event, uint64_t value) = 0;
    virtual zap_client *zap() = 0; // nullptr when no ZAP handler can be reached
    // output_pending() went from true to false after a deferred write (the
    // kernel took the last bytes). A lingering session finishes on it
    // instead of polling. May close the engine from inside the call.
    virtual void output_drained() {}
};

class i_engine {
  public:
    virtual ~i_engine() = default;
    virtual void start() = 0;          // greeting + handshake begin
    virtual void restart_input() = 0;  // the pipe towards the socket has room
    virtual void restart_output() = 0; // the socket queued messages for us
    virtual void close() = 0;          // stop now; no engine_closed() follows
    // Bytes encoded but not yet accepted by the kernel (ZMQ_LINGER waits
    // for them before closing).
    virtual bool output_pending() const { return false; }
    // Bytes the engine holds for the peer: encoded, or commands waiting for
    // room (bounded whatever the peer sends; tests watch it).
    virtual std::size_t output_backlog() const { return 0; }
    // Bytes the kernel took that the peer has not read yet (ipc only).
    virtual std::size_t unread_by_peer() const { return 0; }
    // Where the session hands ZAP replies (the handshake that asked);
    // nullptr for engines without a security handshake (raw).
    virtual zap_reply_target *zap_target() { return nullptr; }
    // What the engine's data path did (engine_counters.hpp); nullptr when
    // it keeps no counters.
    virtual const engine_counting_t *counting() const { return nullptr; }
    // What the session registers on its pipe so the sending thread may write
    // an idle connection's messages itself (ZLINK_APP_THREAD_WRITE);
    // nullptr: every message goes through the io thread.
    virtual i_direct_writer *direct_writer() { return nullptr; }
};

inline zap_reply_target *engine_zap_target(i_engine *engine) {
    return engine ? engine->zap_target() : nullptr;
}

} // namespace zlink
