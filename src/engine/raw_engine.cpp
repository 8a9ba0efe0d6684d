#include "engine/raw_engine.hpp"

#include <cerrno>

#include <zmq.h>

#include "engine/stream_engine.hpp"

namespace zlink {

namespace {

constexpr size_t raw_in_size = 64 * 1024;
constexpr size_t raw_max_out = 32; // messages gathered into one write

class raw_engine_t final : public stream_engine_t {
  public:
    raw_engine_t(boost::asio::io_context &io, std::unique_ptr<i_asio_transport> transport,
                 i_engine_session &session, const options_t &options)
        : stream_engine_t(io, std::move(transport), session, options, policy()),
          _in_buf(new unsigned char[raw_in_size]) {
        for (auto &m : _out)
            m.init();
    }

    ~raw_engine_t() override {
        close();
        for (auto &m : _out)
            m.close();
    }

    void start() override {
        set_metadata({});
        _session.monitor_event(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
        if (closed())
            return;
        engine_peer_info info;
        info.metadata = metadata();
        _session.engine_ready(info);
        if (closed())
            return;
        data_ready();
        write_out();
        read_in();
    }

  private:
    // Always speculative; a failed write ends the connection at once.
    static policy_t policy() {
        policy_t p;
        p.read_after_write_error = false;
        return p;
    }

    void fill_output() override {
        uint64_t fresh = 0;
        while (_nout < raw_max_out) {
            if (_session.pull_msg(&_out[_nout]) != 0)
                break;
            if (_out[_nout].size() == 0) {
                _out[_nout].close();
                _out[_nout].init();
                continue; // nothing to put on the wire
            }
            ++_nout;
            ++fresh;
        }
        messages_added(fresh);
    }

    size_t output_buffers(boost::asio::const_buffer *bufs, size_t max) override {
        const size_t n = _nout < max ? _nout : max;
        for (size_t i = 0; i < n; ++i) {
            const size_t skip = i == 0 ? _head_off : 0;
            bufs[i] = boost::asio::const_buffer(
                static_cast<const unsigned char *>(_out[i].data()) + skip, _out[i].size() - skip);
        }
        return n;
    }

    void output_written(size_t n) override {
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

    bool has_output() const override { return _nout > 0; }

    boost::asio::mutable_buffer input_buffer() override {
        return boost::asio::mutable_buffer(_in_buf.get(), raw_in_size);
    }

    // Each chunk is one message.
    void input_arrived(size_t bytes) override {
        // Data means the transport's own handshake (tls) is over: its
        // properties (TLS-Subject) exist now, not yet when start() ran.
        if (!_transport_properties_added) {
            _transport_properties_added = true;
            set_metadata({});
        }
        msg_t m;
        if (m.init_buffer(_in_buf.get(), bytes) != 0) {
            fail(engine_close_reason::io_error, ENOMEM);
            return;
        }
        deliver(m);
    }

    bool process_input() override { return true; } // nothing stays buffered

    msg_t _out[raw_max_out];
    size_t _nout = 0, _head_off = 0;
    bool _transport_properties_added = false;
    std::unique_ptr<unsigned char[]> _in_buf;
};

} // namespace

std::unique_ptr<i_engine> make_raw_engine(boost::asio::io_context &io,
                                          std::unique_ptr<i_asio_transport> transport,
                                          i_engine_session *session, const options_t &options,
                                          bool /*as_client*/, const std::string & /*endpoint*/) {
    return std::make_unique<raw_engine_t>(io, std::move(transport), *session, options);
}

} // namespace zlink
