// The weak token of an object that lives on one io thread. Asynchronous
// handlers (Asio waits, timers, posts) capture a token ref, never the
// object: its owner may destroy it while a handler is still queued, and the
// handler then finds the token empty and does nothing.
//
// Only the object's thread reads a ref (get()); any thread may copy one.
#pragma once

#include <memory>
#include <utility>

namespace zlink {

template <class T>
class lifetime_token {
  public:
    class ref {
      public:
        ref() = default;
        T *get() const { return _cell ? *_cell : nullptr; }

      private:
        friend class lifetime_token;
        explicit ref(std::shared_ptr<T *> cell) : _cell(std::move(cell)) {}
        std::shared_ptr<T *> _cell;
    };

    explicit lifetime_token(T *object) : _cell(std::make_shared<T *>(object)) {}
    ~lifetime_token() { *_cell = nullptr; }
    lifetime_token(const lifetime_token &) = delete;
    lifetime_token &operator=(const lifetime_token &) = delete;

    ref weak() const { return ref(_cell); }

  private:
    std::shared_ptr<T *> _cell;
};

} // namespace zlink
