// The names bound by pipe transports (inproc) in one context, and the
// connections made to a name before it was bound. The context owns it; the
// inproc transport reaches it through i_endpoint_host and the ZAP client
// through i_engine_host, so neither needs the context itself. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/options.hpp"

namespace zlink {

class i_endpoint_host;
class mailbox_t;
class pipe_t;

class endpoint_table_t {
  public:
    // The binder's options are snapshotted at bind time so connecters read
    // them without touching the binder's live options.
    struct endpoint_t {
        const i_endpoint_host *owner;
        mailbox_t *mailbox; // find_or_pend hands out a reference
        options_t options;
    };
    struct pending_t {
        pipe_t *bind_end;     // the end the binder will own
        bool recv_routing_id; // the connecter wants the binder's routing id
    };

    endpoint_table_t() = default;
    endpoint_table_t(const endpoint_table_t &) = delete;
    endpoint_table_t &operator=(const endpoint_table_t &) = delete;

    // -1/EADDRINUSE when the name is taken.
    int add(const std::string &name, const i_endpoint_host *owner, mailbox_t *mailbox,
            const options_t &o);
    // -1/ENOENT unless `owner` bound `name`.
    int remove(const std::string &name, const i_endpoint_host *owner);
    void remove_all(const i_endpoint_host *owner);
    // Connect side. If the name is bound, returns true and fills `ep`.
    // Otherwise records `pending`, if given (connect-before-bind).
    // A connecter that closes leaves its pending connections here, so the
    // messages it sent reach a later bind (libzmq); end_pending frees
    // those never bound.
    bool find_or_pend(const std::string &name, endpoint_t &ep, const pending_t *pending);
    // Binder side: take the pending connections for `name`.
    std::vector<pending_t> take_pending(const std::string &name);
    // Context end: the connections nobody bound go, with their queued
    // messages (libzmq binds and closes a socket for each to the same effect).
    void end_pending();

  private:
    std::mutex _mutex;
    std::map<std::string, endpoint_t> _endpoints;
    std::multimap<std::string, pending_t> _pending;
};

} // namespace zlink
