// A cppzmq 4.9 program, the way a cppzmq user writes one (zmq.hpp and
// zmq_addon.hpp from Debian's cppzmq-dev). ctest builds it against zlink's
// <zmq.h> (source compatibility: cppzmq reads ZMQ_VERSION and the option
// constants) and against the system <zmq.h>, and runs the latter on the
// system libzmq and on zlink's libzmq.so.5. Exits 0 after "cppzmq: OK" only
// if every check passed.
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <dlfcn.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

int failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);          \
            ++failures;                                                                            \
            return;                                                                                \
        }                                                                                          \
    } while (0)

void set_timeouts(zmq::socket_t &s) {
    s.set(zmq::sockopt::rcvtimeo, 5000);
    s.set(zmq::sockopt::sndtimeo, 5000);
    s.set(zmq::sockopt::linger, 0);
}

std::string recv_string(zmq::socket_t &s) {
    zmq::message_t m;
    if (!s.recv(m))
        return "<timeout>";
    return m.to_string();
}

void req_rep_and_options(zmq::context_t &ctx) {
    zmq::socket_t rep(ctx, zmq::socket_type::rep);
    set_timeouts(rep);
    rep.bind("tcp://127.0.0.1:*");
    const std::string ep = rep.get(zmq::sockopt::last_endpoint);
    CHECK(ep.rfind("tcp://127.0.0.1:", 0) == 0);
    zmq::socket_t req(ctx, zmq::socket_type::req);
    set_timeouts(req);
    req.set(zmq::sockopt::routing_id, "client-7");
    CHECK(req.get(zmq::sockopt::routing_id) == "client-7");
    CHECK(req.get(zmq::sockopt::type) == ZMQ_REQ);
    CHECK(req.get(zmq::sockopt::rcvtimeo) == 5000);
    req.connect(ep);
    for (int i = 0; i < 100; ++i) {
        const std::string body = "request " + std::to_string(i);
        CHECK(req.send(zmq::buffer(body), zmq::send_flags::none) == body.size());
        CHECK(recv_string(rep) == body);
        CHECK(rep.send(zmq::str_buffer("reply"), zmq::send_flags::none));
        CHECK(recv_string(req) == "reply");
    }
    // A second send on REQ before the reply: cppzmq throws error_t(EFSM).
    CHECK(req.send(zmq::str_buffer("one"), zmq::send_flags::none));
    bool threw_efsm = false;
    try {
        req.send(zmq::str_buffer("two"), zmq::send_flags::none);
    } catch (const zmq::error_t &e) {
        threw_efsm = e.num() == EFSM;
    }
    CHECK(threw_efsm);
    // A receive timeout is an empty optional, not an exception.
    zmq::socket_t lonely(ctx, zmq::socket_type::pull);
    lonely.set(zmq::sockopt::rcvtimeo, 20);
    zmq::message_t m;
    CHECK(!lonely.recv(m));
    // dontwait on an empty socket: also empty, errno EAGAIN underneath.
    CHECK(!lonely.recv(m, zmq::recv_flags::dontwait));
}

void multipart_router_dealer(zmq::context_t &ctx) {
    zmq::socket_t router(ctx, zmq::socket_type::router);
    set_timeouts(router);
    router.bind("tcp://127.0.0.1:*");
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    set_timeouts(dealer);
    dealer.set(zmq::sockopt::routing_id, "d1");
    dealer.connect(router.get(zmq::sockopt::last_endpoint));
    std::array<zmq::const_buffer, 3> parts = {zmq::str_buffer("a"), zmq::str_buffer(""),
                                              zmq::str_buffer("c")};
    CHECK(zmq::send_multipart(dealer, parts) == 3);
    std::vector<zmq::message_t> in;
    CHECK(zmq::recv_multipart(router, std::back_inserter(in)) == 4);
    CHECK(in[0].to_string() == "d1" && in[1].to_string() == "a" && in[2].size() == 0 &&
          in[3].to_string() == "c");
    zmq::multipart_t reply;
    reply.addstr("d1");
    reply.addstr("back");
    CHECK(reply.send(router));
    zmq::multipart_t got(dealer);
    CHECK(got.size() == 1 && got.popstr() == "back");
}

void poll_pub_sub(zmq::context_t &ctx) {
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.bind("tcp://127.0.0.1:*");
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    set_timeouts(sub);
    sub.set(zmq::sockopt::subscribe, "t");
    sub.connect(pub.get(zmq::sockopt::last_endpoint));
    std::vector<zmq::pollitem_t> items = {{sub.handle(), 0, ZMQ_POLLIN, 0}};
    int ready = 0;
    for (int i = 0; i < 200 && ready == 0; ++i) {
        pub.send(zmq::str_buffer("t hello"), zmq::send_flags::none);
        ready = zmq::poll(items, std::chrono::milliseconds(25));
    }
    CHECK(ready == 1 && (items[0].revents & ZMQ_POLLIN));
    CHECK(recv_string(sub) == "t hello");
    // The ZMQ_EVENTS option through cppzmq.
    while (sub.get(zmq::sockopt::events) & ZMQ_POLLIN)
        recv_string(sub);
    pub.send(zmq::str_buffer("other"), zmq::send_flags::none);
    CHECK(zmq::poll(items, std::chrono::milliseconds(100)) == 0);
}

// cppzmq's monitor_t: virtual callbacks per event.
class accept_monitor : public zmq::monitor_t {
  public:
    bool listening = false, accepted = false;
    void on_event_listening(const zmq_event_t &, const char *) override { listening = true; }
    void on_event_accepted(const zmq_event_t &, const char *) override { accepted = true; }
};

void monitor(zmq::context_t &ctx) {
    zmq::socket_t server(ctx, zmq::socket_type::dealer);
    server.set(zmq::sockopt::linger, 0);
    accept_monitor mon;
    mon.init(server, "inproc://zlink-cppzmq-monitor", ZMQ_EVENT_LISTENING | ZMQ_EVENT_ACCEPTED);
    server.bind("tcp://127.0.0.1:*");
    zmq::socket_t client(ctx, zmq::socket_type::dealer);
    client.set(zmq::sockopt::linger, 0);
    client.connect(server.get(zmq::sockopt::last_endpoint));
    for (int i = 0; i < 100 && !(mon.listening && mon.accepted); ++i)
        mon.check_event(50);
    CHECK(mon.listening && mon.accepted);
}

// zmq::proxy in a thread, ended by zmq_ctx_shutdown (ETERM in the proxy).
void proxy_until_shutdown() {
    zmq::context_t ctx;
    zmq::socket_t front(ctx, zmq::socket_type::pull);
    zmq::socket_t back(ctx, zmq::socket_type::push);
    front.bind("inproc://zlink-cppzmq-front");
    back.bind("inproc://zlink-cppzmq-back");
    bool proxy_ended_with_eterm = false;
    std::thread t([&] {
        try {
            zmq::proxy(front, back);
        } catch (const zmq::error_t &e) {
            proxy_ended_with_eterm = e.num() == ETERM;
        }
        front.close();
        back.close();
    });
    {
        zmq::socket_t in(ctx, zmq::socket_type::push);
        zmq::socket_t out(ctx, zmq::socket_type::pull);
        in.set(zmq::sockopt::linger, 0);
        set_timeouts(out);
        in.connect("inproc://zlink-cppzmq-front");
        out.connect("inproc://zlink-cppzmq-back");
        for (int i = 0; i < 10; ++i)
            in.send(zmq::buffer(std::to_string(i)), zmq::send_flags::none);
        bool all = true;
        for (int i = 0; i < 10; ++i)
            all = all && recv_string(out) == std::to_string(i);
        if (!all) {
            std::fprintf(stderr, "proxy: messages lost or reordered\n");
            ++failures;
        }
    }
    ctx.shutdown();
    t.join();
    if (!proxy_ended_with_eterm) {
        std::fprintf(stderr, "proxy: did not end with ETERM after ctx.shutdown()\n");
        ++failures;
    }
}

} // namespace

int main() {
    const bool is_zlink = dlsym(RTLD_DEFAULT, "zlink_version") != nullptr;
    if (std::getenv("ZLINK_EXPECT_ZLINK") && !is_zlink) {
        std::fprintf(stderr, "cppzmq: the library loaded is not zlink\n");
        return 2;
    }
    const auto [major, minor, patch] = zmq::version();
    std::printf("cppzmq %d.%d.%d on %s %d.%d.%d\n", CPPZMQ_VERSION_MAJOR, CPPZMQ_VERSION_MINOR,
                CPPZMQ_VERSION_PATCH, is_zlink ? "zlink" : "libzmq", major, minor, patch);
    try {
        zmq::context_t ctx;
        req_rep_and_options(ctx);
        multipart_router_dealer(ctx);
        poll_pub_sub(ctx);
        monitor(ctx);
        proxy_until_shutdown();
    } catch (const zmq::error_t &e) {
        std::fprintf(stderr, "unexpected zmq::error_t %d: %s\n", e.num(), e.what());
        ++failures;
    }
    if (failures) {
        std::fprintf(stderr, "cppzmq: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("cppzmq: OK\n");
    return 0;
}
