// pipe_t: HWM accounting, activation commands, and the termination protocol
// (data written before terminate() is still delivered, then the peer learns).
#include <gtest/gtest.h>

#include <vector>

#include "core/mailbox.hpp"
#include "core/pipe.hpp"

using namespace zlink;

namespace {
struct recorder : i_pipe_events {
    std::vector<std::string> events;
    void read_activated(pipe_t *) override { events.push_back("read"); }
    void write_activated(pipe_t *) override { events.push_back("write"); }
    void pipe_terminated(pipe_t *) override { events.push_back("term"); }
};

void drain(mailbox_t *mb) {
    std::vector<command_t> cmds;
    mb->take_all(cmds);
    for (auto &c : cmds) {
        c.pipe->process_command(c);
        c.pipe->drop_ref();
    }
}

void send_text(pipe_t *p, const char *s, bool more = false) {
    msg_t m;
    m.init_buffer(s, strlen(s));
    if (more)
        m.set_flags(msg_t::more);
    ASSERT_TRUE(p->write(&m));
}
} // namespace

TEST(pipe, hwm_blocks_and_reader_reactivates_writer) {
    pipe_t *ends[2];
    pipe_t::config_t cfg;
    cfg.hwm[0] = 4;
    cfg.hwm[1] = 4;
    pipe_t::create_pair(ends, cfg);
    auto *mb_a = new mailbox_t, *mb_b = new mailbox_t;
    recorder a, b;
    ends[0]->set_owner(&a, mb_a);
    ends[1]->set_owner(&b, mb_b);

    int written = 0;
    while (ends[0]->check_write()) {
        send_text(ends[0], "x");
        ++written;
    }
    ends[0]->flush();
    EXPECT_EQ(written, 4);
    msg_t m;
    m.init();
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(ends[1]->read(&m));
        m.close();
    }
    drain(mb_a); // the reader reported progress at the low-water mark
    ASSERT_EQ(a.events, std::vector<std::string>{"write"});
    EXPECT_TRUE(ends[0]->check_write());

    ends[0]->terminate();
    ends[1]->terminate();
    mb_a->close();
    mb_b->close();
    mb_a->drop_ref();
    mb_b->drop_ref();
}

TEST(pipe, data_survives_writer_termination_then_peer_is_told) {
    pipe_t *ends[2];
    pipe_t::create_pair(ends, pipe_t::config_t{});
    auto *mb_a = new mailbox_t, *mb_b = new mailbox_t;
    recorder a, b;
    ends[0]->set_owner(&a, mb_a);
    ends[1]->set_owner(&b, mb_b);

    send_text(ends[0], "one");
    send_text(ends[0], "two-a", true); // unfinished multipart: rolled back
    ends[0]->flush();
    ends[0]->terminate();

    drain(mb_b); // pipe_term: keep reading until the delimiter
    msg_t m;
    m.init();
    ASSERT_TRUE(ends[1]->read(&m));
    EXPECT_EQ(std::string(static_cast<char *>(m.data()), m.size()), "one");
    m.close();
    m.init();
    EXPECT_FALSE(ends[1]->read(&m)) << "the partial message must not arrive";
    drain(mb_b);
    EXPECT_EQ(b.events.back(), "term");
    mb_a->close();
    mb_b->close();
    mb_a->drop_ref();
    mb_b->drop_ref();
}

TEST(pipe, nodelay_end_terminates_at_once) {
    pipe_t *ends[2];
    pipe_t::create_pair(ends, pipe_t::config_t{});
    auto *mb_a = new mailbox_t, *mb_b = new mailbox_t;
    recorder a, b;
    ends[0]->set_owner(&a, mb_a);
    ends[1]->set_owner(&b, mb_b);
    ends[1]->set_nodelay();
    send_text(ends[0], "ignored");
    ends[0]->flush();
    ends[0]->terminate();
    drain(mb_b);
    ASSERT_FALSE(b.events.empty());
    EXPECT_EQ(b.events.back(), "term");
    mb_a->close();
    mb_b->close();
    mb_a->drop_ref();
    mb_b->drop_ref();
}

TEST(msg, small_bodies_are_inline_large_are_shared_on_copy) {
    msg_t a, b;
    ASSERT_EQ(a.init_size(msg_t::max_inline), 0);
    EXPECT_TRUE(a.is_inline());
    a.close();
    ASSERT_EQ(a.init_size(1000), 0);
    EXPECT_FALSE(a.is_inline());
    b.init();
    ASSERT_EQ(b.copy(a), 0);
    EXPECT_EQ(a.data(), b.data());
    EXPECT_TRUE(b.is_shared());
    a.close();
    b.close();
    EXPECT_EQ(b.close(), -1) << "double close is EFAULT";
}
