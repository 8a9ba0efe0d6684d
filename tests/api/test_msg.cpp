// zmq_msg_* lifecycle and properties, zero-copy ownership, and the
// send/recv variants (send_const, sendmsg/recvmsg, sendiov/recviov, truncation).
#include "testutil.hpp"

#include <sys/uio.h>

#include <cstdlib>

using namespace testutil;

namespace {

std::atomic<int> g_free_calls{0};
void *g_free_hint_seen = nullptr;

void counting_free(void *data, void *hint) {
    g_free_hint_seen = hint;
    ++g_free_calls;
    free(data);
}

class Msg : public ctx_test {
  protected:
    void SetUp() override {
        ctx_test::SetUp();
        g_free_calls = 0;
        g_free_hint_seen = nullptr;
    }
};

} // namespace

TEST(MsgBasic, InitIsEmpty) {
    zmq_msg_t m;
    ASSERT_EQ(0, zmq_msg_init(&m));
    EXPECT_EQ(0u, zmq_msg_size(&m));
    EXPECT_EQ(0, zmq_msg_more(&m));
    EXPECT_EQ(0, zmq_msg_get(&m, ZMQ_MORE));
    EXPECT_EQ(0, zmq_msg_get(&m, ZMQ_SHARED));
    EXPECT_EQ(0, zmq_msg_close(&m));
}

TEST(MsgBasic, InitSizeGivesWritableBuffer) {
    for (size_t size :
         {size_t(0), size_t(1), size_t(29), size_t(33), size_t(34), size_t(100), size_t(65536)}) {
        zmq_msg_t m;
        ASSERT_EQ(0, zmq_msg_init_size(&m, size));
        EXPECT_EQ(size, zmq_msg_size(&m));
        if (size) {
            ASSERT_NE(nullptr, zmq_msg_data(&m));
            memset(zmq_msg_data(&m), 0x5a, size);
            EXPECT_EQ(0x5a, static_cast<unsigned char *>(zmq_msg_data(&m))[size - 1]);
        }
        EXPECT_EQ(0, zmq_msg_close(&m));
    }
}

TEST(MsgBasic, InitDataWithoutFreeFunction) {
    static char buf[] = "static buffer";
    zmq_msg_t m;
    ASSERT_EQ(0, zmq_msg_init_data(&m, buf, sizeof buf, nullptr, nullptr));
    EXPECT_EQ(sizeof buf, zmq_msg_size(&m));
    EXPECT_EQ(static_cast<void *>(buf), zmq_msg_data(&m)) << "zero copy";
    EXPECT_EQ(0, zmq_msg_close(&m));

    ASSERT_EQ(0, zmq_msg_init_data(&m, nullptr, 0, nullptr, nullptr));
    EXPECT_EQ(0u, zmq_msg_size(&m));
    EXPECT_EQ(0, zmq_msg_close(&m));
}

TEST_F(Msg, InitDataFreeCalledOnceOnClose) {
    void *hint = reinterpret_cast<void *>(0x1234);
    void *data = malloc(64);
    zmq_msg_t m;
    ASSERT_EQ(0, zmq_msg_init_data(&m, data, 64, counting_free, hint));
    EXPECT_EQ(data, zmq_msg_data(&m));
    EXPECT_EQ(0, g_free_calls.load());
    EXPECT_EQ(0, zmq_msg_close(&m));
    EXPECT_EQ(1, g_free_calls.load());
    EXPECT_EQ(hint, g_free_hint_seen);
}

TEST_F(Msg, InitDataFreeCalledOnceAfterCopies) {
    void *data = malloc(16);
    memcpy(data, "0123456789abcdef", 16);
    zmq_msg_t a, b, c;
    ASSERT_EQ(0, zmq_msg_init_data(&a, data, 16, counting_free, nullptr));
    ASSERT_EQ(0, zmq_msg_init(&b));
    ASSERT_EQ(0, zmq_msg_init(&c));
    ASSERT_EQ(0, zmq_msg_copy(&b, &a));
    ASSERT_EQ(0, zmq_msg_copy(&c, &b));
    // Copies share the buffer and say so.
    EXPECT_EQ(data, zmq_msg_data(&b));
    EXPECT_EQ(data, zmq_msg_data(&c));
    EXPECT_EQ(1, zmq_msg_get(&a, ZMQ_SHARED));
    EXPECT_EQ(1, zmq_msg_get(&c, ZMQ_SHARED));
    EXPECT_EQ(0, zmq_msg_close(&a));
    EXPECT_EQ(0, zmq_msg_close(&c));
    EXPECT_EQ(0, g_free_calls.load()) << "still referenced by b";
    EXPECT_EQ(0, memcmp(zmq_msg_data(&b), "0123456789abcdef", 16));
    EXPECT_EQ(0, zmq_msg_close(&b));
    EXPECT_EQ(1, g_free_calls.load());
}

TEST_F(Msg, InitDataFreeCalledOnceAfterMoves) {
    void *data = malloc(8);
    zmq_msg_t a, b, c;
    ASSERT_EQ(0, zmq_msg_init_data(&a, data, 8, counting_free, nullptr));
    ASSERT_EQ(0, zmq_msg_init(&b));
    ASSERT_EQ(0, zmq_msg_init(&c));
    ASSERT_EQ(0, zmq_msg_move(&b, &a));
    EXPECT_EQ(0u, zmq_msg_size(&a)) << "source is left empty";
    ASSERT_EQ(0, zmq_msg_move(&c, &b));
    EXPECT_EQ(data, zmq_msg_data(&c));
    EXPECT_EQ(8u, zmq_msg_size(&c));
    EXPECT_EQ(0, zmq_msg_close(&a));
    EXPECT_EQ(0, zmq_msg_close(&b));
    EXPECT_EQ(0, g_free_calls.load());
    EXPECT_EQ(0, zmq_msg_close(&c));
    EXPECT_EQ(1, g_free_calls.load());
}

TEST_F(Msg, CopyOverwritesAndReleasesDestination) {
    void *data = malloc(8);
    zmq_msg_t dst, src;
    ASSERT_EQ(0, zmq_msg_init_data(&dst, data, 8, counting_free, nullptr));
    ASSERT_EQ(0, zmq_msg_init_size(&src, 3));
    memcpy(zmq_msg_data(&src), "abc", 3);
    ASSERT_EQ(0, zmq_msg_copy(&dst, &src));
    EXPECT_EQ(1, g_free_calls.load()) << "old destination content released";
    EXPECT_EQ(3u, zmq_msg_size(&dst));
    EXPECT_EQ(0, memcmp(zmq_msg_data(&dst), "abc", 3));
    EXPECT_EQ(0, zmq_msg_close(&src));
    EXPECT_EQ(0, zmq_msg_close(&dst));
}

TEST_F(Msg, ZeroCopyMessageFreedAfterReceiverCloses) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    void *data = malloc(1000);
    memset(data, 'z', 1000);
    zmq_msg_t m;
    ASSERT_EQ(0, zmq_msg_init_data(&m, data, 1000, counting_free, nullptr));
    ASSERT_EQ(1000, zmq_msg_send(&m, a, 0));
    EXPECT_EQ(0u, zmq_msg_size(&m)) << "sent message is emptied";
    EXPECT_EQ(0, zmq_msg_close(&m));

    zmq_msg_t r;
    ASSERT_EQ(0, zmq_msg_init(&r));
    ASSERT_TRUE(wait_readable(b));
    ASSERT_EQ(1000, zmq_msg_recv(&r, b, 0));
    EXPECT_EQ(0, memcmp(zmq_msg_data(&r), data, 1000)); // still alive
    EXPECT_EQ(0, zmq_msg_close(&r));
    EXPECT_TRUE(eventually([] { return g_free_calls.load() == 1; }));
    EXPECT_EQ(1, g_free_calls.load());
}

TEST(MsgBasic, SmallCopiesAreIndependentLargeCopiesShared) {
    zmq_msg_t small, small_copy, big, big_copy;
    ASSERT_EQ(0, zmq_msg_init_size(&small, 10));
    memcpy(zmq_msg_data(&small), "0123456789", 10);
    zmq_msg_init(&small_copy);
    ASSERT_EQ(0, zmq_msg_copy(&small_copy, &small));
    EXPECT_EQ(0, memcmp(zmq_msg_data(&small_copy), "0123456789", 10));
    EXPECT_EQ(0, zmq_msg_get(&small, ZMQ_SHARED)) << "small messages are copied";

    ASSERT_EQ(0, zmq_msg_init_size(&big, 100));
    memset(zmq_msg_data(&big), 'b', 100);
    zmq_msg_init(&big_copy);
    ASSERT_EQ(0, zmq_msg_copy(&big_copy, &big));
    EXPECT_EQ(1, zmq_msg_get(&big, ZMQ_SHARED));
    EXPECT_EQ(1, zmq_msg_get(&big_copy, ZMQ_SHARED));
    EXPECT_EQ(zmq_msg_data(&big), zmq_msg_data(&big_copy));
    for (zmq_msg_t *m : {&small, &small_copy, &big, &big_copy})
        EXPECT_EQ(0, zmq_msg_close(m));
}

TEST(MsgBasic, GetAndSetProperties) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    // No source fd for a locally built message.
    EXPECT_ZMQ_ERR(zmq_msg_get(&m, ZMQ_SRCFD), EINVAL);
    EXPECT_ZMQ_ERR(zmq_msg_get(&m, 999), EINVAL);
    EXPECT_ZMQ_ERR(zmq_msg_get(&m, -1), EINVAL);
    // Nothing is settable.
    EXPECT_ZMQ_ERR(zmq_msg_set(&m, ZMQ_MORE, 1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_msg_set(&m, ZMQ_SHARED, 1), EINVAL);
    EXPECT_ZMQ_ERR(zmq_msg_set(&m, 999, 1), EINVAL);
    // No metadata on a message that did not come from a connection.
    errno = 0;
    EXPECT_EQ(nullptr, zmq_msg_gets(&m, "Socket-Type"));
    EXPECT_EQ(EINVAL, errno);
    errno = 0;
    EXPECT_EQ(nullptr, zmq_msg_gets(&m, "no-such-property"));
    EXPECT_EQ(EINVAL, errno);
    EXPECT_EQ(0, zmq_msg_close(&m));
}

TEST(MsgBasic, ClosedMessageIsEfault) {
    zmq_msg_t m, other;
    zmq_msg_init(&m);
    zmq_msg_init(&other);
    ASSERT_EQ(0, zmq_msg_close(&m));
    EXPECT_ZMQ_ERR(zmq_msg_close(&m), EFAULT);
    EXPECT_ZMQ_ERR(zmq_msg_copy(&other, &m), EFAULT);
    EXPECT_ZMQ_ERR(zmq_msg_move(&other, &m), EFAULT);
    EXPECT_EQ(0, zmq_msg_close(&other));
}

TEST_F(Msg, MoreFlagOnReceivedParts) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    ASSERT_EQ(3, zmq_send(a, "one", 3, ZMQ_SNDMORE));
    ASSERT_EQ(3, zmq_send(a, "two", 3, 0));
    zmq_msg_t m;
    zmq_msg_init(&m);
    ASSERT_TRUE(wait_readable(b));
    ASSERT_EQ(3, zmq_msg_recv(&m, b, 0));
    EXPECT_EQ(1, zmq_msg_more(&m));
    EXPECT_EQ(1, zmq_msg_get(&m, ZMQ_MORE));
    // inproc messages carry no connection metadata and no fd.
    EXPECT_ZMQ_ERR(zmq_msg_get(&m, ZMQ_SRCFD), EINVAL);
    ASSERT_EQ(3, zmq_msg_recv(&m, b, 0));
    EXPECT_EQ(0, zmq_msg_more(&m));
    EXPECT_EQ(0, zmq_msg_get(&m, ZMQ_MORE));
    EXPECT_EQ(0, zmq_msg_close(&m));
}

TEST_F(Msg, MsgSendEmptiesMessageAndFailureKeepsIt) {
    void *push = make(ZMQ_PUSH); // no peer
    zmq_msg_t m;
    ASSERT_EQ(0, zmq_msg_init_size(&m, 5));
    memcpy(zmq_msg_data(&m), "hello", 5);
    EXPECT_ZMQ_ERR(zmq_msg_send(&m, push, ZMQ_DONTWAIT), EAGAIN);
    EXPECT_EQ(5u, zmq_msg_size(&m)) << "a failed send leaves the message intact";
    EXPECT_ZMQ_ERR(zmq_msg_send(&m, nullptr, 0), ENOTSOCK);
    EXPECT_EQ(0, zmq_msg_close(&m));
}

TEST_F(Msg, RecvTruncatesButReturnsFullSize) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    ASSERT_EQ(10, zmq_send(a, "0123456789", 10, 0));
    char buf[4] = {0, 0, 0, 0};
    ASSERT_TRUE(wait_readable(b));
    EXPECT_EQ(10, zmq_recv(b, buf, 3, 0));
    EXPECT_EQ(0, memcmp(buf, "012", 3));
    EXPECT_EQ(0, buf[3]) << "nothing written past len";
    // Zero-length receive buffers are fine too.
    ASSERT_EQ(6, zmq_send(a, "abcdef", 6, 0));
    ASSERT_TRUE(wait_readable(b));
    EXPECT_EQ(6, zmq_recv(b, nullptr, 0, 0));
}

TEST_F(Msg, EmptyMessages) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    EXPECT_EQ(0, zmq_send(a, nullptr, 0, 0));
    EXPECT_EQ("", recv_str(b));
    EXPECT_EQ(0, zmq_send_const(a, nullptr, 0, 0));
    EXPECT_EQ("", recv_str(b));
}

TEST_F(Msg, SendConstDeliversContent) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    static const char text[] = "constant payload that is longer than a small message";
    ASSERT_EQ(int(sizeof text), zmq_send_const(a, text, sizeof text, ZMQ_SNDMORE));
    ASSERT_EQ(3, zmq_send_const(a, "end", 3, 0));
    const auto parts = recv_multipart(b);
    ASSERT_EQ(2u, parts.size());
    EXPECT_EQ(std::string(text, sizeof text), parts[0]);
    EXPECT_EQ("end", parts[1]);
}

TEST_F(Msg, DeprecatedSendmsgRecvmsg) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    zmq_msg_t m;
    zmq_msg_init_size(&m, 4);
    memcpy(zmq_msg_data(&m), "ping", 4);
    ASSERT_EQ(4, zmq_sendmsg(a, &m, 0));
    zmq_msg_close(&m);
    zmq_msg_init(&m);
    ASSERT_TRUE(wait_readable(b));
    ASSERT_EQ(4, zmq_recvmsg(b, &m, 0));
    EXPECT_EQ(0, memcmp("ping", zmq_msg_data(&m), 4));
    zmq_msg_close(&m);
}

TEST_F(Msg, RecvDontwaitWithNothingIsEagain) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    zmq_msg_t m;
    zmq_msg_init(&m);
    EXPECT_ZMQ_ERR(zmq_msg_recv(&m, b, ZMQ_DONTWAIT), EAGAIN);
    char buf[2];
    EXPECT_ZMQ_ERR(zmq_recv(b, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    zmq_msg_close(&m);
}

// zmq_sendiov sends each part with the caller's flags and the last without
// ZMQ_SNDMORE, so ZMQ_SNDMORE makes one multipart message; it returns the
// last part's size.
TEST_F(Msg, SendiovRecviovRoundTrip) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    char p0[] = "x", p1[] = "yy", p2[] = "zzz";
    iovec out[3] = {{p0, 1}, {p1, 2}, {p2, 3}};
    ASSERT_EQ(3, zmq_sendiov(a, out, 3, ZMQ_SNDMORE));
    iovec in[5];
    size_t count = 5;
    ASSERT_TRUE(wait_readable(b));
    ASSERT_EQ(3, zmq_recviov(b, in, &count, 0));
    ASSERT_EQ(3u, count);
    EXPECT_EQ("x", std::string(static_cast<char *>(in[0].iov_base), in[0].iov_len));
    EXPECT_EQ("yy", std::string(static_cast<char *>(in[1].iov_base), in[1].iov_len));
    EXPECT_EQ("zzz", std::string(static_cast<char *>(in[2].iov_base), in[2].iov_len));
    for (size_t i = 0; i < count; ++i)
        free(in[i].iov_base); // recviov buffers belong to the caller
    EXPECT_EQ(0, get_int(b, ZMQ_RCVMORE));
}

// Flags 0: every part is a message of its own.
TEST_F(Msg, SendiovWithoutSndmoreSendsSeparateMessages) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    char p0[] = "one", p1[] = "three";
    iovec out[2] = {{p0, 3}, {p1, 5}};
    ASSERT_EQ(5, zmq_sendiov(a, out, 2, 0));
    EXPECT_EQ(std::vector<std::string>{"one"}, recv_multipart(b));
    EXPECT_EQ(std::vector<std::string>{"three"}, recv_multipart(b));
    // A single empty part (NULL base) is fine too.
    iovec empty = {nullptr, 0};
    ASSERT_EQ(0, zmq_sendiov(a, &empty, 1, 0));
    EXPECT_EQ(std::vector<std::string>{""}, recv_multipart(b));
}

// A failure reports -1 with the send's errno.
TEST_F(Msg, SendiovReportsSendErrors) {
    void *push = make(ZMQ_PUSH); // no peer: nothing can be queued
    char p0[] = "x";
    iovec out[1] = {{p0, 1}};
    EXPECT_ZMQ_ERR(zmq_sendiov(push, out, 1, ZMQ_DONTWAIT), EAGAIN);
}

// *count is how many parts were filled, also when nothing came (0).
TEST_F(Msg, RecviovCountIsZeroWhenNothingArrived) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    iovec in[3];
    size_t count = 3;
    EXPECT_ZMQ_ERR(zmq_recviov(b, in, &count, ZMQ_DONTWAIT), EAGAIN);
    EXPECT_EQ(0u, count);
}

TEST_F(Msg, RecviovStopsAtCountAndLeavesRest) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    zmq_send(a, "a", 1, ZMQ_SNDMORE);
    zmq_send(a, "bb", 2, ZMQ_SNDMORE);
    zmq_send(a, "ccc", 3, 0);
    iovec in[2];
    size_t count = 2;
    ASSERT_TRUE(wait_readable(b));
    ASSERT_EQ(2, zmq_recviov(b, in, &count, 0));
    EXPECT_EQ(2u, count);
    EXPECT_EQ(1u, in[0].iov_len);
    EXPECT_EQ(2u, in[1].iov_len);
    free(in[0].iov_base);
    free(in[1].iov_base);
    EXPECT_EQ(1, get_int(b, ZMQ_RCVMORE));
    count = 2;
    ASSERT_EQ(1, zmq_recviov(b, in, &count, 0));
    EXPECT_EQ(1u, count);
    EXPECT_EQ("ccc", std::string(static_cast<char *>(in[0].iov_base), in[0].iov_len));
    free(in[0].iov_base);
}

TEST_F(Msg, IovInvalidArguments) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    iovec v[1];
    size_t count = 0;
    EXPECT_ZMQ_ERR(zmq_sendiov(a, nullptr, 1, 0), EINVAL);
    EXPECT_ZMQ_ERR(zmq_sendiov(a, v, 0, 0), EINVAL);
    EXPECT_ZMQ_ERR(zmq_recviov(b, v, &count, ZMQ_DONTWAIT), EINVAL);
    count = 1;
    EXPECT_ZMQ_ERR(zmq_recviov(b, nullptr, &count, ZMQ_DONTWAIT), EINVAL);
    EXPECT_ZMQ_ERR(zmq_sendiov(nullptr, v, 1, 0), ENOTSOCK);
}

TEST_F(Msg, LargeMessageIntact) {
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    std::string big(1 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>(i * 31);
    ASSERT_EQ(int(big.size()), zmq_send(a, big.data(), big.size(), 0));
    EXPECT_TRUE(recv_str(b) == big);
}

TEST_F(Msg, MaxmsgsizeDoesNotApplyToInproc) {
    // ZMQ_MAXMSGSIZE is enforced by the wire decoder only.
    void *a, *b;
    pair(ZMQ_PAIR, ZMQ_PAIR, &a, &b);
    int64_t max = 4;
    ASSERT_EQ(0, zmq_setsockopt(b, ZMQ_MAXMSGSIZE, &max, sizeof max));
    ASSERT_EQ(10, zmq_send(a, "0123456789", 10, 0));
    EXPECT_EQ("0123456789", recv_str(b));
}
