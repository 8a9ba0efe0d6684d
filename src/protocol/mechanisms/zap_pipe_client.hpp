// The session's way to a ZAP handler (RFC 27): a pipe to whatever socket is
// bound at inproc://zeromq.zap.01, used like a DEALER (empty delimiter, then
// the request frames). Replies come back through the session's mailbox and
// go to the zap_reply_target the owner names (its engine's handshake).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "protocol/mechanisms/zap_client.hpp"

namespace zlink {

class i_pipe_events;
class mailbox_t;
class pipe_t;

class zap_pipe_client_t final : public zap_client {
  public:
    // `find_bound`: the mailbox of the socket bound at an inproc name, with
    // a reference for us to drop, or nullptr (the host's lookup; this layer
    // does not know the host). `poke` schedules a later deliver_replies() on
    // the owner's thread (for a reply that is already there when we park
    // the pipe).
    using find_bound_t = std::function<mailbox_t *(const std::string &endpoint)>;
    zap_pipe_client_t(find_bound_t find_bound, i_pipe_events *owner, mailbox_t *owner_mailbox,
                      std::function<void()> poke);
    ~zap_pipe_client_t() override;

    bool request(const std::string &domain, const std::string &address,
                 const std::string &routing_id, const std::string &mechanism,
                 const std::vector<std::string> &credentials) override;

    bool owns(const pipe_t *pipe) const { return pipe && pipe == _pipe; }
    // The pipe has data: read whole replies and give them to `target`
    // (nullptr: the connection that asked is gone; the reply is dropped).
    void deliver_replies(zap_reply_target *target);
    void pipe_gone() { _pipe = nullptr; }

  private:
    bool connect();
    find_bound_t _find_bound;
    i_pipe_events *_owner;
    mailbox_t *_owner_mailbox;
    std::function<void()> _poke;
    pipe_t *_pipe = nullptr;
    unsigned _next_request_id = 1;
    std::string _pending_id;
    std::vector<std::string> _partial; // frames of a reply being read
};

} // namespace zlink
