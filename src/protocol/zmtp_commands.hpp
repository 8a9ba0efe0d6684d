// ZMTP command bodies (the payload of frames flagged msg_t::command):
//   command-body = name-length(1) name(1..255) command-data
// Builders fill an initialised-or-closed msg_t and flag it msg_t::command;
// parsers take the received command frame and return false on malformed
// input without touching their outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/metadata.hpp"
#include "core/msg.hpp"
#include "protocol/zmtp_metadata.hpp"

namespace zlink {

// A command body split into name and data (pointers into the message).
struct zmtp_command_view {
    const char *name;
    size_t name_size;
    const unsigned char *data;
    size_t size;

    bool is(const char *n) const;
};

// False unless msg is a command frame with a well-formed name.
bool zmtp_parse_command(const msg_t &msg, zmtp_command_view *out);
// True when msg is a command frame called `name` (exact, case-sensitive).
bool zmtp_is_command(const msg_t &msg, const char *name);

// Generic builder: name (1..255 bytes) + data. Returns 0, or -1 with errno
// EINVAL (bad name) / ENOMEM.
int zmtp_make_command(msg_t *msg, const char *name, const void *data, size_t size);

// READY (and PLAIN's INITIATE, same body): metadata. EINVAL on bad props.
int zmtp_make_ready(msg_t *msg, const zmtp_property_list &props);
// The metadata part of READY / INITIATE.
int zmtp_make_metadata_command(msg_t *msg, const char *name, const zmtp_property_list &props);

// ERROR: reason, truncated to 255 bytes.
int zmtp_make_error(msg_t *msg, const std::string &reason);
// ERROR body: reason-length(1) reason. Trailing bytes are tolerated (as
// libzmq does); a length past the end is not.
bool zmtp_parse_error(const zmtp_command_view &cmd, std::string *reason);

// SUBSCRIBE / CANCEL (ZMTP 3.1): the rest of the body is the topic.
int zmtp_make_subscribe(msg_t *msg, const void *topic, size_t size);
int zmtp_make_cancel(msg_t *msg, const void *topic, size_t size);

// PING: ttl (2 bytes, deciseconds, network order) + context (0..16 bytes).
constexpr size_t zmtp_ping_max_context = 16;
// EINVAL when the context is longer than 16 bytes.
int zmtp_make_ping(msg_t *msg, uint16_t ttl_deciseconds, const void *context, size_t context_size);
// False when shorter than 2 bytes. A context longer than 16 bytes is cut to
// 16 (libzmq does the same rather than dropping the connection).
bool zmtp_parse_ping(const zmtp_command_view &cmd, uint16_t *ttl_deciseconds, std::string *context);
// PONG: echoes the PING context.
int zmtp_make_pong(msg_t *msg, const void *context, size_t context_size);
bool zmtp_parse_pong(const zmtp_command_view &cmd, std::string *context);

// The READY properties zlink sends: Socket-Type, Identity when the socket
// type announces one (REQ, DEALER, ROUTER; always, possibly empty, as libzmq
// does), then the user's ZMQ_METADATA properties.
zmtp_property_list zmtp_ready_properties(int socket_type, const std::string &routing_id,
                                         const zmtp_property_list &user);

} // namespace zlink
