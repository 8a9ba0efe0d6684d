// Process-level helpers: short unique names, descriptor and memory counts
// and thread states from /proc, RLIMIT_NOFILE, a child process that runs one
// side of a scenario, and a line protocol between parent and child over a
// socketpair. OS only (no zmq.h, no gtest), so the zlink, system-libzmq and
// unit builds share it, and a forked child may use all of it. Same
// namespace as testutil.hpp.
#pragma once

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

namespace testutil {

// Sanitizer builds run several times slower: heavy cases scale down there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

// "<tag>-<pid>-<n>": unique across concurrent test processes and short, for
// ipc paths and abstract names (a sockaddr_un path holds 107 characters).
inline std::string short_unique(const char *tag = "zl") {
    static std::atomic<int> counter{0};
    return std::string(tag) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

// Descriptors open in this process (-1 if /proc/self/fd cannot be opened,
// which is what running out of them looks like).
inline int open_fds() {
    DIR *d = ::opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (const dirent *e = ::readdir(d))
        n += e->d_name[0] != '.';
    ::closedir(d);
    return n - 1; // the directory's own descriptor
}

// "fd->target" for every open descriptor, for a message when counts differ.
inline std::string open_fd_list() {
    std::string out;
    DIR *d = ::opendir("/proc/self/fd");
    if (!d)
        return out;
    const int own = ::dirfd(d);
    while (const dirent *e = ::readdir(d)) {
        if (e->d_name[0] == '.' || std::atoi(e->d_name) == own)
            continue;
        char target[256];
        const ssize_t n = ::readlinkat(own, e->d_name, target, sizeof target - 1);
        out += std::string(e->d_name) + "->" + (n > 0 ? std::string(target, size_t(n)) : "?") + " ";
    }
    ::closedir(d);
    return out;
}

// VmRSS of this process in KiB (-1 if unreadable).
inline long rss_kib() {
    FILE *f = std::fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    std::fclose(f);
    return kib;
}

// The scheduler state in a /proc/.../stat file ('S': sleeping, '?' if
// unreadable): "/proc/<pid>/stat" or "/proc/self/task/<tid>/stat".
inline char sched_state(const std::string &stat_path) {
    std::ifstream f(stat_path);
    std::string line;
    std::getline(f, line);
    const auto paren = line.rfind(')');
    return paren != std::string::npos && paren + 2 < line.size() ? line[paren + 2] : '?';
}

// Raises the soft RLIMIT_NOFILE to at least `wanted` (up to the hard
// limit). Returns the soft limit now in force, or -1.
inline long raise_fd_limit(long wanted) {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return -1;
    if (lim.rlim_cur != RLIM_INFINITY && static_cast<long>(lim.rlim_cur) < wanted) {
        const rlim_t target =
            lim.rlim_max == RLIM_INFINITY || static_cast<long>(lim.rlim_max) >= wanted
                ? static_cast<rlim_t>(wanted)
                : lim.rlim_max;
        lim.rlim_cur = target;
        if (::setrlimit(RLIMIT_NOFILE, &lim) != 0)
            return -1;
    }
    return lim.rlim_cur == RLIM_INFINITY ? wanted : static_cast<long>(lim.rlim_cur);
}

// Forks a child that runs `body` and exits with its result (an exception
// ends it by std::terminate, as it would end a C program). Fork before this
// process makes any thread or context.
inline pid_t start_child(const std::function<int()> &body) {
    const pid_t pid = ::fork();
    if (pid != 0)
        return pid;
    const auto run = [&]() noexcept { return body(); };
    ::_exit(run());
}

// "exit N", "signal N" (an abort is signal 6), or "timeout" (then killed).
inline std::string wait_child(pid_t pid, int timeout_ms) {
    if (pid < 0)
        return "fork failed";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return "timeout";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFSIGNALED(status))
        return "signal " + std::to_string(WTERMSIG(status));
    return "exit " + std::to_string(WEXITSTATUS(status));
}

// Kills and reaps a child that is still running when the test leaves early
// (a failed ASSERT), so no orphan outlives the test process.
class child_guard {
  public:
    explicit child_guard(pid_t pid) : _pid(pid) {}
    child_guard(const child_guard &) = delete;
    ~child_guard() {
        if (_pid > 0) {
            ::kill(_pid, SIGKILL);
            ::waitpid(_pid, nullptr, 0);
        }
    }
    // The child's outcome, as wait_child; the guard has nothing left to do.
    std::string wait(int timeout_ms) {
        const std::string r = wait_child(_pid, timeout_ms);
        _pid = -1;
        return r;
    }

  private:
    pid_t _pid;
};

// A whole line from a stream socket (bounded); "" on timeout or EOF.
inline std::string read_line(int fd, int timeout_ms) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        pollfd p{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1)
            return "";
        char c;
        if (::read(fd, &c, 1) != 1)
            return "";
        if (c == '\n')
            return line;
        line.push_back(c);
    }
}

// MSG_NOSIGNAL: a peer that died is no SIGPIPE.
inline void write_line(int fd, const std::string &s) {
    const std::string line = s + "\n";
    const ssize_t rc = ::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
    (void)rc;
}

// In a child: report a failed check on stderr and return `code`.
#define CHILD_CHECK(cond, code)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "child check failed (%d): %s, errno %d (%s)\n", code, #cond,      \
                         errno, std::strerror(errno));                                             \
            return code;                                                                           \
        }                                                                                          \
    } while (0)

} // namespace testutil
