// Harness for the performance plan's tests (test_asio_*.cpp): a transport
// that wraps zlink's real ipc/tcp stream transport and forces partial reads
// and writes, would-block answers and write errors, and records what the
// engine asked of it; engines built on it (test_engine_common.hpp's fake
// session); zero-copy message bodies whose release is observed.
// Everything runs on the test thread, through the io_context.
#pragma once

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <zlink.h>

#include "engine/engine_counters.hpp"
#include "test_engine_common.hpp"
#include "zlink_testutil.hpp"

namespace asiotest {

using namespace enginetest;

// What the engine did through one fault_transport, and what it will meet.
struct fault_plan {
    // Knobs (change them at any time; the next call obeys).
    std::size_t max_write = SIZE_MAX;   // bytes one try_write may take
    std::size_t max_read = SIZE_MAX;    // bytes one try_read may bring
    bool block_writes = false;          // try_write answers would_block, writes nothing
    std::size_t block_after = SIZE_MAX; // ...and so once this many bytes are written
    int fail_write_at = -1;             // this try_write (0-based) fails with write_error
    boost::system::error_code write_error;
    bool short_read_drains = false; // pass the inner transport's answer (ZLINK_REACTOR_READ)

    // Records.
    struct write_record {
        std::size_t entries; // gather buffers offered
        std::size_t offered; // bytes offered
        std::size_t written; // bytes the kernel took
    };
    std::vector<write_record> writes;     // the try_writes that wrote bytes
    std::string wire;                     // every byte written, in order
    int write_calls = 0;                  // every try_write, blocked and failed ones too
    std::vector<std::size_t> read_offers; // buffer size of every try_read
    std::vector<std::size_t> reads;       // bytes of every try_read that brought some
    int reactor_reads = 0;                // async_read_some calls (the reactor's receive)
};

class fault_transport final : public zlink::i_asio_transport {
  public:
    fault_transport(std::unique_ptr<zlink::i_asio_transport> inner,
                    std::shared_ptr<fault_plan> plan)
        : _inner(std::move(inner)), _plan(std::move(plan)) {}

    std::size_t try_write(const boost::asio::const_buffer *bufs, std::size_t count,
                          boost::system::error_code &ec) override {
        ec.clear();
        const int call = _plan->write_calls++;
        if (call == _plan->fail_write_at) {
            ec = _plan->write_error;
            return 0;
        }
        if (_plan->block_writes || _plan->wire.size() >= _plan->block_after) {
            ec = boost::asio::error::would_block;
            return 0;
        }
        // Cut the gather list at max_write bytes: a forced partial write.
        std::vector<boost::asio::const_buffer> cut;
        std::size_t offered = 0;
        std::size_t room = _plan->max_write;
        if (_plan->block_after != SIZE_MAX)
            room = std::min(room, _plan->block_after - _plan->wire.size());
        for (std::size_t i = 0; i < count; ++i) {
            offered += bufs[i].size();
            if (room == 0)
                continue;
            const std::size_t take = std::min(room, bufs[i].size());
            cut.emplace_back(bufs[i].data(), take);
            room -= take;
        }
        const std::size_t n = _inner->try_write(cut.data(), cut.size(), ec);
        if (n > 0) {
            _plan->writes.push_back({count, offered, n});
            std::size_t left = n;
            for (const auto &b : cut) {
                const std::size_t k = std::min(left, b.size());
                _plan->wire.append(static_cast<const char *>(b.data()), k);
                left -= k;
            }
        }
        return n;
    }

    std::size_t try_read(boost::asio::mutable_buffer buf, boost::system::error_code &ec) override {
        _plan->read_offers.push_back(buf.size());
        const std::size_t size = std::min(buf.size(), _plan->max_read);
        const std::size_t n = _inner->try_read(boost::asio::mutable_buffer(buf.data(), size), ec);
        if (n > 0)
            _plan->reads.push_back(n);
        return n;
    }

    void async_wait_writable(wait_handler_t h) override { _inner->async_wait_writable(h); }
    void async_wait_readable(wait_handler_t h) override { _inner->async_wait_readable(h); }
    void async_read_some(boost::asio::mutable_buffer b, handler_t h) override {
        ++_plan->reactor_reads;
        _inner->async_read_some(b, h);
    }
    void async_write_some(boost::asio::const_buffer b, handler_t h) override {
        _inner->async_write_some(b, h);
    }
    void close() override { _inner->close(); }
    bool is_open() const override { return _inner->is_open(); }
    std::string peer_address() const override { return _inner->peer_address(); }
    std::string local_endpoint() const override { return _inner->local_endpoint(); }
    int native_handle() override { return _inner->native_handle(); }
    bool try_write_alongside_reads() const override { return _inner->try_write_alongside_reads(); }
    bool short_read_drains() const override {
        return _plan->short_read_drains && _inner->short_read_drains();
    }

  private:
    std::unique_ptr<zlink::i_asio_transport> _inner;
    std::shared_ptr<fault_plan> _plan;
};

inline std::unique_ptr<zlink::i_engine> faulty_engine(boost::asio::io_context &io,
                                                      local_socket sock, fake_session &s,
                                                      const options_t &o,
                                                      std::shared_ptr<fault_plan> plan) {
    auto inner = std::make_unique<ipc_transport_t>(std::move(sock));
    return make_zmtp_engine(io, std::make_unique<fault_transport>(std::move(inner), plan), &s, o,
                            false, "ipc://fault");
}

// Two zmtp engines over a unix socket pair, each on a fault_transport
// (a: the sender in most tests, b: the receiver).
struct faulty_pair {
    boost::asio::io_context &io;
    fake_session a, b;
    std::shared_ptr<fault_plan> fa = std::make_shared<fault_plan>();
    std::shared_ptr<fault_plan> fb = std::make_shared<fault_plan>();

    faulty_pair(boost::asio::io_context &io_, const options_t &oa, const options_t &ob,
                bool start = true)
        : io(io_) {
        local_socket sa(io), sb(io);
        boost::asio::local::connect_pair(sa, sb);
        a.engine = faulty_engine(io, std::move(sa), a, oa, fa);
        b.engine = faulty_engine(io, std::move(sb), b, ob, fb);
        if (start) {
            a.engine->start();
            b.engine->start();
        }
    }
    bool handshake(int timeout_ms = 3000) {
        return run_until(
                   io, [&] { return (a.ready && b.ready) || a.closed || b.closed; }, timeout_ms) &&
               a.ready && b.ready;
    }
    // After the handshake: forget what it wrote and read; counters (global
    // and ca()/cb()) count from here.
    void clear_records() {
        *fa = fault_plan{};
        *fb = fault_plan{};
        zmq_debug_reset_counters();
        base_a = zlink::engine_counters(a.engine.get());
        base_b = zlink::engine_counters(b.engine.get());
    }
    zlink::zmtp_engine_counters_t ca() const { return since(a, base_a); }
    zlink::zmtp_engine_counters_t cb() const { return since(b, base_b); }

  private:
    zlink::zmtp_engine_counters_t base_a{}, base_b{};
    static zlink::zmtp_engine_counters_t since(const fake_session &s,
                                               const zlink::zmtp_engine_counters_t &base) {
        zlink::zmtp_engine_counters_t c = zlink::engine_counters(s.engine.get());
        static_assert(sizeof c % sizeof(uint64_t) == 0, "counters are all uint64_t");
        auto *v = reinterpret_cast<uint64_t *>(&c);
        const auto *b = reinterpret_cast<const uint64_t *>(&base);
        for (std::size_t i = 0; i < sizeof c / sizeof(uint64_t); ++i)
            v[i] -= b[i];
        return c;
    }
};

// Bytes with a recognisable pattern (a per-message seed).
inline std::string pattern(std::size_t size, unsigned seed) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        s[i] = char((i * 131 + seed * 17 + 7) & 0xFF);
    return s;
}

// A zero-copy message body (zmq_msg_init_data style) whose release the test
// sees: when it is freed, how many bytes the sender had written by then, and
// whether the body was still intact (the engine never writes into it).
// Shared with the release callback, so it outlives whichever ends last.
struct watched_body {
    std::string expected;
    int frees = 0;
    bool intact_at_free = false;
    std::size_t written_at_free = 0;
    std::shared_ptr<const fault_plan> plan; // the sender's

    static std::shared_ptr<watched_body> make(std::size_t size, unsigned seed,
                                              std::shared_ptr<const fault_plan> plan) {
        auto wb = std::make_shared<watched_body>();
        wb->expected = pattern(size, seed);
        wb->plan = std::move(plan);
        return wb;
    }
    // The message to queue on a fake session (it owns the body from now).
    static msg_t message(const std::shared_ptr<watched_body> &wb) {
        void *data = std::malloc(wb->expected.size());
        std::memcpy(data, wb->expected.data(), wb->expected.size());
        msg_t m;
        m.init_data(data, wb->expected.size(), &watched_body::release,
                    new std::shared_ptr<watched_body>(wb));
        return m;
    }

  private:
    static void release(void *data, void *hint) {
        auto *ref = static_cast<std::shared_ptr<watched_body> *>(hint);
        watched_body &self = **ref;
        ++self.frees;
        self.intact_at_free = std::memcmp(data, self.expected.data(), self.expected.size()) == 0;
        self.written_at_free = self.plan ? self.plan->wire.size() : 0;
        std::free(data);
        delete ref;
    }
};

using testutil::scoped_env;

inline options_t pair_options() { return make_options(ZMQ_PAIR); }

} // namespace asiotest
