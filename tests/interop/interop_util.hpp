// Spawning the libzmq-side peer processes of the interop tests: stdin and
// stdout are pipes, every wait is bounded, and the process is always killed
// and reaped when the handle goes away.
#pragma once

#include "net_testutil.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

namespace interop {

using namespace testutil;

class peer_process {
  public:
    peer_process() = default;
    peer_process(const peer_process &) = delete;
    ~peer_process() { kill_and_reap(); }

    // Start argv[0] with the given arguments. LD_LIBRARY_PATH/LD_PRELOAD are
    // dropped so the peer really loads the system library it was built for;
    // `extra_env` ("NAME=value") is added after that.
    bool start(const std::vector<std::string> &args,
               const std::vector<std::string> &extra_env = {}) {
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
            return false;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addclose(&fa, in[1]);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        std::vector<char *> argv;
        for (const auto &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        std::vector<char *> env;
        for (char **e = environ; *e; ++e) {
            if (strncmp(*e, "LD_LIBRARY_PATH=", 16) == 0 || strncmp(*e, "LD_PRELOAD=", 11) == 0)
                continue;
            env.push_back(*e);
        }
        for (const auto &e : extra_env)
            env.push_back(const_cast<char *>(e.c_str()));
        env.push_back(nullptr);
        const int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), env.data());
        posix_spawn_file_actions_destroy(&fa);
        ::close(in[0]);
        ::close(out[1]);
        in_ = in[1];
        out_ = out[0];
        if (rc != 0) {
            pid_ = -1;
            return false;
        }
        return true;
    }

    // One line of the peer's stdout (without newline); "" on timeout/EOF.
    std::string read_line(int timeout = wait_ms) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
        for (;;) {
            const auto nl = buf_.find('\n');
            if (nl != std::string::npos) {
                std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                return line;
            }
            const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  deadline - std::chrono::steady_clock::now())
                                                  .count());
            pollfd p{out_, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, left) != 1)
                return "";
            char c[256];
            const ssize_t n = ::read(out_, c, sizeof c);
            if (n <= 0)
                return "";
            buf_.append(c, static_cast<size_t>(n));
        }
    }

    // "ENDPOINT <ep>" -> ep.
    std::string endpoint() {
        const std::string line = read_line();
        return line.compare(0, 9, "ENDPOINT ") == 0 ? line.substr(9) : "";
    }

    void close_stdin() {
        if (in_ >= 0)
            ::close(in_);
        in_ = -1;
    }

    // Exit status once the peer is done, or -1 if it has not exited within
    // the bound (it is killed then) or died of a signal.
    int wait_exit(int timeout = wait_ms) {
        if (pid_ < 0)
            return status_;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
        while (std::chrono::steady_clock::now() < deadline) {
            if (reaped())
                return status_;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        kill_and_reap();
        return -1;
    }

    // Non-blocking: has it exited (status then available from wait_exit)?
    bool exited() { return pid_ < 0 || reaped(); }

    // The running peer's process id (-1 once it has been reaped).
    pid_t pid() const { return pid_; }

    void kill_and_reap() {
        close_stdin();
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int st;
            ::waitpid(pid_, &st, 0);
            pid_ = -1;
            status_ = -1;
        }
        if (out_ >= 0)
            ::close(out_);
        out_ = -1;
    }

  private:
    bool reaped() {
        int st;
        if (::waitpid(pid_, &st, WNOHANG) != pid_)
            return false;
        pid_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return true;
    }

    pid_t pid_ = -1;
    int status_ = -1;
    int in_ = -1, out_ = -1;
    std::string buf_;
};

// The standard message set shared with interop_peer.c (standard_message()).
inline std::vector<std::string> standard_message(int i) {
    if (i == 0)
        return {"hello"};
    if (i == 1)
        return {""};
    if (i == 2)
        return {"multi", "", "part"};
    if (i == 3) {
        std::string big(1 << 20, '\0');
        for (size_t k = 0; k < big.size(); ++k)
            big[k] = static_cast<char>((k * 7 + 3) & 0xFF);
        return {big};
    }
    return {"seq-" + std::to_string(i - 4)};
}

inline const char *peer_path() { return ZLINK_INTEROP_PEER; }

// Whether the system's python3 has pyzmq (python3-zmq).
inline bool pyzmq_available() {
    const std::string py = ZLINK_INTEROP_PYTHON;
    if (py.empty() || py.find("NOTFOUND") != std::string::npos)
        return false;
    peer_process p;
    if (!p.start({py, "-c", "import zmq"}))
        return false;
    return p.wait_exit() == 0;
}

} // namespace interop
