/*
 * zlink - extensions beyond the libzmq 4.3 API.
 *
 * <zmq.h> stays exactly libzmq-compatible; anything zlink-specific is
 * declared here so programs that only want libzmq never see it.
 */
#ifndef ZLINK_H_INCLUDED
#define ZLINK_H_INCLUDED

#include "zmq.h"

/* zlink's own version (independent of the libzmq API level it reports). */
#define ZLINK_VERSION_MAJOR 0
#define ZLINK_VERSION_MINOR 1
#define ZLINK_VERSION_PATCH 0

#define ZLINK_VERSION                                                          \
    ZMQ_MAKE_VERSION (ZLINK_VERSION_MAJOR, ZLINK_VERSION_MINOR,                \
                      ZLINK_VERSION_PATCH)

/* Same export rule as zmq.h; a separate name so zlink.h does not depend on
   whether zmq.h keeps ZMQ_EXPORT defined. */
#if defined _WIN32
#if defined ZMQ_STATIC
#define ZLINK_EXPORT
#elif defined ZLINK_EXPORTS
#define ZLINK_EXPORT __declspec(dllexport)
#else
#define ZLINK_EXPORT __declspec(dllimport)
#endif
#elif defined __GNUC__ || defined __clang__
#define ZLINK_EXPORT __attribute__ ((visibility ("default")))
#else
#define ZLINK_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Fills any non-null argument with zlink's version; returns ZLINK_VERSION.
   Also lets a program check (e.g. via dlsym) that it runs on zlink rather
   than on libzmq. */
ZLINK_EXPORT int zlink_version (int *major_, int *minor_, int *patch_);

/* ---- zlink feature-flag socket options -------------------------------------
 * Used with zmq_setsockopt/zmq_getsockopt.  Numbers from 1000 upwards are
 * reserved for zlink so they can never collide with libzmq's options
 * (which stay well below 1000).
 *
 * Each flag can also be set for the whole process by an environment variable
 * spelled like the macro (ZLINK_SPECULATIVE_WRITE=0, ...).  Precedence:
 * environment (if set to a valid integer) > socket option > default.  A
 * connection resolves its flags when it starts, so set the option before
 * zmq_bind/zmq_connect.  zmq_getsockopt returns the socket's own value or the
 * default; it does not reflect the environment.  An invalid option value
 * fails with EINVAL; an invalid environment value is ignored.
 */
#define ZLINK_SOCKOPT_BASE 1000
/* int, 0/1, default 1: speculative write.  When a message is queued, the
   I/O thread encodes it and writes it to the kernel in the same call stack as
   the activation, waiting for writability only when the kernel is full.
   0 = after the handshake, always wait for a writability notification first
   and write from its completion (one I/O-loop round trip per write; for
   comparison only). */
#define ZLINK_SPECULATIVE_WRITE 1000
/* int, bytes >= 1, default 32768 (the engine's copy buffer): the engine stops
   adding messages to a write once it holds at least this many bytes, so 1
   means one message per write system call.  Values >= 32768 leave the limit
   to the encoder (32 KiB of copied small messages plus up to 16 large bodies
   written in place). */
#define ZLINK_WRITE_BATCH_BYTES 1001
/* int, 0/1, default 1: application-thread write.  A send on a connection
   whose engine is idle (handshake done, nothing queued, no write in flight,
   no writability wait) is encoded and written to the kernel by the sending
   thread with one non-blocking gathered write; the I/O thread takes over
   only when the kernel would block or the engine is busy.  0 = every message
   goes through the I/O thread (the plain path), as does
   ZLINK_SPECULATIVE_WRITE=0. */
#define ZLINK_APP_THREAD_WRITE 1002
/* int, microseconds 0..10000, default 100: receive spin.  A blocking
   zmq_recv/zmq_send, zmq_poll or zmq_poller_wait that finds nothing first
   watches the socket for up to this long before it sleeps, so a reply that
   comes within it costs no second thread wake-up (the I/O thread's is the
   only one).  Adaptive: after waits longer than this the spin stops and is
   retried with back-off; a socket that moved more than 8 messages since its
   last wait (a stream) sleeps at once.  The spin yields the CPU every
   microsecond or two.  0 = always sleep at once (the plain path).  zmq_poll uses the smallest value of the
   sockets it polls; read when the option is set (environment: when the
   socket is created). */
#define ZLINK_RECV_SPIN_US 1010
/* int, 0/1, default 1: lazy wake.  The socket's notification fd is written
   only when a thread sleeps on it (a blocking call, zmq_poll,
   zmq_poller_wait) or once the application has read ZMQ_FD (from then on
   always, libzmq's ZMQ_FD contract).  0 = written on every empty ->
   non-empty transition of the command queue, as before. */
#define ZLINK_LAZY_WAKE 1011
/* int, 0/1, default 1: reactor read (tcp, ipc).  After a read that did not
   fill the engine's buffer (the kernel queue was empty), the next read is
   handed to the I/O loop's receive operation, which checks once more and
   then waits, instead of reading again until EAGAIN and then re-arming a
   readiness wait (epoll_ctl): one system call less per received message
   and no readiness re-arm.  0 = read until EAGAIN, then wait (the plain
   path). */
#define ZLINK_REACTOR_READ 1012
/* int, 0/1, default 1: tls:// record batching.  The TLS records one write
   makes (a 64 KiB message is four) are gathered into a 256 KiB buffer and
   leave with one send instead of one send each, and a read takes up to
   256 KiB of records from the kernel at once (OpenSSL alone reads one
   record per system call).  0 = one system call per record both ways.
   Costs up to 512 KiB of address space per connection (pages only as far
   as traffic fills them).  Read when a tls:// bind or connection attempt
   starts. */
#define ZLINK_TLS_BATCH 1020

/* The performance plan's flags (doc/plan/PERFORMANCE_PLAN.md), mapped onto
   zlink's engine.  Same rules as above: int 0/1, environment variable of the
   same name > socket option > default; 0 returns a connection to the plain
   path.  Debug counters below show which path ran.  They apply to ZMTP
   connections (a ZMQ_STREAM socket's raw connections ignore them). */
/* default 1: a frame body over 1 KiB goes to the kernel from the message
   itself (a gather-write entry), not copied into the engine's 32 KiB write
   buffer.  0 = copy every body that fits that buffer (bodies over ~32 KiB
   have nowhere to be copied to and are still written in place). */
#define ZMQ_ASIO_ZEROCOPY_WRITE 1003
/* default 1, no effect: zlink's read path never moves buffered bytes (a
   frame cut by a read boundary continues in the decoder's own state, the
   read buffer is reused only once fully decoded), so there is no compaction
   to make lazy.  Accepted so the plan's scripts work; counters prove it. */
#define ZMQ_ASIO_LAZY_COMPACT 1004
/* default 1: opportunistic write batching.  A write gathers whatever is
   queued at that moment (up to ZLINK_WRITE_BATCH_BYTES) into one system
   call; there is no timer and nothing waits for more.  0 = one frame per
   write system call (a multipart send goes through the I/O thread). */
#define ZMQ_ASIO_WRITE_BATCHING 1005
/* default 1: bytes that arrive together with the peer's greeting (its first
   handshake command) are decoded where they were read, with no copy.
   0 = greeting reads stop at the greeting's last byte (libzmq's way), so
   handshake commands always come with a read of their own. */
#define ZMQ_ASIO_HANDSHAKE_ZEROCOPY 1006
/* The plan's name for ZLINK_APP_THREAD_WRITE: the same setting (either
   number sets and reads it; the environment variable ZMQ_ASIO_APP_THREAD_WRITE
   wins over ZLINK_APP_THREAD_WRITE when both are set). */
#define ZMQ_ASIO_APP_THREAD_WRITE 1007

/* ---- tls:// socket options (1100-1199) --------------------------------------
 * tls://host:port is ZMTP (NULL or PLAIN/ZAP inside, every socket type) over
 * TLS 1.2 or 1.3 (1.3 when both sides have it) over tcp; the address syntax
 * is tcp's.  Set these before zmq_bind/zmq_connect: a listener and each
 * connection attempt read them when they start.  zmq_has("tls") = 1.
 *
 * Certificate values (ZMQ_TLS_CERT, _KEY, _CA) are either a file path or the
 * PEM text itself: a value starting with "-----BEGIN" is PEM text, anything
 * else a path (for ZMQ_TLS_CA also a directory of hashed certificates, as
 * `openssl rehash` makes).  String options take (value, length); NULL or a
 * zero length clears them; zmq_getsockopt returns them with a terminating
 * NUL.  A bind without a usable certificate and key fails with EINVAL; a
 * connect whose options cannot be loaded fails each attempt (and retries).
 *
 * A TLS handshake that fails closes the connection and is reported as
 *   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: a certificate problem, the value being
 *     the X.509 verification error when this side rejected the peer's
 *     certificate (X509_V_ERR_*: 10 expired, 20/19 unknown or self-signed
 *     issuer, 62 host name or 64 IP address mismatch), else the TLS alert
 *     the peer sent (42 bad_certificate, 45 certificate_expired,
 *     48 unknown_ca, 116 certificate_required), or 0 when a required client
 *     certificate was missing;
 *   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: anything else (the peer does not
 *     speak TLS, no common version or cipher), value
 *     ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED.
 * A handshake cut short by the peer closing is HANDSHAKE_FAILED_NO_DETAIL,
 * as for tcp.  ZMQ_HANDSHAKE_IVL bounds the TLS and ZMTP handshakes together.
 * After a refused TLS handshake the connecting side retries every
 * ZMQ_RECONNECT_IVL, as after a lost connection (a certificate may have been
 * replaced); a ZAP denial inside TLS ends it for good, as over tcp.
 *
 * Messages received over tls:// carry the property "TLS-Subject" (read it
 * with zmq_msg_gets): the peer certificate's subject in RFC 2253 form
 * ("CN=client,O=example"), or "" when the peer sent none.  It is set by this
 * side from the certificate it verified (unverified with ZMQ_TLS_VERIFY=0);
 * a peer cannot supply it through its own properties.
 */
/* string: this side's certificate (PEM, leaf first, then any intermediate
   certificates).  Required to bind; on connect, sent when the server asks. */
#define ZMQ_TLS_CERT 1100
/* string: the private key of ZMQ_TLS_CERT (PEM; encrypted: ZMQ_TLS_PASSWORD). */
#define ZMQ_TLS_KEY 1101
/* string: the certificate authorities trusted to sign the peer's certificate
   (PEM, one or more).  On a server, setting it also asks clients for a
   certificate (verified when given; see ZMQ_TLS_REQUIRE_CLIENT_CERT). */
#define ZMQ_TLS_CA 1102
/* int, 0/1, default 1: verify the peer's certificate (client: chain and host
   name; server: a client certificate's chain).  0 encrypts without knowing
   who the peer is: for tests only. */
#define ZMQ_TLS_VERIFY 1103
/* int, 0/1, default 0 (server): refuse clients without a valid certificate
   (mutual TLS). */
#define ZMQ_TLS_REQUIRE_CLIENT_CERT 1104
/* string (client): the name the server's certificate must carry, and the SNI
   sent; default the host of the endpoint (an IP address is matched against
   the certificate's IP entries and sends no SNI). */
#define ZMQ_TLS_HOSTNAME 1105
/* int, 0/1: also trust the system's certificate authorities (OpenSSL's
   default store).  Default: 1 when ZMQ_TLS_CA is not set, else 0;
   zmq_getsockopt returns the value in effect. */
#define ZMQ_TLS_TRUST_SYSTEM 1106
/* string: the passphrase of an encrypted ZMQ_TLS_KEY. */
#define ZMQ_TLS_PASSWORD 1107

/* ---- Debug counters ----------------------------------------------------------
 * What the wire engine's data path did in this process: writes, bytes,
 * would-block writes, reads, messages in/out, messages that shared a write,
 * writes made from a writability notification (engine_deferred_writes: every
 * write with ZLINK_SPECULATIVE_WRITE=0, retries after a full kernel buffer
 * otherwise), write loops that gave the I/O thread back to its other
 * connections after 16 system calls (engine_write_yields).
 * ZLINK_APP_THREAD_WRITE's path: engine_app_thread_messages (data frames
 * written by the sending thread) vs engine_io_thread_messages (by the I/O
 * thread), and the sends handed to the I/O thread and why:
 * app_write_handoff_would_block (kernel full, the rest waits in the engine),
 * app_write_handoff_busy (the I/O thread held the output) and
 * app_write_handoff_not_idle (handshake, queued output or a writability wait),
 * app_write_handoff_too_many_frames (more than 16 frames in one flush),
 * app_write_handoff_burst (a send right after another, or while the I/O
 * thread was still busy with earlier ones: a stream, which the I/O thread
 * gathers into fewer writes).
 * ZLINK_RECV_SPIN_US / ZLINK_LAZY_WAKE's path: recv_wakeups (notification
 * fd writes: a thread was asleep on it, or ZMQ_FD was handed out),
 * recv_signals_skipped (a command came while nobody slept: no write),
 * recv_spin_hits (blocking waits a spin ended, no sleep), recv_spin_parked
 * (spins that ran out and slept), recv_parked (blocking waits that slept,
 * with or without a spin first), recv_spin_contended (spins given up
 * because yielding lost the CPU to another program for a time slice,
 * over 500 us),
 * recv_spin_skipped (waits that slept without spinning because the policy
 * held the spin back: recent waits longer than the spin, a contended CPU,
 * or a stream), recv_spin_one_cpu (spins by a thread allowed on one cpu
 * only, which yield at their first look), io_polls_found (polls of an io
 * thread that found work while an application thread spun: ZLINK_IO_POLL
 * below).
 * Environment only, per process, read when an io thread starts:
 * ZLINK_IO_POLL=0/1, default 1: while an application thread spins for a
 * message (ZLINK_RECV_SPIN_US), the io threads poll their reactor instead of
 * sleeping in epoll_wait, so the message reaches a thread that is awake and
 * no thread is woken; the poll ends with the spin's budget, or at once for
 * that spin when a yield shows the cpu crowded with other runnable threads.
 * 0 = the io threads always sleep (the plain path).
 * Cheap (one relaxed atomic add per system call), so present in every build.
 */
typedef struct
{
    const char *name; /* static string, owned by the library */
    unsigned long long value;
} zlink_debug_counter_t;

/* Copies up to max counters into out; returns how many were written, or the
   total number available if out is NULL. */
ZLINK_EXPORT int zmq_debug_counters (zlink_debug_counter_t *out, int max);
/* Sets every counter back to zero. */
ZLINK_EXPORT void zmq_debug_counters_reset (void);

/* The performance plan's counters by name (each is one entry of
 * zmq_debug_counters, process-wide, since start or the last reset):
 *   zerocopy_count: frame bodies written from the message itself
 *     (engine_zerocopy_frames); fallback_count: bodies over 1 KiB copied
 *     because ZMQ_ASIO_ZEROCOPY_WRITE was 0 (engine_zerocopy_fallback_frames);
 *   bytes_copied: body and greeting bytes copied into the engine's write
 *     buffer (engine_bytes_copied; frame headers are not counted);
 *   scatter_gather_count: writes of more than one buffer; partial_write_count:
 *     writes the kernel took only part of;
 *   compaction_count / compaction_bytes: read-buffer moves, always 0 (the
 *     read path never moves bytes, see ZMQ_ASIO_LAZY_COMPACT);
 *     compaction_skipped_count: reads that continued a frame cut by the
 *     previous read, with nothing moved;
 *   batch_flush_count: write system calls (every write is a flush: there is
 *     no batching timer); batched_message_count: data frames that shared a
 *     write with others.
 * zmq_debug_reset_counters is zmq_debug_counters_reset. */
ZLINK_EXPORT size_t zmq_debug_get_zerocopy_count (void);
ZLINK_EXPORT size_t zmq_debug_get_fallback_count (void);
ZLINK_EXPORT size_t zmq_debug_get_bytes_copied (void);
ZLINK_EXPORT size_t zmq_debug_get_scatter_gather_count (void);
ZLINK_EXPORT size_t zmq_debug_get_partial_write_count (void);
ZLINK_EXPORT size_t zmq_debug_get_compaction_count (void);
ZLINK_EXPORT size_t zmq_debug_get_compaction_bytes (void);
ZLINK_EXPORT size_t zmq_debug_get_compaction_skipped_count (void);
ZLINK_EXPORT size_t zmq_debug_get_batch_flush_count (void);
ZLINK_EXPORT size_t zmq_debug_get_batched_message_count (void);
ZLINK_EXPORT void zmq_debug_reset_counters (void);

#ifdef __cplusplus
}
#endif

#endif /* ZLINK_H_INCLUDED */
