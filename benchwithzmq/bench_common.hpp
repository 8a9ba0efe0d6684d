// Shared helpers for the zlink-vs-libzmq benchmark and the raw-socket floor.
// Nothing here touches zmq: both benchmark binaries and raw_floor include it.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

namespace bench {

inline uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// User and system CPU of the whole process (all threads), in microseconds.
struct cpu_times {
    double user_us = 0;
    double sys_us = 0;
};

inline cpu_times cpu_now() {
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    cpu_times c;
    c.user_us = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec;
    c.sys_us = ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
    return c;
}

inline cpu_times cpu_delta(const cpu_times &a, const cpu_times &b) {
    cpu_times d;
    d.user_us = b.user_us - a.user_us;
    d.sys_us = b.sys_us - a.sys_us;
    return d;
}

// Pin the calling thread; threads it creates later inherit the mask, so
// pinning before the zmq context exists pins the io threads too.
inline void pin_self(int cpu) {
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        fprintf(stderr, "bench: warning: cannot pin to cpu %d: %s\n", cpu, strerror(errno));
}

// Command line: --key value pairs, plus bare flags (--header, --inject-fault).
struct args {
    std::map<std::string, std::string> kv;

    args(int argc, char **argv) {
        for (int i = 1; i < argc; ++i) {
            std::string k = argv[i];
            if (k.rfind("--", 0) != 0) {
                fprintf(stderr, "bench: unexpected argument '%s'\n", argv[i]);
                exit(64);
            }
            k = k.substr(2);
            if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0)
                kv[k] = argv[++i];
            else
                kv[k] = "1";
        }
    }
    std::string get(const std::string &k, const std::string &def = "") const {
        auto it = kv.find(k);
        return it == kv.end() ? def : it->second;
    }
    long long num(const std::string &k, long long def) const {
        auto it = kv.find(k);
        return it == kv.end() ? def : atoll(it->second.c_str());
    }
    bool has(const std::string &k) const { return kv.count(k) != 0; }
};

// "--pin 0,1": first cpu for the binding side, second for the connecting side.
inline void parse_pin(const std::string &s, int &a, int &b) {
    a = b = -1;
    if (s.empty())
        return;
    if (sscanf(s.c_str(), "%d,%d", &a, &b) != 2) {
        fprintf(stderr, "bench: --pin wants A,B\n");
        exit(64);
    }
}

// Message payload: 8-byte sequence number, filler, and a last byte derived
// from the sequence so a truncated or reordered body is caught cheaply.
inline uint8_t tail_byte(uint64_t seq) { return uint8_t(seq * 31u + 7u); }

inline void stamp(unsigned char *buf, size_t size, uint64_t seq) {
    if (size >= 8)
        memcpy(buf, &seq, 8);
    if (size > 8)
        buf[size - 1] = tail_byte(seq);
}

inline void fill(unsigned char *buf, size_t size) {
    for (size_t i = 0; i < size; ++i)
        buf[i] = uint8_t(i * 7u);
}

// Returns an empty string when the message is the one expected.
inline std::string check_payload(const void *data, size_t len, size_t want_len, uint64_t want_seq) {
    char why[200];
    if (len != want_len) {
        snprintf(why, sizeof why, "size mismatch at message %llu: got %zu, want %zu",
                 (unsigned long long)want_seq, len, want_len);
        return why;
    }
    const unsigned char *p = static_cast<const unsigned char *>(data);
    if (len >= 8) {
        uint64_t seq;
        memcpy(&seq, p, 8);
        if (seq != want_seq) {
            snprintf(why, sizeof why, "sequence mismatch: got %llu, want %llu",
                     (unsigned long long)seq, (unsigned long long)want_seq);
            return why;
        }
    }
    if (len > 8 && p[len - 1] != tail_byte(want_seq)) {
        snprintf(why, sizeof why, "corrupt body at message %llu", (unsigned long long)want_seq);
        return why;
    }
    return "";
}

// Latency samples are kept whole (one per round trip) and sorted once.
struct percentiles {
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};

inline percentiles one_way_us(std::vector<uint64_t> &rtt_ns) {
    percentiles p;
    if (rtt_ns.empty())
        return p;
    std::sort(rtt_ns.begin(), rtt_ns.end());
    auto at = [&](double q) {
        size_t i = size_t(std::ceil(q * rtt_ns.size())) - 1;
        if (i >= rtt_ns.size())
            i = rtt_ns.size() - 1;
        return rtt_ns[i] / 2.0 / 1000.0;
    };
    p.p50 = at(0.50);
    p.p90 = at(0.90);
    p.p99 = at(0.99);
    p.p999 = at(0.999);
    p.max = rtt_ns.back() / 2.0 / 1000.0;
    return p;
}

inline const char *csv_header() {
    return "lib,kind,pattern,transport,size,msgs,msg_per_s,mb_per_s,"
           "lat_p50_us,lat_p90_us,lat_p99_us,lat_p999_us,lat_max_us,"
           "cpu_user_us_per_msg,cpu_sys_us_per_msg,elapsed_s";
}

struct result {
    std::string lib, kind, pattern, transport;
    size_t size = 0;
    uint64_t msgs = 0;
    double elapsed_s = 0;
    bool has_latency = false;
    percentiles lat;
    cpu_times cpu;             // both ends, measured window only
    double rate_override = -1; // load mode: msg/s of the stream, not of the round trips
};

inline void print_csv(const result &r) {
    double rate = r.elapsed_s > 0 ? r.msgs / r.elapsed_s : 0;
    if (r.rate_override >= 0)
        rate = r.rate_override;
    printf("%s,%s,%s,%s,%zu,%llu,%.1f,%.3f,", r.lib.c_str(), r.kind.c_str(), r.pattern.c_str(),
           r.transport.c_str(), r.size, (unsigned long long)r.msgs, rate, rate * r.size / 1e6);
    if (r.has_latency)
        printf("%.2f,%.2f,%.2f,%.2f,%.2f,", r.lat.p50, r.lat.p90, r.lat.p99, r.lat.p999, r.lat.max);
    else
        printf(",,,,,");
    printf("%.4f,%.4f,%.6f\n", r.cpu.user_us / r.msgs, r.cpu.sys_us / r.msgs, r.elapsed_s);
    fflush(stdout);
}

// --- two-process plumbing -------------------------------------------------
// The parent binds, spawns /proc/self/exe with a role argument (never a bare
// fork: a zmq context must not be duplicated), and talks to the child over
// two pipes: the child reports its CPU on fd 3, the parent signals it on fd 4.

constexpr int child_report_fd = 3;
constexpr int child_signal_fd = 4;

struct child_proc {
    pid_t pid = -1;
    int report_rd = -1; // parent reads the child's report
    int signal_wr = -1; // parent writes go-signals
};

inline child_proc *g_child = nullptr;
inline std::vector<std::string> g_cleanup_paths; // ipc socket files to remove on failure

inline std::string self_exe() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) {
        perror("readlink /proc/self/exe");
        exit(70);
    }
    buf[n] = 0;
    return buf;
}

inline child_proc spawn_self(const std::vector<std::string> &extra) {
    int rep[2], sig[2];
    if (pipe(rep) != 0 || pipe(sig) != 0) {
        perror("pipe");
        exit(70);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, rep[1], child_report_fd);
    posix_spawn_file_actions_adddup2(&fa, sig[0], child_signal_fd);
    posix_spawn_file_actions_addclose(&fa, rep[0]);
    posix_spawn_file_actions_addclose(&fa, sig[1]);
    std::string exe = self_exe();
    std::vector<char *> argv;
    argv.push_back(const_cast<char *>(exe.c_str()));
    for (auto &s : extra)
        argv.push_back(const_cast<char *>(s.c_str()));
    argv.push_back(nullptr);
    child_proc c;
    int rc = posix_spawn(&c.pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "posix_spawn: %s\n", strerror(rc));
        exit(70);
    }
    close(rep[1]);
    close(sig[0]);
    c.report_rd = rep[0];
    c.signal_wr = sig[1];
    return c;
}

// Fail loudly: message on stderr, the peer process killed, non-zero exit.
[[noreturn]] inline void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
inline void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "BENCH FAILURE: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    if (g_child && g_child->pid > 0)
        kill(g_child->pid, SIGKILL);
    for (const auto &path : g_cleanup_paths)
        unlink(path.c_str());
    _exit(3);
}

// Child side: report "user_us sys_us" of its measured window.
inline void report_to_parent(const cpu_times &c) {
    char line[128];
    int n = snprintf(line, sizeof line, "%.1f %.1f\n", c.user_us, c.sys_us);
    if (write(child_report_fd, line, n) != n)
        _exit(71);
}

// Parent side: read the child's report, reap it, and check it succeeded.
inline cpu_times collect_child(child_proc &c) {
    std::string text;
    char buf[256];
    ssize_t n;
    while ((n = read(c.report_rd, buf, sizeof buf)) > 0)
        text.append(buf, size_t(n));
    close(c.report_rd);
    close(c.signal_wr);
    int status = 0;
    waitpid(c.pid, &status, 0);
    c.pid = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("peer process failed (status 0x%x)", status);
    cpu_times t;
    if (sscanf(text.c_str(), "%lf %lf", &t.user_us, &t.sys_us) != 2)
        fail("peer process sent no CPU report");
    return t;
}

// True when fd becomes readable within timeout_ms.
inline bool fd_readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, timeout_ms) > 0;
}

} // namespace bench
