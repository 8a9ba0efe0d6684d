#include "transports/ipc/ipc_address.hpp"

#include <cerrno>
#include <cstdlib>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace zlink {

namespace {
constexpr std::size_t sun_path_size = sizeof(sockaddr_un{}.sun_path);
} // namespace

boost::asio::local::stream_protocol::endpoint ipc_address_t::endpoint() const {
    if (abstract) {
        std::string raw = name;
        raw[0] = '\0';
        return boost::asio::local::stream_protocol::endpoint(raw);
    }
    return boost::asio::local::stream_protocol::endpoint(name);
}

int parse_ipc_address(const std::string &address, ipc_address_t &out) {
    // libzmq keeps room for the terminating NUL even for abstract names.
    if (address.empty())
        return EINVAL;
    if (address.size() >= sun_path_size)
        return ENAMETOOLONG;
#if defined(__linux__)
    if (address[0] == '@') {
        if (address.size() == 1)
            return EINVAL;
        out.name = address;
        out.abstract = true;
        return 0;
    }
#endif
    out.name = address;
    out.abstract = false;
    return 0;
}

int make_ipc_wildcard(ipc_address_t &out, std::string &dir) {
    std::string base = "/tmp";
    for (const char *var : {"TMPDIR", "TEMPDIR", "TMP"}) {
        const char *v = std::getenv(var);
        if (v && *v) {
            base = v;
            break;
        }
    }
    if (base.size() > 1 && base.back() == '/')
        base.pop_back();
    std::string templ = base + "/tmpXXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data()))
        return errno;
    dir.assign(buf.data());
    const std::string path = dir + "/socket";
    const int err = parse_ipc_address(path, out);
    if (err != 0) {
        ::rmdir(dir.c_str());
        dir.clear();
    }
    return err;
}

std::string ipc_name_of(const boost::asio::local::stream_protocol::endpoint &ep) {
    std::string p = ep.path();
    if (!p.empty() && p[0] == '\0')
        p[0] = '@';
    return p;
}

} // namespace zlink
