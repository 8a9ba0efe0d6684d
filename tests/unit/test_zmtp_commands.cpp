// ZMTP commands, metadata and the socket-type table.
#include <gtest/gtest.h>

#include <string>

#include <zmq.h>

#include "protocol/mechanisms/zap_protocol.hpp"
#include "protocol/zmtp_commands.hpp"
#include "protocol/zmtp_socket_type.hpp"

using namespace zlink;

namespace {

std::string body(const msg_t &m) {
    return std::string(static_cast<const char *>(m.data()), m.size());
}

} // namespace

TEST(ZmtpCommands, ReadyMetadataRoundTrip) {
    const auto props =
        zmtp_ready_properties(ZMQ_DEALER, "peer-1", {{"X-Color", "blue"}, {"X-Empty", ""}});
    msg_t m;
    m.init();
    ASSERT_EQ(zmtp_make_ready(&m, props), 0);
    EXPECT_TRUE(m.is_command());
    const std::string b = body(m);
    EXPECT_EQ(b.substr(0, 6), "\x05READY");
    EXPECT_EQ(b.substr(6, 1 + 11 + 4 + 6), std::string("\x0bSocket-Type\x00\x00\x00\x06"
                                                       "DEALER",
                                                       22));
    zmtp_command_view cmd;
    ASSERT_TRUE(zmtp_parse_command(m, &cmd));
    EXPECT_TRUE(cmd.is("READY"));
    metadata_t::dict_t d;
    ASSERT_EQ(zmtp_parse_metadata(cmd.data, cmd.size, &d), zmtp_metadata_error::ok);
    EXPECT_EQ(d.size(), 4u);
    EXPECT_EQ(d["Socket-Type"], "DEALER");
    EXPECT_EQ(d["Identity"], "peer-1");
    EXPECT_EQ(d["X-Color"], "blue");
    EXPECT_EQ(d["X-Empty"], "");
    m.close();
}

TEST(ZmtpCommands, IdentityOnlyForReqDealerRouter) {
    for (int t : {ZMQ_REQ, ZMQ_DEALER, ZMQ_ROUTER})
        EXPECT_EQ(zmtp_ready_properties(t, "", {}).size(), 2u) << t;
    for (int t : {ZMQ_PAIR, ZMQ_PUB, ZMQ_SUB, ZMQ_REP, ZMQ_PUSH, ZMQ_PULL})
        EXPECT_EQ(zmtp_ready_properties(t, "x", {}).size(), 1u) << t;
}

TEST(ZmtpCommands, MetadataTruncationRejected) {
    std::string enc;
    ASSERT_TRUE(zmtp_encode_metadata({{"Socket-Type", "PAIR"}, {"X-A", "hello"}}, &enc));
    const auto *p = reinterpret_cast<const unsigned char *>(enc.data());
    // Every strict prefix that cuts a property is rejected; the prefix that
    // ends exactly after the first property is fine.
    const size_t first = 1 + 11 + 4 + 4;
    for (size_t n = 0; n < enc.size(); ++n) {
        metadata_t::dict_t d;
        const auto rc = zmtp_parse_metadata(p, n, &d);
        if (n == 0 || n == first)
            EXPECT_EQ(rc, zmtp_metadata_error::ok) << n;
        else {
            EXPECT_EQ(rc, zmtp_metadata_error::truncated) << n;
            EXPECT_TRUE(d.empty()) << n; // nothing committed on error
        }
    }
    // Oversized value length.
    std::string bad = enc;
    bad[1 + 11] = '\x7f';
    metadata_t::dict_t d;
    EXPECT_EQ(
        zmtp_parse_metadata(reinterpret_cast<const unsigned char *>(bad.data()), bad.size(), &d),
        zmtp_metadata_error::truncated);
    const unsigned char empty_name[] = {0, 0, 0, 0, 0};
    EXPECT_EQ(zmtp_parse_metadata(empty_name, sizeof empty_name, &d),
              zmtp_metadata_error::empty_name);
    // Invalid input to the encoder.
    EXPECT_FALSE(zmtp_encode_metadata({{"", "x"}}, &enc));
    EXPECT_FALSE(zmtp_encode_metadata({{std::string(256, 'n'), "x"}}, &enc));
}

TEST(ZmtpCommands, ErrorCommand) {
    msg_t m;
    m.init();
    ASSERT_EQ(zmtp_make_error(&m, "400"), 0);
    EXPECT_EQ(body(m), std::string("\x05"
                                   "ERROR\x03"
                                   "400"));
    zmtp_command_view cmd;
    ASSERT_TRUE(zmtp_parse_command(m, &cmd));
    std::string reason;
    ASSERT_TRUE(zmtp_parse_error(cmd, &reason));
    EXPECT_EQ(reason, "400");
    cmd.size = 3; // reason length 3 but only 2 bytes follow
    EXPECT_FALSE(zmtp_parse_error(cmd, &reason));
    cmd.size = 0;
    EXPECT_FALSE(zmtp_parse_error(cmd, &reason));
    ASSERT_EQ(zmtp_make_error(&m, std::string(300, 'r')), 0);
    ASSERT_TRUE(zmtp_parse_command(m, &cmd));
    ASSERT_TRUE(zmtp_parse_error(cmd, &reason));
    EXPECT_EQ(reason.size(), 255u);
    m.close();
}

TEST(ZmtpCommands, SubscribeCancel) {
    msg_t m;
    m.init();
    ASSERT_EQ(zmtp_make_subscribe(&m, "topic", 5), 0);
    EXPECT_EQ(body(m), "\x09SUBSCRIBEtopic");
    EXPECT_TRUE(zmtp_is_command(m, "SUBSCRIBE"));
    ASSERT_EQ(zmtp_make_cancel(&m, "", 0), 0);
    EXPECT_EQ(body(m), "\x06"
                       "CANCEL");
    EXPECT_TRUE(zmtp_is_command(m, "CANCEL"));
    EXPECT_FALSE(zmtp_is_command(m, "CANCE"));
    m.close();
}

TEST(ZmtpCommands, PingPong) {
    msg_t m;
    m.init();
    ASSERT_EQ(zmtp_make_ping(&m, 300, "ctx", 3), 0);
    EXPECT_EQ(body(m), std::string("\x04PING\x01\x2c"
                                   "ctx",
                                   10));
    zmtp_command_view cmd;
    ASSERT_TRUE(zmtp_parse_command(m, &cmd));
    uint16_t ttl = 0;
    std::string ctx;
    ASSERT_TRUE(zmtp_parse_ping(cmd, &ttl, &ctx));
    EXPECT_EQ(ttl, 300);
    EXPECT_EQ(ctx, "ctx");
    cmd.size = 1;
    EXPECT_FALSE(zmtp_parse_ping(cmd, &ttl, &ctx));
    EXPECT_EQ(zmtp_make_ping(&m, 1, std::string(17, 'c').data(), 17), -1);
    ASSERT_EQ(zmtp_make_pong(&m, "ctx", 3), 0);
    ASSERT_TRUE(zmtp_parse_command(m, &cmd));
    EXPECT_TRUE(cmd.is("PONG"));
    ASSERT_TRUE(zmtp_parse_pong(cmd, &ctx));
    EXPECT_EQ(ctx, "ctx");
    m.close();
}

TEST(ZmtpCommands, ParseRejectsNonCommands) {
    msg_t m;
    m.init_buffer("\x05READY", 6);
    zmtp_command_view cmd;
    EXPECT_FALSE(zmtp_parse_command(m, &cmd)); // not flagged command
    m.set_flags(msg_t::command);
    EXPECT_TRUE(zmtp_parse_command(m, &cmd));
    m.close();
    m.init_buffer("\x09READY", 6);
    m.set_flags(msg_t::command);
    EXPECT_FALSE(zmtp_parse_command(m, &cmd));
    m.close();
}

TEST(ZmtpSocketType, CompatibilityTable) {
    struct row {
        int type;
        std::vector<const char *> ok;
    };
    const row rows[] = {
        {ZMQ_PAIR, {"PAIR"}},
        {ZMQ_PUB, {"SUB", "XSUB"}},
        {ZMQ_XPUB, {"SUB", "XSUB"}},
        {ZMQ_SUB, {"PUB", "XPUB"}},
        {ZMQ_XSUB, {"PUB", "XPUB"}},
        {ZMQ_REQ, {"REP", "ROUTER"}},
        {ZMQ_REP, {"REQ", "DEALER"}},
        {ZMQ_DEALER, {"REP", "DEALER", "ROUTER"}},
        {ZMQ_ROUTER, {"REQ", "DEALER", "ROUTER"}},
        {ZMQ_PUSH, {"PULL"}},
        {ZMQ_PULL, {"PUSH"}},
    };
    const char *all[] = {"PAIR", "PUB",  "SUB",  "REQ",  "REP",    "DEALER", "ROUTER",
                         "PULL", "PUSH", "XPUB", "XSUB", "STREAM", "pair",   ""};
    for (const auto &r : rows) {
        for (const char *peer : all) {
            bool expected = false;
            for (const char *o : r.ok)
                expected |= std::string(o) == peer;
            EXPECT_EQ(zmtp_socket_types_compatible(r.type, peer), expected)
                << zmtp_socket_type_name(r.type) << " vs " << peer;
        }
    }
    EXPECT_FALSE(zmtp_socket_types_compatible(ZMQ_STREAM, "PAIR"));
}

TEST(ZmtpSocketType, Names) {
    EXPECT_STREQ(zmtp_socket_type_name(ZMQ_PAIR), "PAIR");
    EXPECT_STREQ(zmtp_socket_type_name(ZMQ_XSUB), "XSUB");
    EXPECT_STREQ(zmtp_socket_type_name(ZMQ_ROUTER), "ROUTER");
    EXPECT_EQ(zmtp_socket_type_name(ZMQ_STREAM), nullptr);
    EXPECT_EQ(zmtp_socket_type_name(99), nullptr);
    for (int t = ZMQ_PAIR; t <= ZMQ_XSUB; ++t)
        EXPECT_EQ(zmtp_socket_type_from_name(zmtp_socket_type_name(t)), t);
    EXPECT_EQ(zmtp_socket_type_from_name("NOPE"), -1);
}

TEST(ZapProtocol, RequestAndReply) {
    const auto f = zap_request_frames("1", "dom", "127.0.0.1", "id", "PLAIN", {"user", "pass"});
    ASSERT_EQ(f.size(), 9u);
    EXPECT_EQ(f[0], "");
    EXPECT_EQ(f[1], "1.0");
    EXPECT_EQ(f[6], "PLAIN");
    EXPECT_EQ(f[8], "pass");

    std::string md;
    ASSERT_TRUE(zmtp_encode_metadata({{"X-Role", "admin"}}, &md));
    zap_reply_t r;
    EXPECT_EQ(zap_parse_reply({"", "1.0", "1", "200", "OK", "alice", md}, "1", &r), 0);
    EXPECT_EQ(r.user_id, "alice");
    EXPECT_EQ(r.metadata["X-Role"], "admin");
    EXPECT_EQ(zap_parse_reply({"", "1.0", "1", "200", "OK", "alice"}, "1", &r),
              ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY);
    EXPECT_EQ(zap_parse_reply({"x", "1.0", "1", "200", "OK", "", ""}, "1", &r),
              ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY);
    EXPECT_EQ(zap_parse_reply({"", "2.0", "1", "200", "OK", "", ""}, "1", &r),
              ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION);
    EXPECT_EQ(zap_parse_reply({"", "1.0", "2", "200", "OK", "", ""}, "1", &r),
              ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID);
    EXPECT_EQ(zap_parse_reply({"", "1.0", "1", "201", "OK", "", ""}, "1", &r),
              ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE);
    EXPECT_EQ(zap_parse_reply({"", "1.0", "1", "200", "OK", "", "\x03"}, "1", &r),
              ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA);
}
