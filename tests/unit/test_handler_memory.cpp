// A session's commands are posted one handler each (engine/session_commands.cpp)
// with handler_memory_t as the handler's allocator: once warm, a post
// allocates nothing, from whichever thread it comes.
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <thread>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "engine/handler_memory.hpp"

using zlink::handler_allocator;
using zlink::handler_memory_t;

namespace {

TEST(HandlerMemory, AsioTakesHandlersFromItAndReusesTheBlocks) {
    boost::asio::io_context io;
    auto memory = std::make_shared<handler_memory_t>();
    int ran = 0;
    // As big as a session's command handler: a weak reference and a command.
    auto owner = std::make_shared<int>(0);
    std::weak_ptr<int> weak = owner;
    std::array<char, 24> command{};
    // Posted from another thread, run on this one: the io_context's own
    // recycling cannot help the poster there, ours does.
    for (int round = 0; round < 1000; ++round) {
        std::thread poster([&] {
            boost::asio::post(io, boost::asio::bind_allocator(
                                      handler_allocator<void>(memory), [&ran, weak, command] {
                                          ran += 1 + command[0] + !weak.lock();
                                      }));
        });
        poster.join();
        io.restart();
        io.run();
    }
    EXPECT_EQ(1000, ran);
    EXPECT_EQ(1u, memory->fresh_blocks());
}

TEST(HandlerMemory, ABurstBeyondTheCacheStillWorks) {
    boost::asio::io_context io;
    auto memory = std::make_shared<handler_memory_t>();
    int ran = 0;
    for (int i = 0; i < 10; ++i)
        boost::asio::post(
            io, boost::asio::bind_allocator(handler_allocator<void>(memory), [&ran] { ++ran; }));
    io.run();
    EXPECT_EQ(10, ran);
    EXPECT_EQ(10u, memory->fresh_blocks()); // 10 in flight at once
    io.restart();
    for (int i = 0; i < 4; ++i)
        boost::asio::post(
            io, boost::asio::bind_allocator(handler_allocator<void>(memory), [&ran] { ++ran; }));
    io.run();
    EXPECT_EQ(14, ran);
    EXPECT_EQ(10u, memory->fresh_blocks()); // four cached blocks served them
}

} // namespace
