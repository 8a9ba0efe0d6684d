// ZMQ_PUB: XPUB that never gives subscriptions or anything else to the
// application (recv is ENOTSUP).
#pragma once

#include "sockets/xpub.hpp"

namespace zlink {

class pub_t : public xpub_t {
  public:
    pub_t(ctx_t *ctx, int sid);

  protected:
    void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
};

} // namespace zlink
