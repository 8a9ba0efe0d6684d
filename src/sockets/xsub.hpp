// ZMQ_XSUB: receives from all publishers (fair queue) and sends upstream to
// all of them (dist). Subscription messages ("\x01topic" / "\x00topic") it
// sends are remembered, so a publisher that connects later, or reconnects,
// gets them replayed. SUB builds on it and filters what it receives.
#pragma once

#include "core/msg.hpp"
#include "core/socket_base.hpp"
#include "sockets/distributor.hpp"
#include "sockets/fair_queue.hpp"
#include "sockets/subscription_trie.hpp"

namespace zlink {

class xsub_t : public socket_base_t {
  public:
    xsub_t(ctx_t *ctx, int sid);
    ~xsub_t() override;

  protected:
    xsub_t(ctx_t *ctx, int sid, int type);

    void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) override;
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
    bool xhas_out() override;
    void xread_activated(pipe_t *pipe) override;
    void xhiccuped(pipe_t *pipe) override;
    void send_subscriptions(pipe_t *pipe);
    void xwrite_activated(pipe_t *pipe) override;
    void xpipe_terminated(pipe_t *pipe) override;
    int xsetsockopt(int option, const void *value, size_t size) override;

  private:
    bool match(const msg_t &msg) const;
    void skip_rest(msg_t *msg);

    fair_queue_t _fq;
    distributor_t _dist;
    subscription_trie_t _subscriptions;
    // A matching message read ahead by xhas_in, returned by the next xrecv.
    bool _has_message = false;
    msg_t _message;
    bool _more_send = false;
    bool _more_recv = false;
    bool _process_subscribe = false;
    bool _only_first_subscribe = false;
};

} // namespace zlink
