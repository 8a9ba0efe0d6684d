#include "protocol/mechanisms/mechanism_factory.hpp"

#include <zmq.h>

#include "protocol/mechanisms/curve_mechanism.hpp"
#include "protocol/mechanisms/null_mechanism.hpp"
#include "protocol/mechanisms/plain_mechanism.hpp"

namespace zlink {

namespace {

using mechanism_maker = std::unique_ptr<mechanism_t> (*)(const options_t &,
                                                         const mechanism_options &, zap_client *);

struct mechanism_entry {
    int id; // ZMQ_NULL, ZMQ_PLAIN, ...
    mechanism_maker make;
};

// The first entry is the fallback.
const mechanism_entry mechanisms[] = {
    {ZMQ_NULL, &make_null_mechanism},
    {ZMQ_PLAIN, &make_plain_mechanism},
#ifdef ZLINK_HAVE_CURVE
    {ZMQ_CURVE, &make_curve_mechanism},
#endif
};

} // namespace

mechanism_options common_mechanism_options(const options_t &options,
                                           const std::string &peer_address) {
    mechanism_options mo;
    mo.socket_type = options.type;
    mo.routing_id = options.routing_id;
    for (const auto &kv : options.app_metadata)
        mo.user_metadata.emplace_back(kv.first, kv.second);
    mo.as_server = options.as_server;
    mo.plain_username = options.plain_username;
    mo.plain_password = options.plain_password;
    mo.zap_domain = options.zap_domain;
    mo.zap_enforce_domain = options.zap_enforce_domain;
    mo.peer_address = peer_address;
    return mo;
}

std::unique_ptr<mechanism_t> make_mechanism(const options_t &options,
                                            const mechanism_setup &setup) {
    const mechanism_entry *entry = &mechanisms[0];
    for (const auto &e : mechanisms)
        if (e.id == options.mechanism)
            entry = &e;
    return entry->make(options, common_mechanism_options(options, setup.peer_address), setup.zap);
}

} // namespace zlink
