// ZMQ_STREAM: talks raw bytes to non-ZMQ peers (the engine runs without
// ZMTP when options.raw_socket is set). Every received chunk is preceded by
// the connection's routing id; a send is [id][data], and [id][empty] closes
// that connection. Connect/disconnect notifications (an empty message,
// ZMQ_STREAM_NOTIFY) are produced by the engine side.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/msg.hpp"
#include "core/socket_base.hpp"
#include "sockets/fair_queue.hpp"

namespace zlink {

class stream_t : public socket_base_t {
  public:
    stream_t(ctx_t *ctx, int sid);
    ~stream_t() override;

  protected:
    void xattach_pipe(pipe_t *pipe, bool subscribe_to_all, bool locally_initiated) override;
    int xsend(msg_t *msg) override;
    int xrecv(msg_t *msg) override;
    bool xhas_in() override;
    bool xhas_out() override;
    void xread_activated(pipe_t *pipe) override;
    void xwrite_activated(pipe_t *pipe) override;
    void xpipe_terminated(pipe_t *pipe) override;
    int xsetsockopt(int option, const void *value, size_t size) override;

  private:
    void make_id_frame(msg_t *id, pipe_t *pipe, const msg_t &payload);
    void erase_out_pipe(pipe_t *pipe);

    fair_queue_t _fq;
    std::unordered_map<std::string, pipe_t *> _outpipes;
    bool _prefetched = false;
    bool _id_sent = false;
    msg_t _prefetched_id;
    msg_t _prefetched_msg;
    pipe_t *_current_out = nullptr;
    bool _more_out = false;
    uint32_t _next_id;
};

} // namespace zlink
