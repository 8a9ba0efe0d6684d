// tls:// record batching (ZLINK_TLS_BATCH, zlink.h) and the
// application-thread write over tls (zlink only). With batching on, the
// records one write makes wait in a buffer and leave together; bytes the
// kernel did not take must still arrive, in order, also when the sender
// closes right after sending. A tls connection's SSL object is shared by
// the sending application thread and the io thread's reads: messages in
// both directions at once must arrive intact (and TSAN must stay quiet).
#include "net_testutil.hpp"

using namespace testutil;

#ifndef ZLINK_TESTING_SYSTEM_LIBZMQ

#include <algorithm>
#include <thread>

#include "tls_testutil.hpp"

namespace {

class TlsBatch : public net_test, public ::testing::WithParamInterface<int> {
  protected:
    // server bound on tls with the server certificate, client connected;
    // both with ZLINK_TLS_BATCH = GetParam().
    void pair(int server_type, int client_type) {
        server = make(server_type);
        tls_server(server, tls_certs::get().server);
        ASSERT_EQ(0, set_int(server, ZLINK_TLS_BATCH, GetParam()));
        ASSERT_EQ(0, zmq_bind(server, "tls://127.0.0.1:*"));
        client = make(client_type);
        tls_client(client);
        ASSERT_EQ(0, set_int(client, ZLINK_TLS_BATCH, GetParam()));
    }
    void connect() { ASSERT_EQ(0, zmq_connect(client, last_endpoint(server).c_str())); }
    void *server = nullptr, *client = nullptr;
};

unsigned long long debug_counter(const char *name) {
    zlink_debug_counter_t cs[64];
    const int n = zmq_debug_counters(cs, 64);
    for (int i = 0; i < n; ++i)
        if (std::string(cs[i].name) == name)
            return cs[i].value;
    return 0;
}

// Message i of a stream: sizes from 1 byte to several records.
std::string nth_message(int i) {
    static const size_t sizes[] = {1, 64, 1000, 16384, 16385, 40000, 65536, 70001};
    return pattern(sizes[size_t(i) % (sizeof sizes / sizeof sizes[0])], unsigned(i));
}

// Messages 0..n-1 as [number, nth_message(number)], whole and in order.
void expect_numbered_messages(void *s, int n) {
    for (int i = 0; i < n; ++i) {
        const std::vector<std::string> m = recv_multipart(s, 10000);
        ASSERT_EQ(2u, m.size()) << "message " << i << ": " << m[0];
        ASSERT_EQ(std::to_string(i), m[0]);
        ASSERT_TRUE(m[1] == nth_message(i)) << "body of message " << i;
    }
}

} // namespace

TEST(TlsBatchOption, DefaultAndValidation) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    EXPECT_EQ(1, get_int(s, ZLINK_TLS_BATCH));
    EXPECT_EQ(0, set_int(s, ZLINK_TLS_BATCH, 0));
    EXPECT_EQ(0, get_int(s, ZLINK_TLS_BATCH));
    EXPECT_EQ(-1, set_int(s, ZLINK_TLS_BATCH, 2));
    EXPECT_EQ(EINVAL, zmq_errno());
    zmq_close(s);
    zmq_ctx_term(ctx);
}

TEST_P(TlsBatch, SixteenMebibytesAndMultipart) {
    pair(ZMQ_PULL, ZMQ_PUSH);
    connect();
    const std::string big = pattern(16u << 20, 13);
    ASSERT_EQ(0, send_parts(client, {big}));
    const std::vector<std::string> parts = {"", "head", pattern(100000, 3), pattern(17000, 5),
                                            pattern(65536, 9)};
    ASSERT_EQ(0, send_parts(client, parts));
    std::vector<std::string> got = recv_multipart(server, 20000);
    ASSERT_EQ(1u, got.size());
    EXPECT_TRUE(got[0] == big) << "16 MiB body differs (size " << got[0].size() << ")";
    EXPECT_EQ(parts, recv_multipart(server));
}

// Tiny kernel buffers and a receiver that falls behind (RCVHWM 1) make the
// sender's writes stop half way, records waiting in the batch buffer; they
// go when the kernel has room again, in order.
TEST_P(TlsBatch, KernelFullDeliversEverythingInOrder) {
    pair(ZMQ_PULL, ZMQ_PUSH);
    ASSERT_EQ(0, set_int(server, ZMQ_RCVHWM, 1));
    ASSERT_EQ(0, set_int(server, ZMQ_RCVBUF, 4096));
    ASSERT_EQ(0, set_int(client, ZMQ_SNDBUF, 4096));
    connect();
    constexpr int n = 48;
    for (int i = 0; i < n; ++i)
        ASSERT_EQ(0, send_parts(client, {std::to_string(i), nth_message(i)})) << i;
    expect_numbered_messages(server, n);
}

// The sender closes right after sending (linger): what the batch buffer
// still held counts as unsent, so the session waits for it.
TEST_P(TlsBatch, CloseRightAfterSendingDeliversEverything) {
    pair(ZMQ_PULL, ZMQ_PUSH);
    ASSERT_EQ(0, set_int(client, ZMQ_LINGER, 10000));
    ASSERT_EQ(0, set_int(client, ZMQ_SNDBUF, 4096));
    connect();
    constexpr int n = 64;
    for (int i = 0; i < n; ++i)
        ASSERT_EQ(0, send_parts(client, {std::to_string(i), nth_message(i)})) << i;
    sockets.erase(std::find(sockets.begin(), sockets.end(), client)); // keeps its linger
    ASSERT_EQ(0, zmq_close(client));
    expect_numbered_messages(server, n);
}

// Each side's application thread sends while its io thread reads what the
// other side sends: app-thread writes race io-thread reads on one SSL object.
TEST_P(TlsBatch, BothWaysAtOnce) {
    pair(ZMQ_PAIR, ZMQ_PAIR);
    connect();
    // One message each way first: the handshake is done and both engines are
    // idle, so each side's first send of the stream is an application-thread
    // write (a stream sent straight after connect can queue behind the
    // handshake and keep the engine busy throughout: seen once in CI's
    // Release lane, 0 application-thread messages).
    ASSERT_EQ(4, send_str(client, "warm"));
    ASSERT_EQ("warm", recv_str(server));
    ASSERT_EQ(4, send_str(server, "warm"));
    ASSERT_EQ("warm", recv_str(client));
    constexpr int n = 1500;
    const auto run = [n](void *s, int *received) {
        int sent = 0;
        while (sent < n || *received < n) {
            if (sent < n && send_retry(s, nth_message(sent), 0, 0))
                ++sent;
            zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
            if (zmq_poll(&it, 1, sent < n ? 0 : 10000) <= 0) {
                if (sent == n)
                    return; // nothing came for 10 s: the count shows it
                continue;
            }
            const std::string got = recv_str(s, 0);
            if (got != nth_message(*received))
                return;
            ++*received;
        }
    };
    const unsigned long long app_before = debug_counter("engine_app_thread_messages");
    int client_got = 0, server_got = 0;
    std::thread other([&] { run(server, &server_got); });
    run(client, &client_got);
    other.join();
    EXPECT_EQ(n, client_got);
    EXPECT_EQ(n, server_got);
    // The sending threads wrote some of them (the race this test is for).
    EXPECT_GT(debug_counter("engine_app_thread_messages"), app_before);
}

INSTANTIATE_TEST_SUITE_P(Batching, TlsBatch, ::testing::Values(1, 0),
                         [](const ::testing::TestParamInfo<int> &i) {
                             return i.param ? std::string("On") : std::string("Off");
                         });

#else

TEST(TlsBatchOption, NotInLibzmq) { EXPECT_EQ(0, zmq_has("tls")); }

#endif
