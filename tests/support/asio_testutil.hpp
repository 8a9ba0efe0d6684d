// Helpers for the unit tests that drive Boost.Asio themselves (tests/unit
// links the static library and uses its internals, not <zmq.h>). Same
// namespace as the other test helpers; proc_testutil.hpp (OS only) goes
// with it.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace testutil {

// Runs `io` on this thread until pred() holds or `timeout_ms` pass; whether
// it held. An io_context that ran out of work (stopped) is restarted.
template <class Pred>
bool run_until(boost::asio::io_context &io, Pred pred, int timeout_ms = 3000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        if (io.stopped())
            io.restart();
        io.run_for(std::chrono::milliseconds(5));
    }
    return true;
}

} // namespace testutil
