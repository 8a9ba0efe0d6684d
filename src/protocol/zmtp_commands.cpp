#include "protocol/zmtp_commands.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <zmq.h>

#include "protocol/zmtp_socket_type.hpp"
#include "protocol/zmtp_wire.hpp"

namespace zlink {

bool zmtp_command_view::is(const char *n) const {
    const size_t len = std::strlen(n);
    return len == name_size && std::memcmp(name, n, len) == 0;
}

bool zmtp_parse_command(const msg_t &msg, zmtp_command_view *out) {
    if (!msg.is_command() || msg.size() < 1)
        return false;
    const auto *p = static_cast<const unsigned char *>(msg.data());
    const size_t name_size = p[0];
    if (name_size == 0 || name_size + 1 > msg.size())
        return false;
    out->name = reinterpret_cast<const char *>(p + 1);
    out->name_size = name_size;
    out->data = p + 1 + name_size;
    out->size = msg.size() - 1 - name_size;
    return true;
}

bool zmtp_is_command(const msg_t &msg, const char *name) {
    zmtp_command_view v;
    return zmtp_parse_command(msg, &v) && v.is(name);
}

namespace {

// Allocates the body and writes the name; returns where the data goes.
unsigned char *start_command(msg_t *msg, const char *name, size_t data_size) {
    const size_t name_size = std::strlen(name);
    if (name_size == 0 || name_size > 255) {
        errno = EINVAL;
        return nullptr;
    }
    if (msg->check())
        msg->close();
    if (msg->init_size(1 + name_size + data_size) != 0)
        return nullptr;
    auto *p = static_cast<unsigned char *>(msg->data());
    p[0] = static_cast<unsigned char>(name_size);
    std::memcpy(p + 1, name, name_size);
    msg->set_flags(msg_t::command);
    return p + 1 + name_size;
}

} // namespace

int zmtp_make_command(msg_t *msg, const char *name, const void *data, size_t size) {
    unsigned char *p = start_command(msg, name, size);
    if (!p)
        return -1;
    if (size)
        std::memcpy(p, data, size);
    return 0;
}

int zmtp_make_metadata_command(msg_t *msg, const char *name, const zmtp_property_list &props) {
    std::string body;
    if (!zmtp_encode_metadata(props, &body)) {
        errno = EINVAL;
        return -1;
    }
    return zmtp_make_command(msg, name, body.data(), body.size());
}

int zmtp_make_ready(msg_t *msg, const zmtp_property_list &props) {
    return zmtp_make_metadata_command(msg, "READY", props);
}

int zmtp_make_error(msg_t *msg, const std::string &reason) {
    const size_t len = reason.size() > 255 ? 255 : reason.size();
    unsigned char *p = start_command(msg, "ERROR", 1 + len);
    if (!p)
        return -1;
    p[0] = static_cast<unsigned char>(len);
    std::memcpy(p + 1, reason.data(), len);
    return 0;
}

bool zmtp_parse_error(const zmtp_command_view &cmd, std::string *reason) {
    if (cmd.size < 1 || size_t(cmd.data[0]) > cmd.size - 1)
        return false;
    reason->assign(reinterpret_cast<const char *>(cmd.data + 1), cmd.data[0]);
    return true;
}

int zmtp_make_subscribe(msg_t *msg, const void *topic, size_t size) {
    return zmtp_make_command(msg, "SUBSCRIBE", topic, size);
}

int zmtp_make_cancel(msg_t *msg, const void *topic, size_t size) {
    return zmtp_make_command(msg, "CANCEL", topic, size);
}

int zmtp_make_ping(msg_t *msg, uint16_t ttl_deciseconds, const void *context, size_t context_size) {
    if (context_size > zmtp_ping_max_context) {
        errno = EINVAL;
        return -1;
    }
    unsigned char *p = start_command(msg, "PING", 2 + context_size);
    if (!p)
        return -1;
    zmtp_put_u16(p, ttl_deciseconds);
    if (context_size)
        std::memcpy(p + 2, context, context_size);
    return 0;
}

bool zmtp_parse_ping(const zmtp_command_view &cmd, uint16_t *ttl_deciseconds,
                     std::string *context) {
    if (cmd.size < 2)
        return false;
    *ttl_deciseconds = zmtp_get_u16(cmd.data);
    const size_t len = std::min(cmd.size - 2, zmtp_ping_max_context);
    context->assign(reinterpret_cast<const char *>(cmd.data + 2), len);
    return true;
}

int zmtp_make_pong(msg_t *msg, const void *context, size_t context_size) {
    if (context_size > zmtp_ping_max_context) {
        errno = EINVAL;
        return -1;
    }
    return zmtp_make_command(msg, "PONG", context, context_size);
}

bool zmtp_parse_pong(const zmtp_command_view &cmd, std::string *context) {
    const size_t len = std::min(cmd.size, zmtp_ping_max_context);
    context->assign(reinterpret_cast<const char *>(cmd.data), len);
    return true;
}

zmtp_property_list zmtp_ready_properties(int socket_type, const std::string &routing_id,
                                         const zmtp_property_list &user) {
    zmtp_property_list props;
    const char *name = zmtp_socket_type_name(socket_type);
    props.emplace_back(zmtp_prop_socket_type, name ? name : "");
    if ((socket_type == ZMQ_REQ || socket_type == ZMQ_DEALER || socket_type == ZMQ_ROUTER))
        props.emplace_back(zmtp_prop_identity, routing_id);
    for (const auto &p : user)
        props.push_back(p);
    return props;
}

} // namespace zlink
