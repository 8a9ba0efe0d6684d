// tls:// — ZMTP inside TLS over tcp (zlink.h documents the ZMQ_TLS_*
// options). Built from tcp's parts: its address syntax and resolution, its
// connection attempt (tls_connect_attempt_t overrides on_connected() to wrap
// the socket) and its listener (each accepted socket becomes a tls stream);
// the TLS handshake itself runs in the stream (tls_stream.hpp).
#pragma once

#include "transports/transport.hpp"

namespace zlink {

extern const transport_t tls_transport;

} // namespace zlink
