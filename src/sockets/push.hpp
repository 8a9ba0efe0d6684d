// ZMQ_PUSH: load-balances messages over its peers; never receives.
#pragma once

#include "core/socket_base.hpp"
#include "sockets/load_balancer.hpp"

namespace zlink {

class push_t : public socket_base_t {
  public:
    push_t(ctx_t *ctx, int sid);

  protected:
    void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) override;
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_out() override;
    void xwrite_activated(pipe_t *pipe) override;
    void xpipe_terminated(pipe_t *pipe) override;

  private:
    load_balancer_t _lb;
};

} // namespace zlink
