// ctx_t — the context: its sockets, inproc endpoints, io threads, options
// and the shutdown/termination protocol of zmq_ctx_shutdown / zmq_ctx_term.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/options.hpp"
#include "engine/engine_host.hpp"
#include "transports/endpoint_table.hpp"

namespace zlink {

class socket_base_t;
class io_thread_pool_t;

class ctx_t {
  public:
    ctx_t();
    ~ctx_t();

    bool check_tag() const { return _tag == live_tag; }

    int set(int option, const void *value, size_t size);
    int get(int option, void *value, size_t *size);

    socket_base_t *create_socket(int type);
    void destroy_socket(socket_base_t *s); // called by socket close

    int shutdown();  // zmq_ctx_shutdown: wake everything with ETERM
    int terminate(); // zmq_ctx_term: shutdown + wait for sockets; deletes this

    // The names inproc binds in this context (transports/inproc/).
    endpoint_table_t &endpoints() { return _endpoints; }

    // What the io side (src/engine/) sees of the context.
    i_engine_host &engine_host() { return _engine_host; }

    bool ipv6() const { return _ipv6; }
    int max_msgsz() const { return _max_msgsz; }
    int io_thread_count() const { return _io_threads; }
    bool terminating() const { return _terminating.load(std::memory_order_acquire); }

  private:
    // A member, not a base: ctx_t stays without a vtable, so _tag, which the
    // C API reads to recognise a context, stays at the start.
    class engine_host_t final : public i_engine_host {
      public:
        explicit engine_host_t(ctx_t &ctx) : _ctx(ctx) {}
        io_thread_pool_t *io_threads() override { return _ctx.io_threads(); }
        void add_lingerer() override { _ctx.add_lingerer(); }
        void remove_lingerer() override { _ctx.remove_lingerer(); }
        mailbox_t *find_bound_endpoint(const std::string &endpoint) override;

      private:
        ctx_t &_ctx;
    };

    // Started on first use (network transports); nullptr with errno
    // (EMFILE, EAGAIN...) when they cannot start, and a later call retries.
    io_thread_pool_t *io_threads();
    // Objects that outlive their socket (lingering sessions) hold the ctx open.
    void add_lingerer();
    void remove_lingerer();

    static constexpr uint32_t live_tag = 0xabadcafe;
    static constexpr uint32_t dead_tag = 0xdeadbeef;
    uint32_t _tag = live_tag;

    int wait_for_sockets(); // zmq_ctx_term's wait; -1/EINTR on a signal
    void notify_terminator_locked();

    std::mutex _mutex;
    std::condition_variable _cv;
    std::set<socket_base_t *> _sockets;
    endpoint_table_t _endpoints;
    std::atomic<bool> _terminating{false};
    int _next_sid = 1;
    int _lingerers = 0;
    int _term_fd = -1; // eventfd zmq_ctx_term waits on (made on first need)

    int _io_threads = 1;
    int _max_sockets = 1023;
    bool _started = false; // a socket was made: the two below are in force
    int _started_io_threads = 1;
    int _started_max_sockets = 1023;
    int _max_msgsz = 0x7fffffff;
    bool _ipv6 = false;
    bool _blocky = true;
    int _thread_priority = -1;
    int _thread_sched_policy = -1;
    std::set<int> _thread_affinity;
    int _thread_name_prefix = 0;
    // Stored and reported only: received messages never borrow the read
    // buffer in a way a caller could see, so there is nothing to switch.
    bool _zero_copy_recv = true;
    std::unique_ptr<io_thread_pool_t> _io_pool;
    engine_host_t _engine_host{*this};
};

} // namespace zlink
