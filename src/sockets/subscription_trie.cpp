#include "sockets/subscription_trie.hpp"

#include <vector>

namespace zlink {

bool subscription_trie_t::add(const unsigned char *topic, size_t size) {
    prefix_node_t<unsigned> *n = &_root;
    for (size_t i = 0; i < size; ++i)
        n = n->make_child(topic[i]);
    if (n->value++ == 0) {
        _topics++;
        return true;
    }
    return false;
}

bool subscription_trie_t::rm(const unsigned char *topic, size_t size) {
    std::vector<prefix_node_t<unsigned> *> path;
    path.reserve(size + 1);
    prefix_node_t<unsigned> *n = &_root;
    path.push_back(n);
    for (size_t i = 0; i < size; ++i) {
        n = n->child(topic[i]);
        if (!n)
            return false;
        path.push_back(n);
    }
    if (n->value == 0)
        return false;
    if (--n->value != 0)
        return false;
    _topics--;
    // Free the branch that now leads nowhere.
    for (size_t i = path.size() - 1; i > 0 && path[i]->is_empty(); --i)
        path[i - 1]->prune();
    return true;
}

bool subscription_trie_t::check(const unsigned char *data, size_t size) const {
    if (_topics == 0)
        return false;
    const prefix_node_t<unsigned> *n = &_root;
    for (size_t i = 0;; ++i) {
        if (n->value)
            return true;
        if (i == size)
            return false;
        n = n->child(data[i]);
        if (!n)
            return false;
    }
}

void subscription_trie_t::apply(const std::function<void(const unsigned char *, size_t)> &fn) {
    if (_topics == 0)
        return;
    _root.walk([&](prefix_node_t<unsigned> &node, const unsigned char *topic, size_t size) {
        if (node.value)
            fn(topic, size);
    });
}

} // namespace zlink
