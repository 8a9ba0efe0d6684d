// What a socket lends the pipe transports (inproc) that join it to another
// socket directly: its context's table of bound names, its options and
// mailbox, and a place for the pipes they make. The socket base implements
// it; a transport sees nothing else of the socket or its context. All calls
// come on the socket's application thread.
#pragma once

#include <string>

namespace zlink {

class endpoint_table_t;
class mailbox_t;
class pipe_t;
struct options_t;

class i_endpoint_host {
  public:
    // The names bound in the socket's context.
    virtual endpoint_table_t &host_endpoints() const = 0;
    // The socket's live options (a connect consumes ZMQ_CONNECT_ROUTING_ID).
    virtual options_t &host_options() = 0;
    virtual mailbox_t *host_mailbox() const = 0;

    // Hands a pipe end to the socket (its type's attach hook runs) and files
    // it under `endpoint`: `connected` for the socket's own connect (ended by
    // disconnect), otherwise a connection its bind adopted (forgotten by unbind).
    virtual void attach_endpoint_pipe(pipe_t *pipe, const std::string &endpoint,
                                      bool connected) = 0;
    // After an unbind: the connections the bind adopted stay, but no longer
    // belong to that endpoint.
    virtual void forget_bound_pipes(const std::string &endpoint) = 0;

  protected:
    ~i_endpoint_host() = default;
};

} // namespace zlink
