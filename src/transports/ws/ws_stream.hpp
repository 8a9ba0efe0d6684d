// A ws:// or wss:// connection as the engine's byte stream: a WebSocket
// (RFC 6455) over an inner stream (tcp, or tls for wss) speaking ZWS 2.0.
//
// ZWS 2.0 has no ZMTP greeting and carries each ZMTP frame as one binary
// WebSocket message whose first byte is a flags byte (1 = more, 2 =
// command). The engine speaks ZMTP 3.0 as over tcp; this stream translates:
//  - to the engine it presents a greeting of the peer (3.0, the mechanism
//    the subprotocol named) and each message as a ZMTP frame;
//  - from the engine it drops the greeting and turns each ZMTP frame into a
//    message. 3.0 because ZWS peers (jszmq) subscribe with data messages.
//  - bare "ZWS2.0" (no mechanism, ws_handshake.hpp): our READY becomes a
//    routing-id message, the peer's routing id becomes a READY for the engine.
//
// Why frames are written here and not by Beast's websocket::stream: its
// reads and writes are blocking or asynchronous, never "what the kernel
// takes now", so try_write/try_read could not be speculative; and a frame
// header is 2-14 bytes. Beast parses the HTTP upgrade (ws_handshake.cpp).
// The upgrade runs inside the first try_read/try_write calls, like tls's
// handshake, under ZMQ_HANDSHAKE_IVL.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "transports/i_asio_transport.hpp"
#include "transports/ws/ws_frame_parser.hpp"

namespace zlink {

class ws_stream_t final : public i_asio_transport {
  public:
    enum class role_t { client, server };
    struct config_t {
        role_t role = role_t::client;
        std::string scheme = "ws"; // ws or wss, for local_endpoint()
        std::string host;          // client: the Host header
        std::string path = "/";    // client: the target; server: the only one served
        int mechanism = 0;         // ZMQ_NULL, ZMQ_PLAIN
        bool as_server = false;    // ZMQ_PLAIN_SERVER
        int socket_type = -1;      // ours, to name a compatible peer in bare ZWS2.0
        int64_t max_message = -1;  // ZMQ_MAXMSGSIZE: bounds a fragmented message collected here
    };

    ws_stream_t(boost::asio::io_context &io, std::unique_ptr<i_asio_transport> inner,
                config_t config);
    ~ws_stream_t() override;
    // Server: the start of the upgrade request, already read from `inner`.
    void preload(std::string upgrade_bytes) {
        _hs_in = std::move(upgrade_bytes);
        _hs_preloaded = !_hs_in.empty();
    }

    std::size_t try_write(const boost::asio::const_buffer *bufs, std::size_t count,
                          boost::system::error_code &ec) override;
    std::size_t try_read(boost::asio::mutable_buffer buf, boost::system::error_code &ec) override;
    void async_wait_writable(wait_handler_t handler) override;
    void async_wait_readable(wait_handler_t handler) override;
    void async_read_some(boost::asio::mutable_buffer buf, handler_t handler) override;
    void async_write_some(boost::asio::const_buffer buf, handler_t handler) override;
    void close() override;
    bool is_open() const override { return _inner->is_open(); }
    std::string peer_address() const override { return _inner->peer_address(); }
    std::string local_endpoint() const override;
    int native_handle() override { return _inner->native_handle(); }
    std::map<std::string, std::string> properties() const override { return _inner->properties(); }
    uint16_t handshake_failure_event(uint64_t &value) const override;
    // Reads queue pongs and close replies in the same output as writes,
    // and the flusher writes from the io thread: one thread only.
    bool try_write_alongside_reads() const override { return false; }

  private:
    using error_code = boost::system::error_code;

    // ---- upgrade (ws_stream.cpp) ----
    bool handshake(error_code &ec);
    bool client_handshake_step(error_code &ec);
    bool server_handshake_step(error_code &ec);
    void handshake_done(const std::string &protocol);
    // A refusal: the monitor event, the error the engine sees.
    void fail(error_code &ec);

    // ---- frames (ws_frames.cpp) ----
    // Engine bytes -> messages in _out; returns how many it took.
    std::size_t translate_out(const unsigned char *data, std::size_t size);
    void emit_header(unsigned opcode, std::size_t payload_size, bool fin = true);
    void emit_payload(const unsigned char *data, std::size_t size);
    void emit_message(unsigned opcode, const unsigned char *data, std::size_t size);
    void emit_routing_id_from_ready(const std::vector<unsigned char> &command);
    void emit_pending_controls();
    void mask_appended(std::size_t at);
    static std::size_t write_zmtp_header(unsigned char *dst, unsigned char zws_flags,
                                         std::size_t body_size);
    bool emit_whole_short_frame(const unsigned char *data, std::size_t size, std::size_t *consumed);
    void release_held_ready();
    // Wire bytes (_raw) -> engine bytes into buf; false on a protocol error.
    bool translate_in(unsigned char *buf, std::size_t size, std::size_t &produced);
    bool on_frame_header_done();
    bool on_frame_end();
    bool on_control_frame(unsigned opcode, const std::vector<unsigned char> &payload);
    bool on_whole_message(const std::vector<unsigned char> &message);
    void push_zmtp_header(unsigned char zws_flags, std::size_t body_size);
    void push_peer_greeting(const char *mechanism);
    // Writes what _out holds; would_block leaves the rest for later.
    void flush(error_code &ec);
    void arm_flusher();
    std::size_t pending_out() const { return _out.size() - _out_pos; }
    bool has_input_for_engine() const;

    std::unique_ptr<i_asio_transport> _inner;
    const config_t _config;
    boost::asio::io_context &_io;
    error_code _error; // sticky: a protocol error or a broken flush

    // Upgrade.
    bool _hs_done = false;
    bool _hs_request_sent = false; // client
    bool _hs_wants_write = false;
    bool _refusing = false;     // server: a refusal is being written
    bool _hs_preloaded = false; // server: a request is here, not yet parsed (no wait for it)
    std::string _hs_key;
    std::string _hs_in;
    // Outlives the stream for pending handlers: a close, and a writer's
    // wait parked while the upgrade reads.
    struct shared_t {
        bool alive = true;
        wait_handler_t parked_writer;
    };
    std::shared_ptr<shared_t> _shared;
    uint16_t _failure_event = 0;
    bool _bare = false; // bare "ZWS2.0": routing ids instead of a mechanism
    // Client, answered "ZWS2.0/NULL": a jszmq server answers so but speaks
    // bare; its first message tells (READY is a command, a routing id not).
    // Until then our first command waits (_ready_held), unsent.
    bool _sniff_bare = false;
    bool _ready_held = false;

    // Outgoing: engine stream -> WebSocket messages.
    std::vector<unsigned char> _out;
    std::size_t _out_pos = 0;
    bool _flusher_armed = false;
    std::size_t _greeting_left = 64; // the engine's greeting is not sent
    enum class out_state_t { flags, size, body } _out_state = out_state_t::flags;
    unsigned char _out_flags = 0;
    unsigned char _out_size_bytes[8];
    std::size_t _out_size_have = 0, _out_size_need = 0;
    std::size_t _out_body_left = 0;
    bool _out_collect = false; // bare: our READY, collected whole
    bool _ready_sent = false;
    std::vector<unsigned char> _out_command;
    std::vector<std::pair<unsigned, std::vector<unsigned char>>> _pending_controls;
    unsigned char _mask[4] = {0, 0, 0, 0};
    std::size_t _mask_pos = 0;
    std::minstd_rand _rng;

    // Incoming: WebSocket frames -> engine stream.
    static constexpr std::size_t raw_size = 65536;
    std::unique_ptr<unsigned char[]> _raw; // received, not yet translated
    std::size_t _raw_pos = 0, _raw_end = 0;
    std::vector<unsigned char> _synth; // for the engine, before any body bytes
    std::size_t _synth_pos = 0;
    ws_frame_parser_t _in_frames;   // header rules, unmasking (ws_frame_parser.hpp)
    bool _in_streaming = false;     // payload goes straight to the engine
    bool _in_flags_pending = false; // its first byte (ZWS flags) is next
    bool _in_routing_id_seen = false;
    std::vector<unsigned char> _in_message; // collected (fragmented or bare routing id)
    std::vector<unsigned char> _in_control;
    bool _close_received = false, _close_sent = false;
};

} // namespace zlink
