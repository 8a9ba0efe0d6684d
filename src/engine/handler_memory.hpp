// Reused memory for the handlers one object posts over and over (a
// session's commands): a few cached blocks handed over with one atomic
// exchange each, so once warmed up a post allocates nothing, whichever
// thread posts. Bind it to a handler with boost::asio::bind_allocator.
//
// Any thread allocates (the poster), the io thread frees; the cache is
// shared by the allocator copies, so it outlives the object that posts.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <new>

namespace zlink {

class handler_memory_t {
  public:
    static constexpr std::size_t block_size = 128; // a command handler fits
    handler_memory_t() = default;
    handler_memory_t(const handler_memory_t &) = delete;
    handler_memory_t &operator=(const handler_memory_t &) = delete;
    ~handler_memory_t() {
        for (auto &slot : _slots)
            ::operator delete(slot.load(std::memory_order_relaxed));
    }

    void *allocate(std::size_t size) {
        if (size <= block_size) {
            for (auto &slot : _slots)
                if (void *p = slot.exchange(nullptr, std::memory_order_acquire))
                    return p;
        }
        _fresh.fetch_add(1, std::memory_order_relaxed);
        return ::operator new(size <= block_size ? block_size : size);
    }
    // Blocks taken from the heap so far (tests: a warm poster takes none).
    std::size_t fresh_blocks() const { return _fresh.load(std::memory_order_relaxed); }

    void deallocate(void *p, std::size_t size) {
        if (size <= block_size) {
            for (auto &slot : _slots) {
                void *empty = nullptr;
                if (slot.compare_exchange_strong(empty, p, std::memory_order_release,
                                                 std::memory_order_relaxed))
                    return;
            }
        }
        ::operator delete(p);
    }

  private:
    std::array<std::atomic<void *>, 4> _slots{}; // a burst of 4 in flight stays allocation-free
    std::atomic<std::size_t> _fresh{0};
};

// The std allocator face of handler_memory_t, as Asio asks for one.
template <class T>
class handler_allocator {
  public:
    using value_type = T;
    explicit handler_allocator(std::shared_ptr<handler_memory_t> memory)
        : _memory(std::move(memory)) {}
    template <class U>
    handler_allocator(const handler_allocator<U> &other) noexcept : _memory(other._memory) {}

    T *allocate(std::size_t n) { return static_cast<T *>(_memory->allocate(n * sizeof(T))); }
    void deallocate(T *p, std::size_t n) noexcept { _memory->deallocate(p, n * sizeof(T)); }

    template <class U>
    bool operator==(const handler_allocator<U> &o) const noexcept {
        return _memory == o._memory;
    }
    template <class U>
    bool operator!=(const handler_allocator<U> &o) const noexcept {
        return _memory != o._memory;
    }

  private:
    template <class U>
    friend class handler_allocator;
    std::shared_ptr<handler_memory_t> _memory;
};

} // namespace zlink
