#include "sockets/load_balancer.hpp"

#include <cerrno>

#include "core/msg.hpp"
#include "core/pipe.hpp"

namespace zlink {

void load_balancer_t::attach(pipe_t *pipe) {
    _pipes.push_back(pipe);
    activated(pipe);
}

void load_balancer_t::activated(pipe_t *pipe) {
    const size_t i = _pipes.find(pipe);
    if (i == pipe_array_t::npos)
        return;
    if (i < _active)
        return;
    _pipes.swap(i, _active);
    _active++;
}

void load_balancer_t::pipe_terminated(pipe_t *pipe) {
    const size_t i = _pipes.find(pipe);
    if (i == pipe_array_t::npos)
        return;
    // The peer will never see the end of the message being sent to it; the
    // remaining parts must not leak into another pipe.
    if (i == _current && _more)
        _dropping = true;
    if (i < _active) {
        _active--;
        _pipes.swap(i, _active);
        if (_current == _active)
            _current = 0;
    }
    _pipes.erase(pipe);
}

int load_balancer_t::send(msg_t *msg, pipe_t **pipe) {
    if (_dropping) {
        _more = msg->has_more();
        _dropping = _more;
        msg->close();
        msg->init();
        return 0;
    }
    const bool more = msg->has_more(); // write() empties msg
    while (_active > 0) {
        pipe_t *p = _pipes[_current];
        if (p->write(msg)) {
            if (pipe)
                *pipe = p;
            break;
        }
        if (_more) {
            // Mid-message writes only fail when the pipe is dying: the
            // parts written so far are lost, so drop the rest too.
            p->rollback();
            _more = false;
            _dropping = more;
            msg->close();
            msg->init();
            return 0;
        }
        _active--;
        if (_current < _active)
            _pipes.swap(_current, _active);
        else
            _current = 0;
    }
    if (_active == 0) {
        errno = EAGAIN;
        return -1;
    }
    _more = more;
    if (!_more) {
        _pipes[_current]->flush();
        if (++_current >= _active)
            _current = 0;
    }
    // write() already left msg empty.
    return 0;
}

bool load_balancer_t::has_out() {
    if (_more)
        return true;
    while (_active > 0) {
        if (_pipes[_current]->check_write())
            return true;
        _active--;
        _pipes.swap(_current, _active);
        if (_current == _active)
            _current = 0;
    }
    return false;
}

} // namespace zlink
