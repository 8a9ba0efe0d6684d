// Where a socket's monitor events go. Shared (shared_ptr) between the socket
// and the io-thread objects working for it (sessions, listeners), so events
// can be emitted from any thread and after the socket is gone they are
// simply dropped.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace zlink {

class socket_base_t;

class monitor_channel_t {
  public:
    // Takes ownership of `monitor` (a bound PAIR socket); replaces any old one.
    void set(socket_base_t *monitor, uint64_t events);
    // Emits libzmq's v1 event: [uint16 event | uint32 value] + endpoint.
    void emit(uint16_t event, uint64_t value, const std::string &endpoint);
    // Stops monitoring; `announce` sends ZMQ_EVENT_MONITOR_STOPPED first.
    void close(bool announce);
    bool wants(uint16_t event) const { return (_events & event) != 0; }

  private:
    void emit_locked(uint16_t event, uint64_t value, const std::string &endpoint);
    std::mutex _mutex;
    socket_base_t *_socket = nullptr;
    uint64_t _events = 0;
};

} // namespace zlink
