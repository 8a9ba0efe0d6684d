// ZMQ_ROUTER: addresses peers by routing id. recv prepends the id of the
// peer a message came from; send takes the first frame as the id of the
// peer to send to. REP builds on it.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/msg.hpp"
#include "core/socket_base.hpp"
#include "sockets/fair_queue.hpp"

namespace zlink {

class router_t : public socket_base_t {
  public:
    router_t(ctx_t *ctx, int sid);
    ~router_t() override;

  protected:
    router_t(ctx_t *ctx, int sid, int type);

    void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) override;
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
    bool xhas_out() override;
    void xread_activated(pipe_t *pipe) override;
    void xwrite_activated(pipe_t *pipe) override;
    void xpipe_terminated(pipe_t *pipe) override;
    int xsetsockopt(int option, const void *value, size_t size) override;

    // REP: drop the reply envelope written so far (malformed request).
    void rollback();

  private:
    struct out_pipe_t {
        pipe_t *pipe;
        bool active; // false once found full; true again on write_activated
    };

    enum class id_result { known, not_yet, duplicate };
    // Learn the peer's routing id. not_yet: the pipe stays anonymous until
    // its id arrives; duplicate: another peer has the id (no handover).
    id_result identify_peer(pipe_t *pipe, bool locally_initiated);
    void adopt_or_wait(pipe_t *pipe, bool locally_initiated);
    // A peer refused for a duplicate id is ignored, as in libzmq, but its
    // messages are read and dropped, so its end-of-stream is seen and the
    // pipe and session go when its connection does.
    static void discard_input(pipe_t *pipe);
    std::string generate_id();
    void erase_out_pipe(pipe_t *pipe);
    // Next data part from the fair queue, skipping routing id messages that
    // arrive after a reconnect.
    int recv_data(msg_t *msg, pipe_t **pipe);
    void make_id_frame(msg_t *id, pipe_t *pipe, const msg_t &payload);
    void finish_in_message();

    fair_queue_t _fq;
    std::unordered_set<pipe_t *> _anonymous; // attached, id not known yet
    std::unordered_set<pipe_t *> _ignored;   // refused: duplicate id
    std::unordered_map<std::string, out_pipe_t> _outpipes;

    // Receiving: the id frame is returned first, the payload is held back.
    bool _prefetched = false;
    bool _id_sent = false;
    msg_t _prefetched_id;
    msg_t _prefetched_msg;
    bool _more_in = false;
    pipe_t *_current_in = nullptr;
    bool _closing_current_in = false; // handed over while being read

    // Sending.
    pipe_t *_current_out = nullptr;
    bool _more_out = false;

    uint32_t _next_id;
    bool _mandatory = false;
    bool _raw = false;
    bool _probe = false;
    bool _handover = false;
};

} // namespace zlink
