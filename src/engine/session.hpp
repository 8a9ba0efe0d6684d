// session_t — one network connection's life on an io thread: owns the
// pipe end that faces the socket, the engine speaking ZMTP, and for
// connecting sockets the reconnect loop with backoff. The socket only knows
// the pipe; the engine only knows this session.
//
// Closing (ZMQ_LINGER != 0) with messages queued keeps the connection, or
// the reconnect loop, going until the queue and the engine's unsent bytes
// are out or the linger period ends; linger 0 or nothing left ends at once.
//
// Threading and ownership: everything runs on the session's io_context
// thread, and that thread owns the session (session_registry_t) from its
// start until the turn after it finishes; the session owns its engine. Other
// threads reach it through its mailbox, whose deliverer posts each command
// onto the io_context, and through a session_handle_t, whose terminate()
// posts. Handlers hold a weak reference. See doc/DESIGN.md "Threads and
// ownership".
#pragma once

#include <atomic>
#include <chrono>
#include <climits>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transports/i_asio_transport.hpp"
#include "engine/i_engine.hpp"
#include "core/options.hpp"
#include "core/pipe.hpp"

namespace zlink {

class i_engine_host;
class mailbox_t;
struct command_t;
class monitor_channel_t;
class connecter_t;
class zap_pipe_client_t;
class wire_adapter_t;

class session_t final : public i_pipe_events,
                        public i_engine_session,
                        public std::enable_shared_from_this<session_t> {
  public:
    struct config_t {
        i_engine_host *host = nullptr;
        mailbox_t *socket_mailbox = nullptr; // referenced by the session
        std::shared_ptr<monitor_channel_t> monitor;
        options_t options;
        std::string endpoint; // full URI, for monitor events
        std::string protocol; // the scheme, which names the stream transport
        std::string address;  // after "://"
        bool connecter = false;
    };
    static std::shared_ptr<session_t> create(boost::asio::io_context &io, config_t cfg);
    ~session_t() override;

    // Application thread, before start: the pipe end created at connect.
    void set_pipe(pipe_t *end);
    // Connecting side: begin (posts onto the io thread).
    void start_connecting();
    // Accepting side (io thread): run an accepted connection.
    void start_accepted(std::unique_ptr<i_asio_transport> transport);
    // Io thread: end the session, flushing for up to `linger` ms (the
    // socket's ZMQ_LINGER at close/disconnect time, as libzmq takes it;
    // linger_from_options: the value the socket had when this was made).
    // Other threads use session_handle_t::terminate.
    static constexpr int linger_from_options = INT_MIN;
    void terminate(int linger = linger_from_options);
    const std::string &endpoint() const { return _cfg.endpoint; }

    // i_pipe_events
    void read_activated(pipe_t *pipe) override;
    void write_activated(pipe_t *pipe) override;
    void pipe_terminated(pipe_t *pipe) override;

    // i_engine_session
    int push_msg(msg_t *msg) override;
    void flush_pushed() override;
    int pull_msg(msg_t *msg) override;
    void engine_ready(const engine_peer_info &peer) override;
    void engine_closed(engine_close_reason reason, int value) override;
    void monitor_event(uint16_t event, uint64_t value) override;
    zap_client *zap() override;
    void output_drained() override;

    // The ZAP bridge reports its pipe's events through us.
    mailbox_t *mailbox() const { return _mailbox; }

  private:
    friend class session_handle_t;
    struct delivered_command;
    session_t(boost::asio::io_context &io, config_t cfg);
    static void post_terminate(boost::asio::io_context &io, std::weak_ptr<session_t> session,
                               int linger);
    void process_command(const command_t &cmd);
    void connect_now();
    void schedule_reconnect();
    void start_engine(std::unique_ptr<i_asio_transport> transport);
    void end_engine();
    void create_pipe_to_socket();
    void push_raw_notification();
    void set_peer_metadata(metadata_t *m); // takes a reference
    void do_terminate(int linger);
    void maybe_finish_linger();
    bool wait_for_peer_to_read();
    void finish();

    boost::asio::io_context &_io;
    config_t _cfg;
    mailbox_t *_mailbox;
    pipe_t *_pipe = nullptr;
    std::unique_ptr<i_engine> _engine;       // the live connection's
    std::unique_ptr<i_engine> _ended_engine; // closed; destroyed on a later turn
    std::shared_ptr<connecter_t> _connecter;
    std::unique_ptr<zap_pipe_client_t> _zap;
    std::unique_ptr<wire_adapter_t>
        _wire;                        // what the socket type adds (STREAM notices, SUB resends)
    boost::asio::steady_timer _timer; // reconnect backoff
    boost::asio::steady_timer _linger_timer;    // ZMQ_LINGER > 0 while terminating
    boost::asio::steady_timer _peer_read_timer; // re-checks unread_by_peer() while lingering
    std::size_t _peer_unread = 0;               // last unread_by_peer() seen
    std::chrono::steady_clock::time_point _peer_read_progress;
    int _current_ivl = 0;
    int _engine_fd = -1;
    metadata_t *_peer_metadata = nullptr; // the live connection's properties
    bool _routing_id_delivered = false;
    bool _incomplete_in = false;  // pushed towards the socket: a message's last part is missing
    bool _incomplete_out = false; // pulled by the engine: a message's last part is still queued
    bool _terminating = false;
    bool _finished = false;
    // _finished as the socket's thread sees it, through a session_handle_t.
    const std::shared_ptr<std::atomic<bool>> _finished_seen =
        std::make_shared<std::atomic<bool>>(false);
    bool _reconnect_pending = false; // _timer will call connect_now()
};

// What the socket keeps of a connecting session: it ends it and asks
// whether it ended without owning it (the io thread does), so the session
// is never destroyed on the socket's thread. Any thread.
class session_handle_t {
  public:
    explicit session_handle_t(const std::shared_ptr<session_t> &session)
        : _io(&session->_io), _session(session), _finished(session->_finished_seen) {}
    void terminate(int linger = session_t::linger_from_options) const {
        session_t::post_terminate(*_io, _session, linger);
    }
    // Done for good: its endpoint no longer counts as connected.
    bool finished() const { return _finished->load(std::memory_order_acquire); }

  private:
    boost::asio::io_context *_io;
    std::weak_ptr<session_t> _session;
    std::shared_ptr<const std::atomic<bool>> _finished;
};

} // namespace zlink
