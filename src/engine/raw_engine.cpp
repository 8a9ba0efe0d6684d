#include "engine/raw_engine.hpp"

#include <cerrno>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <zmq.h>

#include "engine/zmtp_engine.hpp"
#include "core/metadata.hpp"

namespace zlink {

namespace {

constexpr size_t raw_in_size = 64 * 1024;
constexpr size_t raw_max_out = 32; // messages gathered into one write
constexpr int raw_read_budget = 64;

bool would_block(const boost::system::error_code &ec) {
    return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}

class raw_engine_t final : public i_engine,
                           public engine_stats_t,
                           public std::enable_shared_from_this<raw_engine_t> {
  public:
    raw_engine_t(boost::asio::io_context &io, std::unique_ptr<i_asio_transport> transport,
                 i_engine_session *session)
        : _io(io), _transport(std::move(transport)), _session(session),
          _in_buf(new unsigned char[raw_in_size]) {
        _in_msg.init();
        for (auto &m : _out)
            m.init();
    }

    ~raw_engine_t() override {
        shutdown();
        _in_msg.close();
        for (auto &m : _out)
            m.close();
        if (_metadata && _metadata->drop_ref())
            delete _metadata;
    }

    void start() override {
        auto self = shared_from_this();
        metadata_t::dict_t props;
        props["Peer-Address"] = _transport->peer_address();
        props["__fd"] = std::to_string(_transport->native_handle()); // ZMQ_SRCFD, as libzmq
        _metadata = new metadata_t(std::move(props));
        _session->monitor_event(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
        if (_closed)
            return;
        engine_peer_info info;
        info.metadata = _metadata;
        _session->engine_ready(info);
        if (_closed)
            return;
        _active = true;
        write_out();
        read_in();
    }

    void restart_input() override {
        if (_closed || !_stalled)
            return;
        auto self = shared_from_this();
        _stalled = false;
        read_in();
    }

    void restart_output() override {
        if (_closed || !_active)
            return;
        auto self = shared_from_this();
        write_out();
    }

    void close() override { shutdown(); }
    // Pulled bytes the kernel has not taken yet (ZMQ_LINGER waits for them).
    bool output_pending() const override { return !_closed && _nout > 0; }

  private:
    void shutdown() {
        if (_closed)
            return;
        _closed = true;
        if (_transport && _transport->is_open())
            _transport->close();
    }

    void fail(engine_close_reason reason, int value) {
        if (_closed)
            return;
        if (_pushed) {
            _pushed = 0;
            _session->flush_pushed();
        }
        shutdown();
        _session->engine_closed(reason, value);
    }

    void write_out() {
        if (_closed || _write_waiting)
            return;
        if (_writing) {
            _write_again = true;
            return;
        }
        _writing = true;
        for (;;) {
            _write_again = false;
            uint64_t fresh = 0;
            while (_nout < raw_max_out) {
                if (_session->pull_msg(&_out[_nout]) != 0)
                    break;
                if (_out[_nout].size() == 0) {
                    _out[_nout].close();
                    _out[_nout].init();
                    continue; // nothing to put on the wire
                }
                ++_nout;
                ++fresh;
            }
            _fresh += fresh;
            if (_closed)
                break;
            if (_nout == 0) {
                if (_write_again)
                    continue;
                break;
            }
            boost::asio::const_buffer bufs[raw_max_out];
            for (size_t i = 0; i < _nout; ++i) {
                const size_t skip = i == 0 ? _head_off : 0;
                bufs[i] = boost::asio::const_buffer(
                    static_cast<const unsigned char *>(_out[i].data()) + skip,
                    _out[i].size() - skip);
            }
            boost::system::error_code ec;
            size_t n = _transport->try_write(bufs, _nout, ec);
            if (n > 0) {
                count_write(n, _fresh);
                _fresh = 0;
                consume(n);
            }
            if (ec) {
                if (would_block(ec)) {
                    count_would_block();
                    arm_write_wait();
                    break;
                }
                _writing = false;
                fail(engine_close_reason::peer_closed, ec.value());
                return;
            }
        }
        _writing = false;
    }

    void consume(size_t n) {
        size_t done = 0;
        while (done < _nout && n > 0) {
            const size_t left = _out[done].size() - _head_off;
            if (n < left) {
                _head_off += n;
                break;
            }
            n -= left;
            _head_off = 0;
            _out[done].close();
            _out[done].init();
            ++done;
        }
        if (done) {
            for (size_t i = done; i < _nout; ++i) {
                _out[i - done] = _out[i]; // bitwise hand-over
                _out[i].init();
            }
            _nout -= done;
        }
    }

    void arm_write_wait() {
        _write_waiting = true;
        auto self = shared_from_this();
        _transport->async_wait_writable([self](const boost::system::error_code &ec) {
            self->_write_waiting = false;
            if (self->_closed || ec == boost::asio::error::operation_aborted)
                return;
            if (ec) {
                self->fail(engine_close_reason::io_error, ec.value());
                return;
            }
            self->write_out();
            // Only a deferred write can empty what the kernel refused
            // earlier: tell a lingering session (it waits for this).
            if (!self->_closed && self->_nout == 0)
                self->_session->output_drained();
        });
    }

    bool deliver() {
        if (_session->push_msg(&_in_msg) == 0) {
            _in_msg.init();
            _has_in = false;
            ++_pushed;
            count_in(1);
            return true;
        }
        if (errno != EAGAIN) {
            fail(engine_close_reason::io_error, errno);
            return false;
        }
        _stalled = true;
        return false;
    }

    void read_in() {
        if (_closed || _reading || _read_waiting || _stalled)
            return;
        _reading = true;
        auto self = shared_from_this();
        for (int budget = raw_read_budget;; --budget) {
            if (_has_in && !deliver())
                break;
            if (budget == 0) {
                boost::asio::post(_io, [self] { self->read_in(); });
                break;
            }
            boost::system::error_code ec;
            const size_t n =
                _transport->try_read(boost::asio::mutable_buffer(_in_buf.get(), raw_in_size), ec);
            if (n > 0) {
                count_read(n);
                _in_msg.close();
                if (_in_msg.init_buffer(_in_buf.get(), n) != 0) {
                    _in_msg.init();
                    _reading = false;
                    fail(engine_close_reason::io_error, ENOMEM);
                    return;
                }
                if (_metadata)
                    _in_msg.set_metadata(_metadata);
                _has_in = true;
                continue;
            }
            if (would_block(ec)) {
                arm_read_wait();
                break;
            }
            _reading = false;
            fail(engine_close_reason::peer_closed,
                 (!ec || ec == boost::asio::error::eof) ? EPIPE : ec.value());
            return;
        }
        if (_pushed && !_closed) {
            _pushed = 0;
            _session->flush_pushed();
        }
        _reading = false;
    }

    void arm_read_wait() {
        _read_waiting = true;
        auto self = shared_from_this();
        _transport->async_wait_readable([self](const boost::system::error_code &ec) {
            self->_read_waiting = false;
            if (self->_closed || ec == boost::asio::error::operation_aborted)
                return;
            if (ec) {
                self->fail(engine_close_reason::io_error, ec.value());
                return;
            }
            self->read_in();
        });
    }

    boost::asio::io_context &_io;
    std::unique_ptr<i_asio_transport> _transport;
    i_engine_session *const _session;
    bool _closed = false, _active = false;
    metadata_t *_metadata = nullptr;

    msg_t _out[raw_max_out];
    size_t _nout = 0, _head_off = 0;
    uint64_t _fresh = 0;
    bool _writing = false, _write_again = false, _write_waiting = false;

    std::unique_ptr<unsigned char[]> _in_buf;
    msg_t _in_msg;
    bool _has_in = false, _stalled = false, _reading = false, _read_waiting = false;
    uint64_t _pushed = 0;
};

} // namespace

std::shared_ptr<i_engine> make_raw_engine(boost::asio::io_context &io,
                                          std::unique_ptr<i_asio_transport> transport,
                                          i_engine_session *session,
                                          const options_t & /*options*/, bool /*as_client*/,
                                          const std::string & /*endpoint*/) {
    return std::make_shared<raw_engine_t>(io, std::move(transport), session);
}

} // namespace zlink
