// prefix_node_t — one node of a byte-wise prefix tree, shared by the SUB
// side subscription trie (a refcount per topic) and the XPUB subscription
// table (a set of pipes per topic).
//
// Children sit in a table indexed by (byte - min) so a lookup on the match
// path is one bounds check. All walks are iterative: a topic may be as long
// as a message, far deeper than the stack allows for recursion.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace zlink {

// "Nothing stored here", per value type.
inline bool value_empty(unsigned v) { return v == 0; }
template <typename P>
bool value_empty(const std::unique_ptr<P> &v) {
    return !v || v->empty();
}

template <typename Value>
struct prefix_node_t {
    Value value{};
    unsigned char min = 0;
    std::vector<std::unique_ptr<prefix_node_t>> next;

    prefix_node_t *child(unsigned char c) const {
        if (c < min || static_cast<size_t>(c - min) >= next.size())
            return nullptr;
        return next[c - min].get();
    }

    prefix_node_t *make_child(unsigned char c) {
        if (next.empty()) {
            min = c;
            next.resize(1);
        } else if (c < min) {
            const size_t shift = static_cast<size_t>(min - c);
            std::vector<std::unique_ptr<prefix_node_t>> grown(next.size() + shift);
            for (size_t i = 0; i < next.size(); ++i)
                grown[i + shift] = std::move(next[i]);
            next.swap(grown);
            min = c;
        } else if (static_cast<size_t>(c - min) >= next.size()) {
            next.resize(static_cast<size_t>(c - min) + 1);
        }
        auto &slot = next[c - min];
        if (!slot)
            slot.reset(new prefix_node_t);
        return slot.get();
    }

    // Drop empty leaf children and shrink the table to the live range.
    void prune() {
        for (auto &n : next)
            if (n && n->is_empty())
                n.reset();
        while (!next.empty() && !next.back())
            next.pop_back();
        size_t lead = 0;
        while (lead < next.size() && !next[lead])
            ++lead;
        if (lead) {
            next.erase(next.begin(), next.begin() + lead);
            min = static_cast<unsigned char>(min + lead);
        }
    }

    bool is_empty() const { return next.empty() && value_empty(value); }

    // Walk over every node: fn(node, topic bytes, topic size) runs before
    // the node's children (libzmq's order for unsubscriptions); fn may
    // empty the node, and the walk prunes emptied branches on the way back.
    // Iterative, with the topic kept in one buffer.
    template <typename Fn>
    void walk(Fn &&fn) {
        struct frame_t {
            prefix_node_t *node;
            size_t next_index;
        };
        std::vector<frame_t> stack;
        std::vector<unsigned char> topic;
        fn(*this, topic.data(), size_t(0));
        stack.push_back({this, 0});
        while (!stack.empty()) {
            frame_t &f = stack.back();
            if (f.next_index < f.node->next.size()) {
                const size_t i = f.next_index++;
                prefix_node_t *c = f.node->next[i].get();
                if (c) {
                    topic.push_back(static_cast<unsigned char>(f.node->min + i));
                    fn(*c, topic.data(), topic.size());
                    stack.push_back({c, 0});
                }
                continue;
            }
            f.node->prune();
            stack.pop_back();
            if (!stack.empty())
                topic.pop_back();
        }
    }
};

} // namespace zlink
