// ZMQ_REQ: strict request/reply client over DEALER. Each request carries an
// empty delimiter frame (and, with ZMQ_REQ_CORRELATE, a request id before
// it); only the reply to the last request, from the pipe it went to, is
// delivered. Sending twice or receiving before sending is EFSM unless
// ZMQ_REQ_RELAXED.
#pragma once

#include <cstdint>

#include "sockets/dealer.hpp"

namespace zlink {

class req_t : public dealer_t {
  public:
    req_t(ctx_t *ctx, int sid);

  protected:
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
    bool xhas_out() override;
    void xpipe_terminated(pipe_t *pipe) override;
    int xsetsockopt(int option, const void *value, size_t size) override;

  private:
    int send_envelope();
    // Next part of the reply from _reply_pipe; parts from elsewhere are dropped.
    int recv_reply_part(msg_t *msg);
    void skip_rest(msg_t *msg);

    bool _receiving_reply = false;
    bool _message_begins = true; // next part sent/received starts a message
    pipe_t *_reply_pipe = nullptr;
    bool _correlate = false; // ZMQ_REQ_CORRELATE
    bool _strict = true;     // !ZMQ_REQ_RELAXED
    uint32_t _request_id;
};

} // namespace zlink
