// libFuzzer target: ZMTP metadata (READY/INITIATE properties) and the
// command parsers that take peer bytes (ERROR, PING, PONG), plus the
// mechanisms' handling of a peer command.
#include <cstddef>
#include <cstdint>
#include <string>

#include <zmq.h>

#include "core/msg.hpp"
#include "protocol/mechanisms/null_mechanism.hpp"
#include "protocol/mechanisms/plain_mechanism.hpp"
#include "protocol/zmtp_commands.hpp"
#include "protocol/zmtp_metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zlink::metadata_t::dict_t dict;
    const auto rc = zlink::zmtp_parse_metadata(data, size, &dict);
    if (rc == zlink::zmtp_metadata_error::ok) {
        // Whatever parsed must re-encode to no more than the input size
        // (duplicates collapse).
        zlink::zmtp_property_list props(dict.begin(), dict.end());
        std::string enc;
        if (!zlink::zmtp_encode_metadata(props, &enc) || enc.size() > size)
            __builtin_trap();
    } else if (!dict.empty()) {
        __builtin_trap();
    }

    // The same bytes as a command frame body.
    zlink::msg_t m;
    m.init_buffer(data, size);
    m.set_flags(zlink::msg_t::command);
    zlink::zmtp_command_view cmd;
    if (zlink::zmtp_parse_command(m, &cmd)) {
        std::string s;
        uint16_t ttl;
        zlink::zmtp_parse_error(cmd, &s);
        zlink::zmtp_parse_ping(cmd, &ttl, &s);
        zlink::zmtp_parse_pong(cmd, &s);
    }
    zlink::mechanism_options o;
    o.socket_type = ZMQ_DEALER;
    zlink::null_mechanism_t null_mech(o, nullptr);
    zlink::msg_t copy;
    copy.init();
    copy.copy(m);
    null_mech.process_handshake_command(&copy);
    copy.close();
    o.as_server = true;
    zlink::plain_server_t plain(o, nullptr);
    plain.process_handshake_command(&m);
    m.close();
    return 0;
}
