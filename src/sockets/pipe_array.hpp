// pipe_array_t — the pipe list the routing helpers (fq, lb, dist) keep.
//
// The helpers split the list into regions (active / inactive, ...) by
// swapping entries, and must find a pipe's slot in O(1) when it is activated
// or terminated: a PUB with thousands of subscribers looks pipes up for every
// message. pipe_t has no slot to remember its index, so we keep a side table.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <utility>
#include <vector>

namespace zlink {

class pipe_t;

class pipe_array_t {
  public:
    size_t size() const { return _items.size(); }
    bool empty() const { return _items.empty(); }
    pipe_t *operator[](size_t i) const { return _items[i]; }

    void push_back(pipe_t *p) {
        _index[p] = _items.size();
        _items.push_back(p);
    }

    static constexpr size_t npos = static_cast<size_t>(-1);

    bool contains(pipe_t *p) const { return _index.count(p) != 0; }

    // The pipe's slot, or npos if it is not in the array.
    size_t find(pipe_t *p) const {
        auto it = _index.find(p);
        return it == _index.end() ? npos : it->second;
    }

    // Caller guarantees the pipe is present.
    size_t index(pipe_t *p) const { return _index.find(p)->second; }

    void swap(size_t a, size_t b) {
        if (a == b)
            return;
        std::swap(_items[a], _items[b]);
        _index[_items[a]] = a;
        _index[_items[b]] = b;
    }

    // Removes p by moving the last entry into its slot: callers first move
    // p out of their live regions, so only the tail region gets reordered.
    void erase(pipe_t *p) {
        auto it = _index.find(p);
        if (it == _index.end())
            return;
        const size_t i = it->second;
        _index.erase(it);
        pipe_t *last = _items.back();
        _items.pop_back();
        if (last != p) {
            _items[i] = last;
            _index[last] = i;
        }
    }

  private:
    std::vector<pipe_t *> _items;
    std::unordered_map<pipe_t *, size_t> _index;
};

} // namespace zlink
