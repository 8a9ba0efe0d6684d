// zmq_proxy / zmq_proxy_steerable: shuttle whole multipart messages between
// two sockets, optionally copying every frame to a capture socket and obeying
// PAUSE / RESUME / TERMINATE / STATISTICS on a control socket.
#pragma once

namespace zlink {

// Runs in the calling thread. Returns 0 after TERMINATE, otherwise -1 with
// errno (ETERM when the context closes, EINTR, or the failing call's errno).
// capture and control may be null.
int proxy(void *frontend, void *backend, void *capture, void *control);

} // namespace zlink
