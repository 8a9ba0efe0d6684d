#include "protocol/mechanisms/zap_pipe_client.hpp"

#include <zmq.h>

#include "core/mailbox.hpp"
#include "core/pipe.hpp"
#include "protocol/mechanisms/zap_protocol.hpp"

namespace zlink {

namespace {
const char *const zap_endpoint = "inproc://zeromq.zap.01";

bool write_frame(pipe_t *pipe, const std::string &data, bool more, bool is_id = false) {
    msg_t m;
    m.init_buffer(data.data(), data.size());
    if (more)
        m.set_flags(msg_t::more);
    if (is_id)
        m.set_flags(msg_t::routing_id);
    if (pipe->write(&m))
        return true;
    m.close();
    return false;
}
} // namespace

zap_pipe_client_t::zap_pipe_client_t(find_bound_t find_bound, i_pipe_events *owner,
                                     mailbox_t *owner_mailbox, std::function<void()> poke)
    : _find_bound(std::move(find_bound)), _owner(owner), _owner_mailbox(owner_mailbox),
      _poke(std::move(poke)) {}

zap_pipe_client_t::~zap_pipe_client_t() {
    if (_pipe)
        _pipe->terminate();
}

bool zap_pipe_client_t::connect() {
    mailbox_t *handler = _find_bound(zap_endpoint);
    if (!handler)
        return false; // no handler bound: the mechanism applies libzmq's policy
    pipe_t::config_t cfg;
    cfg.hwm[0] = cfg.hwm[1] = 0; // requests must never be dropped
    pipe_t *ends[2];
    pipe_t::create_pair(ends, cfg);
    ends[1]->set_endpoint(zap_endpoint);
    // Like any inproc connecter: our (empty) routing id goes first and the
    // handler drops it unless it routes by id.
    write_frame(ends[0], std::string(), false, true);
    _pipe = ends[0];
    _pipe->set_owner(_owner, _owner_mailbox);
    _pipe->flush();
    handler->send(command_t{command_t::attach_pipe, ends[1], 0});
    handler->drop_ref();
    return true;
}

bool zap_pipe_client_t::request(const std::string &domain, const std::string &address,
                                const std::string &routing_id, const std::string &mechanism,
                                const std::vector<std::string> &credentials) {
    if (!_pipe && !connect())
        return false;
    _pending_id = std::to_string(_next_request_id++);
    const std::vector<std::string> frames =
        zap_request_frames(_pending_id, domain, address, routing_id, mechanism, credentials);
    // The frames start with the empty envelope delimiter (DEALER-style).
    bool ok = true;
    for (size_t i = 0; ok && i < frames.size(); ++i)
        ok = write_frame(_pipe, frames[i], i + 1 < frames.size());
    if (!ok) {
        _pipe->rollback();
        return false;
    }
    _pipe->flush();
    // Park our reading side so the handler's reply wakes us (a reader that
    // never looked is assumed awake and gets no activation). If the reply
    // is already there, nobody will wake us: deliver it on the next turn.
    if (_pipe->check_read() && _poke)
        _poke();
    return true;
}

void zap_pipe_client_t::deliver_replies(zap_reply_target *target) {
    if (!_pipe)
        return;
    msg_t m;
    m.init();
    while (_pipe->read(&m)) {
        const bool more = m.has_more();
        _partial.emplace_back(static_cast<const char *>(m.data()), m.size());
        m.close();
        m.init();
        if (more)
            continue;
        // The handler's socket stripped its routing; what is left starts
        // with the empty delimiter, as zap_parse_reply expects.
        std::vector<std::string> body;
        body.swap(_partial);
        if (!target)
            continue; // the connection went away meanwhile
        zap_reply_t reply;
        const int rc = zap_parse_reply(body, _pending_id, &reply);
        // Last thing we do: the engine may fail the handshake and the
        // session may destroy this client from inside the call.
        if (rc == 0)
            target->zap_reply_received(reply);
        else
            target->zap_reply_failed(rc);
        return;
    }
}

} // namespace zlink
