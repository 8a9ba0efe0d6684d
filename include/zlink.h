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
   goes through the I/O thread (the plain path). */
#define ZLINK_APP_THREAD_WRITE 1002

/* ---- Debug counters ----------------------------------------------------------
 * What the wire engine's data path did in this process: writes, bytes,
 * would-block writes, reads, messages in/out, messages that shared a write,
 * writes made from a writability notification (engine_deferred_writes: every
 * write with ZLINK_SPECULATIVE_WRITE=0, retries after a full kernel buffer
 * otherwise).
 * ZLINK_APP_THREAD_WRITE's path: engine_app_thread_messages (data frames
 * written by the sending thread) vs engine_io_thread_messages (by the I/O
 * thread), and the sends handed to the I/O thread and why:
 * app_write_handoff_would_block (kernel full, the rest waits in the engine),
 * app_write_handoff_busy (the I/O thread held the output) and
 * app_write_handoff_not_idle (handshake, queued output or a writability wait),
 * app_write_handoff_too_many_frames (more than 16 frames in one flush).
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

#ifdef __cplusplus
}
#endif

#endif /* ZLINK_H_INCLUDED */
