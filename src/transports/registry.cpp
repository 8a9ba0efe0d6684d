// The table of transports. Adding one: a folder src/transports/<scheme>/
// that defines its transport_t, and one line here.
#include "transports/transport.hpp"

#include <cstring>

#include "transports/inproc/inproc_transport.hpp"
#include "transports/ipc/ipc_transport.hpp"
#include "transports/tcp/tcp_transport.hpp"
#include "transports/tls/tls_transport.hpp"
#include "transports/ws/ws_transport.hpp"

namespace zlink {

namespace {

const transport_t *const transports[] = {
    &tcp_transport, &ipc_transport, &inproc_transport,
    &tls_transport, &ws_transport,  &wss_transport,
};

} // namespace

const transport_t *find_transport(const std::string &scheme) {
    for (const transport_t *t : transports) {
        if (scheme == t->scheme)
            return t;
    }
    return nullptr;
}

bool has_transport_capability(const char *capability) {
    for (const transport_t *t : transports) {
        if (t->capability && std::strcmp(capability, t->capability) == 0)
            return true;
    }
    return false;
}

void close_pipe_endpoints(i_endpoint_host &host) {
    for (const transport_t *t : transports) {
        if (t->pipes)
            t->pipes->close(host);
    }
}

} // namespace zlink
