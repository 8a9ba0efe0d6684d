// load_balancer_t — sends each message to the next pipe that has room
// (round robin), keeping all parts of a multipart message on one pipe.
#pragma once

#include "sockets/pipe_array.hpp"

namespace zlink {

class msg_t;
class pipe_t;

class load_balancer_t {
  public:
    void attach(pipe_t *pipe);
    void activated(pipe_t *pipe);       // the pipe has room again
    void pipe_terminated(pipe_t *pipe); // forget the pipe

    // 0: the part was taken (msg left empty) and *pipe (if given) is where
    // it went; -1/EAGAIN: no pipe can take a new message (msg untouched).
    int send(msg_t *msg, pipe_t **pipe = nullptr);
    bool has_out();

  private:
    // [0, _active) can be written to; [_active, size) were found full.
    pipe_array_t _pipes;
    size_t _active = 0;
    size_t _current = 0;
    bool _more = false;     // in the middle of a multipart message
    bool _dropping = false; // the pipe died mid-message: drop the rest
};

} // namespace zlink
