// NULL and PLAIN handshakes between two mechanism objects, with a fake ZAP.
#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include <zmq.h>

#include "protocol/mechanisms/null_mechanism.hpp"
#include "protocol/mechanisms/plain_mechanism.hpp"
#include "protocol/mechanisms/zap_client.hpp"

using namespace zlink;

namespace {

// A ZAP handler stand-in: records requests; answers at once (sync) or when
// the test calls answer().
struct fake_zap : zap_client {
    mechanism_t *mech = nullptr;
    bool available = true;
    bool sync = true;
    std::string status = "200";
    std::string user = "alice";
    std::string domain, address, mechanism_name;
    std::vector<std::string> credentials;
    int requests = 0;

    bool request(const std::string &d, const std::string &a, const std::string &,
                 const std::string &m, const std::vector<std::string> &c) override {
        if (!available)
            return false;
        ++requests;
        domain = d;
        address = a;
        mechanism_name = m;
        credentials = c;
        if (sync)
            answer();
        return true;
    }
    void answer() { EXPECT_EQ(mech->zap_reply(status, user, {{"X-Zap", "yes"}}), 0); }
};

// Moves commands between the two sides until neither has anything to say.
// Returns the number of commands exchanged.
int pump(mechanism_t &a, mechanism_t &b) {
    int moved = 0;
    for (bool progress = true; progress;) {
        progress = false;
        mechanism_t *sides[2][2] = {{&a, &b}, {&b, &a}};
        for (auto &s : sides) {
            if (s[0]->status() == mechanism_status::error)
                continue;
            msg_t m;
            m.init();
            while (s[0]->next_handshake_command(&m) == 0) {
                ++moved;
                progress = true;
                EXPECT_TRUE(m.is_command());
                if (s[1]->status() != mechanism_status::error)
                    s[1]->process_handshake_command(&m);
                m.close();
                m.init();
            }
            EXPECT_EQ(errno, s[0]->status() == mechanism_status::error &&
                                     s[0]->failure() == handshake_failure::no_detail
                                 ? EFAULT
                                 : EAGAIN);
            m.close();
        }
    }
    return moved;
}

mechanism_options opts(int type) {
    mechanism_options o;
    o.socket_type = type;
    o.peer_address = "127.0.0.1";
    return o;
}

} // namespace

TEST(ZmtpMechanism, NullHandshake) {
    auto co = opts(ZMQ_DEALER);
    co.routing_id = "client-id";
    co.user_metadata = {{"X-Hello", "world"}};
    null_mechanism_t client(co, nullptr);
    null_mechanism_t server(opts(ZMQ_ROUTER), nullptr);
    EXPECT_EQ(client.status(), mechanism_status::handshaking);
    EXPECT_EQ(pump(client, server), 2);
    EXPECT_EQ(client.status(), mechanism_status::ready);
    EXPECT_EQ(server.status(), mechanism_status::ready);
    EXPECT_EQ(server.peer_socket_type(), "DEALER");
    EXPECT_EQ(server.peer_routing_id(), "client-id");
    EXPECT_EQ(server.peer_properties().at("X-Hello"), "world");
    EXPECT_EQ(client.peer_socket_type(), "ROUTER");
    EXPECT_EQ(server.message_properties().count("User-Id"), 0u);
}

TEST(ZmtpMechanism, NullSocketTypeMismatch) {
    null_mechanism_t a(opts(ZMQ_PUSH), nullptr);
    null_mechanism_t b(opts(ZMQ_PUB), nullptr);
    pump(a, b);
    // b processes a's READY first and fails; it never answers, so a waits
    // (its engine sees the disconnect).
    EXPECT_EQ(b.status(), mechanism_status::error);
    EXPECT_EQ(b.failure(), handshake_failure::protocol);
    EXPECT_EQ(b.failure_code(), ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    EXPECT_EQ(a.status(), mechanism_status::handshaking);
    // The other direction fails the same way.
    null_mechanism_t c(opts(ZMQ_PUSH), nullptr);
    msg_t m;
    m.init();
    ASSERT_EQ(b.status(), mechanism_status::error);
    null_mechanism_t pub(opts(ZMQ_PUB), nullptr);
    ASSERT_EQ(pub.next_handshake_command(&m), 0);
    EXPECT_EQ(c.process_handshake_command(&m), -1);
    EXPECT_EQ(c.failure_code(), ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    m.close();
}

TEST(ZmtpMechanism, NullRejectsUnexpectedAndMalformedCommands) {
    {
        null_mechanism_t m(opts(ZMQ_PAIR), nullptr);
        msg_t c;
        c.init();
        zmtp_make_command(&c, "HELLO", nullptr, 0);
        EXPECT_EQ(m.process_handshake_command(&c), -1);
        EXPECT_EQ(errno, EPROTO);
        EXPECT_EQ(m.failure_code(), ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
        EXPECT_EQ(m.status(), mechanism_status::error);
        c.close();
    }
    {
        null_mechanism_t m(opts(ZMQ_PAIR), nullptr);
        msg_t c;
        c.init();
        const unsigned char bad_md[] = {11, 'S', 'o', 'c', 'k'}; // truncated
        zmtp_make_command(&c, "READY", bad_md, sizeof bad_md);
        EXPECT_EQ(m.process_handshake_command(&c), -1);
        EXPECT_EQ(m.failure_code(), ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
        c.close();
    }
    {
        null_mechanism_t m(opts(ZMQ_PAIR), nullptr);
        msg_t c;
        c.init();
        zmtp_make_ready(&c, {}); // no Socket-Type at all
        EXPECT_EQ(m.process_handshake_command(&c), -1);
        EXPECT_EQ(m.failure_code(), ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
        c.close();
    }
    {
        null_mechanism_t m(opts(ZMQ_PAIR), nullptr);
        msg_t c;
        c.init();
        zmtp_make_error(&c, "go away");
        EXPECT_EQ(m.process_handshake_command(&c), -1);
        EXPECT_EQ(m.failure(), handshake_failure::peer_error);
        EXPECT_EQ(m.peer_error_reason(), "go away");
        c.close();
    }
}

TEST(ZmtpMechanism, NullWithZapDomain) {
    fake_zap zap;
    auto so = opts(ZMQ_REP);
    so.zap_domain = "global";
    null_mechanism_t server(so, &zap);
    zap.mech = &server;
    zap.sync = false;
    null_mechanism_t client(opts(ZMQ_REQ), nullptr);
    pump(client, server);
    EXPECT_EQ(zap.requests, 1);
    EXPECT_EQ(zap.mechanism_name, "NULL");
    EXPECT_EQ(zap.domain, "global");
    EXPECT_TRUE(zap.credentials.empty());
    EXPECT_TRUE(server.zap_pending());
    EXPECT_EQ(server.status(), mechanism_status::handshaking);
    zap.answer();
    pump(client, server);
    EXPECT_EQ(server.status(), mechanism_status::ready);
    EXPECT_EQ(client.status(), mechanism_status::ready);
    EXPECT_EQ(server.user_id(), "alice");
    EXPECT_EQ(server.message_properties().at("User-Id"), "alice");
    EXPECT_EQ(server.message_properties().at("X-Zap"), "yes");
}

TEST(ZmtpMechanism, NullZapDenied) {
    fake_zap zap;
    zap.status = "400";
    auto so = opts(ZMQ_PAIR);
    so.zap_domain = "d";
    null_mechanism_t server(so, &zap);
    zap.mech = &server;
    null_mechanism_t client(opts(ZMQ_PAIR), nullptr);
    pump(client, server);
    EXPECT_EQ(server.status(), mechanism_status::error);
    EXPECT_EQ(server.failure(), handshake_failure::auth);
    EXPECT_EQ(server.failure_code(), 400);
    EXPECT_EQ(client.status(), mechanism_status::error);
    EXPECT_EQ(client.failure(), handshake_failure::auth);
    EXPECT_EQ(client.failure_code(), 400);
    EXPECT_EQ(client.peer_error_reason(), "400");
}

TEST(ZmtpMechanism, NullZapWithoutHandler) {
    fake_zap zap;
    zap.available = false;
    auto so = opts(ZMQ_PAIR);
    so.zap_domain = "d";
    {
        null_mechanism_t server(so, &zap);
        null_mechanism_t client(opts(ZMQ_PAIR), nullptr);
        pump(client, server);
        EXPECT_EQ(server.status(), mechanism_status::ready); // not enforced
    }
    so.zap_enforce_domain = true;
    null_mechanism_t server(so, &zap);
    msg_t m;
    m.init();
    EXPECT_EQ(server.next_handshake_command(&m), -1);
    EXPECT_EQ(errno, EFAULT);
    EXPECT_EQ(server.status(), mechanism_status::error);
    EXPECT_EQ(server.failure(), handshake_failure::no_detail);
    m.close();
}

TEST(ZmtpMechanism, NullZapInvalidStatus) {
    fake_zap zap;
    zap.sync = false;
    auto so = opts(ZMQ_PAIR);
    so.zap_domain = "d";
    null_mechanism_t server(so, &zap);
    zap.mech = &server;
    msg_t m;
    m.init();
    EXPECT_EQ(server.next_handshake_command(&m), -1);
    EXPECT_EQ(server.zap_reply("299", "", {}), -1);
    EXPECT_EQ(server.status(), mechanism_status::error);
    EXPECT_EQ(server.failure_code(), ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE);
    EXPECT_EQ(server.zap_reply("200", "", {}), -1); // no request pending
    m.close();
}

namespace {

struct plain_pair {
    fake_zap zap;
    std::unique_ptr<plain_client_t> client;
    std::unique_ptr<plain_server_t> server;

    plain_pair(const std::string &user, const std::string &pass, const std::string &status,
               bool sync = true) {
        auto co = opts(ZMQ_DEALER);
        co.plain_username = user;
        co.plain_password = pass;
        auto so = opts(ZMQ_ROUTER);
        so.as_server = true;
        so.zap_domain = "test";
        client = std::make_unique<plain_client_t>(co);
        server = std::make_unique<plain_server_t>(so, &zap);
        zap.mech = server.get();
        zap.status = status;
        zap.sync = sync;
    }
};

} // namespace

TEST(ZmtpMechanism, PlainHandshakeSuccess) {
    plain_pair p("admin", "secret", "200");
    EXPECT_STREQ(p.client->name(), "PLAIN");
    EXPECT_EQ(pump(*p.client, *p.server), 4); // HELLO WELCOME INITIATE READY
    EXPECT_EQ(p.client->status(), mechanism_status::ready);
    EXPECT_EQ(p.server->status(), mechanism_status::ready);
    EXPECT_EQ(p.zap.mechanism_name, "PLAIN");
    EXPECT_EQ(p.zap.domain, "test");
    EXPECT_EQ(p.zap.address, "127.0.0.1");
    ASSERT_EQ(p.zap.credentials.size(), 2u);
    EXPECT_EQ(p.zap.credentials[0], "admin");
    EXPECT_EQ(p.zap.credentials[1], "secret");
    EXPECT_EQ(p.server->user_id(), "alice");
    EXPECT_EQ(p.server->peer_socket_type(), "DEALER");
    EXPECT_EQ(p.client->peer_socket_type(), "ROUTER");
}

TEST(ZmtpMechanism, PlainDeferredZapReply) {
    plain_pair p("admin", "secret", "200", false);
    pump(*p.client, *p.server);
    EXPECT_TRUE(p.server->zap_pending());
    EXPECT_EQ(p.server->status(), mechanism_status::handshaking);
    p.zap.answer();
    pump(*p.client, *p.server);
    EXPECT_EQ(p.client->status(), mechanism_status::ready);
    EXPECT_EQ(p.server->status(), mechanism_status::ready);
}

TEST(ZmtpMechanism, PlainWrongPassword) {
    plain_pair p("admin", "wrong", "400");
    pump(*p.client, *p.server);
    EXPECT_EQ(p.server->status(), mechanism_status::error);
    EXPECT_EQ(p.server->failure(), handshake_failure::auth);
    EXPECT_EQ(p.server->failure_code(), 400);
    EXPECT_EQ(p.client->status(), mechanism_status::error);
    EXPECT_EQ(p.client->failure(), handshake_failure::auth);
    EXPECT_EQ(p.client->failure_code(), 400);
}

TEST(ZmtpMechanism, PlainTemporaryFailureSendsNoError) {
    plain_pair p("admin", "x", "300");
    EXPECT_EQ(pump(*p.client, *p.server), 1); // HELLO only
    EXPECT_EQ(p.server->status(), mechanism_status::error);
    EXPECT_EQ(p.server->failure_code(), 300);
    EXPECT_EQ(p.client->status(), mechanism_status::handshaking);
}

TEST(ZmtpMechanism, PlainWithoutZapHandlerFails) {
    plain_pair p("admin", "x", "200");
    p.zap.available = false;
    pump(*p.client, *p.server);
    EXPECT_EQ(p.server->status(), mechanism_status::error);
    EXPECT_EQ(p.server->failure(), handshake_failure::no_detail);
    EXPECT_EQ(p.server->failure_code(), EFAULT);
}

TEST(ZmtpMechanism, PlainMalformedHello) {
    const std::vector<std::string> bodies = {
        std::string(""), // no username length
        std::string("\x05"
                    "ab",
                    3), // username past the end
        std::string("\x02"
                    "ab",
                    3), // no password length
        std::string("\x02"
                    "ab\x02"
                    "x",
                    5), // password past the end
        std::string("\x02"
                    "ab\x01"
                    "xy",
                    6), // trailing bytes
    };
    for (const auto &b : bodies) {
        fake_zap zap;
        auto so = opts(ZMQ_ROUTER);
        so.as_server = true;
        plain_server_t server(so, &zap);
        zap.mech = &server;
        msg_t m;
        m.init();
        zmtp_make_command(&m, "HELLO", b.data(), b.size());
        EXPECT_EQ(server.process_handshake_command(&m), -1);
        EXPECT_EQ(server.failure_code(), ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
        EXPECT_EQ(server.status(), mechanism_status::error);
        EXPECT_EQ(zap.requests, 0);
        m.close();
    }
}

TEST(ZmtpMechanism, PlainClientRejectsOutOfOrder) {
    auto co = opts(ZMQ_DEALER);
    plain_client_t client(co);
    msg_t m;
    m.init();
    ASSERT_EQ(client.next_handshake_command(&m), 0); // HELLO
    EXPECT_TRUE(zmtp_is_command(m, "HELLO"));
    zmtp_make_ready(&m, {{"Socket-Type", "ROUTER"}}); // READY before WELCOME
    EXPECT_EQ(client.process_handshake_command(&m), -1);
    EXPECT_EQ(client.failure_code(), ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    m.close();

    plain_client_t c2(co);
    m.init();
    c2.next_handshake_command(&m);
    zmtp_make_command(&m, "WELCOME", "x", 1);
    EXPECT_EQ(c2.process_handshake_command(&m), -1);
    EXPECT_EQ(c2.failure_code(), ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME);
    m.close();
}
