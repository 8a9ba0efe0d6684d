#include "core/monitor_channel.hpp"

#include <cstring>

#include <zmq.h>

#include "core/msg.hpp"

namespace zlink {

void monitor_channel_t::set(i_monitor_socket *monitor, uint64_t events) {
    i_monitor_socket *old;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        old = _socket;
        _socket = monitor;
        _events = events;
    }
    if (old)
        old->close();
}

void monitor_channel_t::emit(uint16_t event, uint64_t value, const std::string &endpoint) {
    std::lock_guard<std::mutex> lock(_mutex);
    emit_locked(event, value, endpoint);
}

void monitor_channel_t::emit_locked(uint16_t event, uint64_t value, const std::string &endpoint) {
    if (!_socket || !(_events & event))
        return;
    unsigned char head[6];
    const uint16_t ev = event;
    const uint32_t v = static_cast<uint32_t>(value);
    std::memcpy(head, &ev, sizeof ev);
    std::memcpy(head + 2, &v, sizeof v);
    msg_t m;
    m.init_buffer(head, sizeof head);
    if (_socket->send(&m, ZMQ_SNDMORE | ZMQ_DONTWAIT) != 0) {
        m.close();
        return;
    }
    m.init_buffer(endpoint.data(), endpoint.size());
    if (_socket->send(&m, ZMQ_DONTWAIT) != 0)
        m.close();
}

i_monitor_socket *monitor_channel_t::stop_locked(bool announce) {
    if (announce)
        emit_locked(ZMQ_EVENT_MONITOR_STOPPED, 0, "");
    i_monitor_socket *s = _socket;
    _socket = nullptr;
    _events = 0;
    return s;
}

void monitor_channel_t::close(bool announce) {
    i_monitor_socket *s;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        s = stop_locked(announce);
    }
    if (s)
        s->close();
}

void monitor_channel_t::hold() {
    std::lock_guard<std::mutex> lock(_mutex);
    ++_holders;
}

void monitor_channel_t::release() {
    i_monitor_socket *s = nullptr;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (--_holders > 0 || !_owner_closed)
            return;
        s = stop_locked(true);
    }
    // Possibly on an io thread: the monitor socket is reached only under
    // _mutex, and zmq_ctx_term waits for it like for any socket.
    if (s)
        s->close();
}

void monitor_channel_t::close_when_released() {
    i_monitor_socket *s = nullptr;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _owner_closed = true;
        if (_holders > 0)
            return;
        s = stop_locked(true);
    }
    if (s)
        s->close();
}

} // namespace zlink
