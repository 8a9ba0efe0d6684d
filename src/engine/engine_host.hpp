// What the io side (network endpoints, sessions, the ZAP client) needs of
// the context that hosts it, and no more: io threads for a new listener or
// connection, a count that keeps zmq_ctx_term waiting for lingering
// sessions, and the socket bound at a name (the ZAP handler). The context
// implements it; the engine never sees ctx_t. Thread-safe.
#pragma once

#include <string>

namespace zlink {

class io_thread_pool_t;
class mailbox_t;

class i_engine_host {
  public:
    // Started on first use; nullptr with errno (EMTHREAD with ZMQ_IO_THREADS
    // 0, EMFILE, EAGAIN...) when they cannot start, and a later call retries.
    virtual io_thread_pool_t *io_threads() = 0;
    // Objects that outlive their socket (lingering sessions) hold the
    // context open: zmq_ctx_term returns once each has called remove.
    virtual void add_lingerer() = 0;
    virtual void remove_lingerer() = 0;
    // The mailbox of the socket bound at `endpoint` (inproc), with a
    // reference for the caller to drop; nullptr when nothing is bound there.
    virtual mailbox_t *find_bound_endpoint(const std::string &endpoint) = 0;

  protected:
    ~i_engine_host() = default;
};

} // namespace zlink
