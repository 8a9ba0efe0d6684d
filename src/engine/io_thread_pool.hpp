// The context's I/O threads: one asio::io_context per thread (ZMQ_IO_THREADS).
// A connection's engine is bound to one of them for its whole life.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace zlink {

class io_thread_pool_t {
  public:
    // Starts the threads; nullptr with errno (EMFILE, ENFILE, EAGAIN,
    // ENOMEM) when the process is out of descriptors or threads.
    static std::unique_ptr<io_thread_pool_t> create(int threads);
    ~io_thread_pool_t(); // stops and joins

    // Least-loaded choice is not needed yet: round-robin over the threads.
    boost::asio::io_context &next();
    int size() const { return static_cast<int>(_contexts.size()); }

    // Exceptions a handler let escape (the thread went on running).
    static uint64_t escaped_exceptions();
    static void reset_escaped_exceptions();

  private:
    io_thread_pool_t() = default;
    int start(int threads);
    static void run(boost::asio::io_context *ctx);
    static void serve_polling_for_spinners(boost::asio::io_context &ctx);

    using guard_t = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    std::vector<std::unique_ptr<boost::asio::io_context>> _contexts;
    std::vector<guard_t> _guards;
    std::vector<std::thread> _threads;
    std::atomic<unsigned> _next{0}; // zmq_bind/zmq_connect on different sockets race here
};

} // namespace zlink
