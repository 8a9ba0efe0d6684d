// Helpers for the soak program (soak.cpp): self-checking frames, the shared
// counters, socket/endpoint bookkeeping, pacing and /proc sampling. Public
// zmq.h API only; the including file picks which zmq.h (like bench.cpp).
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <time.h>
#include <unistd.h>

namespace soak {

inline uint64_t now_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000u + uint64_t(ts.tv_nsec) / 1000000u;
}

inline void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// ---- counters shared by all workers and read by the sampler -------------
enum worker_id { w_pushpull, w_dealer, w_pubsub, w_reqrep, w_churn, n_workers };
inline const char *const worker_names[n_workers] = {"pushpull", "dealer", "pubsub", "reqrep",
                                                    "churn"};

// lost: a message the pattern promises was not delivered; corrupt: bad size,
// checksum or a torn multipart; order: out of sequence or duplicated;
// unexpected: an errno or a routing/filter result the API does not allow.
enum error_kind { e_lost, e_corrupt, e_order, e_unexpected, n_errors };
inline const char *const error_names[n_errors] = {"lost", "corrupt", "order", "unexpected"};

struct counters {
    std::atomic<uint64_t> msgs[n_workers] = {}; // verified messages (churn: operations)
    std::atomic<uint64_t> errors[n_errors] = {};
    std::atomic<uint64_t> reset_drops{0}; // losses the pattern allows (across a server restart)
    std::atomic<uint64_t> restarts{0}, reconnects{0}, sockets_created{0};
    std::atomic<int64_t> sockets_open{0};
};
inline counters g_count;
inline std::atomic<bool> g_stop{false};
// --inject-fault: each scenario that has one plants a single fault, to prove
// the checks catch it (one bit per scenario, taken once).
inline std::atomic<unsigned> g_inject_faults{0};
inline bool take_fault(int scenario) {
    return g_inject_faults.fetch_and(~(1u << scenario)) & (1u << scenario);
}
inline uint64_t g_t0_ms = 0;
constexpr int max_logged_errors = 40;

// Counts an error and prints the first few with time and worker: the evidence.
inline void report_error(error_kind k, uint64_t n, worker_id w, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
inline void report_error(error_kind k, uint64_t n, worker_id w, const char *fmt, ...) {
    static std::atomic<int> logged{0};
    g_count.errors[k] += n;
    if (logged++ >= max_logged_errors)
        return;
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "SOAK ERROR t=%.1fs worker=%s kind=%s n=%llu: %s\n",
            (now_ms() - g_t0_ms) / 1000.0, worker_names[w], error_names[k], (unsigned long long)n,
            text);
}

// ---- self-checking frames ------------------------------------------------
// Every frame: a 32-byte header (sender uid, sequence, part index, part
// count, body length, FNV-1a of the body) and a body derived from them.
struct frame_hdr {
    uint64_t uid = 0, seq = 0;
    uint32_t part = 0, nparts = 1, body_len = 0, sum = 0;
};
constexpr size_t hdr_size = 32;

inline uint32_t fnv1a(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; ++i)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

inline std::string make_frame(uint64_t uid, uint64_t seq, uint32_t part, uint32_t nparts,
                              uint32_t body_len) {
    std::string f(hdr_size + body_len, '\0');
    unsigned char *p = reinterpret_cast<unsigned char *>(&f[0]);
    uint8_t x = uint8_t(uid * 131u + seq * 7u + part);
    for (uint32_t i = 0; i < body_len; ++i)
        p[hdr_size + i] = uint8_t(x + i * 13u);
    frame_hdr h{uid, seq, part, nparts, body_len, fnv1a(p + hdr_size, body_len)};
    memcpy(p, &h.uid, 8);
    memcpy(p + 8, &h.seq, 8);
    memcpy(p + 16, &h.part, 4);
    memcpy(p + 20, &h.nparts, 4);
    memcpy(p + 24, &h.body_len, 4);
    memcpy(p + 28, &h.sum, 4);
    return f;
}

// Empty string when the frame is intact, else why not.
inline std::string parse_frame(const void *data, size_t len, frame_hdr &h) {
    const unsigned char *p = static_cast<const unsigned char *>(data);
    if (len < hdr_size)
        return "short frame (" + std::to_string(len) + " bytes)";
    memcpy(&h.uid, p, 8);
    memcpy(&h.seq, p + 8, 8);
    memcpy(&h.part, p + 16, 4);
    memcpy(&h.nparts, p + 20, 4);
    memcpy(&h.body_len, p + 24, 4);
    memcpy(&h.sum, p + 28, 4);
    if (h.body_len != len - hdr_size)
        return "size mismatch: header says " + std::to_string(h.body_len) + ", got " +
               std::to_string(len - hdr_size);
    if (fnv1a(p + hdr_size, h.body_len) != h.sum)
        return "checksum mismatch";
    return "";
}

// Mostly small bodies, some medium, a few large (the large-frame paths).
inline uint32_t pick_body_size(std::mt19937_64 &rng) {
    unsigned r = unsigned(rng() % 100);
    if (r < 70)
        return uint32_t(rng() % 257);
    if (r < 97)
        return 257 + uint32_t(rng() % 8000);
    return 8257 + uint32_t(rng() % 120000);
}

// ---- pacing -----------------------------------------------------------------
// A token bucket per worker: churn (new connections, re-binds) happens at a
// fixed rate whatever the throughput, so both libraries churn alike and TCP
// TIME_WAIT stays bounded.
struct pacer {
    double per_ms = 0, tokens = 1;
    uint64_t last = now_ms();
    explicit pacer(double per_second) : per_ms(per_second / 1000.0) {}
    bool take() {
        uint64_t t = now_ms();
        tokens = std::min(2.0, tokens + double(t - last) * per_ms);
        last = t;
        if (tokens < 1)
            return false;
        tokens -= 1;
        return true;
    }
};

// ---- /proc sampling ---------------------------------------------------------
inline long proc_status_value(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            v = atol(line + kl + 1);
            break;
        }
    fclose(f);
    return v;
}

inline int count_open_fds() {
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (dirent *e = readdir(d))
        if (e->d_name[0] != '.')
            ++n;
    closedir(d);
    return n - 1; // the directory's own fd
}

// What each open fd is (socket:[inode], anon_inode:[eventfd], a path...),
// printed when fds did not return: the evidence for a leak.
inline void print_open_fds(FILE *out) {
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    while (dirent *e = readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        char path[300], target[300];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = 0;
        fprintf(out, "  fd %s -> %s\n", e->d_name, target);
    }
    closedir(d);
}

} // namespace soak
