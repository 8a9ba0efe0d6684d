// How a session is made and how commands reach it: one post each, the
// handler carrying the command (see session.hpp).
#include "engine/session.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>

#include "core/mailbox.hpp"
#include "core/pipe.hpp"
#include "engine/handler_memory.hpp"

namespace zlink {

// A command on its way to the session: the posted handler itself (the
// io_context's queue is the only queue). A command no session takes is
// released, also when the io_context drops the handler unrun.
struct session_t::delivered_command {
    std::weak_ptr<session_t> session;
    command_t cmd;

    delivered_command(std::weak_ptr<session_t> s, const command_t &c)
        : session(std::move(s)), cmd(c) {}
    delivered_command(delivered_command &&o) noexcept : session(std::move(o.session)), cmd(o.cmd) {
        o.cmd.pipe = nullptr;
    }
    delivered_command(const delivered_command &) = delete;
    delivered_command &operator=(const delivered_command &) = delete;
    delivered_command &operator=(delivered_command &&) = delete;
    ~delivered_command() {
        if (cmd.pipe)
            mailbox_t::release(cmd);
    }
    void operator()() {
        const command_t c = cmd;
        cmd.pipe = nullptr;
        auto self = session.lock();
        if (self && !self->_finished)
            self->process_command(c);
        else if (c.pipe)
            mailbox_t::release(c);
    }
};

std::shared_ptr<session_t> session_t::create(boost::asio::io_context &io, config_t cfg) {
    std::shared_ptr<session_t> s(new session_t(io, std::move(cfg)));
    std::weak_ptr<session_t> weak = s;
    boost::asio::io_context *iop = &io;
    // One post per command, its handler's memory reused: nothing is
    // allocated per command once the session is warm.
    auto memory = std::make_shared<handler_memory_t>();
    s->_mailbox->set_deliverer([weak, iop, memory](const command_t &cmd) {
        boost::asio::post(*iop, boost::asio::bind_allocator(handler_allocator<void>(memory),
                                                            delivered_command(weak, cmd)));
    });
    return s;
}

void session_t::process_command(const command_t &cmd) {
    if (cmd.pipe) {
        cmd.pipe->process_command(cmd);
        cmd.pipe->drop_ref();
    }
}

} // namespace zlink
