// zlink::poll, zlink::socket_poller and zlink::proxy through their C++
// entry points. They use only the public socket API, so this file also
// builds against the system libzmq (compile src/api/{poll,poller,proxy}.cpp
// with it) to check the logic independently of zlink's core.
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include "api/poll.hpp"
#include "api/poller.hpp"
#include "api/proxy.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

std::string unique_inproc(const char *what) {
    static std::atomic<int> counter{0};
    return "inproc://poll-impl-" + std::string(what) + "-" + std::to_string(getpid()) + "-" +
           std::to_string(counter++);
}

struct ctx_fixture : ::testing::Test {
    void *ctx = nullptr;
    void SetUp() override {
        ctx = zmq_ctx_new();
        ASSERT_NE(ctx, nullptr);
    }
    void TearDown() override {
        if (ctx) {
            ASSERT_EQ(zmq_ctx_term(ctx), 0);
        }
    }
    void *socket(int type) {
        void *s = zmq_socket(ctx, type);
        EXPECT_NE(s, nullptr);
        int linger = 0;
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
        return s;
    }
    // A connected PAIR couple over a fresh inproc endpoint.
    void pair(void **a, void **b) {
        const std::string ep = unique_inproc("pair");
        *a = socket(ZMQ_PAIR);
        *b = socket(ZMQ_PAIR);
        ASSERT_EQ(zmq_bind(*a, ep.c_str()), 0);
        ASSERT_EQ(zmq_connect(*b, ep.c_str()), 0);
    }
};

std::string recv_string(void *s, int flags = 0) {
    char buf[256];
    const int n = zmq_recv(s, buf, sizeof buf, flags);
    return n < 0 ? std::string("<error>") : std::string(buf, static_cast<size_t>(n));
}

void send_string(void *s, const std::string &str, int flags = 0) {
    ASSERT_EQ(zmq_send(s, str.data(), str.size(), flags), static_cast<int>(str.size()));
}

// ---- zlink::poll -----------------------------------------------------------

TEST(poll_impl, argument_errors) {
    EXPECT_EQ(zlink::poll(nullptr, 0, 0), 0);
    EXPECT_EQ(zlink::poll(nullptr, 1, 0), -1);
    EXPECT_EQ(errno, EFAULT);
    zmq_pollitem_t item{nullptr, -1, ZMQ_POLLIN, 0};
    EXPECT_EQ(zlink::poll(&item, -1, 0), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(zlink::poll(nullptr, 0, 5), 0); // nitems 0 just sleeps
}

TEST_F(ctx_fixture, poll_socket_in_and_out) {
    void *a, *b;
    pair(&a, &b);
    zmq_pollitem_t items[] = {{a, -1, ZMQ_POLLIN, 0}, {b, -1, ZMQ_POLLIN, 0}};
    EXPECT_EQ(zlink::poll(items, 2, 0), 0);
    EXPECT_EQ(zlink::poll(items, 2, 20), 0);
    EXPECT_EQ(items[0].revents, 0);

    send_string(a, "hello");
    EXPECT_EQ(zlink::poll(items, 2, 2000), 1);
    EXPECT_EQ(items[0].revents, 0);
    EXPECT_EQ(items[1].revents, ZMQ_POLLIN);
    EXPECT_EQ(recv_string(b, ZMQ_DONTWAIT), "hello");
    EXPECT_EQ(zlink::poll(items, 2, 0), 0);

    items[0].events = ZMQ_POLLOUT;
    EXPECT_EQ(zlink::poll(items, 2, 2000), 1);
    EXPECT_EQ(items[0].revents, ZMQ_POLLOUT);
    zmq_close(a);
    zmq_close(b);
}

TEST_F(ctx_fixture, poll_wakes_on_message_from_other_thread) {
    void *a, *b;
    pair(&a, &b);
    std::thread sender([a] { send_string(a, "late"); });
    zmq_pollitem_t item{b, -1, ZMQ_POLLIN, 0};
    EXPECT_EQ(zlink::poll(&item, 1, -1), 1);
    EXPECT_EQ(item.revents, ZMQ_POLLIN);
    sender.join();
    EXPECT_EQ(recv_string(b), "late");
    zmq_close(a);
    zmq_close(b);
}

TEST_F(ctx_fixture, poll_many_items_uses_heap_path) {
    // More than ZMQ_POLLITEMS_DFLT items takes the heap buffer.
    std::vector<void *> socks;
    std::vector<zmq_pollitem_t> items;
    for (int i = 0; i < 20; ++i) {
        void *a, *b;
        pair(&a, &b);
        socks.push_back(a);
        socks.push_back(b);
        items.push_back({b, -1, ZMQ_POLLIN, 0});
    }
    send_string(socks[2 * 19], "x");
    EXPECT_EQ(zlink::poll(items.data(), static_cast<int>(items.size()), 2000), 1);
    EXPECT_EQ(items[19].revents, ZMQ_POLLIN);
    for (void *s : socks)
        zmq_close(s);
}

TEST(poll_impl, raw_fds) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    zmq_pollitem_t items[] = {{nullptr, fds[0], ZMQ_POLLIN, 0}, {nullptr, fds[1], ZMQ_POLLOUT, 0}};
    EXPECT_EQ(zlink::poll(items, 1, 10), 0);
    EXPECT_EQ(zlink::poll(items, 2, 0), 1);
    EXPECT_EQ(items[1].revents, ZMQ_POLLOUT);
    ASSERT_EQ(write(fds[1], "x", 1), 1);
    EXPECT_EQ(zlink::poll(items, 2, 1000), 2);
    EXPECT_EQ(items[0].revents, ZMQ_POLLIN);
    close(fds[1]);
    char c;
    ASSERT_EQ(read(fds[0], &c, 1), 1);
    // Hang-up is reported as an error condition even when not requested.
    EXPECT_EQ(zlink::poll(items, 1, 1000), 1);
    EXPECT_NE(items[0].revents & ZMQ_POLLERR, 0);
    close(fds[0]);
}

TEST_F(ctx_fixture, poll_mixed_socket_and_fd_wakes_on_fd) {
    void *a, *b;
    pair(&a, &b);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::thread writer([&] { ASSERT_EQ(write(fds[1], "x", 1), 1); });
    zmq_pollitem_t items[] = {{b, -1, ZMQ_POLLIN, 0}, {nullptr, fds[0], ZMQ_POLLIN, 0}};
    EXPECT_EQ(zlink::poll(items, 2, -1), 1);
    EXPECT_EQ(items[1].revents, ZMQ_POLLIN);
    writer.join();
    close(fds[0]);
    close(fds[1]);
    zmq_close(a);
    zmq_close(b);
}

TEST(poll_impl, not_a_socket) {
    alignas(16) unsigned char bogus[512] = {};
    zmq_pollitem_t item{bogus, -1, ZMQ_POLLIN, 0};
    EXPECT_EQ(zlink::poll(&item, 1, 0), -1);
    EXPECT_EQ(errno, ENOTSOCK);
}

TEST_F(ctx_fixture, poll_reports_eterm) {
    void *s = socket(ZMQ_PULL);
    std::thread killer([this] { zmq_ctx_shutdown(ctx); });
    zmq_pollitem_t item{s, -1, ZMQ_POLLIN, 0};
    int rc;
    // Returns once the shutdown reaches the socket; never an event.
    while ((rc = zlink::poll(&item, 1, 100)) == 0) {
    }
    EXPECT_EQ(rc, -1);
    EXPECT_EQ(errno, ETERM);
    killer.join();
    zmq_close(s);
}

// ---- zlink::socket_poller -------------------------------------------------

TEST_F(ctx_fixture, poller_registration_errors) {
    void *a, *b;
    pair(&a, &b);
    zlink::socket_poller poller;
    EXPECT_TRUE(poller.check_tag());
    EXPECT_EQ(poller.add(b, nullptr, ZMQ_POLLIN), 0);
    EXPECT_EQ(poller.add(b, nullptr, ZMQ_POLLIN), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(poller.remove(a), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(poller.modify(a, ZMQ_POLLIN), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(poller.add(nullptr, nullptr, ZMQ_POLLIN), -1);
    EXPECT_EQ(errno, ENOTSOCK);
    alignas(16) unsigned char bogus[512] = {};
    EXPECT_EQ(poller.add(bogus, nullptr, ZMQ_POLLIN), -1);
    EXPECT_EQ(errno, ENOTSOCK);
    EXPECT_EQ(poller.add_fd(-1, nullptr, ZMQ_POLLIN), -1);
    EXPECT_EQ(errno, EBADF);
    EXPECT_EQ(poller.remove_fd(3), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(poller.size(), 1);
    zmq_fd_t fd;
    EXPECT_EQ(poller.signaler_fd(&fd), -1); // no thread-safe socket
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(poller.remove(b), 0);
    EXPECT_EQ(poller.size(), 0);
    zmq_poller_event_t ev;
    EXPECT_EQ(poller.wait(&ev, 1, -1), -1); // empty and infinite
    EXPECT_EQ(errno, EFAULT);
    EXPECT_EQ(poller.wait(&ev, 1, 0), -1);
    EXPECT_EQ(errno, EAGAIN);
    zmq_close(a);
    zmq_close(b);
}

TEST_F(ctx_fixture, poller_reports_socket_and_fd_events) {
    void *a, *b;
    pair(&a, &b);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    int tag_b = 0, tag_fd = 0;
    zlink::socket_poller poller;
    ASSERT_EQ(poller.add(b, &tag_b, ZMQ_POLLIN), 0);
    ASSERT_EQ(poller.add_fd(fds[0], &tag_fd, ZMQ_POLLIN), 0);
    zmq_poller_event_t events[2];
    EXPECT_EQ(poller.wait(events, 2, 0), -1);
    EXPECT_EQ(errno, EAGAIN);
    EXPECT_EQ(poller.wait(events, 2, 20), -1);
    EXPECT_EQ(errno, EAGAIN);

    std::thread sender([a] { send_string(a, "msg"); });
    ASSERT_EQ(poller.wait(events, 2, -1), 1);
    sender.join();
    EXPECT_EQ(events[0].socket, b);
    EXPECT_EQ(events[0].fd, -1);
    EXPECT_EQ(events[0].user_data, &tag_b);
    EXPECT_EQ(events[0].events, ZMQ_POLLIN);
    EXPECT_EQ(events[1].socket, nullptr); // trailing entries are cleared
    EXPECT_EQ(events[1].events, 0);

    ASSERT_EQ(write(fds[1], "x", 1), 1);
    ASSERT_EQ(poller.wait(events, 2, 1000), 2);
    EXPECT_EQ(events[1].socket, nullptr);
    EXPECT_EQ(events[1].fd, fds[0]);
    EXPECT_EQ(events[1].user_data, &tag_fd);
    EXPECT_EQ(events[1].events, ZMQ_POLLIN);

    // Only n events are returned, and a disabled item reports nothing.
    ASSERT_EQ(poller.wait(events, 1, 0), 1);
    ASSERT_EQ(poller.modify(b, 0), 0);
    ASSERT_EQ(poller.wait(events, 2, 0), 1);
    EXPECT_EQ(events[0].fd, fds[0]);
    ASSERT_EQ(poller.modify_fd(fds[0], 0), 0);
    EXPECT_EQ(poller.wait(events, 2, -1), -1); // all subscriptions disabled
    EXPECT_EQ(errno, EFAULT);
    ASSERT_EQ(poller.modify(b, ZMQ_POLLIN | ZMQ_POLLOUT), 0);
    ASSERT_EQ(poller.wait(events, 2, 0), 1);
    EXPECT_EQ(events[0].events, ZMQ_POLLIN | ZMQ_POLLOUT);
    EXPECT_EQ(recv_string(b), "msg");
    ASSERT_EQ(poller.wait(events, 2, 0), 1);
    EXPECT_EQ(events[0].events, ZMQ_POLLOUT);

    close(fds[0]);
    close(fds[1]);
    zmq_close(a);
    zmq_close(b);
}

TEST_F(ctx_fixture, poller_reports_eterm) {
    void *s = socket(ZMQ_PULL);
    zlink::socket_poller poller;
    ASSERT_EQ(poller.add(s, nullptr, ZMQ_POLLIN), 0);
    std::thread killer([this] { zmq_ctx_shutdown(ctx); });
    zmq_poller_event_t ev;
    int rc;
    while ((rc = poller.wait(&ev, 1, 100)) == -1 && errno == EAGAIN) {
    }
    EXPECT_EQ(rc, -1);
    EXPECT_EQ(errno, ETERM);
    killer.join();
    zmq_close(s);
}

// ---- zlink::proxy ---------------------------------------------------------

struct proxy_rig {
    std::string front_ep = unique_inproc("front");
    std::string back_ep = unique_inproc("back");
    std::string ctrl_ep = unique_inproc("ctrl");
    std::string cap_ep = unique_inproc("cap");
};

std::vector<std::uint64_t> statistics(void *control) {
    send_string(control, "STATISTICS");
    std::vector<std::uint64_t> values;
    int more = 1;
    while (more) {
        std::uint64_t v = 0;
        EXPECT_EQ(zmq_recv(control, &v, sizeof v, 0), 8);
        values.push_back(v);
        size_t len = sizeof more;
        zmq_getsockopt(control, ZMQ_RCVMORE, &more, &len);
    }
    return values;
}

TEST_F(ctx_fixture, proxy_forwards_multipart_with_capture_and_control) {
    proxy_rig rig;
    void *front = socket(ZMQ_PULL);
    void *back = socket(ZMQ_PUSH);
    void *cap = socket(ZMQ_PUSH);
    void *ctrl = socket(ZMQ_PAIR);
    ASSERT_EQ(zmq_bind(front, rig.front_ep.c_str()), 0);
    ASSERT_EQ(zmq_bind(back, rig.back_ep.c_str()), 0);
    ASSERT_EQ(zmq_bind(cap, rig.cap_ep.c_str()), 0);
    ASSERT_EQ(zmq_bind(ctrl, rig.ctrl_ep.c_str()), 0);
    void *producer = socket(ZMQ_PUSH);
    void *consumer = socket(ZMQ_PULL);
    void *capture_sink = socket(ZMQ_PULL);
    void *controller = socket(ZMQ_PAIR);
    ASSERT_EQ(zmq_connect(producer, rig.front_ep.c_str()), 0);
    ASSERT_EQ(zmq_connect(consumer, rig.back_ep.c_str()), 0);
    ASSERT_EQ(zmq_connect(capture_sink, rig.cap_ep.c_str()), 0);
    ASSERT_EQ(zmq_connect(controller, rig.ctrl_ep.c_str()), 0);

    int result = -2;
    std::thread runner([&] { result = zlink::proxy(front, back, cap, ctrl); });

    for (int i = 0; i < 3; ++i) {
        send_string(producer, "a", ZMQ_SNDMORE);
        send_string(producer, "bc");
    }
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(recv_string(consumer), "a");
        int more = 0;
        size_t len = sizeof more;
        zmq_getsockopt(consumer, ZMQ_RCVMORE, &more, &len);
        EXPECT_EQ(more, 1);
        EXPECT_EQ(recv_string(consumer), "bc");
        EXPECT_EQ(recv_string(capture_sink), "a");
        EXPECT_EQ(recv_string(capture_sink), "bc");
    }
    const std::vector<std::uint64_t> want = {3, 9, 0, 0, 0, 0, 3, 9}; // whole messages, every byte
    EXPECT_EQ(statistics(controller), want);

    // While paused nothing moves; STATISTICS proves PAUSE was processed.
    send_string(controller, "PAUSE");
    statistics(controller);
    send_string(producer, "held");
    zmq_pollitem_t item{consumer, -1, ZMQ_POLLIN, 0};
    EXPECT_EQ(zlink::poll(&item, 1, 50), 0);
    send_string(controller, "RESUME");
    EXPECT_EQ(recv_string(consumer), "held");

    send_string(controller, "TERMINATE");
    runner.join();
    EXPECT_EQ(result, 0);
    for (void *s : {front, back, cap, ctrl, producer, consumer, capture_sink, controller})
        zmq_close(s);
}

TEST_F(ctx_fixture, proxy_router_dealer_both_directions_with_rep_control) {
    proxy_rig rig;
    void *front = socket(ZMQ_ROUTER);
    void *back = socket(ZMQ_DEALER);
    void *ctrl = socket(ZMQ_REP);
    ASSERT_EQ(zmq_bind(front, rig.front_ep.c_str()), 0);
    ASSERT_EQ(zmq_bind(back, rig.back_ep.c_str()), 0);
    ASSERT_EQ(zmq_bind(ctrl, rig.ctrl_ep.c_str()), 0);
    void *client = socket(ZMQ_REQ);
    void *worker = socket(ZMQ_REP);
    void *controller = socket(ZMQ_REQ);
    ASSERT_EQ(zmq_connect(client, rig.front_ep.c_str()), 0);
    ASSERT_EQ(zmq_connect(worker, rig.back_ep.c_str()), 0);
    ASSERT_EQ(zmq_connect(controller, rig.ctrl_ep.c_str()), 0);

    int result = -2;
    std::thread runner([&] { result = zlink::proxy(front, back, nullptr, ctrl); });
    for (int i = 0; i < 5; ++i) {
        send_string(client, "ping");
        EXPECT_EQ(recv_string(worker), "ping");
        send_string(worker, "pong");
        EXPECT_EQ(recv_string(client), "pong");
    }
    const std::vector<std::uint64_t> stats = statistics(controller);
    ASSERT_EQ(stats.size(), 8u);
    // Whole messages (routing id + delimiter + body count as one), as libzmq.
    EXPECT_EQ(stats[0], 5u); // frontend received
    EXPECT_EQ(stats[2], 5u); // frontend sent
    EXPECT_EQ(stats[4], 5u); // backend received
    EXPECT_EQ(stats[6], 5u); // backend sent
    EXPECT_EQ(stats[1], stats[7]);
    EXPECT_EQ(stats[5], stats[3]);

    send_string(controller, "PAUSE"); // REP control answers every command
    EXPECT_EQ(recv_string(controller), "");
    send_string(controller, "RESUME");
    EXPECT_EQ(recv_string(controller), "");
    send_string(controller, "TERMINATE");
    EXPECT_EQ(recv_string(controller), "");
    runner.join();
    EXPECT_EQ(result, 0);
    for (void *s : {front, back, ctrl, client, worker, controller})
        zmq_close(s);
}

TEST_F(ctx_fixture, proxy_waits_for_writable_backend_without_losing_messages) {
    proxy_rig rig;
    void *front = socket(ZMQ_PULL);
    void *back = socket(ZMQ_PUSH); // no peer yet: not writable
    ASSERT_EQ(zmq_bind(front, rig.front_ep.c_str()), 0);
    ASSERT_EQ(zmq_bind(back, rig.back_ep.c_str()), 0);
    void *producer = socket(ZMQ_PUSH);
    ASSERT_EQ(zmq_connect(producer, rig.front_ep.c_str()), 0);
    int result = -2;
    std::thread runner([&] { result = zlink::proxy(front, back, nullptr, nullptr); });
    for (int i = 0; i < 10; ++i) {
        send_string(producer, std::to_string(i), ZMQ_SNDMORE);
        send_string(producer, "tail");
    }
    // The first frame the proxy takes is held until the backend can send;
    // its remaining frames must follow it intact and in order.
    void *consumer = socket(ZMQ_PULL);
    ASSERT_EQ(zmq_connect(consumer, rig.back_ep.c_str()), 0);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(recv_string(consumer), std::to_string(i));
        EXPECT_EQ(recv_string(consumer), "tail");
    }
    zmq_close(producer);
    zmq_close(consumer);
    // The proxy only ends with its context.
    std::thread killer([this] { zmq_ctx_shutdown(ctx); });
    runner.join();
    killer.join();
    EXPECT_EQ(result, -1);
    zmq_close(front);
    zmq_close(back);
}

TEST(poll_impl, proxy_rejects_null_sockets) {
    EXPECT_EQ(zlink::proxy(nullptr, nullptr, nullptr, nullptr), -1);
    EXPECT_EQ(errno, EFAULT);
}

} // namespace
