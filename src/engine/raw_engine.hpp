// The engine of ZMQ_STREAM sockets: raw bytes, no greeting, no framing.
// Each chunk read is pushed as one data message; each message pulled is
// written as its bytes. engine_ready() comes at start() with an empty routing
// id and Peer-Address metadata. Reading, writing and failing are
// stream_engine_t's, as for the ZMTP engine.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "transports/i_asio_transport.hpp"
#include "engine/i_engine.hpp"

namespace zlink {

std::unique_ptr<i_engine> make_raw_engine(boost::asio::io_context &io,
                                          std::unique_ptr<i_asio_transport> transport,
                                          i_engine_session *session, const options_t &options,
                                          bool as_client, const std::string &endpoint);

} // namespace zlink
