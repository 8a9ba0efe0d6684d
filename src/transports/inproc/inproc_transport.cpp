#include "transports/inproc/inproc_transport.hpp"

#include <string>

#include "core/mailbox.hpp"
#include "core/msg.hpp"
#include "core/options.hpp"
#include "core/pipe.hpp"
#include "transports/endpoint_host.hpp"
#include "transports/endpoint_table.hpp"

namespace zlink {

namespace {

void send_routing_id(pipe_t *pipe, const std::string &id) {
    msg_t m;
    m.init_buffer(id.data(), id.size());
    m.set_flags(msg_t::routing_id);
    if (!pipe->write(&m))
        m.close();
}

int bind_inproc(i_endpoint_host &host, const std::string &endpoint) {
    endpoint_table_t &names = host.host_endpoints();
    const options_t &options = host.host_options();
    if (names.add(endpoint, &host, host.host_mailbox(), options) != 0)
        return -1;
    // Adopt the connections that were made before this bind, also those
    // whose connecter has closed since (their messages are still queued).
    for (endpoint_table_t::pending_t &p : names.take_pending(endpoint)) {
        pipe_t *pipe = p.bind_end;
        if (p.recv_routing_id)
            send_routing_id(pipe, options.routing_id);
        host.attach_endpoint_pipe(pipe, endpoint, false);
        // Both queues now count our HWMs too (SNDHWM + the peer's RCVHWM);
        // a connecter stopped at its own SNDHWM may go on.
        pipe->set_own_hwms(options.sndhwm, options.rcvhwm, true);
        pipe->flush();
    }
    return 0;
}

int connect_inproc(i_endpoint_host &host, const std::string &endpoint) {
    endpoint_table_t &names = host.host_endpoints();
    options_t &options = host.host_options();
    const bool conflate = options.effective_conflate();
    pipe_t::config_t cfg;
    cfg.conflate[0] = cfg.conflate[1] = conflate;

    endpoint_table_t::endpoint_t peer{};
    // Look up first with no pending record, to size the pipe from both ends.
    const bool bound = names.find_or_pend(endpoint, peer, nullptr);
    if (bound) {
        // The binder's HWMs as of its bind, as in libzmq; the pipe adds
        // them to ours (0 on either side means unlimited).
        cfg.end1_hwm[0] = peer.options.sndhwm;
        cfg.end1_hwm[1] = peer.options.rcvhwm;
    }
    // Until a binder adopts the other end, our own HWMs alone apply.
    cfg.hwm[0] = options.sndhwm;
    cfg.hwm[1] = options.rcvhwm;
    pipe_t *ends[2];
    pipe_t::create_pair(ends, cfg);
    ends[0]->set_endpoint(endpoint);
    ends[1]->set_endpoint(endpoint);
    if (!options.connect_routing_id.empty()) {
        ends[0]->set_routing_id(options.connect_routing_id);
        options.connect_routing_id.clear();
    }
    // Our routing id always goes first; a binder that does not want it
    // drops it on attach (it may not be bound yet to tell us).
    send_routing_id(ends[0], options.routing_id);

    if (bound) {
        if (options.recv_routing_id)
            send_routing_id(ends[1], peer.options.routing_id);
        ends[1]->flush();
        host.attach_endpoint_pipe(ends[0], endpoint, true);
        ends[0]->flush();
        peer.mailbox->send(command_t{command_t::attach_pipe, ends[1], 0});
        peer.mailbox->drop_ref();
    } else {
        // libzmq creates inproc pipes at connect even with ZMQ_IMMEDIATE,
        // so messages queue until the bind.
        endpoint_table_t::pending_t p{ends[1], options.recv_routing_id};
        if (names.find_or_pend(endpoint, peer, &p)) {
            // Bound in between: start over with a fresh pipe sized for it.
            peer.mailbox->drop_ref();
            ends[0]->terminate();
            ends[1]->terminate();
            return connect_inproc(host, endpoint);
        }
        host.attach_endpoint_pipe(ends[0], endpoint, true);
        ends[0]->flush();
    }
    return 0;
}

// libzmq 4.3 treats unbind and disconnect alike for inproc: a name this
// socket bound is released (connections already made keep working).
int unbind_inproc(i_endpoint_host &host, const std::string &endpoint) {
    if (host.host_endpoints().remove(endpoint, &host) != 0)
        return -1;
    host.forget_bound_pipes(endpoint);
    return 0;
}

void close_inproc(i_endpoint_host &host) { host.host_endpoints().remove_all(&host); }

const pipe_transport_ops_t inproc_ops = {bind_inproc, connect_inproc, unbind_inproc, close_inproc};

} // namespace

const transport_t inproc_transport = {"inproc", nullptr, nullptr, &inproc_ops};

} // namespace zlink
