// The ZMTP 3.x engine: one connection's greeting, security handshake (the
// mechanism make_mechanism() picks, ZAP included), framing, commands and
// heartbeats, on top of stream_engine_t (reads, speculative writes, waits,
// failures, counters), between an i_asio_transport and an i_engine_session.
//
// Output: the encoder gathers command frames and every queued message into
// one write (32 KiB copy buffer plus large bodies by reference). Two feature
// flags (zlink.h, core/feature_flags.hpp) switch the fast path off for
// comparison: ZLINK_SPECULATIVE_WRITE=0 waits for writability before every
// write, ZLINK_WRITE_BATCH_BYTES caps how much one write gathers. The plan's
// flags (ZMQ_ASIO_ZEROCOPY_WRITE, _WRITE_BATCHING, _HANDSHAKE_ZEROCOPY) return
// a connection to the plain path: copy every body, one frame per write, no
// read past the greeting.
// Input: reads into a 64 KiB buffer decoded in place; big bodies are read
// straight into the message. Nothing is ever moved (no compaction).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "engine/engine_counters.hpp"
#include "engine/i_engine.hpp"
#include "transports/i_asio_transport.hpp"

namespace zlink {

// as_client: we connected (informational; the PLAIN role comes from
// options.as_server). endpoint: the URI, for diagnostics.
std::unique_ptr<i_engine> make_zmtp_engine(boost::asio::io_context &io,
                                           std::unique_ptr<i_asio_transport> transport,
                                           i_engine_session *session, const options_t &options,
                                           bool as_client, const std::string &endpoint);

} // namespace zlink
