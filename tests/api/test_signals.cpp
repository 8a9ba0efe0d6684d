// A signal interrupts a thread blocked in zmq_recv, zmq_send, zmq_ctx_term
// or zmq_proxy: the call returns -1 with EINTR, as libzmq's do, so Ctrl-C
// and alarm()-based timeouts reach it. The handler is installed without
// SA_RESTART and the signal goes to the blocked thread with pthread_kill.
#include "proc_testutil.hpp"
#include "testutil.hpp"

#include <functional>

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

using namespace testutil;

namespace {

std::atomic<int> g_signals{0};
void count_signal(int) { g_signals.fetch_add(1); }

// SIGUSR1 handled (without SA_RESTART) for the lifetime of the object.
class sigusr1_handler {
  public:
    sigusr1_handler() {
        struct sigaction sa {};
        sa.sa_handler = count_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;
        sigaction(SIGUSR1, &sa, &old_);
    }
    ~sigusr1_handler() { sigaction(SIGUSR1, &old_, nullptr); }

  private:
    struct sigaction old_ {};
};

// The scheduler state of one of our threads ('S': sleeping in the kernel).
char thread_state(pid_t tid) {
    return sched_state("/proc/self/task/" + std::to_string(tid) + "/stat");
}

struct outcome {
    bool returned; // false: still blocked after the bound (then `unblock` ran)
    int rc;
    int err;
};

// Runs `call` on a thread of its own; once that thread sleeps in the kernel,
// signals it until the call returns (again every few ms, in case a signal
// landed just before the call blocked). After a bound, `unblock` frees it.
outcome interrupt_blocked_call(const std::function<int()> &call,
                               const std::function<void()> &unblock) {
    sigusr1_handler handler;
    std::atomic<pid_t> tid{0};
    std::atomic<bool> done{false};
    int rc = 0, err = 0;
    std::thread t([&] {
        tid = static_cast<pid_t>(::syscall(SYS_gettid));
        rc = call();
        err = errno;
        done = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    const auto before_deadline = [&] { return std::chrono::steady_clock::now() < deadline; };
    while (!done && (tid == 0 || thread_state(tid) != 'S') && before_deadline())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    while (!done && before_deadline()) {
        pthread_kill(t.native_handle(), SIGUSR1);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const bool returned = done;
    if (!returned)
        unblock();
    t.join();
    return {returned, rc, err};
}

#define EXPECT_INTERRUPTED(o)                                                                      \
    do {                                                                                           \
        EXPECT_TRUE((o).returned) << "still blocked after being signalled";                        \
        EXPECT_EQ(-1, (o).rc);                                                                     \
        EXPECT_EQ(EINTR, (o).err) << zmq_strerror((o).err);                                        \
    } while (0)

class Signals : public ctx_test {
  protected:
    // A PUSH -> PULL pair over inproc with room for `hwm` messages each side.
    void push_pull(void **push, void **pull, int hwm = 1000) {
        const std::string ep = inproc_ep("sig");
        *pull = make(ZMQ_PULL);
        *push = make(ZMQ_PUSH);
        set_int(*pull, ZMQ_RCVHWM, hwm);
        set_int(*push, ZMQ_SNDHWM, hwm);
        ASSERT_EQ(0, zmq_bind(*pull, ep.c_str()));
        ASSERT_EQ(0, zmq_connect(*push, ep.c_str()));
    }
    // Fills the pipe until a non-blocking send reports EAGAIN.
    void fill(void *push) {
        for (int i = 0; i < 100; ++i) {
            if (zmq_send(push, "fill", 4, ZMQ_DONTWAIT) < 0) {
                ASSERT_EQ(EAGAIN, errno);
                return;
            }
        }
        FAIL() << "the high-water mark never blocked";
    }
    void shutdown() { zmq_ctx_shutdown(ctx); }
};

} // namespace

TEST_F(Signals, BlockingRecvReturnsEintrAndTheSocketStillWorks) {
    void *push, *pull;
    push_pull(&push, &pull);
    char buf[16];
    const outcome o = interrupt_blocked_call([&] { return zmq_recv(pull, buf, sizeof buf, 0); },
                                             [&] { shutdown(); });
    EXPECT_INTERRUPTED(o);
    EXPECT_GT(g_signals.load(), 0);
    if (!o.returned)
        return;
    ASSERT_EQ(5, send_str(push, "after"));
    EXPECT_EQ("after", recv_str(pull));
}

TEST_F(Signals, RecvWithATimeoutReturnsEintrNotEagain) {
    void *push, *pull;
    push_pull(&push, &pull);
    set_int(pull, ZMQ_RCVTIMEO, 60000);
    char buf[16];
    const outcome o = interrupt_blocked_call([&] { return zmq_recv(pull, buf, sizeof buf, 0); },
                                             [&] { shutdown(); });
    EXPECT_INTERRUPTED(o);
}

// The message given to an interrupted zmq_msg_recv is left empty and valid.
TEST_F(Signals, InterruptedMsgRecvLeavesAnEmptyMessage) {
    void *push, *pull;
    push_pull(&push, &pull);
    zmq_msg_t msg;
    ASSERT_EQ(0, zmq_msg_init_size(&msg, 5));
    memcpy(zmq_msg_data(&msg), "stale", 5);
    const outcome o =
        interrupt_blocked_call([&] { return zmq_msg_recv(&msg, pull, 0); }, [&] { shutdown(); });
    EXPECT_INTERRUPTED(o);
    EXPECT_EQ(0u, zmq_msg_size(&msg));
    EXPECT_EQ(0, zmq_msg_more(&msg));
    if (o.returned) {
        ASSERT_EQ(2, send_str(push, "ok"));
        ASSERT_EQ(2, zmq_msg_recv(&msg, pull, 0));
        EXPECT_EQ(0, memcmp(zmq_msg_data(&msg), "ok", 2));
    }
    EXPECT_EQ(0, zmq_msg_close(&msg));
}

TEST_F(Signals, SendBlockedAtTheHighWaterMarkReturnsEintr) {
    void *push, *pull;
    push_pull(&push, &pull, 1);
    fill(push);
    const outcome o =
        interrupt_blocked_call([&] { return zmq_send(push, "late", 4, 0); }, [&] { shutdown(); });
    EXPECT_INTERRUPTED(o);
    if (!o.returned)
        return;
    // Nothing of the interrupted send was queued: the receiver sees the fill only.
    std::string got;
    while (wait_readable(pull, 200))
        got = recv_str(pull);
    EXPECT_EQ("fill", got);
}

// zmq_msg_send: on EINTR the caller still owns the message, intact.
TEST_F(Signals, InterruptedMsgSendKeepsTheMessage) {
    void *push, *pull;
    push_pull(&push, &pull, 1);
    fill(push);
    zmq_msg_t msg;
    ASSERT_EQ(0, zmq_msg_init_size(&msg, 4));
    memcpy(zmq_msg_data(&msg), "kept", 4);
    const outcome o =
        interrupt_blocked_call([&] { return zmq_msg_send(&msg, push, 0); }, [&] { shutdown(); });
    EXPECT_INTERRUPTED(o);
    ASSERT_EQ(4u, zmq_msg_size(&msg));
    EXPECT_EQ(0, memcmp(zmq_msg_data(&msg), "kept", 4));
    if (o.returned) {
        // Make room, then the same message goes through.
        while (wait_readable(pull, 200))
            EXPECT_EQ("fill", recv_str(pull));
        set_int(push, ZMQ_SNDTIMEO, wait_ms);
        EXPECT_EQ(4, zmq_msg_send(&msg, push, 0));
        EXPECT_EQ("kept", recv_str(pull));
    }
    zmq_msg_close(&msg);
}

TEST_F(Signals, BlockedProxyReturnsEintr) {
    void *front = make(ZMQ_PULL), *back = make(ZMQ_PUSH);
    ASSERT_EQ(0, zmq_bind(front, inproc_ep("front").c_str()));
    ASSERT_EQ(0, zmq_bind(back, inproc_ep("back").c_str()));
    const outcome o = interrupt_blocked_call([&] { return zmq_proxy(front, back, nullptr); },
                                             [&] { shutdown(); });
    EXPECT_INTERRUPTED(o);
}

// libzmq's zmq_ctx_term returns EINTR and may be called again; the sockets
// already got ETERM.
TEST(SignalsCtx, InterruptedCtxTermReturnsEintrAndCanBeRetried) {
    void *ctx = zmq_ctx_new();
    ASSERT_NE(nullptr, ctx);
    void *s = zmq_socket(ctx, ZMQ_PULL);
    ASSERT_NE(nullptr, s);
    ASSERT_EQ(0, zmq_bind(s, inproc_ep("term").c_str()));
    bool closed = false;
    const outcome o = interrupt_blocked_call([&] { return zmq_ctx_term(ctx); },
                                             [&] {
                                                 zmq_close(s);
                                                 closed = true;
                                             });
    EXPECT_INTERRUPTED(o);
    if (!o.returned)
        return; // the unblocked call already terminated the context
    char buf[4];
    EXPECT_ZMQ_ERR(zmq_recv(s, buf, sizeof buf, ZMQ_DONTWAIT), ETERM);
    ASSERT_FALSE(closed);
    EXPECT_EQ(0, zmq_close(s));
    EXPECT_EQ(0, zmq_ctx_term(ctx));
}
