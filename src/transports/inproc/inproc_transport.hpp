// inproc:// — two sockets of one context joined by a pipe, through the
// context's table of bound names (and its pending connections, for a
// connect that comes before the bind). No io thread, no byte stream.
#pragma once

#include "transports/transport.hpp"

namespace zlink {

extern const transport_t inproc_transport;

} // namespace zlink
