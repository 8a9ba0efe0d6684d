// A fault-injecting tcp relay for tests: listens on 127.0.0.1 (port 0, read
// it back with port()/endpoint()) and forwards every connection to a target
// endpoint, shaping or breaking the byte streams on the way. It only uses
// sockets (Boost.Asio on its own thread), so tests built against the system
// libzmq use it too. Everything can be reconfigured while it runs; new
// settings apply to the next chunk of every connection.
//
//   up   = client -> target (what the connecting socket sends)
//   down = target -> client
//
// Faults: delay each chunk, throttle to N bytes/s, split every write into
// 1-byte pieces, stall (stop forwarding, keep the connections), end a
// connection with RST (SO_LINGER 0) or FIN after N bytes of a direction or
// at a ZMTP data-frame position (boundary or mid-frame), reset new
// connections for a while, reset everything now.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace fault {

enum class dir { up = 0, down = 1 };
enum class end_kind { rst, fin };

struct shaping {
    std::chrono::milliseconds delay{0}; // each chunk is held this long before it is written
    std::size_t bytes_per_sec = 0;      // 0: unlimited
    bool split = false;                 // write one byte at a time (TCP_NODELAY is on)
};

class fault_proxy {
  public:
    // target: "tcp://host:port" (numeric host) of the real server.
    explicit fault_proxy(const std::string &target);
    ~fault_proxy();
    fault_proxy(const fault_proxy &) = delete;
    fault_proxy &operator=(const fault_proxy &) = delete;

    int port() const;
    std::string endpoint() const; // "tcp://127.0.0.1:<port>"

    void set_shaping(const shaping &s); // both directions
    void set_shaping(dir d, const shaping &s);
    void set_stall(bool stalled);

    // End a connection once `bytes` bytes of direction d have been forwarded
    // on it (counted from its first byte); an RST waits until those bytes
    // are acked, so the peer can read them first. `times`: how many
    // connections this ends before it disarms itself (-1: all).
    void end_after_bytes(dir d, std::uint64_t bytes, end_kind how, int times = -1);
    // End it just before byte `offset` of data frame `frame` (offset 0: the
    // boundary before the frame; 1: between its flags and size bytes). Data
    // frames count from the next one a connection forwards once it sees the
    // rule (0 = that one; from the first for a new connection); greeting
    // and command frames are not counted. The first connection to get
    // there uses up one of `times`.
    void end_at_data_frame(dir d, std::uint64_t frame, std::uint64_t offset, end_kind how,
                           int times = 1);
    void clear_ends();

    // New connections are reset as soon as they are accepted, for a while.
    void refuse_for(std::chrono::milliseconds d);
    // Reset every open connection now.
    void reset_all();

    // Observations (any thread).
    int accepted() const; // connections forwarded (refused ones excluded)
    int refused() const;
    int ended() const; // connections ended by a rule or reset_all()
    std::uint64_t forwarded(dir d) const;
    // Bounded waits for the counters above.
    bool wait_accepted(int n, int timeout_ms = 5000) const;
    bool wait_ended(int n, int timeout_ms = 5000) const;

    struct impl;

  private:
    std::unique_ptr<impl> _impl;
};

} // namespace fault
