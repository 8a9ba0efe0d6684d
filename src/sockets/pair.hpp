// ZMQ_PAIR: exactly one peer; further connections are refused.
#pragma once

#include "core/socket_base.hpp"

namespace zlink {

class pair_t : public socket_base_t {
  public:
    pair_t(ctx_t *ctx, int sid);

  protected:
    void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) override;
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
    bool xhas_out() override;
    void xread_activated(pipe_t *pipe) override;
    void xwrite_activated(pipe_t *pipe) override;
    void xpipe_terminated(pipe_t *pipe) override;

  private:
    pipe_t *_pipe = nullptr;
};

} // namespace zlink
