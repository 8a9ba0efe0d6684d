// Connection properties attached to received messages (zmq_msg_gets):
// Socket-Type, Routing-Id, Peer-Address, User-Id and the peer's ZMQ_METADATA.
// Shared by every message of a connection, so refcounted and immutable.
#pragma once

#include <atomic>
#include <map>
#include <string>

namespace zlink {

class metadata_t {
  public:
    using dict_t = std::map<std::string, std::string>;
    explicit metadata_t(dict_t dict) : _dict(std::move(dict)) {}

    // nullptr when the property is absent.
    const char *get(const std::string &name) const {
        auto it = _dict.find(name);
        return it == _dict.end() ? nullptr : it->second.c_str();
    }
    const dict_t &dict() const { return _dict; }

    void add_ref(int n = 1) { _refs.fetch_add(n, std::memory_order_relaxed); }
    // Returns true when the last reference is gone (caller deletes).
    bool drop_ref(int n = 1) { return _refs.fetch_sub(n, std::memory_order_acq_rel) == n; }

  private:
    std::atomic<int> _refs{1};
    const dict_t _dict;
};

} // namespace zlink
