#include "transports/ipc/ipc_transport.hpp"

#include <algorithm>
#include <cerrno>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <boost/asio/local/stream_protocol.hpp>

#include "transports/ipc/ipc_address.hpp"
#include "transports/ipc/ipc_stream.hpp"
#include "transports/socket_acceptor.hpp"

namespace zlink {

namespace asio = boost::asio;
using boost::system::error_code;
using unix_stream = asio::local::stream_protocol;
using ipc_acceptor_t = socket_acceptor_t<unix_stream>;

namespace {

// What closing the listener removes: the socket file (if its inode is
// still ours) and the private directory of a wildcard address.
class ipc_bound_files_t {
  public:
    void set(std::string path, std::string dir) {
        _path = std::move(path);
        _dir = std::move(dir);
        struct stat st {};
        if (!_path.empty() && ::stat(_path.c_str(), &st) == 0) {
            _dev = st.st_dev;
            _ino = st.st_ino;
        }
    }

    void remove() {
        if (!_path.empty()) {
            struct stat st {};
            // Someone may have bound the same path since (libzmq unlinks a
            // stale file before bind); do not remove their socket.
            if (::stat(_path.c_str(), &st) == 0 && st.st_dev == _dev && st.st_ino == _ino)
                ::unlink(_path.c_str());
            _path.clear();
        }
        if (!_dir.empty()) {
            ::rmdir(_dir.c_str());
            _dir.clear();
        }
    }

  private:
    std::string _path, _dir;
    dev_t _dev = 0;
    ino_t _ino = 0;
};

// ZMQ_IPC_FILTER_UID/GID/PID, as set at bind time.
socket_acceptor_hooks_t ipc_accept_hooks(const options_t &options) {
    socket_acceptor_hooks_t hooks;
    hooks.admit = [filters = options.ipc_filters](int fd) {
        return ipc_peer_allowed(fd, filters) ? 0 : EACCES;
    };
    return hooks;
}

std::unique_ptr<listener_t> adopt_ipc_fd(asio::io_context &io, const options_t &options, int &err) {
    int family = AF_UNSPEC;
    if ((err = listening_fd_family(options.use_fd, family)) != 0)
        return nullptr;
    if (family != AF_UNIX) {
        err = EINVAL;
        return nullptr;
    }
    unix_stream::endpoint bound;
    auto state = adopt_listening_fd(io, ipc_accept_hooks(options), unix_stream(), options.use_fd,
                                    bound, err);
    if (!state)
        return nullptr;
    return std::make_unique<listener_t>(std::move(state), "ipc://" + ipc_name_of(bound),
                                        options.use_fd);
}

template <typename T>
bool contains(const std::vector<T> &v, T x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// The user name of a uid (getpwuid_r, growing the buffer on ERANGE).
bool user_name_of(uid_t uid, std::string &name) {
    std::vector<char> buf(1024);
    for (;;) {
        passwd pw{};
        passwd *found = nullptr;
        const int rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found);
        if (rc == ERANGE && buf.size() < (1u << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || !found)
            return false;
        name = pw.pw_name;
        return true;
    }
}

bool group_has_member(gid_t gid, const std::string &user) {
    std::vector<char> buf(4096);
    for (;;) {
        group gr{};
        group *found = nullptr;
        const int rc = ::getgrgid_r(gid, &gr, buf.data(), buf.size(), &found);
        if (rc == ERANGE && buf.size() < (1u << 22)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || !found || !gr.gr_mem)
            return false;
        for (char **m = gr.gr_mem; *m; ++m) {
            if (user == *m)
                return true;
        }
        return false;
    }
}

} // namespace

bool ipc_peer_allowed(int fd, const ipc_peer_filters_t &filters) {
    if (filters.empty())
        return true;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return false;
    if (contains(filters.uids, cred.uid) || contains(filters.gids, cred.gid) ||
        contains(filters.pids, cred.pid))
        return true;
    // Supplementary groups, as listed in the group database.
    if (filters.gids.empty())
        return false;
    std::string user;
    if (!user_name_of(cred.uid, user))
        return false;
    return std::any_of(filters.gids.begin(), filters.gids.end(),
                       [&](gid_t g) { return group_has_member(g, user); });
}

std::unique_ptr<listener_t> listen_ipc(asio::io_context &io, const std::string &address,
                                       const options_t &options, int &err) {
    // ZMQ_USE_FD: the address is ignored, as in libzmq, and the endpoint
    // read back from the socket.
    if (options.use_fd != -1)
        return adopt_ipc_fd(io, options, err);
    ipc_address_t addr;
    std::string dir;
    if ((err = address == "*" ? make_ipc_wildcard(addr, dir) : parse_ipc_address(address, addr)))
        return nullptr;
    auto files = std::make_shared<ipc_bound_files_t>();
    socket_acceptor_hooks_t hooks = ipc_accept_hooks(options);
    hooks.on_close = [files] { files->remove(); };
    auto state = std::make_shared<ipc_acceptor_t>(io, std::move(hooks));
    // From here on, failing removes the wildcard directory.
    files->set(std::string(), dir);
    auto &acc = state->acceptor();
    error_code ec;
    if (acc.open(unix_stream(), ec)) {
        err = ec.value();
        return nullptr;
    }
    set_close_on_exec(acc.native_handle());
    apply_socket_buffer_options(acc.native_handle(), options);
    // As libzmq: a file left by an earlier run would make bind fail.
    if (!addr.abstract)
        ::unlink(addr.name.c_str());
    if (acc.bind(addr.endpoint(), ec)) {
        err = ec.value();
        return nullptr;
    }
    files->set(addr.abstract ? std::string() : addr.name, dir);
    if (acc.listen(options.backlog, ec)) {
        err = ec.value();
        return nullptr;
    }
    const int fd = acc.native_handle();
    return std::make_unique<listener_t>(std::move(state), addr.uri(), fd);
}

} // namespace zlink
