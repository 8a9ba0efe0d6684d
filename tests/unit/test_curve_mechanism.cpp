// The CURVE mechanism objects against each other and against hand-made
// hostile commands: sizes, corrupted boxes, replayed and out-of-order
// nonces, a MESSAGE before READY, a vouch for another C', a foreign cookie,
// ZAP denial. Each failure must carry libzmq's ZMQ_PROTOCOL_ERROR_* code.
#include <gtest/gtest.h>

#ifndef ZLINK_TEST_CURVE
TEST(CurveMechanism, NotBuilt) { GTEST_SKIP() << "built without CURVE (libsodium)"; }
#else

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <sodium.h>
#include <zmq.h>

#include "protocol/mechanisms/curve_mechanism.hpp"
#include "protocol/mechanisms/zap_client.hpp"
#include "protocol/zmtp_commands.hpp"

using namespace zlink;

namespace {

struct fake_zap : zap_client {
    mechanism_t *mech = nullptr;
    std::string status = "200";
    std::vector<std::string> credentials;
    int requests = 0;
    bool request(const std::string &, const std::string &, const std::string &,
                 const std::string &m, const std::vector<std::string> &c) override {
        ++requests;
        EXPECT_EQ("CURVE", m);
        credentials = c;
        mech->zap_reply(status, "curve-user", {});
        return true;
    }
};

struct keys_t {
    uint8_t pub[32], sec[32];
    keys_t() { crypto_box_keypair(pub, sec); }
};

class CurveMechanism : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!zmq_has("curve"))
            GTEST_SKIP() << "built without CURVE";
        memcpy(client_opts.curve_public_key, client.pub, 32);
        memcpy(client_opts.curve_secret_key, client.sec, 32);
        memcpy(client_opts.curve_server_key, server.pub, 32);
        memcpy(server_opts.curve_secret_key, server.sec, 32);
        server_opts.as_server = true;
        common.socket_type = ZMQ_DEALER;
    }
    std::unique_ptr<curve_client_t> make_client() {
        return std::make_unique<curve_client_t>(common, client_opts);
    }
    std::unique_ptr<curve_server_t> make_server(zap_client *zap = nullptr) {
        return std::make_unique<curve_server_t>(common, server_opts, zap);
    }
    // One command from `from`, as bytes.
    static std::string next(mechanism_t &from) {
        msg_t m;
        m.init();
        EXPECT_EQ(0, from.next_handshake_command(&m));
        std::string s(static_cast<const char *>(m.data()), m.size());
        m.close();
        return s;
    }
    // Feed bytes as a command frame; returns process_handshake_command's rc.
    static int feed(mechanism_t &to, const std::string &bytes) {
        msg_t m;
        m.init_buffer(bytes.data(), bytes.size());
        m.set_flags(msg_t::command);
        const int rc = to.process_handshake_command(&m);
        m.close();
        return rc;
    }
    static void expect_protocol(mechanism_t &m, int code) {
        EXPECT_EQ(mechanism_status::error, m.status());
        EXPECT_EQ(handshake_failure::protocol, m.failure());
        EXPECT_EQ(code, m.failure_code());
    }
    // A full handshake; both sides must end ready.
    void handshake(mechanism_t &c, mechanism_t &s) {
        ASSERT_EQ(0, feed(s, next(c))); // HELLO
        ASSERT_EQ(0, feed(c, next(s))); // WELCOME
        ASSERT_EQ(0, feed(s, next(c))); // INITIATE
        ASSERT_EQ(0, feed(c, next(s))); // READY
        ASSERT_EQ(mechanism_status::ready, c.status());
        ASSERT_EQ(mechanism_status::ready, s.status());
    }
    static std::string wrap(mechanism_t &m, const std::string &body, uint8_t flags = 0) {
        msg_t msg;
        msg.init_buffer(body.data(), body.size());
        msg.set_flags(flags);
        EXPECT_EQ(0, m.wrap(&msg));
        EXPECT_FALSE(msg.is_command()) << "MESSAGE goes out as a data frame";
        EXPECT_FALSE(msg.has_more());
        std::string s(static_cast<const char *>(msg.data()), msg.size());
        msg.close();
        return s;
    }
    // Unwraps; returns rc and the body / flags through the pointers.
    static int unwrap(mechanism_t &m, const std::string &frame, std::string *body = nullptr,
                      uint8_t *flags = nullptr) {
        msg_t msg;
        msg.init_buffer(frame.data(), frame.size());
        const int rc = m.unwrap(&msg);
        if (rc == 0 && body)
            body->assign(static_cast<const char *>(msg.data()), msg.size());
        if (rc == 0 && flags)
            *flags = msg.flags() & (msg_t::more | msg_t::command);
        msg.close();
        return rc;
    }

    keys_t client, server;
    options_t client_opts, server_opts;
    mechanism_options common;
};

} // namespace

TEST_F(CurveMechanism, HandshakeSizesAndMessagesBothWays) {
    auto c = make_client();
    auto s = make_server();
    const std::string hello = next(*c);
    EXPECT_EQ(200u, hello.size());
    EXPECT_EQ(0, hello.compare(0, 6, "\x05HELLO"));
    ASSERT_EQ(0, feed(*s, hello));
    const std::string welcome = next(*s);
    EXPECT_EQ(168u, welcome.size());
    ASSERT_EQ(0, feed(*c, welcome));
    const std::string initiate = next(*c);
    EXPECT_GE(initiate.size(), 257u);
    ASSERT_EQ(0, feed(*s, initiate));
    ASSERT_EQ(0, feed(*c, next(*s)));
    ASSERT_EQ(mechanism_status::ready, c->status());
    ASSERT_EQ(mechanism_status::ready, s->status());
    EXPECT_EQ("DEALER", c->peer_socket_type());

    const std::string big(100000, 'b');
    const std::string marker = "plaintext-marker-0123456789";
    for (const std::string &body : {std::string(), marker, big}) {
        std::string got;
        uint8_t flags = 0xFF;
        const std::string frame = wrap(*c, body, msg_t::more);
        EXPECT_EQ(8 + 8 + 16 + 1 + body.size(), frame.size());
        EXPECT_EQ(std::string::npos, frame.find(marker)) << "plaintext on the wire";
        ASSERT_EQ(0, unwrap(*s, frame, &got, &flags));
        EXPECT_EQ(body, got);
        EXPECT_EQ(msg_t::more, flags);
        ASSERT_EQ(0, unwrap(*c, wrap(*s, body, msg_t::command), &got, &flags));
        EXPECT_EQ(body, got);
        EXPECT_EQ(msg_t::command, flags);
    }
}

TEST_F(CurveMechanism, ZapGetsTheClientKeyAndDenialSendsError) {
    fake_zap zap;
    zap.status = "400";
    auto c = make_client();
    auto s = make_server(&zap);
    zap.mech = s.get();
    ASSERT_EQ(0, feed(*s, next(*c)));
    ASSERT_EQ(0, feed(*c, next(*s)));
    ASSERT_EQ(0, feed(*s, next(*c)));
    EXPECT_EQ(1, zap.requests);
    ASSERT_EQ(1u, zap.credentials.size());
    EXPECT_EQ(std::string(reinterpret_cast<char *>(client.pub), 32), zap.credentials[0]);
    const std::string error = next(*s);
    EXPECT_EQ(0, error.compare(0, 6,
                               "\x05"
                               "ERROR"));
    EXPECT_EQ(mechanism_status::error, s->status());
    EXPECT_EQ(handshake_failure::auth, s->failure());
    EXPECT_EQ(400, s->failure_code());
    EXPECT_NE(0, feed(*c, error));
    EXPECT_EQ(handshake_failure::auth, c->failure());
    EXPECT_EQ(400, c->failure_code());
}

TEST_F(CurveMechanism, HelloOfWrongSizeOrVersionOrBox) {
    auto c = make_client();
    const std::string hello = next(*c);
    {
        auto s = make_server();
        EXPECT_NE(0, feed(*s, hello.substr(0, 199)));
        expect_protocol(*s, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    }
    {
        auto s = make_server();
        EXPECT_NE(0, feed(*s, hello + "x"));
        expect_protocol(*s, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    }
    {
        std::string bad = hello;
        bad[6] = 2; // version 2.0
        auto s = make_server();
        EXPECT_NE(0, feed(*s, bad));
        expect_protocol(*s, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    }
    {
        std::string bad = hello;
        bad[150] ^= 1; // inside the box
        auto s = make_server();
        EXPECT_NE(0, feed(*s, bad));
        expect_protocol(*s, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    }
    {
        auto s = make_server();
        EXPECT_NE(0, feed(*s, "\x08INITIATE"));
        expect_protocol(*s, ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    }
}

TEST_F(CurveMechanism, WelcomeFromTheWrongServerOrCorrupted) {
    auto c = make_client();
    auto s = make_server();
    ASSERT_EQ(0, feed(*s, next(*c)));
    const std::string welcome = next(*s);
    {
        auto c2 = make_client();
        next(*c2);
        EXPECT_NE(0, feed(*c2, welcome.substr(0, 100)));
        expect_protocol(*c2, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME);
    }
    {
        // Boxed for another client's C': cannot be opened.
        auto c2 = make_client();
        next(*c2);
        EXPECT_NE(0, feed(*c2, welcome));
        expect_protocol(*c2, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    }
    std::string bad = welcome;
    bad[40] ^= 0x80;
    EXPECT_NE(0, feed(*c, bad));
    expect_protocol(*c, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
}

TEST_F(CurveMechanism, InitiateWithForeignCookieOrCorruptBox) {
    auto c = make_client();
    auto s = make_server();
    ASSERT_EQ(0, feed(*s, next(*c)));
    ASSERT_EQ(0, feed(*c, next(*s)));
    const std::string initiate = next(*c);
    {
        std::string bad = initiate;
        bad[9 + 20] ^= 1; // the cookie
        auto s2 = make_server();
        auto c2 = make_client();
        ASSERT_EQ(0, feed(*s2, next(*c2)));
        next(*s2); // its WELCOME
        EXPECT_NE(0, feed(*s2, bad)) << "another connection's cookie";
        expect_protocol(*s2, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    }
    {
        std::string bad = initiate;
        bad[bad.size() - 1] ^= 1; // the metadata inside the box
        EXPECT_NE(0, feed(*s, bad));
        expect_protocol(*s, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    }
    auto s3 = make_server();
    auto c3 = make_client();
    ASSERT_EQ(0, feed(*s3, next(*c3)));
    next(*s3);
    EXPECT_NE(0, feed(*s3, initiate.substr(0, 256)));
    expect_protocol(*s3, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
}

// A hand-made client whose vouch names another short-term key: the boxes
// all open, the vouch's content does not match C'.
TEST_F(CurveMechanism, VouchForAnotherShortTermKey) {
    auto s = make_server();
    keys_t cs; // our C', c'
    auto nonce = [](const char *prefix, size_t plen, const std::string &rest) {
        std::string n(prefix, plen);
        n += rest;
        return n;
    };
    // HELLO
    std::string hello("\x05HELLO\x01\x00", 8);
    hello += std::string(72, '\0');
    hello += std::string(reinterpret_cast<char *>(cs.pub), 32);
    const std::string one("\0\0\0\0\0\0\0\1", 8);
    hello += one;
    uint8_t box[80];
    const uint8_t zeros[64] = {};
    ASSERT_EQ(0, crypto_box_easy(
                     box, zeros, 64,
                     reinterpret_cast<const uint8_t *>(nonce("CurveZMQHELLO---", 16, one).data()),
                     server.pub, cs.sec));
    hello.append(reinterpret_cast<char *>(box), 80);
    ASSERT_EQ(200u, hello.size());
    ASSERT_EQ(0, feed(*s, hello));
    // WELCOME -> S', cookie
    const std::string welcome = next(*s);
    uint8_t plain[128];
    ASSERT_EQ(0, crypto_box_open_easy(plain, reinterpret_cast<const uint8_t *>(welcome.data()) + 24,
                                      144,
                                      reinterpret_cast<const uint8_t *>(
                                          nonce("WELCOME-", 8, welcome.substr(8, 16)).data()),
                                      server.pub, cs.sec));
    const uint8_t *server_short = plain;
    // vouch = Box[X' S](C->S') with X' != C'
    keys_t other;
    uint8_t vouch_plain[64];
    memcpy(vouch_plain, other.pub, 32);
    memcpy(vouch_plain + 32, server.pub, 32);
    const std::string vnonce(16, 'v');
    uint8_t vouch_box[80];
    ASSERT_EQ(
        0, crypto_box_easy(vouch_box, vouch_plain, 64,
                           reinterpret_cast<const uint8_t *>(nonce("VOUCH---", 8, vnonce).data()),
                           server_short, client.sec));
    std::string inner(reinterpret_cast<char *>(client.pub), 32);
    inner += vnonce;
    inner.append(reinterpret_cast<char *>(vouch_box), 80);
    inner += std::string("\x0bSocket-Type\0\0\0\x06"
                         "DEALER",
                         22);
    std::vector<uint8_t> ibox(inner.size() + 16);
    const std::string two("\0\0\0\0\0\0\0\2", 8);
    ASSERT_EQ(0, crypto_box_easy(
                     ibox.data(), reinterpret_cast<const uint8_t *>(inner.data()), inner.size(),
                     reinterpret_cast<const uint8_t *>(nonce("CurveZMQINITIATE", 16, two).data()),
                     server_short, cs.sec));
    std::string initiate("\x08INITIATE", 9);
    initiate.append(reinterpret_cast<const char *>(plain) + 32, 96);
    initiate += two;
    initiate.append(reinterpret_cast<char *>(ibox.data()), ibox.size());
    EXPECT_NE(0, feed(*s, initiate));
    expect_protocol(*s, ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE);
}

TEST_F(CurveMechanism, MessageBeforeReadyIsUnexpected) {
    auto c = make_client();
    auto s = make_server();
    ASSERT_EQ(0, feed(*s, next(*c)));
    ASSERT_EQ(0, feed(*c, next(*s)));
    ASSERT_EQ(0, feed(*s, next(*c)));
    // The server is ready and wraps a MESSAGE; the client still waits for READY.
    const std::string early = wrap(*s, "too early");
    EXPECT_NE(0, feed(*c, early));
    expect_protocol(*c, ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}

TEST_F(CurveMechanism, ReplayedReorderedCorruptedAndShortMessages) {
    auto c = make_client();
    auto s = make_server();
    handshake(*c, *s);
    const std::string first = wrap(*c, "first");
    const std::string second = wrap(*c, "second");
    ASSERT_EQ(0, unwrap(*s, second));
    EXPECT_NE(0, unwrap(*s, first)) << "out of order";
    expect_protocol(*s, ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);

    auto c2 = make_client();
    auto s2 = make_server();
    handshake(*c2, *s2);
    const std::string m = wrap(*c2, "once");
    ASSERT_EQ(0, unwrap(*s2, m));
    EXPECT_NE(0, unwrap(*s2, m)) << "replayed";
    expect_protocol(*s2, ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);

    auto c3 = make_client();
    auto s3 = make_server();
    handshake(*c3, *s3);
    std::string bad = wrap(*c3, "payload");
    bad[bad.size() - 2] ^= 4;
    EXPECT_NE(0, unwrap(*s3, bad));
    expect_protocol(*s3, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);

    auto c4 = make_client();
    auto s4 = make_server();
    handshake(*c4, *s4);
    EXPECT_NE(0, unwrap(*s4, wrap(*c4, "x").substr(0, 32)));
    expect_protocol(*s4, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE);

    auto c5 = make_client();
    auto s5 = make_server();
    handshake(*c5, *s5);
    EXPECT_NE(0, unwrap(*s5, "plaintext frame"));
    expect_protocol(*s5, ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}

#endif // ZLINK_TEST_CURVE
