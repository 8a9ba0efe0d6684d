// ZMQ_XPUB: PUB that shows the application the subscriptions its peers
// send (as "\x01topic" / "\x00topic" messages), and PUB's base.
//
// Sending goes to the pipes whose subscriptions prefix the message (dist).
// Subscriptions arriving from peers update the table and are queued for
// xrecv: new topics only, unless ZMQ_XPUB_VERBOSE(R); every one with
// ZMQ_XPUB_MANUAL, where the application then decides with
// ZMQ_SUBSCRIBE/UNSUBSCRIBE which topics the last sender gets.
#pragma once

#include <deque>
#include <string>

#include "core/socket_base.hpp"
#include "sockets/distributor.hpp"
#include "sockets/subscription_table.hpp"

namespace zlink {

class xpub_t : public socket_base_t {
  public:
    xpub_t(ctx_t *ctx, int sid);
    ~xpub_t() override;

  protected:
    xpub_t(ctx_t *ctx, int sid, int type);

    void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) override;
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
    bool xhas_out() override;
    void xread_activated(pipe_t *pipe) override;
    void xwrite_activated(pipe_t *pipe) override;
    void xpipe_terminated(pipe_t *pipe) override;
    int xsetsockopt(int option, const void *value, size_t size) override;

  private:
    // A message waiting for xrecv (subscription or upstream user message).
    struct pending_t {
        std::string data;
        metadata_t *metadata; // one reference held, or nullptr
        uint8_t flags;
        bool subscription; // (un)subscription, as opposed to a user message
        pipe_t *pipe;      // where it came from (nullptr: that pipe is gone)
    };
    void queue_pending(const void *data, size_t size, metadata_t *meta, uint8_t flags,
                       bool subscription, pipe_t *pipe);
    void queue_unsubscription(const unsigned char *topic, size_t size);

    subscription_table_t _subscriptions;
    subscription_table_t _manual_subscriptions; // what peers asked for (manual)
    distributor_t _dist;
    std::deque<pending_t> _pending;

    bool _verbose_subs = false;
    bool _verbose_unsubs = false;
    bool _manual = false;
    bool _send_last_pipe = false; // ZMQ_XPUB_MANUAL_LAST_VALUE
    bool _lossy = true;           // !ZMQ_XPUB_NODROP
    bool _only_first_subscribe = false;
    pipe_t *_last_pipe = nullptr; // manual: target of ZMQ_(UN)SUBSCRIBE
    bool _more_send = false;
    bool _more_recv = false;
    bool _process_subscribe = false;
    std::string _welcome_msg; // ZMQ_XPUB_WELCOME_MSG, sent on attach
};

} // namespace zlink
