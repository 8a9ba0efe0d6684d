#include "sockets/sub.hpp"

#include <cerrno>
#include <cstring>

namespace zlink {

sub_t::sub_t(ctx_t *ctx, int sid) : xsub_t(ctx, sid, ZMQ_SUB) {
    // Unlike XSUB, messages are matched against the subscriptions.
    options.filter = true;
}

int sub_t::xsend(msg_t *) {
    errno = ENOTSUP;
    return -1;
}

bool sub_t::xhas_out() { return false; }

int sub_t::xsetsockopt(int option, const void *value, size_t size) {
    if ((option != ZMQ_SUBSCRIBE && option != ZMQ_UNSUBSCRIBE) || (size && !value)) {
        errno = EINVAL;
        return -1;
    }
    // The same message an XSUB application would send.
    msg_t msg;
    if (msg.init_size(size + 1) != 0)
        return -1;
    auto *d = static_cast<unsigned char *>(msg.data());
    d[0] = option == ZMQ_SUBSCRIBE ? 1 : 0;
    if (size)
        std::memcpy(d + 1, value, size);
    const int rc = xsub_t::xsend(&msg);
    msg.close();
    return rc;
}

} // namespace zlink
