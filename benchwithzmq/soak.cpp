// Soak benchmark: mixed patterns with reconnect churn for a chosen time,
// compiled twice like bench.cpp (soak_zlink, soak_libzmq). Five scenario
// threads share one context (soak_workers.cpp, soak_churn.cpp); this thread
// samples once per interval: verified messages, errors, RSS, open fds,
// threads. Output: a CSV time series and one summary line.
//
//   soak --seconds 20 [--csv FILE] [--summary FILE] [--lib NAME]
//        [--transports tcp,ipc,inproc] [--churn-per-s 60] [--restart-ms 2000]
//        [--timeout-ms 10000] [--interval-ms 1000] [--settle-seconds 10]
//        [--max-fds 1000] [--seed 1] [--pin CPU] [--list-fds] [--inject-fault]
//        [--midflight-resets] [--fd-limit N]
//        [--scenarios pushpull,dealer,pubsub,reqrep,churn]
//
// Exit status: 0 no integrity error; 1 integrity errors; 3 the fd ceiling was
// reached; 4 a scenario did not stop; 5 a scenario verified nothing.
#include "soak_zmq.hpp"

#include <malloc.h>
#include <memory>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "bench_common.hpp"

using namespace soak;

namespace {

struct sample {
    double t = 0;
    const char *phase = "";
    uint64_t msgs[n_workers] = {}, errors[n_errors] = {};
    uint64_t reset_drops = 0, restarts = 0, reconnects = 0, sockets_created = 0;
    int64_t sockets_open = 0;
    long rss_kb = 0, threads = 0;
    int fds = 0;

    uint64_t total_msgs() const {
        uint64_t n = 0;
        for (auto m : msgs)
            n += m;
        return n;
    }
    uint64_t total_errors() const {
        uint64_t n = 0;
        for (auto e : errors)
            n += e;
        return n;
    }
};

sample take_sample(const char *phase) {
    sample s;
    s.t = (now_ms() - g_t0_ms) / 1000.0;
    s.phase = phase;
    for (int i = 0; i < n_workers; ++i)
        s.msgs[i] = g_count.msgs[i];
    for (int i = 0; i < n_errors; ++i)
        s.errors[i] = g_count.errors[i];
    s.reset_drops = g_count.reset_drops;
    s.restarts = g_count.restarts;
    s.reconnects = g_count.reconnects;
    s.sockets_created = g_count.sockets_created;
    s.sockets_open = g_count.sockets_open;
    s.rss_kb = proc_status_value("VmRSS");
    s.threads = proc_status_value("Threads");
    s.fds = count_open_fds();
    return s;
}

const char csv_header[] =
    "lib,t_s,phase,msgs,msgs_per_s,pushpull_per_s,dealer_per_s,pubsub_per_s,reqrep_per_s,"
    "churn_ops_per_s,errors,lost,corrupt,order,unexpected,reset_drops,restarts,reconnects,"
    "sockets_created,sockets_open,rss_kb,fds,threads";

void write_row(FILE *f, const std::string &lib, const sample &s, const sample &prev) {
    double dt = s.t - prev.t > 0 ? s.t - prev.t : 1;
    fprintf(f, "%s,%.2f,%s,%llu,%.1f", lib.c_str(), s.t, s.phase,
            (unsigned long long)s.total_msgs(), (s.total_msgs() - prev.total_msgs()) / dt);
    for (int i = 0; i < n_workers; ++i)
        fprintf(f, ",%.1f", (s.msgs[i] - prev.msgs[i]) / dt);
    fprintf(f, ",%llu", (unsigned long long)s.total_errors());
    for (int i = 0; i < n_errors; ++i)
        fprintf(f, ",%llu", (unsigned long long)s.errors[i]);
    fprintf(f, ",%llu,%llu,%llu,%llu,%lld,%ld,%d,%ld\n", (unsigned long long)s.reset_drops,
            (unsigned long long)s.restarts, (unsigned long long)s.reconnects,
            (unsigned long long)s.sockets_created, (long long)s.sockets_open, s.rss_kb, s.fds,
            s.threads);
    fflush(f);
}

// A TCP port that is bound but never listens: connects to it are refused,
// and nobody else can take it while the soak runs.
int reserve_dead_port(int &fd) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
        perror("soak: reserving a dead tcp port");
        exit(70);
    }
    return ntohs(a.sin_port);
}

bool g_enabled[n_workers];

void reset_counters() {
    for (auto &m : g_count.msgs)
        m = 0;
    for (auto &e : g_count.errors)
        e = 0;
    g_count.reset_drops = g_count.restarts = g_count.reconnects = g_count.sockets_created = 0;
}

bool parse_options(const bench::args &a) {
    static const char *const known[] = {"seconds",
                                        "csv",
                                        "summary",
                                        "lib",
                                        "transports",
                                        "churn-per-s",
                                        "restart-ms",
                                        "timeout-ms",
                                        "interval-ms",
                                        "settle-seconds",
                                        "max-fds",
                                        "fd-limit",
                                        "seed",
                                        "pin",
                                        "list-fds",
                                        "inject-fault",
                                        "midflight-resets",
                                        "scenarios"};
    for (auto &kv : a.kv)
        if (std::none_of(std::begin(known), std::end(known),
                         [&](const char *k) { return kv.first == k; })) {
            fprintf(stderr, "soak: unknown option --%s\n", kv.first.c_str());
            return false;
        }
    g_opt.churn_per_s = double(a.num("churn-per-s", 60));
    g_opt.restart_ms = int(a.num("restart-ms", 2000));
    g_opt.timeout_ms = int(a.num("timeout-ms", 10000));
    g_opt.seed = uint64_t(a.num("seed", 1));
    g_opt.midflight_resets = a.has("midflight-resets");
    if (a.has("inject-fault"))
        g_inject_faults = (1u << w_pushpull) | (1u << w_dealer) | (1u << w_pubsub);
    if (a.has("transports")) {
        g_opt.transports.clear();
        std::string list = a.get("transports") + ",";
        for (size_t p = 0, q; (q = list.find(',', p)) != std::string::npos; p = q + 1)
            for (int t = 0; t < n_transports; ++t)
                if (list.compare(p, q - p, transport_names[t]) == 0)
                    g_opt.transports.push_back(t);
    }
    std::string only = "," + a.get("scenarios", "pushpull,dealer,pubsub,reqrep,churn") + ",";
    for (int i = 0; i < n_workers; ++i)
        g_enabled[i] = only.find(std::string(",") + worker_names[i] + ",") != std::string::npos;
    return !g_opt.transports.empty() && g_opt.churn_per_s > 0 && g_opt.restart_ms > 0 &&
           g_opt.timeout_ms > 0;
}

} // namespace

int main(int argc, char **argv) {
    bench::args a(argc, argv);
    if (a.has("header")) {
        printf("%s\n", csv_header);
        return 0;
    }
    if (a.has("version")) {
        int maj, min, pat;
        zmq_version(&maj, &min, &pat);
        printf("%d.%d.%d\n", maj, min, pat);
        return 0;
    }
    if (!parse_options(a)) {
        fprintf(stderr, "soak: bad options (see the comment at the top of soak.cpp)\n");
        return 64;
    }
    const std::string lib = a.get("lib", BENCH_LIB_NAME);
    const double seconds = double(a.num("seconds", 20));
    const int interval_ms = int(std::max(100ll, a.num("interval-ms", 1000)));
    const double settle_s = double(a.num("settle-seconds", 10));
    const int max_fds = int(a.num("max-fds", 1000));
    // The fd ceiling also guards the machine: past it, socket() fails here.
    // --fd-limit below what the run needs provokes fd exhaustion on purpose.
    const long fd_limit = long(a.num("fd-limit", max_fds + 24));
    rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > rlim_t(fd_limit)) {
        rl.rlim_cur = rlim_t(fd_limit);
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    // Before the context exists, so its threads inherit the cpu too.
    if (a.has("pin"))
        bench::pin_self(int(a.num("pin", -1)));
    FILE *csv = stdout;
    if (a.has("csv") && !(csv = fopen(a.get("csv").c_str(), "w"))) {
        perror("soak: --csv");
        return 70;
    }
    fprintf(csv, "%s\n", csv_header);

    g_t0_ms = now_ms();
    int dead_fd;
    g_dead_tcp_port = reserve_dead_port(dead_fd);
    const int fds_pre = count_open_fds();
    const long threads_pre = proc_status_value("Threads");
    void *ctx = zmq_ctx_new();
    void *sentinel = zmq_socket(ctx, ZMQ_PAIR); // the context stays started until the end
    std::vector<std::thread> warm;
    for (int i = 0; i < n_workers; ++i)
        warm.emplace_back([ctx, i] {
            worker w(worker_id(i), ctx);
            warm_up(w);
        });
    for (auto &t : warm)
        t.join();
    malloc_trim(0);
    // Sockets close asynchronously: the baseline waits until the fd count holds.
    for (int stable = 0, i = 0, f = count_open_fds(); stable < 3 && i < 50; ++i) {
        sleep_ms(100);
        int g = count_open_fds();
        stable = g == f ? stable + 1 : 0;
        f = g;
    }
    reset_counters();
    sample base = take_sample("baseline"), prev = base, peak = base, mid = base, last = base;
    write_row(csv, lib, base, base);

    std::vector<std::unique_ptr<worker>> workers;
    std::vector<std::thread> threads;
    std::atomic<int> running{0};
    void (*const bodies[n_workers])(worker &) = {run_pushpull, run_dealer, run_pubsub, run_reqrep,
                                                 run_churn};
    for (int i = 0; i < n_workers; ++i) {
        workers.emplace_back(new worker(worker_id(i), ctx));
        if (!g_enabled[i])
            continue;
        ++running;
        // The thread gets its worker and body by value: the vectors grow meanwhile.
        threads.emplace_back([&running, body = bodies[i], w = workers[i].get()] {
            body(*w);
            --running;
        });
    }
    auto track = [&](const char *phase) {
        sample s = take_sample(phase);
        write_row(csv, lib, s, prev);
        prev = last = s;
        peak.rss_kb = std::max(peak.rss_kb, s.rss_kb);
        peak.fds = std::max(peak.fds, s.fds);
        peak.threads = std::max(peak.threads, s.threads);
        return s;
    };
    bool fd_cap = false, stuck = false, mid_taken = false;
    sample stop_at; // the first sample after the stop: the end of the measured run
    uint64_t next_tick = g_t0_ms + interval_ms, end_ms = g_t0_ms + uint64_t(seconds * 1000);
    for (const char *phase = "run";;) {
        sleep_ms(int(std::max<int64_t>(0, int64_t(next_tick) - int64_t(now_ms()))));
        next_tick += interval_ms;
        if (!strcmp(phase, "run") && now_ms() >= end_ms) {
            g_stop = true;
            phase = "stop";
        }
        sample s = track(phase);
        if (!strcmp(phase, "stop") && stop_at.t == 0)
            stop_at = s;
        if (!mid_taken && s.t >= seconds / 2) {
            mid = s;
            mid_taken = true;
        }
        if (s.fds > max_fds && !fd_cap) {
            fprintf(stderr, "SOAK: %d open fds, over the ceiling of %d: stopping\n", s.fds,
                    max_fds);
            fd_cap = true;
            g_stop = true;
            phase = "stop";
        }
        if (!strcmp(phase, "stop") && running == 0)
            break;
        // A scenario waits at most timeout_ms per step: three times that is a hang.
        if (!strcmp(phase, "stop") && s.t > seconds + 3.0 * g_opt.timeout_ms / 1000 + 5) {
            stuck = true;
            break;
        }
    }
    const sample run_end = last;
    if (!stuck) {
        for (auto &t : threads)
            t.join();
        // Memory freed by the scenarios goes back to the kernel, so RSS shows
        // what is still held (a leak), not what the allocator kept cached.
        malloc_trim(0);
        uint64_t settle_end = now_ms() + uint64_t(settle_s * 1000);
        do {
            sleep_ms(interval_ms);
            track("settle");
        } while (now_ms() < settle_end && (last.fds > base.fds || last.threads > base.threads));
    }
    const sample settled = last;
    if (!stuck && (settled.fds > base.fds || a.has("list-fds"))) {
        fprintf(stderr, "SOAK: open fds after the churn (baseline %d, now %d):\n", base.fds,
                settled.fds);
        print_open_fds(stderr);
    }
    if (!stuck) {
        zmq_close(sentinel);
        zmq_ctx_term(ctx);
        track("term");
    }
    close(dead_fd);

    const sample &fin = last;
    uint64_t run_msgs = stop_at.total_msgs();
    bool idle_worker = false;
    for (int i = 0; i < n_workers; ++i)
        idle_worker |= g_enabled[i] && run_end.msgs[i] == 0;
    double half_min = (stop_at.t - mid.t) / 60.0;
    double rss_slope = half_min > 0 ? (stop_at.rss_kb - mid.rss_kb) / half_min : 0;
    // After the churn: every fd and thread back to the baseline, and RSS within
    // 2 MiB or a tenth of the churn's growth of it (allocator fragmentation).
    long rss_slack = std::max(2048l, (peak.rss_kb - base.rss_kb) / 10);
    bool fds_back = settled.fds <= base.fds, threads_back = settled.threads <= base.threads;
    bool rss_back = settled.rss_kb <= base.rss_kb + rss_slack;
    uint64_t errors = fin.total_errors();
    int rc = stuck ? 4 : fd_cap ? 3 : errors ? 1 : idle_worker ? 5 : 0;
    const char *result = rc == 0   ? "PASS"
                         : rc == 1 ? "ERRORS"
                         : rc == 3 ? "FD_CEILING"
                         : rc == 4 ? "STUCK"
                                   : "IDLE_SCENARIO";
    char line[2048];
    int n = snprintf(line, sizeof line,
                     "soak_summary lib=%s result=%s seconds=%.1f msgs=%llu msgs_per_s=%.1f",
                     lib.c_str(), result, stop_at.t, (unsigned long long)run_msgs,
                     stop_at.t > 0 ? run_msgs / stop_at.t : 0);
    for (int i = 0; i < n_workers; ++i)
        n += snprintf(line + n, sizeof line - n, " %s=%llu", worker_names[i],
                      (unsigned long long)stop_at.msgs[i]);
    n += snprintf(line + n, sizeof line - n, " errors=%llu", (unsigned long long)errors);
    for (int i = 0; i < n_errors; ++i)
        n += snprintf(line + n, sizeof line - n, " %s=%llu", error_names[i],
                      (unsigned long long)fin.errors[i]);
    snprintf(line + n, sizeof line - n,
             " reset_drops=%llu restarts=%llu reconnects=%llu sockets_created=%llu"
             " rss_kb_start=%ld rss_kb_peak=%ld rss_kb_end=%ld rss_kb_term=%ld "
             "rss_growth_kb_per_min=%.0f"
             " fds_pre=%d fds_start=%d fds_peak=%d fds_end=%d fds_term=%d"
             " threads_pre=%ld threads_start=%ld threads_peak=%ld threads_end=%ld threads_term=%ld"
             " fds_returned=%s threads_returned=%s rss_returned=%s term_returned=%s",
             (unsigned long long)fin.reset_drops, (unsigned long long)fin.restarts,
             (unsigned long long)fin.reconnects, (unsigned long long)fin.sockets_created,
             base.rss_kb, peak.rss_kb, settled.rss_kb, fin.rss_kb, rss_slope, fds_pre, base.fds,
             peak.fds, settled.fds, fin.fds, threads_pre, base.threads, peak.threads,
             settled.threads, fin.threads, fds_back ? "yes" : "no", threads_back ? "yes" : "no",
             rss_back ? "yes" : "no",
             !stuck && fin.fds <= fds_pre && fin.threads <= threads_pre ? "yes" : "no");
    fprintf(stderr, "%s\n", line);
    if (a.has("summary")) {
        if (FILE *f = fopen(a.get("summary").c_str(), "w")) {
            fprintf(f, "%s\n", line);
            fclose(f);
        }
    }
    if (csv != stdout)
        fclose(csv);
    if (stuck) {
        fprintf(stderr, "SOAK: scenarios still running %.0f s after the stop; giving up\n",
                fin.t - seconds);
        _exit(rc); // the stuck threads cannot be joined
    }
    return rc;
}
