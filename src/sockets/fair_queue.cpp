#include "sockets/fair_queue.hpp"

#include <cerrno>

#include "core/msg.hpp"
#include "core/pipe.hpp"

namespace zlink {

void fair_queue_t::attach(pipe_t *pipe) {
    // A new pipe may already hold messages: start it in the active region.
    _pipes.push_back(pipe);
    _pipes.swap(_active, _pipes.size() - 1);
    _active++;
}

void fair_queue_t::activated(pipe_t *pipe) {
    const size_t i = _pipes.find(pipe);
    if (i == pipe_array_t::npos)
        return;
    if (i < _active)
        return; // already active (a late wake-up)
    _pipes.swap(i, _active);
    _active++;
}

void fair_queue_t::pipe_terminated(pipe_t *pipe) {
    const size_t i = _pipes.find(pipe);
    if (i == pipe_array_t::npos)
        return;
    if (i < _active) {
        // The pipe we were reading a message from is gone: whatever it
        // still owed us will never come, so the next read starts afresh.
        if (i == _current)
            _more = false;
        _active--;
        _pipes.swap(i, _active);
        if (_current == _active)
            _current = 0;
    }
    _pipes.erase(pipe);
}

void fair_queue_t::deactivate_current() {
    _active--;
    _pipes.swap(_current, _active);
    if (_current == _active)
        _current = 0;
}

int fair_queue_t::recv(msg_t *msg, pipe_t **pipe) {
    msg->close();
    msg->init();
    while (_active > 0) {
        pipe_t *p = _pipes[_current];
        if (p->read(msg)) {
            if (pipe)
                *pipe = p;
            _more = msg->has_more();
            if (!_more)
                _current = (_current + 1) % _active;
            return 0;
        }
        // Writers publish whole messages only, so an empty pipe in the
        // middle of a message means the pipe died; do not wait for it.
        _more = false;
        deactivate_current();
    }
    errno = EAGAIN;
    return -1;
}

bool fair_queue_t::has_in() {
    if (_more)
        return true;
    while (_active > 0) {
        if (_pipes[_current]->check_read())
            return true;
        deactivate_current();
    }
    return false;
}

} // namespace zlink
