// msg_t::trim_front: every message type drops its front, keeps its flags,
// routing id and metadata, and frees exactly what it owns on close (run
// under ASAN this also proves no leak and no free of a moved pointer).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/metadata.hpp"
#include "core/msg.hpp"

using namespace zlink;

namespace {

std::string pattern(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
        s[i] = char('a' + i % 26);
    return s;
}

std::string body(const msg_t &m) {
    return std::string(static_cast<const char *>(m.data()), m.size());
}

void make(msg_t &m, const std::string &s) { ASSERT_EQ(0, m.init_buffer(s.data(), s.size())); }

int freed = 0;
void *freed_ptr = nullptr;
void free_counting(void *data, void *) {
    ++freed;
    freed_ptr = data;
    std::free(data);
}

} // namespace

TEST(MsgTrimFront, InlineBodyMovesDown) {
    const std::string s = pattern(40);
    msg_t m;
    make(m, s);
    ASSERT_TRUE(m.is_inline());
    ASSERT_EQ(0, m.trim_front(33));
    EXPECT_EQ(s.substr(33), body(m));
    ASSERT_EQ(0, m.trim_front(7));
    EXPECT_EQ(0u, m.size());
    EXPECT_EQ(0, m.close());
}

TEST(MsgTrimFront, UnsharedHeapBodyMovesItsStartWithoutACopy) {
    for (size_t n : {49u, 97u, 200u, 1057u, 65569u}) {
        const std::string s = pattern(n);
        msg_t m;
        make(m, s);
        ASSERT_FALSE(m.is_inline());
        const auto *before = static_cast<const char *>(m.data());
        ASSERT_EQ(0, m.trim_front(33));
        EXPECT_EQ(before + 33, m.data()) << "size " << n; // same block
        EXPECT_EQ(s.substr(33), body(m));
        EXPECT_EQ(0, m.close()); // ASAN: the block is freed from its start
    }
}

TEST(MsgTrimFront, SharedHeapBodyIsCopiedAndTheOtherMessageKeepsItsBody) {
    const std::string s = pattern(300);
    msg_t a, b;
    make(a, s);
    b.init();
    ASSERT_EQ(0, b.copy(a));
    ASSERT_EQ(0, a.trim_front(33));
    EXPECT_NE(static_cast<const char *>(b.data()) + 33, a.data());
    EXPECT_EQ(s.substr(33), body(a));
    EXPECT_EQ(s, body(b));
    EXPECT_FALSE(a.is_shared());
    EXPECT_EQ(0, a.close());
    EXPECT_EQ(s, body(b));
    EXPECT_EQ(0, b.close());
}

TEST(MsgTrimFront, ConstBodyMovesItsPointer) {
    static const char text[] = "0123456789";
    msg_t m;
    ASSERT_EQ(0, m.init_const(text, 10));
    ASSERT_EQ(0, m.trim_front(4));
    EXPECT_EQ(text + 4, m.data());
    EXPECT_EQ("456789", body(m));
    EXPECT_EQ(0, m.close());
}

TEST(MsgTrimFront, UserBodyIsCopiedAndFreedOnceWithItsOwnPointer) {
    const std::string s = pattern(500);
    auto *mem = static_cast<char *>(std::malloc(s.size()));
    std::memcpy(mem, s.data(), s.size());
    freed = 0;
    freed_ptr = nullptr;
    msg_t m;
    ASSERT_EQ(0, m.init_data(mem, s.size(), free_counting, nullptr));
    ASSERT_EQ(0, m.trim_front(33));
    EXPECT_EQ(1, freed); // the copy made, the user's buffer went back
    EXPECT_EQ(mem, freed_ptr);
    EXPECT_EQ(s.substr(33), body(m));
    EXPECT_EQ(0, m.close());
    EXPECT_EQ(1, freed);
}

TEST(MsgTrimFront, KeepsFlagsRoutingIdAndMetadataOnEveryPath) {
    for (size_t n : {40u, 300u}) {
        for (bool shared : {false, true}) {
            const std::string s = pattern(n);
            msg_t m, other;
            make(m, s);
            other.init();
            if (shared)
                ASSERT_EQ(0, other.copy(m));
            auto *meta = new metadata_t(metadata_t::dict_t{{"User-Id", "u"}});
            m.set_metadata(meta);
            meta->drop_ref(); // m now holds the only reference
            m.set_flags(msg_t::more);
            ASSERT_EQ(0, m.set_routing_id(42));
            ASSERT_EQ(0, m.trim_front(10));
            EXPECT_TRUE(m.has_more());
            EXPECT_EQ(42u, m.get_routing_id());
            ASSERT_EQ(meta, m.metadata());
            EXPECT_EQ("u", m.metadata()->dict().at("User-Id"));
            EXPECT_EQ(s.substr(10), body(m));
            EXPECT_EQ(0, m.close()); // ASAN: metadata freed once, not leaked
            EXPECT_EQ(0, other.close());
        }
    }
}

TEST(MsgTrimFront, RefusesMoreThanTheBodyAndADelimiter) {
    msg_t m;
    make(m, pattern(10));
    errno = 0;
    EXPECT_EQ(-1, m.trim_front(11));
    EXPECT_EQ(EINVAL, errno);
    EXPECT_EQ(10u, m.size());
    EXPECT_EQ(0, m.trim_front(10));
    EXPECT_EQ(0u, m.size());
    EXPECT_EQ(0, m.close());
    msg_t d;
    d.init_delimiter();
    errno = 0;
    EXPECT_EQ(-1, d.trim_front(0));
    EXPECT_EQ(EINVAL, errno);
    EXPECT_EQ(0, d.close());
}
