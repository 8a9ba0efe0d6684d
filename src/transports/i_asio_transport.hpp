// One byte-stream connection, whatever carries it (tcp, ipc, tls, ws, wss).
// The engine never knows which: it reads and writes through this interface.
//
// Fast path: try_write()/try_read() are non-blocking syscalls done on the
// spot (speculative I/O); the async_* calls are the fallback when the
// kernel says would_block. Handlers run on the transport's io_context thread.
// Buffers passed to async_* must stay valid until the handler runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

namespace boost::asio {
class io_context;
}

namespace zlink {

class i_asio_transport {
  public:
    using handler_t = std::function<void(const boost::system::error_code &, std::size_t)>;
    using wait_handler_t = std::function<void(const boost::system::error_code &)>;

    virtual ~i_asio_transport() = default;

    // Non-blocking gather write of up to `count` buffers (writev/sendmsg).
    // Returns the bytes written; ec = would_block when the kernel buffer is
    // full (0 bytes), another error when the connection is broken.
    virtual std::size_t try_write(const boost::asio::const_buffer *bufs, std::size_t count,
                                  boost::system::error_code &ec) = 0;
    // Non-blocking read; ec = would_block when nothing is there, eof at end.
    virtual std::size_t try_read(boost::asio::mutable_buffer buf,
                                 boost::system::error_code &ec) = 0;

    // Completion when the socket becomes writable / readable again.
    virtual void async_wait_writable(wait_handler_t handler) = 0;
    virtual void async_wait_readable(wait_handler_t handler) = 0;

    // Plain async forms (used where speculation does not pay, e.g. handshake).
    virtual void async_read_some(boost::asio::mutable_buffer buf, handler_t handler) = 0;
    virtual void async_write_some(boost::asio::const_buffer buf, handler_t handler) = 0;

    // Cancel pending operations (handlers get operation_aborted) and close.
    virtual void close() = 0;
    virtual bool is_open() const = 0;

    // "tcp://1.2.3.4:5555"-style addresses for metadata, ZAP and monitor.
    virtual std::string peer_address() const = 0;   // bare address, as libzmq's Peer-Address
    virtual std::string local_endpoint() const = 0; // full URI
    virtual int native_handle() = 0;                // monitor events carry the fd
    // Bytes written that the peer has not read yet, where the kernel can
    // tell (ipc); 0 elsewhere.
    virtual std::size_t unread_by_peer() { return 0; }
    // try_write may run on another thread while the io thread reads and
    // waits on the same connection (never two writes at once): a plain
    // sendmsg on the fd is; a TLS session (one SSL object for both ways) is
    // not. The application-thread write uses only transports that say so.
    virtual bool try_write_alongside_reads() const { return false; }
    // A try_read that brought fewer bytes than asked emptied the kernel's
    // queue (a plain recv on tcp, ipc), and async_read_some reads once more
    // before it waits, so a data or end-of-stream edge already taken cannot
    // be lost: the engine then skips its read-until-EAGAIN. Not for layers
    // that buffer (tls records, ws frames).
    virtual bool short_read_drains() const { return false; }
    // The application-thread write: like try_write, but what it reports
    // written is in the kernel (nothing held back for a later send), since
    // no writability wait follows a write that leaves the output empty.
    virtual std::size_t try_write_direct(const boost::asio::const_buffer *bufs, std::size_t count,
                                         boost::system::error_code &ec) {
        return try_write(bufs, count, ec);
    }

    // Rebinds the connection to another io_context (ws paths sharing a port
    // hand a connection to the socket its upgrade names). Only with no wait
    // or operation pending; false when the transport cannot.
    virtual bool move_to(boost::asio::io_context &io) {
        (void)io;
        return false;
    }

    // A transport with a handshake of its own (tls) runs it inside the first
    // try_read/try_write calls, under the engine's ZMQ_HANDSHAKE_IVL.

    // Once the engine's handshake is over: properties the transport vouches
    // for (tls: "TLS-Subject"), added to every message's metadata.
    virtual std::map<std::string, std::string> properties() const { return {}; }
    // After try_read/try_write failed: when the transport's own handshake
    // was refused, the monitor event that says so (ZMQ_EVENT_HANDSHAKE_
    // FAILED_PROTOCOL or _AUTH) and its value; 0 otherwise.
    virtual uint16_t handshake_failure_event(uint64_t &value) const {
        (void)value;
        return 0;
    }
};

} // namespace zlink
