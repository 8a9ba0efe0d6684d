// subscription_trie_t — the topics a SUB/XSUB socket subscribed to, with a
// count per topic (subscribing twice needs two unsubscribes). Used to filter
// incoming messages and to replay subscriptions to a newly attached peer.
#pragma once

#include <cstddef>
#include <functional>

#include "sockets/prefix_node.hpp"

namespace zlink {

class subscription_trie_t {
  public:
    // True when the topic is new (count went 0 -> 1).
    bool add(const unsigned char *topic, size_t size);
    // True when the last reference went (count 1 -> 0); false if absent.
    bool rm(const unsigned char *topic, size_t size);
    // Does any subscribed topic prefix data?
    bool check(const unsigned char *data, size_t size) const;
    // Every subscribed topic, once each.
    void apply(const std::function<void(const unsigned char *, size_t)> &fn);
    bool empty() const { return _topics == 0; }

  private:
    prefix_node_t<unsigned> _root;
    size_t _topics = 0; // distinct topics, to skip the walk when empty
};

} // namespace zlink
