// ZMQ_REP: strict request/reply server over ROUTER. The request's envelope
// (routing id and any frames up to the empty delimiter) is hidden from the
// application and put back in front of the reply. recv and send must
// alternate (EFSM otherwise).
#pragma once

#include "sockets/router.hpp"

namespace zlink {

class rep_t : public router_t {
  public:
    rep_t(ctx_t *ctx, int sid);

  protected:
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
    bool xhas_out() override;

  private:
    bool _sending_reply = false;
    bool _request_begins = true;
};

} // namespace zlink
