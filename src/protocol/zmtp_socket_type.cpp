#include "protocol/zmtp_socket_type.hpp"

#include <cstring>

#include <zmq.h>

namespace zlink {

namespace {

struct type_entry {
    int type;
    const char *name;
    // Peer names this type accepts, nullptr terminated.
    const char *peers[4];
};

// The valid pairings from the ZMTP specs (and libzmq's draft types).
const type_entry types[] = {
    {ZMQ_PAIR, "PAIR", {"PAIR", nullptr}},
    {ZMQ_PUB, "PUB", {"SUB", "XSUB", nullptr}},
    {ZMQ_SUB, "SUB", {"PUB", "XPUB", nullptr}},
    {ZMQ_REQ, "REQ", {"REP", "ROUTER", nullptr}},
    {ZMQ_REP, "REP", {"REQ", "DEALER", nullptr}},
    {ZMQ_DEALER, "DEALER", {"REP", "DEALER", "ROUTER", nullptr}},
    {ZMQ_ROUTER, "ROUTER", {"REQ", "DEALER", "ROUTER", nullptr}},
    {ZMQ_PULL, "PULL", {"PUSH", nullptr}},
    {ZMQ_PUSH, "PUSH", {"PULL", nullptr}},
    {ZMQ_XPUB, "XPUB", {"SUB", "XSUB", nullptr}},
    {ZMQ_XSUB, "XSUB", {"PUB", "XPUB", nullptr}},
    {ZMQ_SERVER, "SERVER", {"CLIENT", nullptr}},
    {ZMQ_CLIENT, "CLIENT", {"SERVER", nullptr}},
    {ZMQ_RADIO, "RADIO", {"DISH", nullptr}},
    {ZMQ_DISH, "DISH", {"RADIO", nullptr}},
    {ZMQ_GATHER, "GATHER", {"SCATTER", nullptr}},
    {ZMQ_SCATTER, "SCATTER", {"GATHER", nullptr}},
    {ZMQ_DGRAM, "DGRAM", {nullptr}},
    {ZMQ_PEER, "PEER", {"PEER", nullptr}},
    {ZMQ_CHANNEL, "CHANNEL", {"CHANNEL", nullptr}},
};

const type_entry *find(int type) {
    for (const auto &t : types)
        if (t.type == type)
            return &t;
    return nullptr;
}

} // namespace

const char *zmtp_socket_type_name(int type) {
    const type_entry *t = find(type);
    return t ? t->name : nullptr;
}

int zmtp_socket_type_from_name(const std::string &name) {
    for (const auto &t : types)
        if (name == t.name)
            return t.type;
    return -1;
}

bool zmtp_socket_types_compatible(int ours, const std::string &peer_name) {
    const type_entry *t = find(ours);
    if (!t)
        return false;
    for (const char *const *p = t->peers; *p; ++p)
        if (peer_name == *p)
            return true;
    return false;
}

} // namespace zlink
