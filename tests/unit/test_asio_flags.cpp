// The plan's flags as socket options (zlink.h 1003-1007): each 0/1 with a
// default of 1, EINVAL otherwise; ZMQ_ASIO_APP_THREAD_WRITE is the plan's
// name for ZLINK_APP_THREAD_WRITE (one setting, two option numbers, two
// environment names, the new one winning). The other flags' engine effects
// are in test_asio_zerocopy/_compaction/_batching/_handshake_boundary.
#include "test_asio_common.hpp"

#include "core/direct_writer.hpp"

using namespace asiotest;

namespace {

int get_int(void *s, int option) {
    int v = -12345;
    size_t len = sizeof v;
    EXPECT_EQ(0, zmq_getsockopt(s, option, &v, &len));
    return v;
}

TEST(AsioFlags, SocketOptionsRoundTrip) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    for (int option : {ZMQ_ASIO_ZEROCOPY_WRITE, ZMQ_ASIO_LAZY_COMPACT, ZMQ_ASIO_WRITE_BATCHING,
                       ZMQ_ASIO_HANDSHAKE_ZEROCOPY, ZMQ_ASIO_APP_THREAD_WRITE}) {
        EXPECT_EQ(1, get_int(s, option)) << option << ": default on";
        int v = 0;
        ASSERT_EQ(0, zmq_setsockopt(s, option, &v, sizeof v)) << option;
        EXPECT_EQ(0, get_int(s, option)) << option;
        v = 2;
        EXPECT_EQ(-1, zmq_setsockopt(s, option, &v, sizeof v)) << option;
        EXPECT_EQ(EINVAL, zmq_errno());
        EXPECT_EQ(0, get_int(s, option)) << option << ": a refused value changes nothing";
    }
    // One setting under two numbers.
    int v = 1;
    ASSERT_EQ(0, zmq_setsockopt(s, ZLINK_APP_THREAD_WRITE, &v, sizeof v));
    EXPECT_EQ(1, get_int(s, ZMQ_ASIO_APP_THREAD_WRITE));
    v = 0;
    ASSERT_EQ(0, zmq_setsockopt(s, ZMQ_ASIO_APP_THREAD_WRITE, &v, sizeof v));
    EXPECT_EQ(0, get_int(s, ZLINK_APP_THREAD_WRITE));
    zmq_close(s);
    zmq_ctx_term(ctx);
}

// Whether a connection registers its application-thread writer, by the
// option and the two environment names.
bool app_writer(int option, const char *old_env, const char *new_env) {
    std::unique_ptr<scoped_env> a, b;
    if (old_env)
        a.reset(new scoped_env("ZLINK_APP_THREAD_WRITE", old_env));
    if (new_env)
        b.reset(new scoped_env("ZMQ_ASIO_APP_THREAD_WRITE", new_env));
    boost::asio::io_context io;
    options_t o = pair_options();
    o.zlink_app_thread_write = option;
    faulty_pair p(io, o, pair_options());
    EXPECT_TRUE(p.handshake());
    return p.a.engine->direct_writer() != nullptr;
}

TEST(AsioFlags, AppThreadWriteEnvironmentNames) {
    EXPECT_TRUE(app_writer(-1, nullptr, nullptr)) << "default on";
    EXPECT_FALSE(app_writer(0, nullptr, nullptr)) << "the option";
    EXPECT_FALSE(app_writer(1, nullptr, "0")) << "the new name beats the option";
    EXPECT_FALSE(app_writer(1, "0", nullptr)) << "the old name still works";
    EXPECT_FALSE(app_writer(1, "1", "0")) << "the new name beats the old one";
    EXPECT_TRUE(app_writer(0, "0", "1"));
    EXPECT_TRUE(app_writer(0, nullptr, "1"));
}

// The plan's counter functions and reset, against the counter table.
TEST(AsioFlags, CounterFunctionsMatchTheTable) {
    boost::asio::io_context io;
    faulty_pair p(io, pair_options(), pair_options());
    ASSERT_TRUE(p.handshake());
    p.clear_records();
    p.fb->max_read = 100;
    p.a.queue(pattern(4096, 1));
    p.a.queue("x");
    p.a.engine->restart_output();
    ASSERT_TRUE(run_until(io, [&] { return p.b.in.size() == 2; }));

    auto t = testutil::debug_counters();
    EXPECT_EQ(1u, zmq_debug_get_zerocopy_count());
    EXPECT_EQ(t["engine_zerocopy_frames"], zmq_debug_get_zerocopy_count());
    EXPECT_EQ(t["engine_zerocopy_fallback_frames"], zmq_debug_get_fallback_count());
    EXPECT_EQ(1u, zmq_debug_get_bytes_copied()) << "the 1-byte body";
    EXPECT_EQ(t["engine_bytes_copied"], zmq_debug_get_bytes_copied());
    EXPECT_EQ(t["engine_gather_writes"], zmq_debug_get_scatter_gather_count());
    EXPECT_EQ(t["engine_partial_writes"], zmq_debug_get_partial_write_count());
    EXPECT_EQ(t["engine_read_compactions"], zmq_debug_get_compaction_count());
    EXPECT_EQ(t["engine_read_compaction_bytes"], zmq_debug_get_compaction_bytes());
    EXPECT_GT(zmq_debug_get_compaction_skipped_count(), 0u);
    EXPECT_EQ(t["engine_read_compactions_skipped"], zmq_debug_get_compaction_skipped_count());
    EXPECT_EQ(t["engine_writes"], zmq_debug_get_batch_flush_count());
    EXPECT_EQ(2u, zmq_debug_get_batched_message_count());
    zmq_debug_reset_counters();
    EXPECT_EQ(0u, zmq_debug_get_zerocopy_count());
    EXPECT_EQ(0u, zmq_debug_get_compaction_skipped_count());
    EXPECT_EQ(0u, zmq_debug_get_batch_flush_count());
}

} // namespace
