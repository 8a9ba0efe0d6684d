// distributor_t — sends a message to many pipes at once (PUB, XPUB, XSUB).
//
// Pipes are kept in four regions of one array:
//   [0, matching)         chosen for the message being sent (match())
//   [matching, active)    writable, may be chosen
//   [active, eligible)    writable, but attached in the middle of a multipart
//                         message, so they start with the next message
//   [eligible, size)      full: skipped (the message is dropped for them)
#pragma once

#include "sockets/pipe_array.hpp"

namespace zlink {

class msg_t;
class pipe_t;

class distributor_t {
  public:
    void attach(pipe_t *pipe);
    void activated(pipe_t *pipe); // the pipe has room again
    void pipe_terminated(pipe_t *pipe);
    bool has_pipe(pipe_t *pipe) const { return _pipes.contains(pipe); }

    // Choosing the pipes of the next message.
    void match(pipe_t *pipe);
    void reverse_match(); // choose exactly the writable pipes not chosen
    void unmatch() { _matching = 0; }

    // Both take the message (msg left empty) and return 0.
    int send_to_all(msg_t *msg);
    int send_to_matching(msg_t *msg);

    bool has_out() const { return true; } // full pipes just drop
    // False if any chosen pipe is full (ZMQ_XPUB_NODROP).
    bool check_hwm() const;

  private:
    void distribute(msg_t *msg);
    bool write(pipe_t *pipe, msg_t *msg);

    pipe_array_t _pipes;
    size_t _matching = 0;
    size_t _active = 0;
    size_t _eligible = 0;
    bool _more = false;
};

} // namespace zlink
