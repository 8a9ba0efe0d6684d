// A small SOCKS5 proxy (RFC 1928, CONNECT only, with RFC 1929
// username/password) for the ZMQ_SOCKS_PROXY tests. It listens on
// 127.0.0.1 (port 0), serves each client on its own thread, relays bytes to
// the target, and records what every client asked: offered methods,
// credentials, address type, host and port, so a test can assert that the
// traffic really went through it. Behaviour can be scripted per connection
// (refuse, fail authentication, stay silent...). Plain POSIX sockets.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nettest {

class socks5_server {
  public:
    struct behaviour {
        bool require_auth = false; // only method 0x02 with these credentials
        std::string username, password;
        int force_method = -1;           // answer the greeting with this method
        unsigned char connect_reply = 0; // REP for the CONNECT request
        bool silent = false;             // read the greeting, never answer
        bool reply_with_domain = false;  // BND.ADDR as a DOMAINNAME in the reply
        int redirect_port = 0;           // connect to 127.0.0.1:port, not the target
    };

    // What one client connection sent (fields stay empty/-1 until received).
    struct record {
        std::vector<unsigned char> methods;
        int chosen_method = -1;
        bool sent_auth = false;
        std::string username, password;
        int atyp = -1;    // 1 IPv4, 3 domain name, 4 IPv6
        std::string host; // dotted/colon text for addresses, the name for 3
        int port = -1;
        bool relayed = false; // the target connection was made
    };

    // listen=false binds without listening: connects are refused until
    // start_listening() (a proxy that is down, on a port nobody else takes).
    explicit socks5_server(bool listen = true);
    ~socks5_server();
    socks5_server(const socks5_server &) = delete;
    socks5_server &operator=(const socks5_server &) = delete;

    void start_listening();
    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

    // Connections use the scripted behaviours in order, then the default.
    void set_default(const behaviour &b);
    void script(const behaviour &b);

    std::vector<record> records();
    size_t connections();
    // Waits until `n` clients have connected and their request (or, for
    // those stopped earlier, what they got to) is recorded.
    bool wait_connections(size_t n, int timeout_ms);
    bool wait_requests(size_t n, int timeout_ms); // n CONNECT requests seen

    void stop();

  private:
    void accept_loop();
    void serve(int fd, size_t index, behaviour b);
    bool read_exact(int fd, void *buf, size_t n);
    bool write_all(int fd, const void *buf, size_t n);
    void relay(int a, int b);
    int connect_target(const record &r, const behaviour &b);
    template <typename F>
    void update(size_t index, F &&f);

    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread acceptor_;
    std::mutex mu_;
    std::condition_variable cv_;
    behaviour default_;
    std::deque<behaviour> script_;
    std::vector<record> records_;
    std::vector<std::thread> workers_;
    std::vector<int> fds_; // every fd a worker opened, closed by stop()
};

} // namespace nettest
