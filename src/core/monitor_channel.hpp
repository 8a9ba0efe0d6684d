// Where a socket's monitor events go. Shared (shared_ptr) between the socket
// and the io-thread objects working for it (sessions, listeners), so events
// can be emitted from any thread; the monitor stays open after the socket
// closes until those objects are done (see hold/release). It sees the
// monitor socket only as i_monitor_socket, so the io side can use it without
// depending on the socket base.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace zlink {

class msg_t;

// The bound PAIR socket the events go to (the socket base implements it).
class i_monitor_socket {
  public:
    virtual int send(msg_t *msg, int flags) = 0;
    virtual void close() = 0; // closes the socket; gone after this

  protected:
    ~i_monitor_socket() = default;
};

class monitor_channel_t {
  public:
    // Takes ownership of `monitor`; replaces (closes) any old one.
    void set(i_monitor_socket *monitor, uint64_t events);
    // Emits libzmq's v1 event: [uint16 event | uint32 value] + endpoint.
    void emit(uint16_t event, uint64_t value, const std::string &endpoint);
    // Stops monitoring; `announce` sends ZMQ_EVENT_MONITOR_STOPPED first.
    void close(bool announce);
    // Sessions and listeners hold the channel while they may still emit.
    // Once the socket has closed, the last release sends MONITOR_STOPPED,
    // after their final events (CLOSED, linger retries), as libzmq does.
    void hold();
    void release();
    // The socket closed: stop (announced) as soon as nothing holds it.
    void close_when_released();
    bool wants(uint16_t event) const { return (_events & event) != 0; }

  private:
    void emit_locked(uint16_t event, uint64_t value, const std::string &endpoint);
    i_monitor_socket *stop_locked(bool announce); // returns the socket to close
    std::mutex _mutex;
    int _holders = 0;
    bool _owner_closed = false;
    i_monitor_socket *_socket = nullptr;
    uint64_t _events = 0;
};

} // namespace zlink
