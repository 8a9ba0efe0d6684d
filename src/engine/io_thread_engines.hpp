// How many stream engines one io thread (io_context) serves, as an Asio
// service. The write loop's budget depends on it: an engine alone on its io
// thread writes up to sixteen times per turn (fewer handler round trips for
// a stream), one that shares the io thread gives it back after every write,
// so a saturating stream delays a neighbour's message by one write (at most
// ZLINK_WRITE_BATCH_BYTES), as libzmq's one write per poll does, not by
// sixteen. Measured: benchwithzmq/RESULTS_NOTES.md "Latency under load".
#pragma once

#include <atomic>

#include <boost/asio/execution_context.hpp>

namespace zlink {

class io_thread_engines_t final : public boost::asio::execution_context::service {
  public:
    static boost::asio::execution_context::id id;
    explicit io_thread_engines_t(boost::asio::execution_context &owner) : service(owner) {}

    // Engines are built and destroyed on their io thread, but a count read
    // by another engine's write loop costs nothing as a relaxed atomic.
    std::atomic<int> count{0};

  private:
    void shutdown() override {}
};

} // namespace zlink
