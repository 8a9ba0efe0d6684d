// Helpers for the tests/sockets acceptance suite. Header-only, public API only,
// so the same tests run against zlink and against the system libzmq.
#pragma once

#include <zmq.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace socktest {

// Generous bound for anything that should happen "soon"; tests never depend on it
// except as an upper limit so a broken implementation fails instead of hanging.
constexpr int kWaitMs = 3000;

// Unique inproc endpoint per test (and per call), so `ctest -j` never collides.
inline std::string endpoint(const char *tag = "ep")
{
    static std::atomic<int> counter{0};
    std::string s = "inproc://";
    if (const auto *info =
            ::testing::UnitTest::GetInstance()->current_test_info()) {
        s += info->test_suite_name();
        s += ".";
        s += info->name();
        s += ".";
    }
    s += tag;
    s += ".";
    s += std::to_string(counter++);
    return s;
}

class Ctx {
  public:
    Ctx() : ctx_(zmq_ctx_new()) { EXPECT_NE(nullptr, ctx_); }
    ~Ctx()
    {
        if (ctx_)
            zmq_ctx_term(ctx_);
    }
    Ctx(const Ctx &) = delete;
    Ctx &operator=(const Ctx &) = delete;
    void *get() const { return ctx_; }
    operator void *() const { return ctx_; }

  private:
    void *ctx_;
};

// A socket with LINGER=0 and bounded send/recv timeouts so that a broken
// implementation produces a failure rather than a hung test.
class Sock {
  public:
    Sock(void *ctx, int type) : s_(zmq_socket(ctx, type))
    {
        EXPECT_NE(nullptr, s_) << zmq_strerror(zmq_errno());
        if (!s_)
            return;
        set_int(ZMQ_LINGER, 0);
        set_int(ZMQ_RCVTIMEO, kWaitMs);
        set_int(ZMQ_SNDTIMEO, kWaitMs);
    }
    ~Sock() { close(); }
    Sock(const Sock &) = delete;
    Sock &operator=(const Sock &) = delete;

    void close()
    {
        if (s_) {
            EXPECT_EQ(0, zmq_close(s_));
            s_ = nullptr;
        }
    }
    void *get() const { return s_; }
    operator void *() const { return s_; }

    void set_int(int opt, int v)
    {
        EXPECT_EQ(0, zmq_setsockopt(s_, opt, &v, sizeof v))
            << "option " << opt << ": " << zmq_strerror(zmq_errno());
    }
    void set_str(int opt, const std::string &v)
    {
        EXPECT_EQ(0, zmq_setsockopt(s_, opt, v.data(), v.size()))
            << "option " << opt << ": " << zmq_strerror(zmq_errno());
    }
    int get_int(int opt) const
    {
        int v = -12345;
        size_t len = sizeof v;
        EXPECT_EQ(0, zmq_getsockopt(s_, opt, &v, &len));
        return v;
    }
    void bind(const std::string &ep)
    {
        EXPECT_EQ(0, zmq_bind(s_, ep.c_str()))
            << ep << ": " << zmq_strerror(zmq_errno());
    }
    void connect(const std::string &ep)
    {
        EXPECT_EQ(0, zmq_connect(s_, ep.c_str()))
            << ep << ": " << zmq_strerror(zmq_errno());
    }

  private:
    void *s_;
};

// Expect `expr` (an int-returning zmq call) to fail with errno `err`.
#define EXPECT_ZMQ_ERR(err, expr)                                              \
    do {                                                                       \
        errno = 0;                                                             \
        const int rc_ = (expr);                                                \
        const int e_ = zmq_errno();                                            \
        EXPECT_EQ(-1, rc_) << #expr;                                           \
        EXPECT_EQ((err), e_) << #expr << ": got " << zmq_strerror(e_);         \
    } while (0)

inline int send_str(void *s, const std::string &data, int flags = 0)
{
    const int rc = zmq_send(s, data.data(), data.size(), flags);
    EXPECT_EQ(static_cast<int>(data.size()), rc)
        << "send failed: " << zmq_strerror(zmq_errno());
    return rc;
}

// Receives one frame via zmq_msg_t (so any size works); on failure records a
// test failure and returns a marker that no test ever expects.
inline std::string recv_str(void *s, int flags = 0)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    const int rc = zmq_msg_recv(&msg, s, flags);
    if (rc < 0) {
        const int e = zmq_errno();
        zmq_msg_close(&msg);
        ADD_FAILURE() << "recv failed: " << zmq_strerror(e);
        return "<recv failed>";
    }
    std::string out(static_cast<const char *>(zmq_msg_data(&msg)),
                    zmq_msg_size(&msg));
    EXPECT_EQ(static_cast<int>(out.size()), rc);
    zmq_msg_close(&msg);
    return out;
}

inline bool rcvmore(void *s)
{
    int more = -1;
    size_t len = sizeof more;
    EXPECT_EQ(0, zmq_getsockopt(s, ZMQ_RCVMORE, &more, &len));
    return more != 0;
}

inline void send_multipart(void *s, const std::vector<std::string> &frames,
                           int flags = 0)
{
    for (size_t i = 0; i < frames.size(); ++i)
        send_str(s, frames[i],
                 flags | (i + 1 < frames.size() ? ZMQ_SNDMORE : 0));
}

inline std::vector<std::string> recv_multipart(void *s, int flags = 0)
{
    std::vector<std::string> out;
    do {
        out.push_back(recv_str(s, flags));
        if (out.back() == "<recv failed>")
            break;
    } while (rcvmore(s));
    return out;
}

// errno of a failed send/recv, or 0 if it succeeded.
inline int send_err(void *s, const std::string &data, int flags = 0)
{
    return zmq_send(s, data.data(), data.size(), flags) < 0 ? zmq_errno() : 0;
}
inline int recv_err(void *s, int flags = 0)
{
    char buf[256];
    return zmq_recv(s, buf, sizeof buf, flags) < 0 ? zmq_errno() : 0;
}

inline bool poll_in(void *s, int timeout_ms = kWaitMs)
{
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    const int rc = zmq_poll(&item, 1, timeout_ms);
    EXPECT_GE(rc, 0);
    return rc > 0 && (item.revents & ZMQ_POLLIN);
}

// PUB processes subscriptions asynchronously; publish `topic`-prefixed probes
// until one reaches `sub`, then drain with an end marker (one pipe keeps order).
inline void sync_pub_sub(void *pub, void *sub, const std::string &topic)
{
    bool got = false;
    for (int i = 0; i < 300 && !got; ++i) {
        send_str(pub, topic + ".sync", ZMQ_DONTWAIT);
        got = poll_in(sub, 10);
    }
    ASSERT_TRUE(got) << "subscription '" << topic << "' never took effect";
    send_str(pub, topic + ".sync-end");
    while (recv_str(sub) != topic + ".sync-end") {
    }
}

inline std::string pattern(size_t n, unsigned seed = 7)
{
    std::string s(n, '\0');
    unsigned x = seed;
    for (size_t i = 0; i < n; ++i) {
        x = x * 1103515245u + 12345u;
        s[i] = static_cast<char>(x >> 16);
    }
    return s;
}

} // namespace socktest
