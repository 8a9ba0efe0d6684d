// msg_queue_t: what a dying pipe leaves behind is freed with the queue.
#include <gtest/gtest.h>

#include "core/msg_queue.hpp"

using namespace zlink;

namespace {
int g_freed = 0;
void count_free(void *, void *) { ++g_freed; }

void put(msg_queue_t &q, bool incomplete) {
    static char body[8];
    msg_t m;
    m.init_data(body, sizeof body, count_free, nullptr);
    q.write(m, incomplete);
}
} // namespace

// A multipart message whose pipe died mid-send was never published: the
// queue still owns its parts and must free them (found by ASAN: a PUSH part
// leaked when its pipe ended between two parts).
TEST(msg_queue, destroying_frees_published_unpublished_and_incomplete_items) {
    g_freed = 0;
    {
        spsc_msg_queue_t q;
        put(q, false);
        q.flush();     // published
        put(q, false); // complete, not yet published
        put(q, true);  // first part of a message that never ends
        put(q, true);
    }
    EXPECT_EQ(4, g_freed);
}
