// The owner of an io thread's sessions: one per io_context (an Asio
// service), touched only on that io thread. A session is adopted when it
// starts and released on the turn after it finishes, so it is destroyed on
// its io thread and never in a call into or out of it; nothing else holds a
// strong reference for long (the socket keeps a session_handle_t).
// Sessions still here when the io_context goes are destroyed with it.
#pragma once

#include <memory>
#include <unordered_map>

#include <boost/asio/execution_context.hpp>

namespace zlink {

class session_t;

class session_registry_t final : public boost::asio::execution_context::service {
  public:
    static boost::asio::execution_context::id id;
    explicit session_registry_t(boost::asio::execution_context &owner) : service(owner) {}

    void adopt(std::shared_ptr<session_t> session);
    void release(session_t *session);
    std::size_t size() const { return _sessions.size(); }

  private:
    void shutdown() override;
    std::unordered_map<session_t *, std::shared_ptr<session_t>> _sessions;
};

} // namespace zlink
