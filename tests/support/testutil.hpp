// Helpers for the public-API tests (tests/api, sockets, network, interop).
// Only <zmq.h> is used, so the same tests run against zlink and against the
// system libzmq. Network extras are in net_testutil.hpp, process-level ones
// in proc_testutil.hpp; all share the namespace testutil.
//
// One meaning per name. A helper whose name ends in _ok records a test
// failure itself when the call fails; the others report what happened
// (a return code, a marker string) and leave the verdict to the test.
#pragma once

#include <zmq.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <unistd.h>

namespace testutil {

// How long a test waits for something that should happen "soon". Only an
// upper bound, so that a broken implementation fails instead of hanging.
constexpr int wait_ms = 5000;

// ---------------------------------------------------------------- assertions

// Expect `call` to fail with -1 and errno `err` (zmq_errno() reads errno).
#define EXPECT_ZMQ_ERR(call, err)                                                                  \
    do {                                                                                           \
        errno = 0;                                                                                 \
        const int rc_ = static_cast<int>(call);                                                    \
        const int en_ = errno;                                                                     \
        EXPECT_EQ(-1, rc_) << #call;                                                               \
        EXPECT_EQ((err), en_) << #call << ": " << zmq_strerror(en_);                               \
    } while (0)

#define ASSERT_ZMQ_OK(call)                                                                        \
    do {                                                                                           \
        const int rc_ = static_cast<int>(call);                                                    \
        ASSERT_NE(-1, rc_) << #call << ": " << zmq_strerror(zmq_errno());                          \
    } while (0)

#define EXPECT_ZMQ_OK(call)                                                                        \
    do {                                                                                           \
        const int rc_ = static_cast<int>(call);                                                    \
        EXPECT_NE(-1, rc_) << #call << ": " << zmq_strerror(zmq_errno());                          \
    } while (0)

// Closes s at once: ZMQ_LINGER 0, so nothing queued holds zmq_ctx_term.
inline int close_linger0(void *s) {
    const int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    return zmq_close(s);
}

// Whether the library under test implements the transport of `spec` at all
// (zlink refused tcp:// with EPROTONOSUPPORT before its wire engine landed).
inline bool transport_supported(const char *spec) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    const int rc = zmq_bind(s, spec);
    const int err = zmq_errno();
    close_linger0(s);
    zmq_ctx_term(ctx);
    return rc == 0 || err != EPROTONOSUPPORT;
}

// Tests that need tcp:// are reported as skipped, not passed, without it.
#define SKIP_WITHOUT_TCP()                                                                         \
    do {                                                                                           \
        if (!testutil::transport_supported("tcp://127.0.0.1:*"))                                   \
            GTEST_SKIP() << "tcp:// not implemented yet";                                          \
    } while (0)

// ---------------------------------------------------------------- names

// A name unique within the process and across concurrently running test
// processes (ctest -j); it names the running test, so it can be long.
inline std::string unique_name(const char *tag) {
    static std::atomic<int> counter{0};
    const ::testing::TestInfo *info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = tag;
    if (info) {
        name += "-";
        name += info->test_suite_name();
        name += ".";
        name += info->name();
    }
    name += "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    return name;
}

// A fresh inproc endpoint (every call a new one).
inline std::string inproc_ep(const char *tag = "ep") { return "inproc://" + unique_name(tag); }

// ---------------------------------------------------------------- sockets

// Fixture owning one context; sockets registered with make() are closed with
// linger 0 before the context terminates, so a failed assertion cannot hang.
class ctx_test : public ::testing::Test {
  protected:
    void SetUp() override {
        ctx = zmq_ctx_new();
        ASSERT_NE(nullptr, ctx);
    }
    void TearDown() override {
        for (void *s : sockets)
            close_linger0(s);
        sockets.clear();
        if (ctx) {
            EXPECT_EQ(0, zmq_ctx_term(ctx));
        }
        ctx = nullptr;
    }
    void *make(int type) {
        void *s = zmq_socket(ctx, type);
        EXPECT_NE(nullptr, s) << zmq_strerror(zmq_errno());
        if (s)
            sockets.push_back(s);
        return s;
    }
    // Close a socket early (and forget it).
    void close(void *s) {
        for (auto it = sockets.begin(); it != sockets.end(); ++it)
            if (*it == s) {
                sockets.erase(it);
                break;
            }
        EXPECT_EQ(0, close_linger0(s));
    }
    // A bound+connected pair of sockets over a fresh inproc endpoint.
    void pair(int bind_type, int connect_type, void **b, void **c) {
        const std::string ep = inproc_ep("pair");
        *b = make(bind_type);
        *c = make(connect_type);
        ASSERT_EQ(0, zmq_bind(*b, ep.c_str()));
        ASSERT_EQ(0, zmq_connect(*c, ep.c_str()));
    }

    void *ctx = nullptr;
    std::vector<void *> sockets;
};

// RAII context, for tests that do not use ctx_test.
class Ctx {
  public:
    Ctx() : ctx_(zmq_ctx_new()) { EXPECT_NE(nullptr, ctx_); }
    ~Ctx() {
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

// RAII socket with LINGER=0 and send/recv timeouts of wait_ms, so that a
// broken implementation produces a failure rather than a hung test. Its
// members expect success (they record a failure otherwise).
class Sock {
  public:
    Sock(void *ctx, int type) : s_(zmq_socket(ctx, type)) {
        EXPECT_NE(nullptr, s_) << zmq_strerror(zmq_errno());
        if (!s_)
            return;
        set_int(ZMQ_LINGER, 0);
        set_int(ZMQ_RCVTIMEO, wait_ms);
        set_int(ZMQ_SNDTIMEO, wait_ms);
    }
    ~Sock() { close(); }
    Sock(const Sock &) = delete;
    Sock &operator=(const Sock &) = delete;

    void close() {
        if (s_) {
            EXPECT_EQ(0, zmq_close(s_));
            s_ = nullptr;
        }
    }
    void *get() const { return s_; }
    operator void *() const { return s_; }

    void set_int(int opt, int v) {
        EXPECT_EQ(0, zmq_setsockopt(s_, opt, &v, sizeof v))
            << "option " << opt << ": " << zmq_strerror(zmq_errno());
    }
    void set_str(int opt, const std::string &v) {
        EXPECT_EQ(0, zmq_setsockopt(s_, opt, v.data(), v.size()))
            << "option " << opt << ": " << zmq_strerror(zmq_errno());
    }
    int get_int(int opt) const {
        int v = -12345;
        size_t len = sizeof v;
        EXPECT_EQ(0, zmq_getsockopt(s_, opt, &v, &len));
        return v;
    }
    void bind(const std::string &ep) {
        EXPECT_EQ(0, zmq_bind(s_, ep.c_str())) << ep << ": " << zmq_strerror(zmq_errno());
    }
    void connect(const std::string &ep) {
        EXPECT_EQ(0, zmq_connect(s_, ep.c_str())) << ep << ": " << zmq_strerror(zmq_errno());
    }

  private:
    void *s_;
};

// ---------------------------------------------------------------- options

inline std::string last_endpoint(void *s) {
    char buf[256];
    size_t len = sizeof buf;
    if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &len) != 0)
        return "<error>";
    return std::string(buf);
}

// An int option; a failing zmq_getsockopt is a test failure.
inline int get_int(void *s, int opt) {
    int v = -12345;
    size_t len = sizeof v;
    EXPECT_EQ(0, zmq_getsockopt(s, opt, &v, &len))
        << "opt " << opt << ": " << zmq_strerror(zmq_errno());
    EXPECT_EQ(sizeof v, len) << "opt " << opt;
    return v;
}

// zmq_setsockopt's result (the test decides whether it had to succeed).
inline int set_int(void *s, int opt, int v) { return zmq_setsockopt(s, opt, &v, sizeof v); }

// An int option that has to be accepted (a failure is a test failure).
inline void set_int_ok(void *s, int opt, int v) {
    EXPECT_EQ(0, set_int(s, opt, v)) << "opt " << opt << ": " << zmq_strerror(zmq_errno());
}

// The socket's ZMQ_FD (a failure to read it is a test failure).
inline int socket_fd(void *s) {
    int fd = -1;
    size_t len = sizeof fd;
    EXPECT_EQ(0, zmq_getsockopt(s, ZMQ_FD, &fd, &len));
    return fd;
}

// Whether a plain descriptor becomes readable within `timeout` ms.
inline bool fd_readable(int fd, int timeout) {
    pollfd p = {fd, POLLIN, 0};
    return ::poll(&p, 1, timeout) == 1 && (p.revents & POLLIN);
}

// ---------------------------------------------------------------- waiting

// Wait until the socket has something to read (bounded); true if it has.
inline bool wait_readable(void *s, int timeout = wait_ms) {
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    const int rc = zmq_poll(&item, 1, timeout);
    return rc == 1 && (item.revents & ZMQ_POLLIN);
}

// wait_readable, where a failing zmq_poll is also a test failure.
inline bool poll_in(void *s, int timeout = wait_ms) {
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    const int rc = zmq_poll(&item, 1, timeout);
    EXPECT_GE(rc, 0);
    return rc > 0 && (item.revents & ZMQ_POLLIN);
}

// Poll a condition until it holds or the deadline passes.
template <class F>
bool eventually(F &&cond, int timeout = wait_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

// zmq_socket, retried while it fails with EMFILE (bounded): a closed
// socket's descriptor and slot are released a little later, on the
// library's reaper thread.
inline void *socket_when_possible(void *ctx, int type) {
    void *s = nullptr;
    eventually([&] { return (s = zmq_socket(ctx, type)) != nullptr || errno != EMFILE; });
    return s;
}

// ---------------------------------------------------------------- messages

// zmq_send's result.
inline int send_str(void *s, const std::string &str, int flags = 0) {
    return zmq_send(s, str.data(), str.size(), flags);
}

// A send that must succeed (a failure is recorded); zmq_send's result.
inline int send_ok(void *s, const std::string &data, int flags = 0) {
    const int rc = zmq_send(s, data.data(), data.size(), flags);
    EXPECT_EQ(static_cast<int>(data.size()), rc) << "send failed: " << zmq_strerror(zmq_errno());
    return rc;
}

// Every frame with send_ok, ZMQ_SNDMORE on all but the last.
inline void send_multipart_ok(void *s, const std::vector<std::string> &frames, int flags = 0) {
    for (size_t i = 0; i < frames.size(); ++i)
        send_ok(s, frames[i], flags | (i + 1 < frames.size() ? ZMQ_SNDMORE : 0));
}

// errno of a failed send/recv, or 0 if it succeeded.
inline int send_err(void *s, const std::string &data, int flags = 0) {
    return zmq_send(s, data.data(), data.size(), flags) < 0 ? zmq_errno() : 0;
}
inline int recv_err(void *s, int flags = 0) {
    char buf[256];
    return zmq_recv(s, buf, sizeof buf, flags) < 0 ? zmq_errno() : 0;
}

// One frame as a string, waiting at most `timeout` ms; "<timeout>" or
// "<error>" on failure so that comparisons fail readably.
inline std::string recv_str(void *s, int timeout = wait_ms) {
    if (!wait_readable(s, timeout))
        return "<timeout>";
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    const int rc = zmq_msg_recv(&msg, s, ZMQ_DONTWAIT);
    std::string out =
        rc < 0 ? std::string("<error>")
               : std::string(static_cast<char *>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
    zmq_msg_close(&msg);
    return out;
}

// A whole multipart message (bounded wait per frame; markers as recv_str).
inline std::vector<std::string> recv_multipart(void *s, int timeout = wait_ms) {
    std::vector<std::string> parts;
    for (;;) {
        if (!wait_readable(s, timeout)) {
            parts.push_back("<timeout>");
            return parts;
        }
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, s, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            parts.push_back("<error>");
            return parts;
        }
        parts.emplace_back(static_cast<char *>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
        const bool more = zmq_msg_more(&msg);
        zmq_msg_close(&msg);
        if (!more)
            return parts;
    }
}

// One frame by zmq_msg_recv(flags) that must succeed: it blocks as the
// socket does (Sock: up to wait_ms); a failure is recorded and gives a
// marker that no test expects.
inline std::string recv_ok(void *s, int flags = 0) {
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    const int rc = zmq_msg_recv(&msg, s, flags);
    if (rc < 0) {
        const int e = zmq_errno();
        zmq_msg_close(&msg);
        ADD_FAILURE() << "recv failed: " << zmq_strerror(e);
        return "<recv failed>";
    }
    std::string out(static_cast<const char *>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
    EXPECT_EQ(static_cast<int>(out.size()), rc);
    zmq_msg_close(&msg);
    return out;
}

// ZMQ_RCVMORE after the last receive (reading it must succeed).
inline bool rcvmore(void *s) {
    int more = -1;
    size_t len = sizeof more;
    EXPECT_EQ(0, zmq_getsockopt(s, ZMQ_RCVMORE, &more, &len));
    return more != 0;
}

// A whole multipart message with recv_ok (stops at the first failure).
inline std::vector<std::string> recv_multipart_ok(void *s, int flags = 0) {
    std::vector<std::string> out;
    do {
        out.push_back(recv_ok(s, flags));
        if (out.back() == "<recv failed>")
            break;
    } while (rcvmore(s));
    return out;
}

// PUB processes subscriptions asynchronously; publish `topic`-prefixed probes
// until one reaches `sub`, then drain with an end marker (one pipe keeps order).
inline void sync_pub_sub(void *pub, void *sub, const std::string &topic) {
    bool got = false;
    for (int i = 0; i < 300 && !got; ++i) {
        send_ok(pub, topic + ".sync", ZMQ_DONTWAIT);
        got = poll_in(sub, 10);
    }
    ASSERT_TRUE(got) << "subscription '" << topic << "' never took effect";
    send_ok(pub, topic + ".sync-end");
    while (recv_ok(sub) != topic + ".sync-end") {
    }
}

// `n` pseudo-random bytes, the same for the same seed.
inline std::string pattern(size_t n, unsigned seed = 7) {
    std::string s(n, '\0');
    unsigned x = seed;
    for (size_t i = 0; i < n; ++i) {
        x = x * 1103515245u + 12345u;
        s[i] = static_cast<char>(x >> 16);
    }
    return s;
}

} // namespace testutil
