// CURVE security mechanism (RFC 26 CurveZMQ, as libzmq 4.3 speaks it).
//
//   client (C, c; S known)                  server (S, s)
//   HELLO C' nonce Box[64 zeros](C'->S) --->
//                                       <--- WELCOME Box[S' cookie](S->C')
//   INITIATE cookie nonce
//     Box[C vouch metadata](C'->S')     --->  (ZAP: "CURVE", [C])
//                                       <--- READY nonce Box[metadata](S'->C')
//                                            or ERROR "<zap status>"
//   then every frame either way: MESSAGE nonce Box[flags data]
//
// C/c, S/s: long-term keys; C'/c', S'/s': per-connection short-term keys.
// cookie = 16-byte nonce + SecretBox[C' s'](K), K a per-connection key;
// vouch = 16-byte nonce + Box[C' S](C->S'). Short nonces are 8-byte
// counters per direction (client: HELLO 1, INITIATE 2, MESSAGEs from 3;
// server: READY 1, MESSAGEs from 2); a MESSAGE whose nonce does not grow is
// refused. MESSAGE frames go out as data frames without MORE; the MORE and
// COMMAND flags travel inside the box.
//
// Without a ZAP handler the server accepts any client key (libzmq's
// "Stonehouse" mode) unless ZMQ_ZAP_ENFORCE_DOMAIN is set with a ZAP domain.
#pragma once

#include <cstdint>
#include <memory>

#include "core/curve_keys.hpp"
#include "core/options.hpp"
#include "protocol/mechanisms/curve_box.hpp"
#include "protocol/mechanisms/mechanism.hpp"

namespace zlink {

// MESSAGE wrapping and the state both roles share.
class curve_mechanism_t : public mechanism_t {
  public:
    ~curve_mechanism_t() override;

    const char *name() const override { return "CURVE"; }
    bool wraps_frames() const override { return true; }
    int wrap(msg_t *msg) override;
    size_t wrap_overhead() const override;
    int wrap_into(uint8_t flags, const uint8_t *body_in, size_t n, uint8_t *prefix,
                  uint8_t *body_out) override;
    bool can_wrap(size_t frames) const override { return UINT64_MAX - _nonce >= frames; }
    int unwrap(msg_t *msg) override;

  protected:
    // as_client picks the MESSAGE nonce prefixes ("...MESSAGEC" is what
    // the client sends).
    curve_mechanism_t(const mechanism_options &options, zap_client *zap, bool as_client);

    // Short-term key pair, made in the constructor; false when libsodium
    // was unusable (the handshake must then fail).
    bool crypto_ok() const { return _crypto_ok; }
    // _precomputed is set: derive the MESSAGE boxes of both directions.
    void message_keys_ready();
    // Our next short nonce (then incremented).
    uint64_t next_nonce() { return _nonce++; }
    // The metadata we announce (Socket-Type, Identity, user properties).
    std::string our_metadata() const;

    // The two nonce forms: 16-byte prefix + 8-byte counter, and 8-byte
    // prefix + 16 random bytes.
    static void full_nonce(uint8_t out[24], const char *prefix16, const uint8_t short8[8]);
    static void long_nonce(uint8_t out[24], const char *prefix8, const uint8_t random16[16]);

    uint8_t _short_public[curve_key_size] = {}; // our C' or S'
    uint8_t _short_secret[curve_key_size] = {}; // our c' or s'
    uint8_t _precomputed[32] = {};              // crypto_box_beforenm(peer', ours')
    uint64_t _peer_nonce = 0;                   // last short nonce the peer used

  private:
    const char *const _send_prefix;
    const char *const _recv_prefix;
    uint64_t _nonce = 1;
    bool _crypto_ok = false;
    curve_message_box_t _send_box; // wrap's only crypto state (with _nonce)
    curve_message_box_t _recv_box; // unwrap's (with _peer_nonce)
};

class curve_client_t final : public curve_mechanism_t {
  public:
    curve_client_t(const mechanism_options &options, const options_t &keys);
    ~curve_client_t() override;

    int next_handshake_command(msg_t *msg) override;
    int process_handshake_command(msg_t *msg) override;
    mechanism_status status() const override;

  private:
    void on_zap_reply() override {}
    int make_hello(msg_t *msg);
    int process_welcome(const zmtp_command_view &cmd);
    int make_initiate(msg_t *msg);
    int process_ready(const zmtp_command_view &cmd);

    enum state_t {
        sending_hello,
        waiting_for_welcome,
        sending_initiate,
        waiting_for_ready,
        ready,
    };
    state_t _state = sending_hello;
    uint8_t _public[curve_key_size];            // C
    uint8_t _secret[curve_key_size];            // c
    uint8_t _server[curve_key_size];            // S
    uint8_t _server_short[curve_key_size] = {}; // S'
    uint8_t _cookie[96] = {};
};

class curve_server_t final : public curve_mechanism_t {
  public:
    curve_server_t(const mechanism_options &options, const options_t &keys, zap_client *zap);
    ~curve_server_t() override;

    int next_handshake_command(msg_t *msg) override;
    int process_handshake_command(msg_t *msg) override;
    mechanism_status status() const override;

  private:
    void on_zap_reply() override;
    int process_hello(const zmtp_command_view &cmd);
    int make_welcome(msg_t *msg);
    int process_initiate(const zmtp_command_view &cmd);
    int make_ready(msg_t *msg);

    enum state_t {
        waiting_for_hello,
        sending_welcome,
        waiting_for_initiate,
        waiting_for_zap_reply,
        sending_ready,
        ready,
        sending_error,
        error_sent,
    };
    state_t _state = waiting_for_hello;
    uint8_t _secret[curve_key_size];            // s
    uint8_t _public[curve_key_size] = {};       // S, derived from s
    uint8_t _client_short[curve_key_size] = {}; // C'
    uint8_t _cookie_key[32] = {};               // K
};

// The factory's entry (mechanism_factory.cpp): server or client by
// ZMQ_CURVE_SERVER. When libsodium cannot be initialised the mechanism
// fails its first handshake step (NO_DETAIL, ENOTSUP) instead.
std::unique_ptr<mechanism_t> make_curve_mechanism(const options_t &options,
                                                  const mechanism_options &common, zap_client *zap);

} // namespace zlink
