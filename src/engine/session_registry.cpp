#include "engine/session_registry.hpp"

#include "engine/io_thread_engines.hpp"
#include "engine/session.hpp"

namespace zlink {

boost::asio::execution_context::id session_registry_t::id;
boost::asio::execution_context::id io_thread_engines_t::id;

void session_registry_t::adopt(std::shared_ptr<session_t> session) {
    session_t *key = session.get();
    _sessions.emplace(key, std::move(session));
}

void session_registry_t::release(session_t *session) {
    auto it = _sessions.find(session);
    if (it == _sessions.end())
        return;
    auto last = std::move(it->second); // destroyed after the map is consistent
    _sessions.erase(it);
}

void session_registry_t::shutdown() {
    auto all = std::move(_sessions);
    _sessions.clear();
    all.clear();
}

} // namespace zlink
