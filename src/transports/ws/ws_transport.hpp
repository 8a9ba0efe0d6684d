// ws://host:port/path and wss://host:port/path — ZMTP over WebSocket
// (ws_stream.hpp), over tcp or over tls (wss takes the ZMQ_TLS_* options
// and the contexts of src/transports/tls/). Built from tcp's parts like tls:
// its address syntax, connection attempt (on_connected wraps the socket)
// and listener (each accepted socket becomes a ws stream).
//
// One path per port: a bind serves exactly its path (no path means "/");
// a request for another path is refused with 404, and a second bind on the
// same port fails with EADDRINUSE as over tcp.
#pragma once

#include "transports/transport.hpp"

namespace zlink {

extern const transport_t ws_transport;
extern const transport_t wss_transport;

} // namespace zlink
