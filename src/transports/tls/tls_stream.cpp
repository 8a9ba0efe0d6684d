#include "transports/tls/tls_stream.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <zmq.h>

#include "transports/tcp/tcp_stream.hpp"

namespace zlink {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

using bio_state_t = tls_stream_t::bio_state_t;

// One non-blocking send with MSG_NOSIGNAL (a closed peer would raise
// SIGPIPE). -1: the kernel is full, retry later; -2: failed (errno kept
// for the stream).
ssize_t send_some(bio_state_t *st, const void *data, std::size_t len) {
    for (;;) {
        const ssize_t rc = ::send(st->fd, data, len, MSG_NOSIGNAL);
        if (rc >= 0)
            return rc;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -1;
        st->last_errno = errno;
        return -2;
    }
}

// Sends what the out buffer holds: 1 it is empty now, else send_some's.
int send_out(bio_state_t *st) {
    while (st->out_begin < st->out_end) {
        const ssize_t rc =
            send_some(st, st->out.get() + st->out_begin, st->out_end - st->out_begin);
        if (rc < 0)
            return int(rc);
        st->out_begin += std::size_t(rc);
    }
    st->out_begin = st->out_end = 0;
    return 1;
}

// Records gathered in the out buffer (bio_state_t) leave with one send per
// buffer-full; otherwise each record is sent as it comes. Either way bytes
// still in the buffer go first, so the stream keeps its order.
int bio_write(BIO *bio, const char *data, int len) {
    auto *st = static_cast<bio_state_t *>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    const std::size_t n = std::size_t(len);
    const auto fits = [st, n] {
        return st->gather && st->out && st->out_end + n <= tls_stream_t::out_capacity;
    };
    if (!fits()) {
        const int rc = send_out(st);
        if (rc < 0) {
            if (rc == -1)
                BIO_set_retry_write(bio);
            return -1;
        }
    }
    if (fits()) {
        std::memcpy(st->out.get() + st->out_end, data, n);
        st->out_end += n;
        return len;
    }
    const ssize_t rc = send_some(st, data, n);
    if (rc == -1)
        BIO_set_retry_write(bio);
    return rc < 0 ? -1 : int(rc);
}

// One recv: bytes, 0 at the end of the stream; -1: nothing there yet;
// -2: failed (errno kept for the stream).
ssize_t recv_some(bio_state_t *st, void *data, std::size_t len) {
    for (;;) {
        const ssize_t rc = ::recv(st->fd, data, len, 0);
        if (rc >= 0)
            return rc;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -1;
        st->last_errno = errno;
        return -2;
    }
}

// With an in buffer (batching) one recv brings many records and OpenSSL's
// reads are served from it; otherwise each read is a recv.
int bio_read(BIO *bio, char *data, int len) {
    auto *st = static_cast<bio_state_t *>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    if (st->in && st->in_begin == st->in_end) {
        const ssize_t rc = recv_some(st, st->in.get(), tls_stream_t::in_capacity);
        if (rc <= 0) {
            if (rc == -1)
                BIO_set_retry_read(bio);
            return rc < 0 ? -1 : 0;
        }
        st->in_begin = 0;
        st->in_end = std::size_t(rc);
    }
    if (st->in) {
        const std::size_t n = std::min(std::size_t(len), st->in_end - st->in_begin);
        std::memcpy(data, st->in.get() + st->in_begin, n);
        st->in_begin += n;
        return int(n);
    }
    const ssize_t rc = recv_some(st, data, std::size_t(len));
    if (rc == -1)
        BIO_set_retry_read(bio);
    return rc < 0 ? -1 : int(rc);
}

long bio_ctrl(BIO *bio, int cmd, long, void *) {
    if (cmd != BIO_CTRL_FLUSH)
        return 0;
    auto *st = static_cast<bio_state_t *>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    const int rc = send_out(st);
    if (rc == -1)
        BIO_set_retry_write(bio);
    return rc == 1 ? 1 : 0;
}

int bio_create(BIO *bio) {
    BIO_set_init(bio, 1);
    return 1;
}

int bio_destroy(BIO *) { return 1; } // the stream owns the fd

BIO_METHOD *socket_bio_method() {
    static BIO_METHOD *const method = [] {
        BIO_METHOD *m =
            BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "zlink tls socket");
        if (m) {
            BIO_meth_set_write(m, bio_write);
            BIO_meth_set_read(m, bio_read);
            BIO_meth_set_ctrl(m, bio_ctrl);
            BIO_meth_set_create(m, bio_create);
            BIO_meth_set_destroy(m, bio_destroy);
        }
        return m;
    }();
    return method;
}

bool is_certificate_alert(int alert) {
    switch (alert) {
    case SSL_AD_BAD_CERTIFICATE:
    case SSL_AD_UNSUPPORTED_CERTIFICATE:
    case SSL_AD_CERTIFICATE_REVOKED:
    case SSL_AD_CERTIFICATE_EXPIRED:
    case SSL_AD_CERTIFICATE_UNKNOWN:
    case SSL_AD_UNKNOWN_CA:
    case SSL_AD_CERTIFICATE_REQUIRED:
        return true;
    default:
        return false;
    }
}

error_code system_error(int err) { return error_code(err, asio::error::get_system_category()); }

const unsigned char *data_of(const asio::const_buffer &b) {
    return static_cast<const unsigned char *>(b.data());
}

} // namespace

tls_stream_t::tls_stream_t(asio::ip::tcp::socket socket, tls_context_ptr ctx, role_t role,
                           const std::string &expected_host, bool batch_records)
    : _socket(std::move(socket)), _ctx(std::move(ctx)), _batch_records(batch_records),
      _alive(std::make_shared<bool>(true)) {
    error_code ec;
    _socket.non_blocking(true, ec);
    _peer_address = stream_socket_traits<asio::ip::tcp>::peer_address(_socket);
    const std::string local = stream_socket_traits<asio::ip::tcp>::local_uri(_socket);
    _local_endpoint = "tls" + local.substr(std::min(local.find("://"), local.size()));
    BIO_METHOD *method = socket_bio_method();
    if (!_ctx || !method || !(_ssl = SSL_new(_ctx.get())))
        return;
    BIO *bio = BIO_new(method);
    if (!bio) {
        SSL_free(_ssl);
        _ssl = nullptr;
        return;
    }
    _bio.fd = _socket.native_handle();
    BIO_set_data(bio, &_bio);
    SSL_set_bio(_ssl, bio, bio);
    // Reads as much as the kernel has: fewer recv calls than header+body;
    // with batching, several records per recv once the handshake is done
    // (bio_read, handshake_done).
    SSL_set_read_ahead(_ssl, 1);
    if (role == role_t::server) {
        SSL_set_accept_state(_ssl);
        return;
    }
    SSL_set_connect_state(_ssl);
    if (expected_host.empty())
        return;
    asio::ip::make_address(expected_host, ec);
    const bool is_ip = !ec;
    if (SSL_get_verify_mode(_ssl) & SSL_VERIFY_PEER) {
        if (is_ip)
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(_ssl), expected_host.c_str());
        else
            SSL_set1_host(_ssl, expected_host.c_str());
    }
    if (!is_ip) // SNI carries names only (RFC 6066)
        SSL_set_tlsext_host_name(_ssl, expected_host.c_str());
}

tls_stream_t::~tls_stream_t() {
    close();
    if (_ssl)
        SSL_free(_ssl); // and its BIO
}

bool tls_stream_t::handshake(error_code &ec, wait_t &wants) {
    ERR_clear_error();
    const int rc = SSL_do_handshake(_ssl);
    if (rc == 1) {
        handshake_done();
        return true;
    }
    set_error(SSL_get_error(_ssl, rc), ec, wants);
    return false;
}

void tls_stream_t::handshake_done() {
    _handshake_done = true;
    // Pages of these large buffers are touched only as far as traffic fills them.
    if (_batch_records)
        _bio.in.reset(new unsigned char[in_capacity]);
    X509 *peer = SSL_get0_peer_certificate(_ssl);
    if (!peer)
        return;
    BIO *mem = BIO_new(BIO_s_mem());
    if (!mem)
        return;
    if (X509_NAME_print_ex(mem, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253) >= 0) {
        char *text = nullptr;
        const long n = BIO_get_mem_data(mem, &text);
        if (text && n > 0)
            _peer_subject.assign(text, size_t(n));
    }
    BIO_free(mem);
}

void tls_stream_t::set_error(int ssl_error, error_code &ec, wait_t &wants) {
    switch (ssl_error) {
    case SSL_ERROR_WANT_READ:
        ec = asio::error::would_block;
        wants = wait_t::wait_read;
        return;
    case SSL_ERROR_WANT_WRITE:
        ec = asio::error::would_block;
        wants = wait_t::wait_write;
        return;
    case SSL_ERROR_ZERO_RETURN: // close_notify, or the end of the stream
        ec = asio::error::eof;
        return;
    case SSL_ERROR_SYSCALL:
        _failed = true;
        ec = _bio.last_errno ? system_error(_bio.last_errno) : error_code(asio::error::eof);
        ERR_clear_error();
        return;
    default:
        // Also after SSL_do_handshake succeeded: a TLS 1.3 client learns
        // that the server refused its certificate on its first read.
        _failed = true;
        record_handshake_failure();
        ERR_clear_error();
        ec = system_error(EPROTO);
        return;
    }
}

// AUTH for certificate trouble on either side, PROTOCOL for the rest.
void tls_stream_t::record_handshake_failure() {
    const int reason = ERR_GET_REASON(ERR_peek_error());
    _failure_event = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        _failure_value = uint64_t(SSL_get_verify_result(_ssl));
    } else if (reason > SSL_AD_REASON_OFFSET &&
               is_certificate_alert(reason - SSL_AD_REASON_OFFSET)) {
        _failure_value = uint64_t(reason - SSL_AD_REASON_OFFSET); // the peer's alert
    } else if (reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
        _failure_value = 0;
    } else {
        _failure_event = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;
        _failure_value = ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED;
    }
}

uint16_t tls_stream_t::handshake_failure_event(uint64_t &value) const {
    if (_failure_event)
        value = _failure_value;
    return _failure_event;
}

std::map<std::string, std::string> tls_stream_t::properties() const {
    if (!_handshake_done)
        return {};
    return {{"TLS-Subject", _peer_subject}};
}

// What try_write and try_read check first: an open socket, an SSL object,
// and a finished TLS handshake (driven here, waiting the way `wants` says).
bool tls_stream_t::ready_for_io(error_code &ec, wait_t &wants) {
    ec.clear();
    if (!_socket.is_open()) {
        ec = asio::error::bad_descriptor;
        return false;
    }
    if (!_ssl) {
        ec = system_error(ENOMEM);
        return false;
    }
    return _handshake_done || handshake(ec, wants);
}

// Small buffers are copied into one record; a buffer of a record or more is
// encrypted in place. SSL_MODE_ENABLE_PARTIAL_WRITE returns after each
// record. After WANT_WRITE OpenSSL keeps the record it began and must be
// called again with the same bytes, at least as many: the engine retries
// from the first byte it was not told was written, with its batch only
// grown, and ACCEPT_MOVING_WRITE_BUFFER lets those bytes sit elsewhere.
std::size_t tls_stream_t::try_write(const asio::const_buffer *bufs, std::size_t count,
                                    error_code &ec) {
    std::lock_guard<std::mutex> lock(_ssl_mutex);
    return write_locked(bufs, count, _batch_records, ec);
}

std::size_t tls_stream_t::try_write_direct(const asio::const_buffer *bufs, std::size_t count,
                                           error_code &ec) {
    std::lock_guard<std::mutex> lock(_ssl_mutex);
    return write_locked(bufs, count, false, ec);
}

std::size_t tls_stream_t::write_locked(const asio::const_buffer *bufs, std::size_t count,
                                       bool gather, error_code &ec) {
    if (!ready_for_io(ec, _write_wants))
        return 0;
    // Records an earlier call encrypted go first.
    flush_out(ec);
    if (ec)
        return 0;
    if (gather && !_bio.out)
        _bio.out.reset(new unsigned char[out_capacity]);
    _bio.gather = gather;
    const std::size_t total = write_records(bufs, count, ec);
    _bio.gather = false;
    if (!ec)
        flush_out(ec);
    return total;
}

// With batching, a would_block after bytes were taken means records wait in
// the out buffer: async_wait_writable sends them before it reports.
void tls_stream_t::flush_out(error_code &ec) {
    const int rc = send_out(&_bio);
    if (rc == 1)
        return;
    if (rc == -1) {
        ec = asio::error::would_block;
        _write_wants = wait_t::wait_write;
        return;
    }
    _failed = true;
    ec = system_error(_bio.last_errno);
}

std::size_t tls_stream_t::write_records(const asio::const_buffer *bufs, std::size_t count,
                                        error_code &ec) {
    std::size_t total = 0, i = 0, off = 0;
    while (i < count) {
        const std::size_t left = bufs[i].size() - off;
        if (left == 0) {
            ++i;
            off = 0;
            continue;
        }
        const unsigned char *data = data_of(bufs[i]) + off;
        std::size_t len = left;
        if (left < record_size) {
            if (!_stage)
                _stage.reset(new unsigned char[record_size]);
            len = 0;
            for (std::size_t j = i, o = off; j < count && len < record_size; ++j, o = 0) {
                const std::size_t n = std::min(bufs[j].size() - o, record_size - len);
                if (n)
                    std::memcpy(_stage.get() + len, data_of(bufs[j]) + o, n);
                len += n;
            }
            data = _stage.get();
        }
        std::size_t written = 0;
        ERR_clear_error();
        const int rc = SSL_write_ex(_ssl, data, len, &written);
        if (rc != 1) {
            set_error(SSL_get_error(_ssl, rc), ec, _write_wants);
            return total;
        }
        total += written;
        while (written > 0 && i < count) {
            const std::size_t n = std::min(written, bufs[i].size() - off);
            off += n;
            written -= n;
            if (off == bufs[i].size()) {
                ++i;
                off = 0;
            }
        }
    }
    return total;
}

std::size_t tls_stream_t::try_read(asio::mutable_buffer buf, error_code &ec) {
    std::lock_guard<std::mutex> lock(_ssl_mutex);
    if (!ready_for_io(ec, _read_wants))
        return 0;
    if (buf.size() == 0)
        return 0;
    std::size_t n = 0;
    ERR_clear_error();
    const int rc = SSL_read_ex(_ssl, buf.data(), buf.size(), &n);
    if (rc == 1)
        return n;
    set_error(SSL_get_error(_ssl, rc), ec, _read_wants);
    return 0;
}

void tls_stream_t::wait(wait_t direction, wait_handler_t handler) {
    _socket.async_wait(direction, std::move(handler));
}

// The engine waits only after would_block, when OpenSSL holds no readable
// plaintext; SSL_pending (and records in the in buffer, which bio_read hands
// out before it reports would_block) cover a reader that stopped before that.
void tls_stream_t::async_wait_readable(wait_handler_t handler) {
    std::unique_lock<std::mutex> lock(_ssl_mutex);
    const wait_t wants = _read_wants;
    if (_ssl && _handshake_done && (SSL_pending(_ssl) > 0 || _bio.in_begin != _bio.in_end)) {
        asio::post(_socket.get_executor(), [alive = _alive, handler = std::move(handler)] {
            handler(*alive ? error_code() : error_code(asio::error::operation_aborted));
        });
        return;
    }
    lock.unlock();
    wait(wants, std::move(handler));
}

// Records left in the out buffer are sent before the engine hears that it
// may write again (it has nothing left that would send them).
void tls_stream_t::async_wait_writable(wait_handler_t handler) {
    std::unique_lock<std::mutex> lock(_ssl_mutex);
    const wait_t wants = _write_wants;
    const bool holding = _bio.out_end != _bio.out_begin;
    lock.unlock();
    if (!holding)
        return wait(wants, std::move(handler));
    wait(wait_t::wait_write,
         [this, alive = _alive, handler = std::move(handler)](const error_code &wait_ec) mutable {
             if (wait_ec || !*alive)
                 return handler(wait_ec ? wait_ec : asio::error::operation_aborted);
             error_code ec;
             {
                 std::lock_guard<std::mutex> flush_lock(_ssl_mutex);
                 flush_out(ec);
             }
             if (ec == asio::error::would_block)
                 return async_wait_writable(std::move(handler));
             handler(ec);
         });
}

void tls_stream_t::async_read_some(asio::mutable_buffer buf, handler_t handler) {
    error_code ec;
    const std::size_t n = try_read(buf, ec);
    if (ec != asio::error::would_block) {
        asio::post(_socket.get_executor(),
                   [handler = std::move(handler), ec, n] { handler(ec, n); });
        return;
    }
    async_wait_readable([this, alive = _alive, buf,
                         handler = std::move(handler)](const error_code &wait_ec) mutable {
        if (wait_ec || !*alive)
            return handler(wait_ec ? wait_ec : asio::error::operation_aborted, 0);
        async_read_some(buf, std::move(handler));
    });
}

void tls_stream_t::async_write_some(asio::const_buffer buf, handler_t handler) {
    error_code ec;
    const std::size_t n = try_write(&buf, 1, ec);
    if (n > 0 || ec != asio::error::would_block) {
        if (n > 0)
            ec.clear();
        asio::post(_socket.get_executor(),
                   [handler = std::move(handler), ec, n] { handler(ec, n); });
        return;
    }
    async_wait_writable([this, alive = _alive, buf,
                         handler = std::move(handler)](const error_code &wait_ec) mutable {
        if (wait_ec || !*alive)
            return handler(wait_ec ? wait_ec : asio::error::operation_aborted, 0);
        async_write_some(buf, std::move(handler));
    });
}

void tls_stream_t::close() {
    if (!_socket.is_open())
        return;
    std::lock_guard<std::mutex> lock(_ssl_mutex);
    *_alive = false;
    // Best effort: records still buffered, then close_notify, never after a
    // fatal error (OpenSSL's rule).
    if (_ssl && _handshake_done && !_failed) {
        send_out(&_bio);
        ERR_clear_error();
        SSL_shutdown(_ssl);
        ERR_clear_error();
    }
    error_code ec;
    _socket.cancel(ec);
    _socket.close(ec);
}

// The BIO works on the fd, which stays the same.
bool tls_stream_t::move_to(asio::io_context &io) {
    error_code ec;
    const auto protocol = _socket.local_endpoint(ec).protocol();
    if (ec)
        return false;
    asio::ip::tcp::socket moved(io);
    moved.assign(protocol, _socket.release(ec), ec);
    moved.non_blocking(true, ec);
    _socket = std::move(moved);
    return !ec;
}

} // namespace zlink
