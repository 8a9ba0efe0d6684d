// ZMQ_PULL: fair-queues messages from its peers; never sends.
#pragma once

#include "core/socket_base.hpp"
#include "sockets/fair_queue.hpp"

namespace zlink {

class pull_t : public socket_base_t {
  public:
    pull_t(ctx_t *ctx, int sid);

  protected:
    void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) override;
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
    void xread_activated(pipe_t *pipe) override;
    void xpipe_terminated(pipe_t *pipe) override;

  private:
    fair_queue_t _fq;
};

} // namespace zlink
