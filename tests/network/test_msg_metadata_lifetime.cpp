// A received message keeps its connection properties (zmq_msg_gets) after
// the connection, its sockets and the context are gone: each message holds
// its own reference to them (zlink takes those references in batches, so
// more messages than one batch are kept here).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <zmq.h>

#include "testutil.hpp"

namespace {

TEST(MsgMetadataLifetime, PropertiesOutliveConnectionSocketsAndContext) {
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    ASSERT_EQ(0, zmq_bind(pull, "tcp://127.0.0.1:*"));
    const std::string ep = testutil::last_endpoint(pull);
    ASSERT_EQ(0, zmq_connect(push, ep.c_str()));
    const int n = 600; // more than two of zlink's 256-reference batches
    for (int i = 0; i < n; ++i)
        ASSERT_EQ(4, zmq_send(push, "abcd", 4, 0));
    int timeout = 5000;
    ASSERT_EQ(0, zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    std::vector<zmq_msg_t> got(n);
    for (auto &m : got) {
        zmq_msg_init(&m);
        ASSERT_EQ(4, zmq_msg_recv(&m, pull, 0));
    }
    int linger = 0;
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    ASSERT_EQ(0, zmq_close(push));
    ASSERT_EQ(0, zmq_close(pull));
    ASSERT_EQ(0, zmq_ctx_term(ctx));

    for (int i : {0, 255, 256, 511, n - 1}) {
        const char *addr = zmq_msg_gets(&got[size_t(i)], "Peer-Address");
        ASSERT_NE(nullptr, addr) << i;
        EXPECT_STREQ("127.0.0.1", addr) << i;
        const char *type = zmq_msg_gets(&got[size_t(i)], "Socket-Type");
        ASSERT_NE(nullptr, type) << i;
        EXPECT_STREQ("PUSH", type) << i;
    }
    for (auto &m : got)
        EXPECT_EQ(0, zmq_msg_close(&m));
}

} // namespace
