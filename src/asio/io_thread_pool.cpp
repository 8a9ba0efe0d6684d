#include "asio/io_thread_pool.hpp"

namespace zlink {

io_thread_pool_t::io_thread_pool_t(int threads) {
    if (threads < 1)
        threads = 1;
    for (int i = 0; i < threads; ++i) {
        _contexts.push_back(std::make_unique<boost::asio::io_context>(1));
        _guards.emplace_back(boost::asio::make_work_guard(*_contexts.back()));
    }
    for (int i = 0; i < threads; ++i) {
        boost::asio::io_context *ctx = _contexts[i].get();
        _threads.emplace_back([ctx] { ctx->run(); });
    }
}

io_thread_pool_t::~io_thread_pool_t() {
    for (auto &g : _guards)
        g.reset();
    for (auto &c : _contexts)
        c->stop();
    for (auto &t : _threads)
        t.join();
}

boost::asio::io_context &io_thread_pool_t::next() {
    return *_contexts[_next++ % _contexts.size()];
}

} // namespace zlink
