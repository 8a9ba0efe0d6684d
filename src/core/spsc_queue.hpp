// Lock-free single-producer / single-consumer message queue (the pipe's body).
//
// Items live in fixed-size chunks linked in a list, so pushing never moves
// items and the steady state allocates nothing: the consumer hands the
// chunk it just emptied back to the producer through `_spare`.
//
// Publication protocol: the writer appends items privately and makes them
// visible with flush(). `_published` is the single shared word: it points at
// the end of what the reader may consume, or is nullptr while the reader is
// asleep (it found nothing and parked). flush() returns false exactly when the
// reader was asleep, so the writer knows it must wake it; otherwise nobody
// makes a syscall.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>

namespace zlink {

template <typename T, int ChunkSize = 256>
class spsc_queue {
  public:
    spsc_queue() {
        _write_chunk = _read_chunk = new_chunk();
        _write_pos = _read_pos = 0;
        _flushed_end = _unflushed_start = slot(_write_chunk, 0);
        _read_limit = slot(_read_chunk, 0);
        // The reader starts "awake" with nothing to read: the first flush
        // succeeds silently; the first failed read parks it.
        _published.store(slot(_write_chunk, 0), std::memory_order_relaxed);
    }
    ~spsc_queue() {
        chunk *c = _read_chunk;
        while (c) {
            chunk *next = c->next;
            std::free(c);
            c = next;
        }
        std::free(_spare.exchange(nullptr));
    }
    spsc_queue(const spsc_queue &) = delete;
    spsc_queue &operator=(const spsc_queue &) = delete;

    // Writer side ---------------------------------------------------------
    // Append an item. `incomplete` items (non-final parts of a multipart
    // message) are not made flushable, so a reader never sees half a message.
    void write(T &&value, bool incomplete) {
        new (slot(_write_chunk, _write_pos)) T(std::move(value));
        advance_write();
        if (!incomplete)
            _flushed_end = slot(_write_chunk, _write_pos);
    }

    // Take back the last unflushed item (an aborted multipart message).
    bool unwrite(T &value) {
        if (_flushed_end == slot(_write_chunk, _write_pos))
            return false;
        retreat_write();
        T *p = slot(_write_chunk, _write_pos);
        value = std::move(*p);
        p->~T();
        return true;
    }

    // Publish complete items. Returns false if the reader was asleep and
    // must be woken by the caller.
    bool flush() {
        if (_unflushed_start == _flushed_end)
            return true;
        T *expected = _unflushed_start;
        if (!_published.compare_exchange_strong(expected, _flushed_end,
                                                std::memory_order_acq_rel)) {
            // Reader parked (nullptr): publish and tell the caller to wake it.
            _published.store(_flushed_end, std::memory_order_release);
            _unflushed_start = _flushed_end;
            return false;
        }
        _unflushed_start = _flushed_end;
        return true;
    }

    // Writer: the reader consumed everything published and went to sleep.
    bool reader_parked() const { return _published.load(std::memory_order_acquire) == nullptr; }

    // Instead of publishing: when the reader is parked (it consumed all that
    // was published) and every item written since is complete, move those
    // items (at most max, in order) to out and rewind, as if they had never
    // been written. Returns how many; 0 (nothing moved) otherwise. The
    // reader stays parked, so the next flush() still reports it asleep.
    // -1: it would have applied, but there are more than max items.
    int take_unpublished(T *out, int max) {
        if (_unflushed_start == _flushed_end || _flushed_end != slot(_write_chunk, _write_pos) ||
            _published.load(std::memory_order_acquire) != nullptr)
            return 0;
        int n = 0;
        chunk *c = _write_chunk;
        for (int pos = _write_pos; slot(c, pos) != _unflushed_start; ++n) {
            if (n == max)
                return -1;
            if (pos == 0) {
                c = c->prev;
                pos = ChunkSize;
            }
            --pos;
        }
        for (int i = n - 1; i >= 0; --i) {
            retreat_write();
            T *p = slot(_write_chunk, _write_pos);
            out[i] = std::move(*p);
            p->~T();
        }
        _flushed_end = _unflushed_start;
        return n;
    }

    // Reader side ---------------------------------------------------------
    // True when an item is available. When there is none the reader parks
    // (publishes nullptr) so the next flush reports it asleep.
    bool check_read() {
        T *front = slot(_read_chunk, _read_pos);
        if (front != _read_limit && _read_limit)
            return true;
        T *expected = front;
        // If nothing new was published, park atomically; otherwise pick up
        // the new limit.
        if (_published.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel)) {
            _read_limit = nullptr;
            return false;
        }
        _read_limit = expected;
        return _read_limit && _read_limit != front;
    }

    bool read(T &value) {
        if (!check_read())
            return false;
        T *p = slot(_read_chunk, _read_pos);
        value = std::move(*p);
        p->~T();
        advance_read();
        return true;
    }

    // Peek at the next readable item (check_read() must have returned true).
    T &front() { return *slot(_read_chunk, _read_pos); }

  private:
    struct chunk {
        chunk *next;
        chunk *prev; // writer-only, for unwrite across a chunk boundary
        alignas(T) unsigned char storage[sizeof(T) * ChunkSize];
    };
    static T *slot(chunk *c, int pos) { return reinterpret_cast<T *>(c->storage) + pos; }
    chunk *new_chunk() {
        chunk *c = _spare.exchange(nullptr, std::memory_order_acquire);
        if (!c) {
            c = static_cast<chunk *>(std::malloc(sizeof(chunk)));
            if (!c)
                throw std::bad_alloc();
        }
        c->next = nullptr;
        c->prev = nullptr;
        return c;
    }
    void advance_write() {
        if (++_write_pos == ChunkSize) {
            // After an unwrite across a chunk boundary the next chunk is
            // still linked: reuse it.
            chunk *c = _write_chunk->next ? _write_chunk->next : new_chunk();
            _write_chunk->next = c;
            c->prev = _write_chunk;
            _write_chunk = c;
            _write_pos = 0;
        }
    }
    void retreat_write() {
        if (_write_pos == 0) {
            // The emptied chunk stays linked and is reused by advance_write.
            _write_chunk = _write_chunk->prev;
            _write_pos = ChunkSize;
        }
        --_write_pos;
    }
    void advance_read() {
        if (++_read_pos == ChunkSize) {
            chunk *done = _read_chunk;
            _read_chunk = done->next;
            _read_pos = 0;
            // Keep one spare chunk for the writer; free older ones.
            std::free(_spare.exchange(done, std::memory_order_release));
        }
    }

    // Writer-owned.
    chunk *_write_chunk;
    int _write_pos;
    T *_flushed_end;     // end of complete (flushable) items
    T *_unflushed_start; // end of what was last published
    // Reader-owned.
    alignas(64) chunk *_read_chunk;
    int _read_pos;
    T *_read_limit; // cached end of published items; nullptr when parked
    // Shared.
    alignas(64) std::atomic<T *> _published;
    std::atomic<chunk *> _spare{nullptr};
};

} // namespace zlink
