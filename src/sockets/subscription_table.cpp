#include "sockets/subscription_table.hpp"

#include <vector>

namespace zlink {

bool subscription_table_t::add(const unsigned char *topic, size_t size, pipe_t *pipe) {
    node_t *n = &_root;
    for (size_t i = 0; i < size; ++i)
        n = n->make_child(topic[i]);
    const bool first = !n->value || n->value->empty();
    if (!n->value)
        n->value.reset(new pipes_t);
    n->value->insert(pipe);
    return first;
}

subscription_table_t::rm_result subscription_table_t::rm(const unsigned char *topic, size_t size,
                                                         pipe_t *pipe) {
    std::vector<node_t *> path;
    path.reserve(size + 1);
    node_t *n = &_root;
    path.push_back(n);
    for (size_t i = 0; i < size; ++i) {
        n = n->child(topic[i]);
        if (!n)
            return not_found;
        path.push_back(n);
    }
    if (!n->value || n->value->erase(pipe) == 0)
        return not_found;
    if (!n->value->empty())
        return values_remain;
    n->value.reset();
    for (size_t i = path.size() - 1; i > 0 && path[i]->is_empty(); --i)
        path[i - 1]->prune();
    return last_value_removed;
}

void subscription_table_t::rm(pipe_t *pipe, const topic_fn &fn, bool only_last) {
    _root.walk([&](node_t &node, const unsigned char *topic, size_t size) {
        if (!node.value || node.value->erase(pipe) == 0)
            return;
        if (node.value->empty()) {
            node.value.reset();
            fn(topic, size);
        } else if (!only_last) {
            fn(topic, size);
        }
    });
}

} // namespace zlink
