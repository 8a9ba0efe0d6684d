// ZMTP 3.x greeting (RFC 23 / RFC 37): building ours and parsing the peer's.
//
// Layout of the 64 bytes:
//   [0]      0xFF            signature start
//   [1..8]   padding         not significant
//   [9]      0x7F            signature end
//   [10]     version major   3
//   [11]     version minor   0 (ZMTP 3.0) or 1 (ZMTP 3.1)
//   [12..31] mechanism       ASCII name, NUL padded to 20 bytes
//   [32]     as-server       0 or 1
//   [33..63] filler          zeros
//
// The parser is incremental so the engine can feed whatever the transport
// delivered. It reports the peer's major version as soon as byte 10 is in,
// which lets an engine that sends its greeting in stages answer early.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace zlink {

constexpr size_t zmtp_greeting_size = 64;
constexpr size_t zmtp_signature_size = 10;
constexpr size_t zmtp_mechanism_offset = 12;
constexpr size_t zmtp_mechanism_size = 20;
constexpr size_t zmtp_as_server_offset = 32;

// Which ZMTP revision the connection speaks once both greetings are in.
// 3.0 peers get subscriptions as data messages; 3.1 peers get commands.
enum class zmtp_revision { unknown, v3_0, v3_1 };

enum class zmtp_greeting_status {
    ok,                  // all 64 bytes received and valid
    need_more,           // valid so far, feed more bytes
    bad_signature,       // not a ZMTP 3.x signature (garbage or ZMTP 1.0)
    unsupported_version, // major version < 3 (ZMTP 1.0/2.0 revisions)
    bad_mechanism,       // mechanism field is not a valid mechanism name
    mechanism_mismatch,  // valid name, but not the one we expect
};

const char *zmtp_greeting_status_name(zmtp_greeting_status s);

// True when `name` can be put in a greeting (1..20 chars of A-Z 0-9 - _ . +).
bool zmtp_valid_mechanism_name(const std::string &name);

// Writes our greeting (version 3.<minor>) into out[0..63]. Returns false,
// writing nothing, when the mechanism name is invalid.
bool zmtp_build_greeting(unsigned char *out, const std::string &mechanism, bool as_server,
                         uint8_t minor = 1);

class zmtp_greeting_parser_t {
  public:
    // expected_mechanism: the mechanism our side uses ("NULL", "PLAIN");
    // a peer announcing another one is a mechanism_mismatch. Empty accepts
    // any valid name (the caller then checks peer_mechanism()).
    explicit zmtp_greeting_parser_t(std::string expected_mechanism = {});

    // Consumes bytes from data[0..size) but never past the end of the
    // greeting; *consumed says how many (the rest belongs to the first
    // frame). Errors are sticky: once an error is returned, every later call
    // returns it again and consumes nothing.
    zmtp_greeting_status feed(const unsigned char *data, size_t size, size_t *consumed);

    zmtp_greeting_status status() const { return _status; }
    size_t bytes_received() const { return _received; }
    bool done() const { return _status == zmtp_greeting_status::ok; }

    // The peer's signature and major version are in and acceptable (11 bytes):
    // from here the engine knows it talks to a ZMTP 3.x peer.
    bool major_known() const { return _received > 10 && !failed(); }
    bool minor_known() const { return _received > 11 && !failed(); }
    uint8_t peer_major() const { return _buf[10]; }
    uint8_t peer_minor() const { return _buf[11]; }
    // 3.0 only for exactly 3.0; 3.1 for 3.1 and any later 3.x / higher major
    // (a newer peer talks down to us). unknown before 12 bytes.
    zmtp_revision revision() const;

    // Valid once done().
    const std::string &peer_mechanism() const { return _mechanism; }
    bool peer_as_server() const { return _buf[zmtp_as_server_offset] != 0; }

  private:
    bool failed() const {
        return _status != zmtp_greeting_status::ok && _status != zmtp_greeting_status::need_more;
    }
    zmtp_greeting_status check_byte(size_t index);
    zmtp_greeting_status check_mechanism();

    unsigned char _buf[zmtp_greeting_size] = {};
    size_t _received = 0;
    zmtp_greeting_status _status = zmtp_greeting_status::need_more;
    std::string _expected;
    std::string _mechanism;
};

} // namespace zlink
