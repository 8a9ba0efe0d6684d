#include "fault_proxy.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sys/ioctl.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace fault {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::size_t max_queued = 1024 * 1024;          // per direction, then reading pauses
constexpr auto poll_step = std::chrono::milliseconds(2); // stall / backpressure re-checks

struct end_rule {
    int id;
    dir d;
    bool by_frame;
    std::uint64_t bytes; // by_frame == false
    std::uint64_t frame, offset;
    end_kind how;
    int times_left; // -1: unlimited
};

// Follows ZMTP 3 framing in one direction: 64 greeting bytes, then frames
// (flags, 1 or 8 size bytes, body). Reports where data frames begin.
struct zmtp_scanner {
    std::uint64_t greeting_left = 64;
    enum class at { flags, size, body } state = at::flags;
    int size_left = 0;
    std::uint64_t size = 0, body_left = 0;
    std::uint64_t data_frames = 0; // data frames whose flags byte was seen

    bool at_frame_start() const { return greeting_left == 0 && state == at::flags; }

    // Consume up to `max` (>= 1) bytes, stopping at every frame start.
    std::size_t advance(const unsigned char *p, std::size_t max) {
        if (greeting_left > 0) {
            const std::size_t n = std::size_t(std::min<std::uint64_t>(greeting_left, max));
            greeting_left -= n;
            return n;
        }
        switch (state) {
        case at::flags:
            if (!(p[0] & 0x04))
                ++data_frames;
            size_left = (p[0] & 0x02) ? 8 : 1;
            size = 0;
            state = at::size;
            return 1;
        case at::size:
            size = (size << 8) | p[0];
            if (--size_left == 0) {
                body_left = size;
                state = body_left ? at::body : at::flags;
            }
            return 1;
        case at::body: {
            const std::size_t n = std::size_t(std::min<std::uint64_t>(body_left, max));
            body_left -= n;
            if (body_left == 0)
                state = at::flags;
            return n;
        }
        }
        return 1;
    }
};

} // namespace

struct connection;

struct fault_proxy::impl {
    asio::io_context io; // first: outlives everything bound to it
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    tcp::acceptor acceptor{io};
    tcp::endpoint target;
    int port = 0; // set before the thread starts
    std::thread thread;
    bool stopping = false; // io thread only

    mutable std::mutex mu;
    shaping shape[2];
    std::vector<end_rule> rules;
    int next_rule_id = 1;
    steady::time_point refuse_until{};
    std::vector<std::weak_ptr<connection>> links; // io thread only

    std::atomic<bool> stalled{false};
    std::atomic<int> n_accepted{0}, n_refused{0}, n_ended{0};
    std::atomic<std::uint64_t> n_forwarded[2] = {{0}, {0}};

    void accept_next();
    // Runs f on the io thread and waits for it.
    template <typename F>
    void run_on_io(F f) {
        std::promise<void> done;
        asio::post(io, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }
};

struct connection : std::enable_shared_from_this<connection> {
    struct item {
        std::vector<unsigned char> data;
        std::size_t off = 0;
        steady::time_point due{};
        bool end = false;  // end the connection here (rule)
        bool half = false; // the source sent FIN: pass it on
        end_kind how = end_kind::rst;
    };
    struct pump {
        explicit pump(asio::io_context &io) : rtimer(io), wtimer(io) {}
        std::vector<unsigned char> buf = std::vector<unsigned char>(read_chunk);
        std::uint64_t pos = 0; // bytes read from the source
        zmtp_scanner scan;
        std::map<int, std::uint64_t> bases;   // frame rule id -> data frames seen before it
        std::map<int, std::uint64_t> targets; // frame rule id -> cut position
        std::deque<item> q;
        std::size_t queued = 0;
        bool reading = false, writing = false, eof_passed = false;
        asio::steady_timer rtimer, wtimer;
        steady::time_point next_send{};
    };

    connection(fault_proxy::impl &p, tcp::socket c)
        : px(p), client(std::move(c)), server(p.io), pumps{pump(p.io), pump(p.io)},
          end_timer(p.io) {}

    fault_proxy::impl &px;
    tcp::socket client, server;
    pump pumps[2];
    asio::steady_timer end_timer;
    bool ended = false, draining = false;

    tcp::socket &src(int d) { return d == 0 ? client : server; }
    tcp::socket &dst(int d) { return d == 0 ? server : client; }

    void start() {
        boost::system::error_code ec;
        client.set_option(tcp::no_delay(true), ec);
        server.set_option(tcp::no_delay(true), ec);
        read(0);
        read(1);
    }

    void read(int d) {
        pump &p = pumps[d];
        if (p.reading || (ended && !draining) || px.stopping)
            return;
        if (!draining && (px.stalled.load() || p.queued >= max_queued)) {
            p.reading = true; // hold: re-check shortly
            p.rtimer.expires_after(poll_step);
            p.rtimer.async_wait([self = shared_from_this(), d](const boost::system::error_code &) {
                self->pumps[d].reading = false;
                self->read(d);
            });
            return;
        }
        p.reading = true;
        src(d).async_read_some(
            asio::buffer(p.buf),
            [self = shared_from_this(), d](const boost::system::error_code &ec, std::size_t n) {
                self->on_read(d, ec, n);
            });
    }

    void on_read(int d, const boost::system::error_code &ec, std::size_t n) {
        pump &p = pumps[d];
        p.reading = false;
        if (px.stopping || (ended && !draining))
            return;
        if (draining) { // ended with FIN: discard until the peer closes too
            if (ec) {
                boost::system::error_code ignored;
                src(d).close(ignored);
            } else {
                read(d);
            }
            return;
        }
        if (ec) {
            if (ec == asio::error::eof) {
                item it;
                it.half = true;
                p.q.push_back(std::move(it));
                write(d);
            } else {
                finish(end_kind::rst, false); // reset by one side: reset the other
            }
            return;
        }
        bool end = false;
        end_kind how = end_kind::rst;
        const std::size_t allowed = scan(d, n, end, how);
        if (allowed) {
            item it;
            it.data.assign(p.buf.begin(), p.buf.begin() + long(allowed));
            it.due = steady::now() + shape_of(d).delay;
            p.queued += allowed;
            p.q.push_back(std::move(it));
        }
        p.pos += allowed;
        if (end) {
            item it;
            it.end = true;
            it.how = how;
            p.q.push_back(std::move(it));
        }
        write(d);
        if (!end)
            read(d);
    }

    shaping shape_of(int d) {
        std::lock_guard<std::mutex> lock(px.mu);
        return px.shape[d];
    }

    // How much of the n new bytes may pass; sets `end` when a rule fires.
    std::size_t scan(int d, std::size_t n, bool &end, end_kind &how) {
        pump &p = pumps[d];
        std::vector<end_rule> rules;
        {
            std::lock_guard<std::mutex> lock(px.mu);
            for (const auto &r : px.rules)
                if (r.d == dir(d) && r.times_left != 0)
                    rules.push_back(r);
        }
        for (const auto &r : rules) // frame rules count from the next frame
            if (r.by_frame && !p.bases.count(r.id))
                p.bases[r.id] = p.scan.data_frames;
        std::size_t i = 0;
        for (;;) {
            const std::uint64_t at = p.pos + i;
            if (p.scan.at_frame_start() && i < n && !(p.buf[i] & 0x04)) {
                const std::uint64_t index = p.scan.data_frames; // this frame's
                for (const auto &r : rules)
                    if (r.by_frame && p.bases[r.id] + r.frame == index)
                        p.targets[r.id] = at + r.offset;
            }
            std::uint64_t next = UINT64_MAX;
            for (const auto &r : rules) {
                std::uint64_t t = r.bytes;
                if (r.by_frame) {
                    auto found = p.targets.find(r.id);
                    t = found != p.targets.end() ? found->second : UINT64_MAX;
                }
                if (t <= at && claim(r.id, how)) {
                    end = true;
                    return i;
                }
                if (t > at)
                    next = std::min(next, t);
            }
            if (i == n)
                return n;
            const std::size_t max = std::size_t(std::min<std::uint64_t>(n - i, next - at));
            i += p.scan.advance(&p.buf[i], max);
        }
    }

    bool claim(int rule_id, end_kind &how) {
        std::lock_guard<std::mutex> lock(px.mu);
        for (auto &r : px.rules) {
            if (r.id != rule_id || r.times_left == 0)
                continue;
            if (r.times_left > 0)
                --r.times_left;
            how = r.how;
            return true;
        }
        return false;
    }

    void write(int d) {
        pump &p = pumps[d];
        if (p.writing || ended || px.stopping || p.q.empty())
            return;
        item &it = p.q.front();
        if (it.end) {
            finish(it.how, true);
            return;
        }
        if (it.half) {
            boost::system::error_code ec;
            dst(d).shutdown(tcp::socket::shutdown_send, ec);
            p.q.pop_front();
            p.eof_passed = true;
            if (pumps[0].eof_passed && pumps[1].eof_passed)
                close_both();
            return;
        }
        const shaping sh = shape_of(d);
        const auto now = steady::now();
        steady::time_point wait_until = now;
        if (px.stalled.load())
            wait_until = now + poll_step;
        else
            wait_until = std::max({now, it.due, sh.bytes_per_sec ? p.next_send : now});
        p.writing = true;
        if (wait_until > now) {
            p.wtimer.expires_at(wait_until);
            p.wtimer.async_wait([self = shared_from_this(), d](const boost::system::error_code &) {
                self->pumps[d].writing = false;
                self->write(d);
            });
            return;
        }
        std::size_t piece = it.data.size() - it.off;
        if (sh.split)
            piece = 1;
        if (sh.bytes_per_sec)
            piece = std::min(piece, std::max<std::size_t>(1, sh.bytes_per_sec / 100));
        asio::async_write(dst(d), asio::buffer(it.data.data() + it.off, piece),
                          [self = shared_from_this(), d, rate = sh.bytes_per_sec](
                              const boost::system::error_code &ec, std::size_t written) {
                              self->on_written(d, ec, written, rate);
                          });
    }

    void on_written(int d, const boost::system::error_code &ec, std::size_t n, std::size_t rate) {
        pump &p = pumps[d];
        p.writing = false;
        if (ended || px.stopping)
            return;
        if (ec) {
            finish(end_kind::rst, false);
            return;
        }
        px.n_forwarded[d] += n;
        item &it = p.q.front();
        it.off += n;
        p.queued -= n;
        if (it.off == it.data.size())
            p.q.pop_front();
        if (rate) {
            const auto cost = std::chrono::nanoseconds(std::uint64_t(n) * 1000000000ull / rate);
            p.next_send = std::max(p.next_send, steady::now()) +
                          std::chrono::duration_cast<steady::duration>(cost);
        }
        write(d);
    }

    void close_both() {
        boost::system::error_code ec;
        client.close(ec);
        server.close(ec);
        end_timer.cancel();
        for (auto &p : pumps) {
            p.rtimer.cancel();
            p.wtimer.cancel();
        }
    }

    static int unsent(tcp::socket &s) {
        int n = 0;
        return s.is_open() && ::ioctl(s.native_handle(), TIOCOUTQ, &n) == 0 ? n : 0;
    }

    // SO_LINGER 0 drops what the kernel has not sent yet, so a rule's reset
    // waits (polling, up to wait_ms) until the bytes let through are acked.
    void reset_when_sent(int wait_ms) {
        if (px.stopping)
            return;
        if (wait_ms > 0 && (unsent(client) > 0 || unsent(server) > 0)) {
            end_timer.expires_after(std::chrono::milliseconds(1));
            end_timer.async_wait(
                [self = shared_from_this(), wait_ms](const boost::system::error_code &) {
                    self->reset_when_sent(wait_ms - 1);
                });
            return;
        }
        boost::system::error_code ec;
        for (tcp::socket *s : {&client, &server}) {
            s->set_option(asio::socket_base::linger(true, 0), ec);
            s->close(ec);
        }
    }

    // rst: SO_LINGER 0 then close on both sides. fin: shut both down for
    // sending, then read and discard until each side closes.
    void finish(end_kind how, bool by_rule) {
        if (ended)
            return;
        ended = true;
        if (by_rule)
            ++px.n_ended;
        boost::system::error_code ec;
        if (how == end_kind::rst) {
            for (auto &p : pumps) {
                p.rtimer.cancel();
                p.wtimer.cancel();
            }
            reset_when_sent(by_rule ? 1000 : 0);
            return;
        }
        draining = true;
        client.shutdown(tcp::socket::shutdown_send, ec);
        server.shutdown(tcp::socket::shutdown_send, ec);
        for (int d = 0; d < 2; ++d) {
            pumps[d].wtimer.cancel();
            pumps[d].q.clear();
            read(d);
        }
    }
};

void fault_proxy::impl::accept_next() {
    acceptor.async_accept([this](const boost::system::error_code &ec, tcp::socket s) {
        if (stopping || ec == asio::error::operation_aborted)
            return;
        if (!ec) {
            bool refuse;
            {
                std::lock_guard<std::mutex> lock(mu);
                refuse = steady::now() < refuse_until;
            }
            if (refuse) {
                ++n_refused; // before the client can see the reset
                boost::system::error_code ignored;
                s.set_option(asio::socket_base::linger(true, 0), ignored);
                s.close(ignored);
            } else {
                auto l = std::make_shared<connection>(*this, std::move(s));
                links.erase(
                    std::remove_if(links.begin(), links.end(),
                                   [](const std::weak_ptr<connection> &w) { return w.expired(); }),
                    links.end());
                links.push_back(l);
                ++n_accepted;
                l->server.async_connect(target, [l](const boost::system::error_code &cec) {
                    if (l->px.stopping || l->ended)
                        return;
                    if (cec)
                        l->finish(end_kind::rst, false);
                    else
                        l->start();
                });
            }
        }
        accept_next();
    });
}

fault_proxy::fault_proxy(const std::string &target) : _impl(new impl) {
    const auto scheme = target.find("://");
    const auto colon = target.rfind(':');
    if (scheme == std::string::npos || colon == std::string::npos || colon < scheme + 3)
        throw std::invalid_argument("fault_proxy: target must be tcp://host:port");
    std::string host = target.substr(scheme + 3, colon - scheme - 3);
    if (host.size() > 1 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    _impl->target = tcp::endpoint(asio::ip::make_address(host),
                                  static_cast<unsigned short>(std::stoi(target.substr(colon + 1))));
    const tcp::endpoint here(asio::ip::make_address("127.0.0.1"), 0);
    _impl->acceptor.open(here.protocol());
    _impl->acceptor.set_option(tcp::acceptor::reuse_address(true));
    _impl->acceptor.bind(here);
    _impl->acceptor.listen();
    _impl->port = _impl->acceptor.local_endpoint().port();
    _impl->accept_next();
    _impl->thread = std::thread([this] { _impl->io.run(); });
}

fault_proxy::~fault_proxy() {
    impl &p = *_impl;
    p.run_on_io([&p] {
        p.stopping = true;
        boost::system::error_code ec;
        p.acceptor.close(ec);
        for (auto &w : p.links)
            if (auto l = w.lock())
                l->close_both();
        p.links.clear();
    });
    p.work.reset();
    p.thread.join(); // run() returns once every handler has seen `stopping`
}

int fault_proxy::port() const { return _impl->port; }

std::string fault_proxy::endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port()); }

void fault_proxy::set_shaping(const shaping &s) {
    set_shaping(dir::up, s);
    set_shaping(dir::down, s);
}

void fault_proxy::set_shaping(dir d, const shaping &s) {
    std::lock_guard<std::mutex> lock(_impl->mu);
    _impl->shape[int(d)] = s;
}

void fault_proxy::set_stall(bool stalled) { _impl->stalled = stalled; }

void fault_proxy::end_after_bytes(dir d, std::uint64_t bytes, end_kind how, int times) {
    std::lock_guard<std::mutex> lock(_impl->mu);
    _impl->rules.push_back({_impl->next_rule_id++, d, false, bytes, 0, 0, how, times});
}

void fault_proxy::end_at_data_frame(dir d, std::uint64_t frame, std::uint64_t offset, end_kind how,
                                    int times) {
    std::lock_guard<std::mutex> lock(_impl->mu);
    _impl->rules.push_back({_impl->next_rule_id++, d, true, 0, frame, offset, how, times});
}

void fault_proxy::clear_ends() {
    std::lock_guard<std::mutex> lock(_impl->mu);
    _impl->rules.clear();
}

void fault_proxy::refuse_for(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> lock(_impl->mu);
    _impl->refuse_until = steady::now() + d;
}

void fault_proxy::reset_all() {
    impl &p = *_impl;
    p.run_on_io([&p] {
        for (auto &w : p.links)
            if (auto l = w.lock())
                l->finish(end_kind::rst, true);
    });
}

int fault_proxy::accepted() const { return _impl->n_accepted; }
int fault_proxy::refused() const { return _impl->n_refused; }
int fault_proxy::ended() const { return _impl->n_ended; }
std::uint64_t fault_proxy::forwarded(dir d) const { return _impl->n_forwarded[int(d)]; }

namespace {
template <typename F>
bool wait_for(F cond, int timeout_ms) {
    const auto deadline = steady::now() + std::chrono::milliseconds(timeout_ms);
    while (!cond()) {
        if (steady::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}
} // namespace

bool fault_proxy::wait_accepted(int n, int timeout_ms) const {
    return wait_for([&] { return accepted() >= n; }, timeout_ms);
}

bool fault_proxy::wait_ended(int n, int timeout_ms) const {
    return wait_for([&] { return ended() >= n; }, timeout_ms);
}

} // namespace fault
