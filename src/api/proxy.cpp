#include "api/proxy.hpp"

#include "api/poll.hpp"

#include <zmq.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace zlink {

namespace {

// Messages forwarded per wake-up before control and the other direction get
// a turn: amortises the poll while keeping the proxy responsive.
constexpr int burst_size = 1000;

enum class proxy_state { active, paused, terminated };

struct traffic {
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;
};

struct endpoint_stats {
    traffic recv;
    traffic send;
};

// Owns one zmq_msg_t for the whole run so every exit path closes it.
class scoped_msg {
  public:
    scoped_msg() { zmq_msg_init(&msg_); }
    ~scoped_msg() { zmq_msg_close(&msg_); }
    scoped_msg(const scoped_msg &) = delete;
    scoped_msg &operator=(const scoped_msg &) = delete;
    zmq_msg_t *get() { return &msg_; }

  private:
    zmq_msg_t msg_;
};

int capture_frame(void *capture, zmq_msg_t *frame, bool more) {
    if (!capture)
        return 0;
    scoped_msg copy;
    if (zmq_msg_copy(copy.get(), frame) != 0)
        return -1;
    return zmq_msg_send(copy.get(), capture, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

enum class forward_result { drained, blocked, failed };

// One direction of traffic. A first frame the destination refused (EAGAIN)
// is held here until the destination reports POLLOUT; meanwhile the proxy
// waits on that instead of on input, so a full peer neither spins the loop
// nor stalls the other direction. Probing ZMQ_EVENTS before every message
// instead would cost a call per message on the hot path.
struct direction {
    void *from;
    void *to;
    traffic *received;
    traffic *sent;
    scoped_msg held;
    bool holding = false;
    bool held_more = false;
};

// Sends the rest of a multipart message whose first frame has gone out.
// Later frames never hit the high-water mark, so blocking calls are safe.
int forward_rest(direction &d, void *capture, zmq_msg_t *msg) {
    for (;;) {
        if (zmq_msg_recv(msg, d.from, 0) < 0)
            return -1;
        const std::size_t size = zmq_msg_size(msg);
        const bool more = zmq_msg_more(msg) != 0;
        // libzmq counts whole messages, and bytes of every frame.
        d.received->count += more ? 0 : 1;
        d.received->bytes += size;
        if (capture_frame(capture, msg, more) != 0)
            return -1;
        if (zmq_msg_send(msg, d.to, more ? ZMQ_SNDMORE : 0) < 0)
            return -1;
        d.sent->count += more ? 0 : 1;
        d.sent->bytes += size;
        if (!more)
            return 0;
    }
}

// Moves up to burst_size whole messages; stops early when the source is
// empty (drained) or the destination is full (blocked, frame held).
forward_result forward(direction &d, void *capture, zmq_msg_t *msg) {
    for (int i = 0; i < burst_size; ++i) {
        bool more;
        if (d.holding) {
            zmq_msg_move(msg, d.held.get());
            d.holding = false;
            more = d.held_more;
        } else {
            if (zmq_msg_recv(msg, d.from, ZMQ_DONTWAIT) < 0)
                return errno == EAGAIN ? forward_result::drained : forward_result::failed;
            more = zmq_msg_more(msg) != 0;
            d.received->count += more ? 0 : 1;
            d.received->bytes += zmq_msg_size(msg);
            if (capture_frame(capture, msg, more) != 0)
                return forward_result::failed;
        }
        const std::size_t size = zmq_msg_size(msg);
        if (zmq_msg_send(msg, d.to, ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0)) < 0) {
            if (errno != EAGAIN)
                return forward_result::failed;
            zmq_msg_move(d.held.get(), msg);
            d.holding = true;
            d.held_more = more;
            return forward_result::blocked;
        }
        d.sent->count += more ? 0 : 1;
        d.sent->bytes += size;
        if (more && forward_rest(d, capture, msg) != 0)
            return forward_result::failed;
    }
    return forward_result::drained;
}

int send_statistics(void *control, const endpoint_stats &front, const endpoint_stats &back) {
    const std::uint64_t values[8] = {front.recv.count, front.recv.bytes, front.send.count,
                                     front.send.bytes, back.recv.count,  back.recv.bytes,
                                     back.send.count,  back.send.bytes};
    for (int i = 0; i < 8; ++i)
        if (zmq_send(control, &values[i], sizeof values[i], i < 7 ? ZMQ_SNDMORE : 0) < 0)
            return -1;
    return 0;
}

bool is_command(const zmq_msg_t *msg, const char *name) {
    const std::size_t len = std::strlen(name);
    zmq_msg_t *m = const_cast<zmq_msg_t *>(msg);
    return zmq_msg_size(m) == len && std::memcmp(zmq_msg_data(m), name, len) == 0;
}

// Applies one control command. Only STATISTICS is answered with data; a
// REP control socket gets an empty reply to anything else so it can take
// the next command (libzmq's current behaviour; 4.3.4 left REP stuck).
int handle_control(void *control, bool control_is_rep, proxy_state &state,
                   const endpoint_stats &front, const endpoint_stats &back) {
    scoped_msg cmd;
    if (zmq_msg_recv(cmd.get(), control, ZMQ_DONTWAIT) < 0)
        return errno == EAGAIN ? 0 : -1;
    bool multipart = false;
    while (zmq_msg_more(cmd.get())) {
        // Commands are single frames; drain the rest and ignore the lot.
        multipart = true;
        scoped_msg rest;
        if (zmq_msg_recv(rest.get(), control, 0) < 0)
            return -1;
        if (!zmq_msg_more(rest.get()))
            break;
    }

    if (!multipart && is_command(cmd.get(), "STATISTICS"))
        return send_statistics(control, front, back);
    if (!multipart) {
        if (is_command(cmd.get(), "PAUSE"))
            state = proxy_state::paused;
        else if (is_command(cmd.get(), "RESUME"))
            state = proxy_state::active;
        else if (is_command(cmd.get(), "TERMINATE"))
            state = proxy_state::terminated;
    }
    if (control_is_rep && zmq_send(control, "", 0, 0) < 0)
        return -1;
    return 0;
}

} // namespace

int proxy(void *frontend, void *backend, void *capture, void *control) {
    if (!frontend || !backend) {
        errno = EFAULT;
        return -1;
    }
    bool control_is_rep = false;
    if (control) {
        int type = 0;
        size_t len = sizeof type;
        if (zmq_getsockopt(control, ZMQ_TYPE, &type, &len) != 0)
            return -1;
        control_is_rep = type == ZMQ_REP;
    }

    const bool same = frontend == backend;
    scoped_msg msg;
    endpoint_stats front, back;
    proxy_state state = proxy_state::active;
    direction f2b{frontend, backend, &front.recv, &back.send, {}, false, false};
    direction b2f{backend, frontend, &back.recv, &front.send, {}, false, false};
    // A direction is "blocked" while it holds a frame its destination
    // refused: it then waits for POLLOUT there rather than for input.
    bool f2b_blocked = false;
    bool b2f_blocked = false;

    zmq_pollitem_t items[3];
    const int fi = 0;
    const int bi = same ? 0 : 1; // one item serves both roles when same
    const int ci = bi + 1;
    const int nitems = control ? ci + 1 : ci;
    for (zmq_pollitem_t &it : items)
        it = zmq_pollitem_t{nullptr, -1, 0, 0};
    items[fi].socket = frontend;
    items[bi].socket = backend;
    if (control) {
        items[ci].socket = control;
        items[ci].events = ZMQ_POLLIN;
    }

    while (state != proxy_state::terminated) {
        items[fi].events = 0;
        items[bi].events = 0;
        if (state == proxy_state::active) {
            items[f2b_blocked ? bi : fi].events |= f2b_blocked ? ZMQ_POLLOUT : ZMQ_POLLIN;
            // With one socket both ways, f2b alone carries all the traffic.
            if (!same)
                items[b2f_blocked ? fi : bi].events |= b2f_blocked ? ZMQ_POLLOUT : ZMQ_POLLIN;
        }
        if (zlink::poll(items, nitems, -1) < 0)
            return -1;

        if (control && (items[ci].revents & ZMQ_POLLIN)) {
            if (handle_control(control, control_is_rep, state, front, back) != 0)
                return -1;
        }
        if (state != proxy_state::active)
            continue;

        const bool f2b_ready = f2b_blocked ? (items[bi].revents & ZMQ_POLLOUT) != 0
                                           : (items[fi].revents & ZMQ_POLLIN) != 0;
        if (f2b_ready) {
            const forward_result r = forward(f2b, capture, msg.get());
            if (r == forward_result::failed)
                return -1;
            f2b_blocked = r == forward_result::blocked;
        }
        if (same)
            continue;
        const bool b2f_ready = b2f_blocked ? (items[fi].revents & ZMQ_POLLOUT) != 0
                                           : (items[bi].revents & ZMQ_POLLIN) != 0;
        if (b2f_ready) {
            const forward_result r = forward(b2f, capture, msg.get());
            if (r == forward_result::failed)
                return -1;
            b2f_blocked = r == forward_result::blocked;
        }
    }
    return 0;
}

} // namespace zlink
