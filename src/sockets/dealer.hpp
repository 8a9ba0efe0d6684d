// ZMQ_DEALER: load-balances outgoing and fair-queues incoming messages,
// with no envelope of its own. REQ builds on it.
#pragma once

#include "core/socket_base.hpp"
#include "sockets/fair_queue.hpp"
#include "sockets/load_balancer.hpp"

namespace zlink {

class dealer_t : public socket_base_t {
  public:
    dealer_t(ctx_t *ctx, int sid);

  protected:
    dealer_t(ctx_t *ctx, int sid, int type);

    void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) override;
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
    bool xhas_out() override;
    void xread_activated(pipe_t *pipe) override;
    void xwrite_activated(pipe_t *pipe) override;
    void xpipe_terminated(pipe_t *pipe) override;
    int xsetsockopt(int option, const void *value, size_t size) override;

    // For REQ: which pipe a part went to / came from.
    int send_pipe(msg_t *msg, pipe_t **pipe) { return _lb.send(msg, pipe); }
    int recv_pipe(msg_t *msg, pipe_t **pipe) { return _fq.recv(msg, pipe); }

  private:
    fair_queue_t _fq;
    load_balancer_t _lb;
    bool _probe_router = false; // ZMQ_PROBE_ROUTER: greet each new peer
};

} // namespace zlink
