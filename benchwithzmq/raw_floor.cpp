// The raw-socket floor: the same measurements as bench.cpp with no messaging
// library at all, over loopback tcp and a unix socket, so the results table
// shows how close each library gets to what the kernel allows.
//
//   raw_floor --mode thr|lat --transport tcp|ipc --size BYTES --msgs N
//             [--warmup 1000] [--pin A,B] [--busy-poll 1]
//
// thr ("STREAM"): the sender packs fixed-size messages into blocking writes of
//   up to 8 KiB (one write per message when larger), the receiver reads in
//   256 KiB chunks and checks the total byte count.
// lat ("PINGPONG"): blocking write of one message, blocking read of the echo.
//   --busy-poll 1 ("PINGPONG-POLL"): both sides read with MSG_DONTWAIT in a
//   loop instead of sleeping in read: the floor when no thread has to be
//   woken (what reading on a spinning application thread could reach).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "bench_common.hpp"

using namespace bench;

namespace {

struct config {
    std::string mode, transport;
    size_t size = 64;
    uint64_t msgs = 10000, warmup = 1000;
    int cpu_a = -1, cpu_b = -1;
    uint64_t total() const { return warmup + msgs; }
};

void die(const char *what) { fail("%s: %s", what, strerror(errno)); }

void write_all(int fd, const unsigned char *p, size_t n) {
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            die("write");
        p += k;
        n -= size_t(k);
    }
}

bool g_busy_poll = false;

void read_all(int fd, unsigned char *p, size_t n) {
    while (n) {
        ssize_t k = recv(fd, p, n, g_busy_poll ? MSG_DONTWAIT : 0);
        if (k < 0 && (errno == EINTR || (g_busy_poll && errno == EAGAIN)))
            continue;
        if (k == 0)
            fail("peer closed early");
        if (k < 0)
            die("read");
        p += k;
        n -= size_t(k);
    }
}

void tune(int fd, const config &c) {
    if (c.transport == "tcp") {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

// Listener plus the address the child connects to.
struct listener {
    int fd = -1;
    sockaddr_storage addr{};
    socklen_t len = 0;
    std::string path;
};

listener make_listener(const config &c) {
    listener l;
    if (c.transport == "tcp") {
        l.fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in in{};
        in.sin_family = AF_INET;
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(l.fd, (sockaddr *)&in, sizeof in) != 0)
            die("bind");
        l.len = sizeof in;
        getsockname(l.fd, (sockaddr *)&l.addr, &l.len);
    } else {
        l.fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un un{};
        un.sun_family = AF_UNIX;
        l.path = "/tmp/zlink-raw-" + std::to_string(getpid()) + ".sock";
        unlink(l.path.c_str());
        snprintf(un.sun_path, sizeof un.sun_path, "%s", l.path.c_str());
        if (bind(l.fd, (sockaddr *)&un, sizeof un) != 0)
            die("bind");
        memcpy(&l.addr, &un, sizeof un);
        l.len = sizeof un;
    }
    if (listen(l.fd, 1) != 0)
        die("listen");
    return l;
}

void run_sender(int fd, const config &c, cpu_times *start) {
    const size_t batch = c.size >= 8192 ? c.size : (8192 / c.size) * c.size;
    std::vector<unsigned char> buf(batch);
    fill(buf.data(), batch);
    size_t used = 0;
    for (uint64_t seq = 0; seq < c.total(); ++seq) {
        if (seq == c.warmup) {
            write_all(fd, buf.data(), used); // warm-up bytes leave first
            used = 0;
            *start = cpu_now();
        }
        stamp(buf.data() + used, c.size, seq);
        used += c.size;
        if (used == batch) {
            write_all(fd, buf.data(), used);
            used = 0;
        }
    }
    write_all(fd, buf.data(), used);
}

void run_echo(int fd, const config &c, cpu_times *start) {
    std::vector<unsigned char> buf(c.size);
    for (uint64_t i = 0; i < c.total(); ++i) {
        if (i == c.warmup)
            *start = cpu_now();
        read_all(fd, buf.data(), c.size);
        write_all(fd, buf.data(), c.size);
    }
}

void measure_thr(int fd, const config &c, result &r) {
    std::vector<unsigned char> buf(256 * 1024);
    const uint64_t warm_bytes = c.warmup * c.size, all = c.total() * c.size;
    uint64_t got = 0, t0 = now_ns();
    cpu_times c0 = cpu_now();
    bool warm = c.warmup == 0;
    while (got < all) {
        size_t want = std::min<uint64_t>(buf.size(), warm ? all - got : warm_bytes - got);
        ssize_t k = read(fd, buf.data(), want);
        if (k < 0 && errno == EINTR)
            continue;
        if (k == 0)
            fail("stream ended after %llu of %llu bytes", (unsigned long long)got,
                 (unsigned long long)all);
        if (k < 0)
            die("read");
        got += uint64_t(k);
        if (!warm && got == warm_bytes) {
            warm = true;
            t0 = now_ns();
            c0 = cpu_now();
        }
    }
    unsigned char extra;
    if (read(fd, &extra, 1) != 0)
        fail("stream carried more bytes than expected");
    r.elapsed_s = (now_ns() - t0) / 1e9;
    r.cpu = cpu_delta(c0, cpu_now());
}

void measure_lat(int fd, const config &c, result &r) {
    std::vector<unsigned char> out(c.size), in(c.size);
    fill(out.data(), c.size);
    std::vector<uint64_t> rtt;
    rtt.reserve(c.msgs);
    uint64_t t_start = now_ns();
    cpu_times c0 = cpu_now();
    for (uint64_t seq = 0; seq < c.total(); ++seq) {
        if (seq == c.warmup) {
            t_start = now_ns();
            c0 = cpu_now();
        }
        stamp(out.data(), c.size, seq);
        uint64_t t0 = now_ns();
        write_all(fd, out.data(), c.size);
        read_all(fd, in.data(), c.size);
        uint64_t t1 = now_ns();
        std::string why = check_payload(in.data(), c.size, c.size, seq);
        if (!why.empty())
            fail("%s", why.c_str());
        if (seq >= c.warmup)
            rtt.push_back(t1 - t0);
    }
    r.elapsed_s = (now_ns() - t_start) / 1e9;
    r.cpu = cpu_delta(c0, cpu_now());
    r.lat = one_way_us(rtt);
    r.has_latency = true;
}

} // namespace

int main(int argc, char **argv) {
    args a(argc, argv);
    config c;
    c.mode = a.get("mode", "thr");
    c.transport = a.get("transport", "tcp");
    c.size = size_t(a.num("size", 64));
    c.msgs = uint64_t(a.num("msgs", 10000));
    c.warmup = uint64_t(a.num("warmup", 1000));
    parse_pin(a.get("pin"), c.cpu_a, c.cpu_b);
    g_busy_poll = a.num("busy-poll", 0) != 0;
    if ((c.mode != "thr" && c.mode != "lat") || (c.transport != "tcp" && c.transport != "ipc") ||
        c.size < 8) {
        fprintf(stderr, "raw_floor: --mode thr|lat --transport tcp|ipc --size >=8\n");
        return 64;
    }

    listener l = make_listener(c);
    int rep[2];
    if (pipe(rep) != 0)
        die("pipe");
    // No library threads exist here, so a plain fork is safe.
    static child_proc child;
    child.pid = fork();
    if (child.pid == 0) {
        close(rep[0]);
        pin_self(c.cpu_b);
        int fd = socket(l.addr.ss_family, SOCK_STREAM, 0);
        if (connect(fd, (sockaddr *)&l.addr, l.len) != 0)
            die("connect");
        tune(fd, c);
        cpu_times start = cpu_now();
        if (c.mode == "thr")
            run_sender(fd, c, &start);
        else
            run_echo(fd, c, &start);
        close(fd);
        cpu_times d = cpu_delta(start, cpu_now());
        dprintf(rep[1], "%.1f %.1f\n", d.user_us, d.sys_us);
        _exit(0);
    }
    close(rep[1]);
    child.report_rd = rep[0];
    child.signal_wr = open("/dev/null", O_WRONLY);
    g_child = &child;
    pin_self(c.cpu_a);
    int fd = accept(l.fd, nullptr, nullptr);
    if (fd < 0)
        die("accept");
    tune(fd, c);

    result r;
    r.lib = "raw";
    r.kind = c.mode;
    r.pattern = c.mode == "thr" ? "STREAM" : g_busy_poll ? "PINGPONG-POLL" : "PINGPONG";
    r.transport = c.transport;
    r.size = c.size;
    r.msgs = c.msgs;
    if (c.mode == "thr")
        measure_thr(fd, c, r);
    else
        measure_lat(fd, c, r);
    cpu_times peer = collect_child(child);
    close(fd);
    close(l.fd);
    if (!l.path.empty())
        unlink(l.path.c_str());
    r.cpu.user_us += peer.user_us;
    r.cpu.sys_us += peer.sys_us;
    print_csv(r);
    return 0;
}
