// libFuzzer target: the CURVE handshake and MESSAGE decoder (RFC 26) under a
// man in the middle. Boxes cannot be forged by a fuzzer, so an honest peer
// mechanism produces every frame and the input decides what reaches the
// mechanism under test: the frame as is, with one byte changed, cut short,
// or replaced by raw bytes. That way the fuzzer reaches every state (WELCOME,
// INITIATE with its vouch, READY, then MESSAGE unwrapping) and pokes at each.
//
// Input: byte 0 = mode (bit 0: the server is under test; bits 1-2: the ZAP
// answer 200/300/400/500; bit 3: no ZAP handler), then operations:
//   0 deliver | 1 pos val: xor byte pos%size with val | 2 len: cut to len |
//   3 len bytes: replace with bytes | 4: replay the previous frame.
// Nothing may crash or leak; a failed side must say why.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <sodium.h>
#include <zmq.h>

#include "core/msg.hpp"
#include "protocol/mechanisms/curve_mechanism.hpp"
#include "protocol/mechanisms/zap_client.hpp"

namespace {

class fake_zap_t final : public zlink::zap_client {
  public:
    zlink::mechanism_t *mech = nullptr;
    std::string status = "200";
    bool request(const std::string &, const std::string &, const std::string &, const std::string &,
                 const std::vector<std::string> &) override {
        mech->zap_reply(status, "fuzz-user", {});
        return true;
    }
};

struct reader {
    const uint8_t *p;
    size_t n;
    bool byte(uint8_t *out) {
        if (!n)
            return false;
        *out = *p++;
        --n;
        return true;
    }
};

// The next frame from the honest side: a handshake command, or a wrapped
// message once it is ready. Empty when it has nothing to say.
std::string produce(zlink::mechanism_t &m, int counter) {
    zlink::msg_t out;
    out.init();
    std::string frame;
    if (m.status() == zlink::mechanism_status::ready) {
        const std::string body = "message-" + std::to_string(counter);
        out.close();
        out.init_buffer(body.data(), body.size());
        if (counter & 1)
            out.set_flags(zlink::msg_t::more);
        if (m.wrap(&out) == 0)
            frame.assign(static_cast<const char *>(out.data()), out.size());
    } else if (m.next_handshake_command(&out) == 0) {
        frame.assign(static_cast<const char *>(out.data()), out.size());
    }
    out.close();
    return frame;
}

// Hands a frame to the side under test; false once it failed.
bool consume(zlink::mechanism_t &m, const std::string &frame, bool was_ready) {
    zlink::msg_t in;
    in.init_buffer(frame.data(), frame.size());
    int rc;
    if (was_ready) {
        rc = m.unwrap(&in);
    } else {
        in.set_flags(zlink::msg_t::command);
        rc = m.process_handshake_command(&in);
    }
    in.close();
    if (rc != 0 && m.failure() == zlink::handshake_failure::none)
        __builtin_trap(); // a refusal without a reason for the monitor
    return rc == 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || sodium_init() < 0)
        return 0;
    reader in{data + 1, size - 1};
    const uint8_t mode = data[0];
    const bool server_under_test = mode & 1;
    static const char *const statuses[] = {"200", "300", "400", "500"};

    // Fixed long-term keys keep inputs reproducible up to the random
    // short-term keys, which only change bytes the fuzzer cannot forge.
    uint8_t cpub[32], csec[32], spub[32], ssec[32];
    crypto_box_seed_keypair(cpub, csec,
                            reinterpret_cast<const uint8_t *>("client-seed-client-seed-client-s"));
    crypto_box_seed_keypair(spub, ssec,
                            reinterpret_cast<const uint8_t *>("server-seed-server-seed-server-s"));
    zlink::options_t copts, sopts;
    std::memcpy(copts.curve_public_key, cpub, 32);
    std::memcpy(copts.curve_secret_key, csec, 32);
    std::memcpy(copts.curve_server_key, spub, 32);
    std::memcpy(sopts.curve_secret_key, ssec, 32);
    zlink::mechanism_options common;
    common.socket_type = ZMQ_DEALER;
    common.as_server = false;
    zlink::mechanism_options server_common = common;
    server_common.as_server = true;

    fake_zap_t zap;
    zap.status = statuses[(mode >> 1) & 3];
    zlink::curve_client_t client(common, copts);
    zlink::curve_server_t server(server_common, sopts, (mode & 8) ? nullptr : &zap);
    zap.mech = &server;
    zlink::mechanism_t &tested = server_under_test ? static_cast<zlink::mechanism_t &>(server)
                                                   : static_cast<zlink::mechanism_t &>(client);
    zlink::mechanism_t &honest = server_under_test ? static_cast<zlink::mechanism_t &>(client)
                                                   : static_cast<zlink::mechanism_t &>(server);

    std::string previous;
    for (int step = 0; step < 64; ++step) {
        // The tested side speaks first; the honest side takes it unchanged.
        const bool tested_ready = tested.status() == zlink::mechanism_status::ready;
        if (!tested_ready) {
            const std::string out = produce(tested, step);
            if (!out.empty() && honest.status() == zlink::mechanism_status::handshaking)
                consume(honest, out, false);
        }
        if (tested.status() == zlink::mechanism_status::error)
            break;
        std::string frame = produce(honest, step);
        uint8_t op;
        if (!in.byte(&op))
            break;
        uint8_t a = 0, b = 0;
        switch (op % 5) {
        case 1:
            if (!frame.empty() && in.byte(&a) && in.byte(&b))
                frame[a % frame.size()] ^= static_cast<char>(b);
            break;
        case 2:
            if (in.byte(&a) && a < frame.size())
                frame.resize(a);
            break;
        case 3:
            if (in.byte(&a)) {
                const size_t len = a < in.n ? a : in.n;
                frame.assign(reinterpret_cast<const char *>(in.p), len);
                in.p += len;
                in.n -= len;
            }
            break;
        case 4:
            frame = previous;
            break;
        default:
            break;
        }
        if (frame.empty() && op % 5 == 0)
            continue;
        previous = frame;
        if (!consume(tested, frame, tested.status() == zlink::mechanism_status::ready))
            break;
    }
    return 0;
}
