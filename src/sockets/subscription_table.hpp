// subscription_table_t — XPUB's view of its subscribers: topic prefix ->
// the pipes subscribed to it. Answers "which pipes want this message" and
// tells which topics lost their last subscriber, so XPUB can report
// unsubscriptions upstream.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_set>

#include "sockets/prefix_node.hpp"

namespace zlink {

class pipe_t;

class subscription_table_t {
  public:
    enum rm_result { not_found, last_value_removed, values_remain };
    using topic_fn = std::function<void(const unsigned char *, size_t)>;

    // True when the topic had no subscriber before.
    bool add(const unsigned char *topic, size_t size, pipe_t *pipe);
    rm_result rm(const unsigned char *topic, size_t size, pipe_t *pipe);
    // Forget the pipe everywhere; fn(topic) for each topic it was on, or
    // (only_last) just for those nobody else subscribes to.
    void rm(pipe_t *pipe, const topic_fn &fn, bool only_last);
    // fn(pipe) for every pipe subscribed to a prefix of data (a pipe may be
    // reported once per matching prefix).
    template <typename Fn>
    void match(const unsigned char *data, size_t size, Fn &&fn) const;

  private:
    using pipes_t = std::unordered_set<pipe_t *>;
    using node_t = prefix_node_t<std::unique_ptr<pipes_t>>;
    node_t _root;
};

template <typename Fn>
void subscription_table_t::match(const unsigned char *data, size_t size, Fn &&fn) const {
    const node_t *n = &_root;
    for (size_t i = 0;; ++i) {
        if (n->value)
            for (pipe_t *p : *n->value)
                fn(p);
        if (i == size)
            return;
        n = n->child(data[i]);
        if (!n)
            return;
    }
}

} // namespace zlink
