// ZMQ_SUB: XSUB that filters what it receives by its subscriptions, which
// are set with ZMQ_SUBSCRIBE / ZMQ_UNSUBSCRIBE (send is ENOTSUP).
#pragma once

#include "sockets/xsub.hpp"

namespace zlink {

class sub_t : public xsub_t {
  public:
    sub_t(ctx_t *ctx, int sid);

  protected:
    int xsend(msg_t *msg) override;
    bool xhas_out() override;
    int xsetsockopt(int option, const void *value, size_t size) override;
};

} // namespace zlink
