// libFuzzer target: the PLAIN handshake (RFC 24) as a state machine fed by a
// hostile peer. The first byte picks the role (client or server) and what the
// fake ZAP handler answers; the rest is a sequence of peer command frames,
// each as length(1) body(length). Between frames the mechanism is drained of
// what it wants to send, as the engine does. Nothing may crash, and a
// mechanism that reports ready must have checked the peer's Socket-Type.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <zmq.h>

#include "core/msg.hpp"
#include "protocol/mechanisms/plain_mechanism.hpp"
#include "protocol/mechanisms/zap_client.hpp"

namespace {

// Answers every ZAP request at once with the status the input chose.
class fake_zap_t final : public zlink::zap_client {
  public:
    std::string status = "200";
    bool bound = true;
    bool request(const std::string &, const std::string &, const std::string &, const std::string &,
                 const std::vector<std::string> &) override {
        return bound;
    }
};

void drain(zlink::mechanism_t &m) {
    for (int i = 0; i < 8; ++i) {
        zlink::msg_t out;
        out.init();
        const int rc = m.next_handshake_command(&out);
        out.close();
        if (rc != 0)
            break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    const uint8_t mode = data[0];
    ++data;
    --size;

    zlink::mechanism_options o;
    o.socket_type = (mode & 0x10) ? ZMQ_ROUTER : ZMQ_DEALER;
    o.routing_id = "fuzz";
    o.plain_username = "user";
    o.plain_password = "pass";
    o.as_server = mode & 1;
    fake_zap_t zap;
    static const char *const statuses[] = {"200", "300", "400", "500", "999", ""};
    zap.status = statuses[(mode >> 1) % 6];
    zap.bound = !(mode & 0x20);

    std::unique_ptr<zlink::mechanism_t> m;
    if (o.as_server)
        m.reset(new zlink::plain_server_t(o, &zap));
    else
        m.reset(new zlink::plain_client_t(o));

    drain(*m);
    size_t off = 0;
    while (off < size && m->status() == zlink::mechanism_status::handshaking) {
        size_t len = data[off++];
        if (len > size - off)
            len = size - off;
        zlink::msg_t in;
        in.init_buffer(data + off, len);
        in.set_flags(zlink::msg_t::command);
        off += len;
        m->process_handshake_command(&in);
        in.close();
        if (m->zap_pending()) {
            // Any status, valid or not, must be handled without a crash.
            m->zap_reply(zap.status, (mode & 0x40) ? "fuzz-user" : "", {});
        }
        drain(*m);
    }
    if (m->status() == zlink::mechanism_status::ready && m->peer_socket_type().empty())
        __builtin_trap(); // ready without a checked Socket-Type
    return 0;
}
