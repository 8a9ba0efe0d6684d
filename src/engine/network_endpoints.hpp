// A socket's endpoints on stream transports (transports/transport.hpp):
// listeners with the sessions they accepted, and connecting sessions. Lives
// with the socket (application thread); the objects it starts run on io
// threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/session.hpp"
#include "core/options.hpp"

namespace zlink {

class i_engine_host;
class mailbox_t;
class monitor_channel_t;
class pipe_t;
class session_t;
struct listen_point_t;

class network_endpoints_t {
  public:
    network_endpoints_t(i_engine_host *host, mailbox_t *socket_mailbox,
                        std::shared_ptr<monitor_channel_t> monitor);
    ~network_endpoints_t();

    // Binds synchronously (errno on failure) and reports the resolved URI.
    int bind(const std::string &uri, const std::string &protocol, const std::string &address,
             const options_t &options, std::string *resolved);
    // Validates the address and starts a session; unless ZMQ_IMMEDIATE, the
    // pipe end for the socket comes back in *socket_end (attach it).
    int connect(const std::string &uri, const std::string &protocol, const std::string &address,
                const options_t &options, pipe_t **socket_end);
    // Unbind or disconnect; -1/ENOENT when the endpoint is not ours.
    // `linger`: the socket's ZMQ_LINGER now (libzmq uses the value at
    // close/disconnect time, not at connect time). Unbind ends the
    // connections accepted through the endpoint at once, whatever linger.
    int term_endpoint(const std::string &uri, int linger = session_t::linger_from_options);
    // Whether `uri` is one of our listeners or a connection still going
    // (libzmq's endpoint table: what a DEALER/SUB/PUB/REQ connect skips).
    bool has_endpoint(const std::string &uri) const;
    // Socket close: every listener and session ends (sessions linger).
    void close_all(int linger = session_t::linger_from_options);

  private:
    session_t::config_t session_config(const options_t &options, const std::string &endpoint,
                                       const std::string &protocol, const std::string &address,
                                       bool connecter) const;
    // `accepted_linger`: for sessions of a listener being closed.
    int end_endpoint(const std::string &uri, int linger, int accepted_linger);
    void wake_socket();

    i_engine_host *_host;
    mailbox_t *_socket_mailbox;
    std::shared_ptr<monitor_channel_t> _monitor;
    std::multimap<std::string, std::shared_ptr<listen_point_t>> _listeners;
    std::multimap<std::string, session_handle_t> _sessions; // owned by their io threads
};

} // namespace zlink
