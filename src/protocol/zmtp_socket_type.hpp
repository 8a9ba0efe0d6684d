// ZMTP socket-type names (the Socket-Type property) and which types may be
// connected to each other (RFC 37 / RFC 23 "socket type compatibility").
#pragma once

#include <string>

namespace zlink {

// "PAIR", "PUB", ... for a ZMQ_* socket type; nullptr for types that do not
// speak ZMTP with a Socket-Type (ZMQ_STREAM) or are unknown.
const char *zmtp_socket_type_name(int type);

// The ZMQ_* value for a name (exact, upper case as on the wire), -1 if unknown.
int zmtp_socket_type_from_name(const std::string &name);

// May a socket of ZMQ_* type `ours` talk to a peer announcing `peer_name`?
bool zmtp_socket_types_compatible(int ours, const std::string &peer_name);

} // namespace zlink
