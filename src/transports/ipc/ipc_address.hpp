// ipc:// address syntax, as libzmq accepts it: a filesystem path (absolute
// or relative), a Linux abstract name "@name" (leading NUL in sun_path), or
// "*" on bind for a fresh path in a new private temporary directory.
#pragma once

#include <string>

#include <boost/asio/local/stream_protocol.hpp>

namespace zlink {

struct ipc_address_t {
    std::string name; // as written after "ipc://" ("@name" for abstract)
    bool abstract = false;

    boost::asio::local::stream_protocol::endpoint endpoint() const;
    std::string uri() const { return "ipc://" + name; }
};

// Returns 0, EINVAL (empty, "@" alone) or ENAMETOOLONG (does not fit
// sun_path). "*" is not special here: see make_ipc_wildcard.
int parse_ipc_address(const std::string &address, ipc_address_t &out);

// For "ipc://*": creates a private directory ($TMPDIR or /tmp, "tmpXXXXXX")
// and names the socket "socket" inside it. dir receives the directory so
// the listener can remove it on close. Returns 0 or errno.
int make_ipc_wildcard(ipc_address_t &out, std::string &dir);

// The name for an endpoint read back from the kernel ("@name" for abstract).
std::string ipc_name_of(const boost::asio::local::stream_protocol::endpoint &ep);

} // namespace zlink
