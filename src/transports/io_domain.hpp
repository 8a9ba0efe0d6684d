// Which context's io threads an io_context belongs to: the pool marks each
// of its io_contexts with itself. ws:// paths of sockets of one context may
// share a listening port; another context's io threads may be gone while
// the port still needs them, so that one may not join.
#pragma once

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>

namespace zlink {

class io_domain_t final : public boost::asio::execution_context::service {
  public:
    static inline boost::asio::execution_context::id id;
    explicit io_domain_t(boost::asio::execution_context &ctx, const void *owner = nullptr)
        : service(ctx), _owner(owner) {}
    const void *owner() const { return _owner; }

  private:
    void shutdown() override {}
    const void *_owner;
};

// The pool that owns io; io itself when no pool marked it.
inline const void *io_domain_of(boost::asio::io_context &io) {
    if (boost::asio::has_service<io_domain_t>(io))
        return boost::asio::use_service<io_domain_t>(io).owner();
    return &io;
}

} // namespace zlink
