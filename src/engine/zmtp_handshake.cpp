// zmtp_engine_t's life cycle and handshake: construction (the feature
// flags resolved once per connection), the greeting, the security
// mechanism's commands and ZAP replies, the switch to active (metadata,
// HANDSHAKE_SUCCEEDED, the routing id), and heartbeats.
#include "engine/zmtp_engine_impl.hpp"

namespace zlink {
namespace zmtp_engine_impl {

zmtp_engine_t::zmtp_engine_t(boost::asio::io_context &io,
                             std::unique_ptr<i_asio_transport> transport, i_engine_session &session,
                             const options_t &options)
    : stream_engine_t(io, std::move(transport), session, options, policy(options)),
      _zerocopy(resolve_flag("ZMQ_ASIO_ZEROCOPY_WRITE", options.asio_zerocopy_write,
                             zerocopy_write_default, 0, 1) != 0),
      _batching(resolve_flag("ZMQ_ASIO_WRITE_BATCHING", options.asio_write_batching,
                             write_batching_default, 0, 1) != 0),
      _handshake_zerocopy(resolve_flag("ZMQ_ASIO_HANDSHAKE_ZEROCOPY",
                                       options.asio_handshake_zerocopy, handshake_zerocopy_default,
                                       0, 1) != 0),
      _out_batch(new unsigned char[out_batch_size]),
      _enc(_out_batch.get(), out_batch_size, _zerocopy ? zerocopy_min_body : out_batch_size),
      // ZMQ_ASIO_WRITE_BATCHING=0: a write holds one frame (limit 1 byte).
      _batch_limit(_batching ? batch_limit(resolve_flag("ZLINK_WRITE_BATCH_BYTES",
                                                        options.zlink_write_batch_bytes,
                                                        write_batch_bytes_default, 1))
                             : 1),
      _wire(make_wire_adapter(options)), _in_buf(new unsigned char[in_buffer_size]),
      _dec(options.maxmsgsize),
      // Without speculation every data write waits for writability: no
      // application-thread write either.
      _app_write(policy(options).speculative && app_thread_write(options)) {
    _out_msg.init();
}

zmtp_engine_t::~zmtp_engine_t() {
    close();
    _out_msg.close();
    for (auto &m : _cmds)
        m.close();
    _pong.close();
    _ping.close();
}

void zmtp_engine_t::start() {
    _mech = make_mechanism(_options, {_transport->peer_address(), _session.zap()});
    _greeting = zmtp_greeting_parser_t(_mech->name());
    unsigned char greeting[zmtp_greeting_size];
    if (!zmtp_build_greeting(greeting, _mech->name(), _mech->as_server())) {
        fail(engine_close_reason::handshake_failed, EINVAL);
        return;
    }
    _enc.add_raw(greeting, sizeof greeting);
    count_copied(sizeof greeting, false);
    arm_handshake_deadline();
    write_out();
    read_in();
}

void zmtp_engine_t::zap_reply_received(const zap_reply_t &reply) {
    if (closed() || !_mech || !_mech->zap_pending())
        return;
    _mech->zap_reply(reply.status_code, reply.user_id, reply.metadata);
    handshake_step();
}

void zmtp_engine_t::zap_reply_failed(int protocol_error) {
    if (closed() || !_mech || !_mech->zap_pending())
        return;
    _mech->zap_failed(protocol_error);
    handshake_step();
}

zmtp_engine_t::policy_t zmtp_engine_t::policy(const options_t &options) {
    policy_t p;
    p.speculative = resolve_flag("ZLINK_SPECULATIVE_WRITE", options.zlink_speculative_write,
                                 speculative_write_default, 0, 1) != 0;
    return p;
}

void zmtp_engine_t::protocol_failure(int code) {
    if (closed())
        return;
    _session.monitor_event(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, uint64_t(uint32_t(code)));
    fail(engine_close_reason::protocol_error, EPROTO);
}

void zmtp_engine_t::greeting_done() {
    _zmtp_minor = _greeting.revision() == zmtp_revision::v3_0 ? 0 : 1;
    _wire->set_peer_minor(_zmtp_minor);
    _state = state_t::handshake;
    handshake_step();
}

void zmtp_engine_t::handshake_step() {
    if (closed() || _state != state_t::handshake)
        return;
    if (_in_step) { // a ZAP reply delivered from inside request()
        _step_again = true;
        return;
    }
    _in_step = true;
    do {
        _step_again = false;
        for (;;) {
            msg_t c;
            c.init();
            if (_mech->next_handshake_command(&c) != 0) {
                c.close();
                break;
            }
            queue_command(c);
        }
    } while (_step_again);
    _in_step = false;
    write_out();
    if (closed())
        return;
    const auto st = _mech->status();
    if (st == mechanism_status::error)
        handshake_failed();
    else if (st == mechanism_status::ready)
        handshake_done();
}

void zmtp_engine_t::handshake_failed() {
    if (closed())
        return;
    const int code = _mech->failure_code();
    switch (_mech->failure()) {
    case handshake_failure::protocol:
        protocol_failure(code);
        return;
    case handshake_failure::auth:
        _session.monitor_event(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, uint64_t(code));
        break;
    case handshake_failure::no_detail:
        _session.monitor_event(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, uint64_t(code));
        break;
    default:
        break;
    }
    if (!closed())
        fail(engine_close_reason::handshake_failed, code ? code : EPROTO);
}

void zmtp_engine_t::handshake_done() {
    _state = state_t::active;
    data_ready();
    metadata_t::dict_t props = _mech->message_properties();
    for (const auto &kv : _mech->peer_properties())
        if (zmtp_name_equals(kv.first, zmtp_prop_identity))
            props["Routing-Id"] = kv.second;
    set_metadata(std::move(props));
    _session.monitor_event(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
    if (closed())
        return;
    engine_peer_info info;
    info.routing_id = _mech->peer_routing_id();
    info.metadata = metadata();
    info.zmtp_minor = _zmtp_minor;
    _session.engine_ready(info);
    if (closed())
        return;
    if (_options.recv_routing_id) {
        msg_t id;
        if (id.init_buffer(info.routing_id.data(), info.routing_id.size()) == 0) {
            id.set_flags(msg_t::routing_id);
            deliver(id);
        }
    }
    start_heartbeats();
    write_out();
}

void zmtp_engine_t::heartbeat_due() {
    msg_t ping;
    ping.init();
    const int ttl = std::min(_options.heartbeat_ttl / 100, 0xFFFF);
    if (zmtp_make_ping(&ping, uint16_t(ttl), nullptr, 0) == 0)
        _ping.replace(ping); // one waits at most, while the output is blocked
    else
        ping.close();
}

} // namespace zmtp_engine_impl
} // namespace zlink
