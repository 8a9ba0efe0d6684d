// socket_base_t — what every socket type shares: options, blocking and
// timeouts, command processing, endpoints, pipes, monitor. A socket type
// (src/sockets/) only implements the x* hooks that decide which pipe a
// message goes to or comes from.
//
// Hook contracts (all on the application thread that uses the socket):
//   xattach_pipe  a new peer pipe; the type adds it to its lb/fq/dist.
//   xsend         0 = taken (msg left empty, initialised); -1 + errno
//                 (EAGAIN to block/retry, msg untouched).
//   xrecv         msg is an initialised empty message; 0 = filled; -1 + errno.
//   xhas_in/out   for ZMQ_EVENTS and blocking decisions.
//   xread_activated / xwrite_activated   a pipe has data / room again.
//   xpipe_terminated   forget the pipe (it is dead; do not touch it after).
//   xsetsockopt / xgetsockopt   type-specific options; -1/EINVAL if unknown.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/monitor_channel.hpp"
#include "core/options.hpp"
#include "core/pipe.hpp"
#include "core/recv_wait.hpp"
#include "transports/endpoint_host.hpp"

namespace zlink {

class ctx_t;
class mailbox_t;
class network_endpoints_t;
struct command_t;
struct transport_t;

class socket_base_t : public i_pipe_events {
    // First member, right after the vtable pointer, so is_socket() reads
    // within the first bytes of whatever the caller passed.
    uint32_t _tag = live_tag;

  public:
    // Creates the socket type's object; nullptr + EINVAL for unknown types.
    static socket_base_t *create(int type, ctx_t *ctx, int sid);
    virtual ~socket_base_t();

    bool check_tag() const { return _tag == live_tag; }
    // For pointers from the C API that may not be sockets at all: reads the
    // tag as raw bytes, so no member function runs on a non-object.
    static bool is_socket(const void *p);
    ctx_t *ctx() const { return _ctx; }

    // Public API behind zmq_*.
    int setsockopt(int option, const void *value, size_t size);
    int getsockopt(int option, void *value, size_t *size);
    int bind(const char *endpoint);
    int connect(const char *endpoint);
    int unbind(const char *endpoint);
    int disconnect(const char *endpoint);
    int send(msg_t *msg, int flags);
    int recv(msg_t *msg, int flags);
    int close(); // the object is gone after this
    int monitor(const char *endpoint, uint64_t events, int event_version, int type);

    // Context termination: blocked and future calls fail with ETERM.
    void stop();
    mailbox_t *mailbox() const { return _mailbox; }
    // ZLINK_RECV_SPIN_US in ns (0: park at once), for zmq_poll/zmq_poller.
    uint64_t recv_spin_cap_ns() const { return _recv_spin_cap_ns; }
    // Whole messages sent and received so far (the spin policy's batch size).
    uint64_t msgs_moved() const { return _msgs_moved; }

    // Attach a pipe (inproc connect, session). Runs the type's xattach_pipe.
    void attach_pipe(pipe_t *pipe, bool subscribe_to_all = false, bool locally_initiated = false);

    // Monitor events (callable from io threads too).
    void event(uint16_t event, uint64_t value, const std::string &endpoint);
    const std::shared_ptr<monitor_channel_t> &monitor_channel() const { return _monitor; }

    // i_pipe_events
    void read_activated(pipe_t *pipe) override;
    void write_activated(pipe_t *pipe) override;
    void pipe_terminated(pipe_t *pipe) override;
    void hiccuped(pipe_t *pipe) override { xhiccuped(pipe); }

  protected:
    socket_base_t(ctx_t *ctx, int sid, int type);

    // Socket type hooks.
    virtual void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) = 0;
    virtual int xsend(msg_t *msg);
    virtual int xrecv(msg_t *msg);
    virtual bool xhas_in();
    virtual bool xhas_out();
    virtual void xread_activated(pipe_t *pipe);
    virtual void xwrite_activated(pipe_t *pipe);
    virtual void xpipe_terminated(pipe_t *pipe) = 0;
    virtual void xhiccuped(pipe_t *) {}
    virtual int xsetsockopt(int option, const void *value, size_t size);
    virtual int xgetsockopt(int option, void *value, size_t *size);

    // A socket type ending a pipe itself (PAIR refusing a second peer,
    // ROUTER refusing a duplicate id): forgets it everywhere and terminates
    // it. xpipe_terminated is NOT called for it; the caller knows.
    void terminate_pipe(pipe_t *pipe);

    options_t options;

  private:
    static constexpr uint32_t live_tag = 0xbadcafe0;
    static constexpr uint32_t dead_tag = 0xdeadbeef;

    // Drain the mailbox; timeout_ms > 0 or -1 blocks until something comes.
    // Returns -1/ETERM when the context stopped, -1/EINTR when a signal
    // interrupted the wait, 0 otherwise (also on timeout).
    int process_commands(int timeout_ms);
    // The blocking part: spin (adaptive), then park on the mailbox.
    int wait_for_command(int timeout_ms);
    void resolve_wait_flags(); // ZLINK_RECV_SPIN_US, ZLINK_LAZY_WAKE
    void dispatch(const command_t &cmd);
    void forget_pipe(pipe_t *pipe);
    int wait_until(int timeout_ms, int64_t deadline_ms, bool *expired);
    int parse_endpoint(const std::string &uri, const transport_t *&transport, std::string &address);
    int term_endpoint(const char *endpoint);
    int begin_endpoint_call(const char *endpoint, const transport_t *&transport,
                            std::string &address);
    void close_monitor(bool announce);

    // What the pipe transports (inproc) see of this socket. A member, not a
    // base: a second vtable pointer would move _tag.
    class endpoint_host_t final : public i_endpoint_host {
      public:
        explicit endpoint_host_t(socket_base_t &socket) : _socket(socket) {}
        endpoint_table_t &host_endpoints() const override;
        options_t &host_options() override { return _socket.options; }
        mailbox_t *host_mailbox() const override { return _socket._mailbox; }
        void attach_endpoint_pipe(pipe_t *pipe, const std::string &endpoint,
                                  bool connected) override;
        void forget_bound_pipes(const std::string &endpoint) override;

      private:
        socket_base_t &_socket;
    };

    // What the monitor channel of another socket sees of this one, when
    // this is the PAIR its events go to.
    class monitor_socket_t final : public i_monitor_socket {
      public:
        explicit monitor_socket_t(socket_base_t &socket) : _socket(socket) {}
        int send(msg_t *msg, int flags) override { return _socket.send(msg, flags); }
        void close() override { _socket.close(); }

      private:
        socket_base_t &_socket;
    };

    static std::atomic<std::ptrdiff_t> _tag_offset; // learned from the first socket
    ctx_t *_ctx;
    int _sid;
    mailbox_t *_mailbox;
    std::atomic<bool> _ctx_terminated{false};
    uint64_t _recv_spin_cap_ns = 0;
    uint64_t _msgs_moved = 0;
    spin_policy_t _spin;
    std::vector<pipe_t *> _pipes;
    std::vector<command_t> _commands; // reused buffer for draining
    bool _rcvmore = false;
    bool _in_event = false; // guards re-entrant command processing
    std::string _last_endpoint;
    // The pipes created by each connect/bind, for unbind/disconnect.
    std::multimap<std::string, pipe_t *> _bound_pipes;     // by bind endpoint
    std::multimap<std::string, pipe_t *> _connected_pipes; // by connect endpoint
    endpoint_host_t _endpoint_host{*this};
    monitor_socket_t _as_monitor_socket{*this};

    // Endpoints of the stream transports (created on first use).
    std::unique_ptr<network_endpoints_t> _net;
    network_endpoints_t &net();
    // Monitor events, shared with the io-thread objects working for us.
    std::shared_ptr<monitor_channel_t> _monitor;
};

} // namespace zlink
