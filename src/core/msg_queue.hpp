// The two queue flavours behind a pipe direction: the lock-free SPSC queue
// (normal) and a single-slot queue that keeps only the newest message
// (ZMQ_CONFLATE). Both report "reader was asleep" from flush().
#pragma once

#include <cstring>
#include <mutex>

#include "core/msg.hpp"
#include "core/spsc_queue.hpp"

namespace zlink {

class msg_queue_t {
  public:
    virtual ~msg_queue_t() = default;
    virtual void write(msg_t &msg, bool incomplete) = 0;
    virtual bool unwrite(msg_t &msg) = 0;
    virtual bool flush() = 0;
    virtual bool check_read() = 0;
    virtual msg_t &front() = 0; // valid after check_read() returned true
    virtual bool read(msg_t &msg) = 0;
    // spsc_queue::take_unpublished (the application-thread write); 0: not
    // applicable (a conflating queue always publishes).
    virtual int take_unpublished(msg_t *, int) { return 0; }
    virtual bool reader_parked() const { return false; }
};

class spsc_msg_queue_t final : public msg_queue_t {
  public:
    // Both ends are gone: free everything, including what was never
    // published (the first parts of a message whose pipe died mid-send).
    ~spsc_msg_queue_t() override {
        msg_t m;
        while (_q.unwrite(m))
            m.close();
        _q.flush();
        while (_q.read(m))
            m.close();
    }
    void write(msg_t &msg, bool incomplete) override { _q.write(std::move(msg), incomplete); }
    bool unwrite(msg_t &msg) override { return _q.unwrite(msg); }
    bool flush() override { return _q.flush(); }
    bool check_read() override { return _q.check_read(); }
    msg_t &front() override { return _q.front(); }
    bool read(msg_t &msg) override { return _q.read(msg); }
    int take_unpublished(msg_t *out, int max) override { return _q.take_unpublished(out, max); }
    bool reader_parked() const override { return _q.reader_parked(); }

  private:
    spsc_queue<msg_t> _q;
};

// Conflation is not a hot path; a mutex keeps it obviously correct.
class conflate_msg_queue_t final : public msg_queue_t {
  public:
    conflate_msg_queue_t() { _slot.init(); }
    ~conflate_msg_queue_t() override { _slot.close(); }
    void write(msg_t &msg, bool) override {
        std::lock_guard<std::mutex> lock(_mutex);
        _slot.close();
        std::memcpy(static_cast<void *>(&_slot), &msg, sizeof(msg_t));
        _has = true;
    }
    bool unwrite(msg_t &) override { return false; }
    bool flush() override {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_reader_parked && _has) {
            _reader_parked = false;
            return false;
        }
        return true;
    }
    bool check_read() override {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_has)
            return true;
        _reader_parked = true;
        return false;
    }
    msg_t &front() override { return _slot; }
    bool read(msg_t &msg) override {
        std::lock_guard<std::mutex> lock(_mutex);
        if (!_has) {
            _reader_parked = true;
            return false;
        }
        std::memcpy(static_cast<void *>(&msg), &_slot, sizeof(msg_t));
        _slot.init();
        _has = false;
        return true;
    }

  private:
    std::mutex _mutex;
    msg_t _slot;
    bool _has = false;
    bool _reader_parked = false;
};

} // namespace zlink
