// fair_queue_t — receives from a set of pipes in turn (round robin), so no
// peer can starve the others. A multipart message is read whole from one pipe
// before moving on, so parts of different messages never interleave.
#pragma once

#include "sockets/pipe_array.hpp"

namespace zlink {

class msg_t;
class pipe_t;

class fair_queue_t {
  public:
    void attach(pipe_t *pipe);
    void activated(pipe_t *pipe);       // the pipe has data again
    void pipe_terminated(pipe_t *pipe); // forget the pipe

    // msg must be initialised; on success it holds the next part and *pipe
    // (if given) the pipe it came from. -1/EAGAIN (msg empty) when nothing.
    int recv(msg_t *msg, pipe_t **pipe = nullptr);
    bool has_in();

  private:
    void deactivate_current();

    // [0, _active) may have data; [_active, size) were found empty.
    pipe_array_t _pipes;
    size_t _active = 0;
    size_t _current = 0;
    bool _more = false; // in the middle of a multipart message from _current
};

} // namespace zlink
