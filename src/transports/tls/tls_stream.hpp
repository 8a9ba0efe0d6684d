// A tls:// connection: OpenSSL's record layer on a connected, non-blocking
// tcp socket, as the engine's byte stream.
//
// Why not asio::ssl::stream: its synchronous write_some hands the encrypted
// record to boost::asio::write() and drops whatever a non-blocking socket
// did not take (ssl/detail/io.hpp), so it cannot serve try_write's
// speculative, non-blocking writes; its async forms would send every write
// through the reactor. Here SSL_read/SSL_write run directly on the fd
// through a small BIO (send with MSG_NOSIGNAL, recv), and Asio only waits
// for readiness in the direction OpenSSL asked for.
//
// The TLS handshake runs inside the first try_read/try_write calls, so the
// engine's ZMQ_HANDSHAKE_IVL covers it and its monitor events report a
// refusal (handshake_failure_event()).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <openssl/ssl.h>

#include "transports/i_asio_transport.hpp"
#include "transports/tls/tls_context.hpp"

namespace zlink {

class tls_stream_t final : public i_asio_transport {
  public:
    enum class role_t { client, server };

    // Client: expected_host is the name (or IP address) the server's
    // certificate must carry when the context verifies; a name is also sent
    // as SNI. Construction cannot fail: an SSL object OpenSSL could not make
    // shows up as an error on the first read or write.
    // batch_records (ZLINK_TLS_BATCH): the records of one try_write leave in
    // as few sends as the out buffer allows, and a read brings up to
    // in_capacity bytes of records at once.
    tls_stream_t(boost::asio::ip::tcp::socket socket, tls_context_ptr ctx, role_t role,
                 const std::string &expected_host = std::string(), bool batch_records = false);
    ~tls_stream_t() override;

    tls_stream_t(const tls_stream_t &) = delete;
    tls_stream_t &operator=(const tls_stream_t &) = delete;

    std::size_t try_write(const boost::asio::const_buffer *bufs, std::size_t count,
                          boost::system::error_code &ec) override;
    // The application thread's write: records are sent as made, never left
    // in the out buffer (nothing would wait to send them).
    std::size_t try_write_direct(const boost::asio::const_buffer *bufs, std::size_t count,
                                 boost::system::error_code &ec) override;
    // One SSL object serves both ways, so every use of it (and of what the
    // BIO keeps) holds _ssl_mutex: an application-thread write and the io
    // thread's reads take turns.
    bool try_write_alongside_reads() const override { return true; }
    std::size_t try_read(boost::asio::mutable_buffer buf, boost::system::error_code &ec) override;
    void async_wait_writable(wait_handler_t handler) override;
    void async_wait_readable(wait_handler_t handler) override;
    void async_read_some(boost::asio::mutable_buffer buf, handler_t handler) override;
    void async_write_some(boost::asio::const_buffer buf, handler_t handler) override;
    void close() override;
    bool is_open() const override { return _socket.is_open(); }
    std::string peer_address() const override { return _peer_address; }
    std::string local_endpoint() const override { return _local_endpoint; }
    int native_handle() override { return _socket.is_open() ? _socket.native_handle() : -1; }
    std::map<std::string, std::string> properties() const override;
    uint16_t handshake_failure_event(uint64_t &value) const override;
    bool move_to(boost::asio::io_context &io) override;

    // What the socket BIO works on (tls_stream.cpp).
    // Batching: while `gather` is set (try_write's SSL_write calls) finished
    // records are appended to `out` and sent together; bytes left there
    // (the kernel was full) go before anything else the BIO writes. With
    // `in`, one recv takes up to in_capacity bytes of records and OpenSSL
    // reads from there (its own read-ahead buffer, made that large, would
    // move what is left to its front before every record).
    struct bio_state_t {
        int fd = -1;
        int last_errno = 0; // of the last failed send/recv other than EAGAIN
        bool gather = false;
        std::unique_ptr<unsigned char[]> out, in;
        std::size_t out_begin = 0, out_end = 0, in_begin = 0, in_end = 0;
    };
    static constexpr std::size_t out_capacity = 256 * 1024;
    static constexpr std::size_t in_capacity = 256 * 1024;
    // Records encrypted but not sent yet: a lingering session waits for them.
    std::size_t unread_by_peer() override {
        std::lock_guard<std::mutex> lock(_ssl_mutex); // the out buffer is the BIO's
        return _bio.out_end - _bio.out_begin;
    }

  private:
    using wait_t = boost::asio::socket_base::wait_type;

    bool handshake(boost::system::error_code &ec, wait_t &wants);
    bool ready_for_io(boost::system::error_code &ec, wait_t &wants);
    void handshake_done();
    // An SSL_* result as ec (would_block, eof, a system errno or EPROTO);
    // `wants` gets the direction to wait for on would_block.
    void set_error(int ssl_error, boost::system::error_code &ec, wait_t &wants);
    void record_handshake_failure();
    void wait(wait_t direction, wait_handler_t handler);
    // Sends what `out` holds; would_block when the kernel took only part.
    void flush_out(boost::system::error_code &ec);
    // try_write's body (gather: batch records in the out buffer), and its
    // SSL_write loop.
    std::size_t write_locked(const boost::asio::const_buffer *bufs, std::size_t count, bool gather,
                             boost::system::error_code &ec);
    std::size_t write_records(const boost::asio::const_buffer *bufs, std::size_t count,
                              boost::system::error_code &ec);

    boost::asio::ip::tcp::socket _socket;
    tls_context_ptr _ctx;
    SSL *_ssl = nullptr;
    std::mutex _ssl_mutex; // see try_write_alongside_reads
    bio_state_t _bio;
    bool _handshake_done = false;
    const bool _batch_records;
    bool _failed = false; // a fatal TLS error: no close_notify then
    wait_t _read_wants = wait_t::wait_read;
    wait_t _write_wants = wait_t::wait_write;
    std::shared_ptr<bool> _alive; // posted handlers see a close
    std::string _peer_address, _local_endpoint, _peer_subject;
    uint16_t _failure_event = 0;
    uint64_t _failure_value = 0;
    // Small buffers are gathered here so a batch of messages is one record.
    static constexpr std::size_t record_size = 16384;
    std::unique_ptr<unsigned char[]> _stage;
};

} // namespace zlink
