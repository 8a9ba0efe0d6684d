// pipe_t — one end of a bidirectional message channel between two owners
// (socket <-> socket over inproc, socket <-> session for network transports).
//
// Each direction is a lock-free SPSC queue. A writer wakes the reader (an
// activate_read command into the reader owner's mailbox) only when the
// reader had parked; a reader tells the writer it has room again only every
// `lwm` messages. So the steady state costs no lock, syscall or allocation.
//
// Termination: an owner calls terminate() and forgets the pipe at once. Its
// peer keeps reading what was already written (a delimiter marks the end;
// unless set_nodelay()), then gets pipe_terminated(). Both ends live in one
// refcounted block, released when both owners and all queued commands let go.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/msg.hpp"

namespace zlink {

class mailbox_t;
class metadata_t;
struct command_t;
struct pipe_pair_t;
class pipe_t;
class msg_queue_t;
class i_direct_writer;

// Callbacks into the owner, always on the owner's thread.
class i_pipe_events {
  public:
    virtual ~i_pipe_events() = default;
    virtual void read_activated(pipe_t *pipe) = 0;
    virtual void write_activated(pipe_t *pipe) = 0;
    // The pipe is dead: forget it. Not called after the owner's own terminate().
    virtual void pipe_terminated(pipe_t *pipe) = 0;
    // The connection behind the pipe was re-established (state such as
    // subscriptions must be sent again).
    virtual void hiccuped(pipe_t *) {}
};

class pipe_t {
  public:
    struct config_t {
        // End 0's owner's SNDHWM (messages end 0 -> end 1) and RCVHWM (end 1 ->
        // end 0); 0 = unlimited.
        int hwm[2] = {1000, 1000};
        // Inproc: end 1's owner's own SNDHWM/RCVHWM. A queue then holds the
        // sender's SNDHWM plus the receiver's RCVHWM, 0 on either side meaning
        // unlimited (libzmq's rule). -1: end 1 has none (a session: end 0's
        // values alone apply) or it is not known yet (connect before bind).
        int end1_hwm[2] = {-1, -1};
        bool conflate[2] = {false, false}; // queue towards end i keeps only the last message
    };
    // Creates both ends; the caller becomes owner of both (one reference each).
    static void create_pair(pipe_t *ends[2], const config_t &cfg);

    // Give the end to its owner; `mailbox` receives this end's commands.
    void set_owner(i_pipe_events *sink, mailbox_t *mailbox);

    // Reading.
    bool check_read();
    bool read(msg_t *msg); // false when nothing to read (or the end came)

    // A peer that does not want routing ids still gets one first from
    // connecters that cannot know (connect-before-bind): drop it.
    void drop_leading_routing_id();

    // Writing. write() takes the message (msg is left empty) on success.
    bool check_write();
    bool write(msg_t *msg);
    void rollback(); // drop an unfinished multipart message
    // Publishes what was written. When the reader end has a direct writer
    // and the reader is parked, the writer's thread hands the new messages
    // to it instead (core/direct_writer.hpp) and wakes the reader only when
    // that writer could not take or finish them.
    void flush();

    // Reader end's owner (a session, on its io thread): who may write this
    // end's inbound messages to the kernel from the writer's thread;
    // nullptr withdraws it, waiting for a write in progress to return.
    void set_direct_writer(i_direct_writer *writer);

    // The owner gives up this end (close, disconnect, unbind). The peer still
    // reads what we wrote unless it does not delay.
    void terminate();
    // The peer will not read its inbound data (e.g. PUSH): on pipe_term it
    // terminates immediately instead of waiting for our delimiter.
    void set_nodelay() { _delay = false; }
    // Session side: tell the owner of the other end about a reconnect.
    void send_hiccup() { send_to_peer(command_t_hiccup, 0); }

    // Dispatch of a command addressed to this end (owner thread).
    void process_command(const command_t &cmd);

    // Per-pipe data used by socket types.
    const std::string &routing_id() const { return _routing_id; }
    void set_routing_id(const std::string &id) { _routing_id = id; }
    uint32_t server_socket_routing_id() const { return _int_routing_id; }
    void set_server_socket_routing_id(uint32_t id) { _int_routing_id = id; }
    // The peer's connection properties (network transports).
    metadata_t *peer_metadata() const { return _peer_metadata; }
    void set_peer_metadata(metadata_t *m);
    const std::string &endpoint() const { return _endpoint; }
    void set_endpoint(const std::string &e) { _endpoint = e; }
    bool is_terminated() const {
        return _state != state_active && _state != state_waiting_for_delimiter;
    }

    // HWM bookkeeping. The owner's new SNDHWM/RCVHWM (owner thread): this end
    // applies them at once, the peer end when it gets the hwm_changed command.
    // `reopen_peer_writer`: a peer writer stopped at the old limit may write
    // again if there is room now (an inproc bind; libzmq does not do it for
    // a setsockopt).
    void set_own_hwms(int sndhwm, int rcvhwm, bool reopen_peer_writer = false);
    bool check_hwm() const;
    uint64_t msgs_written() const { return _msgs_written; }

    // Reference counting on the pair (commands hold one while queued).
    void add_ref();
    void drop_ref();
    pipe_t *peer() const { return _peer; }

  private:
    friend struct pipe_pair_t;
    static constexpr uint8_t command_t_hiccup = 7; // command_t::hiccup
    enum state_t : uint8_t {
        state_active,
        state_waiting_for_delimiter, // peer terminated; draining its data
        state_delimiter_seen,        // read the delimiter before pipe_term came
        state_terminated,
    };
    void send_to_peer(uint8_t type, uint64_t count);
    void send_to_self(uint8_t type);
    void terminate_locally(); // peer is gone and we are done: tell the sink
    void on_delimiter();
    void apply_hwms();       // derive _hwm and _in_lwm from own and peer values
    bool try_direct_write(); // writer end, from flush(): true when nothing is left to publish
    bool direct_write_parked();

    pipe_pair_t *_pair = nullptr;
    pipe_t *_peer = nullptr;
    msg_queue_t *_in = nullptr;
    msg_queue_t *_out = nullptr;
    i_pipe_events *_sink = nullptr;
    std::atomic<mailbox_t *> _mailbox{nullptr};

    bool _in_active = true;
    bool _out_active = true;
    bool _delay = true;
    state_t _state = state_active;
    int _hwm = 0;    // outbound limit, checked by this end's writer
    int _in_lwm = 0; // report reads to the peer writer every _in_lwm messages
    // Inputs of the two above. Own values are written by the owner's thread
    // only; the peer's (packed SNDHWM, RCVHWM; -1 = none) by the peer's thread,
    // so they are atomic and this end re-reads them on hwm_changed.
    int _own_sndhwm = -1;
    int _own_rcvhwm = -1;
    std::atomic<uint64_t> _peer_hwms{~uint64_t(0)};
    bool _out_conflate = false;
    bool _in_conflate = false;
    uint64_t _msgs_read = 0;
    uint64_t _msgs_written = 0;
    uint64_t _peers_msgs_read = 0;

    std::string _routing_id;
    uint32_t _int_routing_id = 0;
    metadata_t *_peer_metadata = nullptr;
    std::string _endpoint;

    // Reader end: the registered direct writer. Stored only by the owner,
    // with _direct_gate held; the writer's thread uses it only with
    // _direct_gate held (try_lock), so it stays valid for that call.
    std::mutex _direct_gate;
    std::atomic<i_direct_writer *> _direct_writer{nullptr};
    // Writer end: a stream of sends goes through the io thread, which
    // gathers many into one write; only a send after a pause (a request,
    // a reply) is written directly. See try_direct_write().
    bool _flushed_to_awake_reader = false;
    uint64_t _last_parked_flush_ns = 0;
};

} // namespace zlink
