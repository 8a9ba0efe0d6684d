// Which security mechanism a connection runs: the socket's options decide,
// this factory builds it. The engine calls make_mechanism() and talks to the
// result through mechanism_t only (greeting name included).
//
// Adding a mechanism (CURVE): its state machine in <name>_mechanism.{hpp,cpp}
// with a maker like make_plain_mechanism() that reads its own fields of
// options_t, and one line in the table in mechanism_factory.cpp.
#pragma once

#include <memory>
#include <string>

#include "core/options.hpp"
#include "protocol/mechanisms/mechanism.hpp"

namespace zlink {

class zap_client;

// What a mechanism needs from the connection besides the options.
struct mechanism_setup {
    std::string peer_address;  // the Address field of ZAP requests
    zap_client *zap = nullptr; // nullptr: no ZAP handler can be reached
};

// options.mechanism (ZMQ_NULL, ZMQ_PLAIN, ZMQ_CURVE) picks the entry, options.as_server
// the role within it. An unknown value runs NULL, as before the factory.
std::unique_ptr<mechanism_t> make_mechanism(const options_t &options, const mechanism_setup &setup);

// The fields every mechanism shares (metadata, ZAP domain), from the options.
mechanism_options common_mechanism_options(const options_t &options,
                                           const std::string &peer_address);

} // namespace zlink
