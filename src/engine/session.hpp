// session_t — one network connection's life on an io thread: owns the
// pipe end that faces the socket, the engine speaking ZMTP, and for
// connecting sockets the reconnect loop with backoff. The socket only knows
// the pipe; the engine only knows this session.
//
// Closing (ZMQ_LINGER != 0) with messages queued keeps the connection, or
// the reconnect loop, going until the queue and the engine's unsent bytes
// are out or the linger period ends; linger 0 or nothing left ends at once.
//
// Threading: everything runs on the session's io_context thread. Other
// threads reach it through its mailbox (pipe commands), whose waker posts
// one drain onto the io_context, and through terminate(), which posts.
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
class monitor_channel_t;
class connecter_t;
class zap_pipe_client_t;

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
    // Any thread: end the session, flushing for up to `linger` ms (the
    // socket's ZMQ_LINGER at close/disconnect time, as libzmq takes it;
    // linger_from_options: the value the socket had when this was made).
    static constexpr int linger_from_options = INT_MIN;
    void terminate(int linger = linger_from_options);
    const std::string &endpoint() const { return _cfg.endpoint; }
    // Done for good (any thread): its endpoint no longer counts as connected.
    bool finished() const { return _finished.load(std::memory_order_acquire); }

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
    session_t(boost::asio::io_context &io, config_t cfg);
    void process_commands();
    void connect_now();
    void schedule_reconnect();
    void start_engine(std::unique_ptr<i_asio_transport> transport);
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
    std::shared_ptr<i_engine> _engine;
    std::shared_ptr<connecter_t> _connecter;
    std::unique_ptr<zap_pipe_client_t> _zap;
    std::shared_ptr<session_t> _self; // set while running
    boost::asio::steady_timer _timer;        // reconnect backoff
    boost::asio::steady_timer _linger_timer; // ZMQ_LINGER > 0 while terminating
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
    std::atomic<bool> _finished{false}; // read by finished() on the socket's thread
    bool _reconnect_pending = false; // _timer will call connect_now()
};

} // namespace zlink
