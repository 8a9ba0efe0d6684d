#include "sockets/distributor.hpp"

#include "core/msg.hpp"
#include "core/pipe.hpp"

namespace zlink {

void distributor_t::attach(pipe_t *pipe) {
    _pipes.push_back(pipe);
    if (_more) {
        // Joining mid-message: the first thing it gets is a whole message.
        _pipes.swap(_eligible, _pipes.size() - 1);
        _eligible++;
    } else {
        _pipes.swap(_active, _pipes.size() - 1);
        _active++;
        _eligible++;
    }
}

void distributor_t::match(pipe_t *pipe) {
    const size_t i = _pipes.find(pipe);
    if (i == pipe_array_t::npos || i < _matching || i >= _eligible)
        return; // already chosen, or full
    _pipes.swap(i, _matching);
    _matching++;
}

void distributor_t::reverse_match() {
    const size_t end = _active;
    const size_t prev = _matching;
    _matching = 0;
    for (size_t i = prev; i < end; ++i)
        _pipes.swap(i, _matching++);
}

void distributor_t::pipe_terminated(pipe_t *pipe) {
    if (!_pipes.contains(pipe))
        return;
    // Walk the pipe out through each region boundary it is inside.
    if (_pipes.index(pipe) < _matching) {
        _pipes.swap(_pipes.index(pipe), _matching - 1);
        _matching--;
    }
    if (_pipes.index(pipe) < _active) {
        _pipes.swap(_pipes.index(pipe), _active - 1);
        _active--;
    }
    if (_pipes.index(pipe) < _eligible) {
        _pipes.swap(_pipes.index(pipe), _eligible - 1);
        _eligible--;
    }
    _pipes.erase(pipe);
}

void distributor_t::activated(pipe_t *pipe) {
    const size_t i = _pipes.find(pipe);
    if (i == pipe_array_t::npos || i < _eligible)
        return; // unknown, or not parked as full
    _pipes.swap(i, _eligible);
    _eligible++;
    // Between messages it can take part at once; mid-message it waits.
    if (!_more) {
        _pipes.swap(_eligible - 1, _active);
        _active++;
    }
}

int distributor_t::send_to_all(msg_t *msg) {
    _matching = _active;
    return send_to_matching(msg);
}

int distributor_t::send_to_matching(msg_t *msg) {
    const bool more = msg->has_more();
    distribute(msg);
    // Pipes that joined during the message take part from the next one.
    if (!more)
        _active = _eligible;
    _more = more;
    return 0;
}

void distributor_t::distribute(msg_t *msg) {
    // Each pipe gets its own msg_t sharing the body (a refcount for large
    // bodies, a 64-byte copy for inline ones); a write that fails moves the
    // pipe out of the matching region, so index i is revisited.
    size_t i = 0;
    while (i < _matching) {
        pipe_t *p = _pipes[i];
        if (i + 1 == _matching) {
            // The last one takes the original.
            if (!write(p, msg)) {
                msg->close();
                msg->init();
            }
            return;
        }
        msg_t copy;
        copy.init();
        copy.copy(*msg);
        if (write(p, &copy))
            ++i;
        else
            copy.close();
    }
    msg->close();
    msg->init();
}

bool distributor_t::write(pipe_t *pipe, msg_t *msg) {
    const bool more = msg->has_more(); // write() empties msg
    if (!pipe->write(msg)) {
        // Full (or dying): park it until write_activated.
        size_t i = _pipes.index(pipe);
        _pipes.swap(i, _matching - 1);
        _matching--;
        i = _matching;
        _pipes.swap(i, _active - 1);
        _active--;
        i = _active;
        _pipes.swap(i, _eligible - 1);
        _eligible--;
        return false;
    }
    if (!more)
        pipe->flush();
    return true;
}

bool distributor_t::check_hwm() const {
    for (size_t i = 0; i < _matching; ++i)
        if (!_pipes[i]->check_hwm())
            return false;
    return true;
}

} // namespace zlink
