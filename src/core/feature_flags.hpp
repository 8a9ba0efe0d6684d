// zlink feature flags: engine behaviours that can be switched per process
// (environment) or per socket (zmq_setsockopt), so a benchmark can compare a
// flag on and off without rebuilding.
//
// Order of precedence, highest first:
//   1. the environment variable, spelled like the option macro in zlink.h
//      (ZLINK_SPECULATIVE_WRITE, ZMQ_ASIO_ZEROCOPY_WRITE, ...), if it is set and
//      holds an integer the flag accepts;
//   2. the socket option, if the application set it;
//   3. the compiled-in default.
//
// The engine resolves its flags once, when it is constructed (once per
// connection): getenv is cheap at that rate, and tests can setenv before
// connecting. Nothing is cached per process.
#pragma once

#include <climits>

namespace zlink {

// Compiled-in defaults (see include/zlink.h for what the flags mean).
constexpr int speculative_write_default = 1;
constexpr int write_batch_bytes_default = 32 * 1024; // the engine's copy buffer
constexpr int app_thread_write_default = 1;
constexpr int reactor_read_default = 1;
// ZLINK_IO_POLL (environment only: it is per process, read when an io thread
// starts): io threads poll while an application thread spins for a message.
constexpr int io_poll_default = 1;
constexpr int tls_batch_default = 1;
// The performance plan's flags (ZMQ_ASIO_*): every mechanism is on.
constexpr int zerocopy_write_default = 1;
constexpr int lazy_compact_default = 1;
constexpr int write_batching_default = 1;
constexpr int handshake_zerocopy_default = 1;

// Parses a whole decimal integer (surrounding blanks allowed) into *out.
// false for null, empty, trailing garbage or a value outside int.
bool parse_flag_int(const char *text, int *out);

// The value a flag takes: env_name's value if set and parsing to an integer
// in [min_value, max_value]; else sockopt_value unless it is -1 ("not set");
// else compiled_default. An unusable environment value is ignored (falls
// through to the socket option) rather than failing the connection.
int resolve_flag(const char *env_name, int sockopt_value, int compiled_default,
                 int min_value = INT_MIN, int max_value = INT_MAX);

} // namespace zlink
