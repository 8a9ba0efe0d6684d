// ROUTER and a peer whose routing id is already taken (no ZMQ_ROUTER_HANDOVER):
// the peer is ignored, and once its connection ends (the session terminates
// its end of the pipe) the socket's end is released too, whatever the peer
// had sent. The pipe pair's release is seen through a metadata reference
// the pair holds until it is freed.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <zmq.h>

#include "core/ctx.hpp"
#include "core/mailbox.hpp"
#include "core/metadata.hpp"
#include "core/pipe.hpp"
#include "core/socket_base.hpp"

using namespace zlink;

namespace {

struct session_side : i_pipe_events {
    void read_activated(pipe_t *) override {}
    void write_activated(pipe_t *) override {}
    void pipe_terminated(pipe_t *) override {}
};

void write(pipe_t *p, const std::string &body, uint8_t flags = 0) {
    msg_t m;
    m.init_buffer(body.data(), body.size());
    m.set_flags(flags);
    ASSERT_TRUE(p->write(&m));
}

// What the router's owner thread does on every call: handle its commands.
void let_router_run(socket_base_t *router) {
    for (int i = 0; i < 4; ++i) {
        int events = 0;
        size_t size = sizeof events;
        router->getsockopt(ZMQ_EVENTS, &events, &size);
    }
}

// A peer connection as the session builds it: the end facing the socket,
// attached to `router`, and the session's end.
struct peer_t {
    pipe_t *socket_end = nullptr;
    pipe_t *session_end = nullptr;
    mailbox_t *mailbox = new mailbox_t;
    session_side sink;

    peer_t(socket_base_t *router, const std::string &id, const std::vector<std::string> &data) {
        pipe_t *ends[2];
        pipe_t::create_pair(ends, pipe_t::config_t{});
        socket_end = ends[0];
        session_end = ends[1];
        session_end->set_owner(&sink, mailbox);
        write(session_end, id, msg_t::routing_id);
        for (const auto &d : data)
            write(session_end, d);
        session_end->flush();
        router->attach_pipe(socket_end);
    }
    // The session's io thread handling what the socket sent it.
    void let_session_run() {
        std::vector<command_t> cmds;
        mailbox->take_all(cmds);
        for (auto &c : cmds) {
            c.pipe->process_command(c);
            c.pipe->drop_ref();
        }
    }
    ~peer_t() {
        mailbox->close();
        mailbox->drop_ref();
    }
};

} // namespace

TEST(RouterDuplicateId, DisconnectedDuplicateReleasesItsPipe) {
    ctx_t *ctx = new ctx_t;
    socket_base_t *router = ctx->create_socket(ZMQ_ROUTER);
    ASSERT_NE(nullptr, router);
    peer_t first(router, "X", {});
    let_router_run(router);

    // The pair holds one reference on this until it is freed.
    auto *witness = new metadata_t(metadata_t::dict_t{});
    {
        peer_t dup(router, "X", {"one", "two"});
        dup.socket_end->set_peer_metadata(witness);
        let_router_run(router);
        dup.session_end->terminate(); // its connection is gone
        let_router_run(router);
        dup.let_session_run();
    }
    const bool released = witness->drop_ref();
    EXPECT_TRUE(released) << "the duplicate's pipe is still alive";
    if (released)
        delete witness;

    msg_t m;
    m.init();
    EXPECT_NE(0, router->recv(&m, ZMQ_DONTWAIT)) << "the duplicate was heard";
    m.close();
    first.session_end->terminate();
    router->close();
    ctx->terminate();
}
