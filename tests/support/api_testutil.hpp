// Helpers for the public-API acceptance tests (tests/api). Only <zmq.h> is
// used, so the same tests run against the system libzmq and against zlink.
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

#include <unistd.h>

namespace apitest {

// Expect a call to fail with -1 and a given errno; zmq_errno() is checked too
// because it is what bindings read.
#define EXPECT_ZMQ_ERR(call, err)                                              \
    do {                                                                       \
        errno = 0;                                                             \
        const int rc_ = static_cast<int>(call);                                \
        const int en_ = errno;                                                 \
        EXPECT_EQ(-1, rc_) << #call;                                           \
        EXPECT_EQ((err), en_) << #call << ": " << zmq_strerror(en_);           \
    } while (0)

#define ASSERT_ZMQ_OK(call)                                                    \
    do {                                                                       \
        const int rc_ = static_cast<int>(call);                                \
        ASSERT_NE(-1, rc_) << #call << ": " << zmq_strerror(zmq_errno());      \
    } while (0)

#define EXPECT_ZMQ_OK(call)                                                    \
    do {                                                                       \
        const int rc_ = static_cast<int>(call);                                \
        EXPECT_NE(-1, rc_) << #call << ": " << zmq_strerror(zmq_errno());      \
    } while (0)

// A name unique within the process and across concurrently running test
// processes (ctest -j), for inproc/ipc endpoints.
inline std::string unique_name(const char *tag) {
    static std::atomic<int> counter{0};
    const ::testing::TestInfo *info =
        ::testing::UnitTest::GetInstance()->current_test_info();
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

inline std::string inproc_ep(const char *tag) { return "inproc://" + unique_name(tag); }

// How long a test may wait for something that should happen "soon".
constexpr int wait_ms = 5000;

// Fixture owning one context; sockets registered with make() are closed with
// linger 0 before the context terminates, so a failed assertion cannot hang.
class ctx_test : public ::testing::Test {
  protected:
    void SetUp() override {
        ctx = zmq_ctx_new();
        ASSERT_NE(nullptr, ctx);
    }
    void TearDown() override {
        for (void *s : sockets) {
            int zero = 0;
            zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
            zmq_close(s);
        }
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
        int zero = 0;
        zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
        EXPECT_EQ(0, zmq_close(s));
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

// Wait until the socket has something to read (bounded); true if it has.
inline bool wait_readable(void *s, int timeout = wait_ms) {
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    const int rc = zmq_poll(&item, 1, timeout);
    return rc == 1 && (item.revents & ZMQ_POLLIN);
}

inline int send_str(void *s, const std::string &str, int flags = 0) {
    return zmq_send(s, str.data(), str.size(), flags);
}

// Receive one frame as a string, waiting at most wait_ms; "<timeout>" or
// "<error>" on failure so comparisons fail readably.
inline std::string recv_str(void *s, int timeout = wait_ms) {
    if (!wait_readable(s, timeout))
        return "<timeout>";
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    const int rc = zmq_msg_recv(&msg, s, ZMQ_DONTWAIT);
    std::string out = rc < 0 ? std::string("<error>")
                             : std::string(static_cast<char *>(zmq_msg_data(&msg)),
                                           zmq_msg_size(&msg));
    zmq_msg_close(&msg);
    return out;
}

// Receive a whole multipart message (bounded wait per frame).
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

inline std::string last_endpoint(void *s) {
    char buf[256];
    size_t len = sizeof buf;
    if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &len) != 0)
        return "<error>";
    return std::string(buf);
}

inline int get_int(void *s, int opt) {
    int v = -12345;
    size_t len = sizeof v;
    EXPECT_EQ(0, zmq_getsockopt(s, opt, &v, &len)) << "opt " << opt << ": "
                                                    << zmq_strerror(zmq_errno());
    EXPECT_EQ(sizeof v, len) << "opt " << opt;
    return v;
}

inline int set_int(void *s, int opt, int v) {
    return zmq_setsockopt(s, opt, &v, sizeof v);
}

// Poll a condition until it holds or the deadline passes.
template <class F> bool eventually(F &&cond, int timeout = wait_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

} // namespace apitest

// Until zlink's wire engine lands, tcp:// is refused with EPROTONOSUPPORT:
// tests that need it are reported as skipped, not passed.
inline bool zlink_has_tcp() {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    const int rc = zmq_bind(s, "tcp://127.0.0.1:*");
    const int err = zmq_errno();
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(s);
    zmq_ctx_term(ctx);
    return rc == 0 || err != EPROTONOSUPPORT;
}
#define SKIP_WITHOUT_TCP()                                                     \
    do {                                                                       \
        if (!zlink_has_tcp())                                                  \
            GTEST_SKIP() << "tcp:// not implemented yet";                      \
    } while (0)
