// zmq_errno / zmq_strerror.
#include <zmq.h>

#include <cerrno>
#include <cstring>

extern "C" {

// Exists for environments where the caller's errno is not the library's
// (separate C runtimes on Windows); on POSIX it is simply errno.
ZMQ_EXPORT int zmq_errno(void) { return errno; }

ZMQ_EXPORT const char *zmq_strerror(int errnum_) {
    // Codes above ZMQ_HAUSNUMERO are ours, the C library does not know them.
    // The portable fallbacks (ENOTSUP..ENETRESET) only land there on
    // platforms whose errno.h lacks them, hence the #if around each.
    switch (errnum_) {
#if ENOTSUP > ZMQ_HAUSNUMERO
    case ENOTSUP:
        return "Not supported";
#endif
#if EPROTONOSUPPORT > ZMQ_HAUSNUMERO
    case EPROTONOSUPPORT:
        return "Protocol not supported";
#endif
#if ENOBUFS > ZMQ_HAUSNUMERO
    case ENOBUFS:
        return "No buffer space available";
#endif
#if ENETDOWN > ZMQ_HAUSNUMERO
    case ENETDOWN:
        return "Network is down";
#endif
#if EADDRINUSE > ZMQ_HAUSNUMERO
    case EADDRINUSE:
        return "Address in use";
#endif
#if EADDRNOTAVAIL > ZMQ_HAUSNUMERO
    case EADDRNOTAVAIL:
        return "Address not available";
#endif
#if ECONNREFUSED > ZMQ_HAUSNUMERO
    case ECONNREFUSED:
        return "Connection refused";
#endif
#if EINPROGRESS > ZMQ_HAUSNUMERO
    case EINPROGRESS:
        return "Operation in progress";
#endif
#if ENOTSOCK > ZMQ_HAUSNUMERO
    case ENOTSOCK:
        return "Not a socket";
#endif
#if EMSGSIZE > ZMQ_HAUSNUMERO
    case EMSGSIZE:
        return "Message too long";
#endif
#if EAFNOSUPPORT > ZMQ_HAUSNUMERO
    case EAFNOSUPPORT:
        return "Address family not supported";
#endif
#if ENETUNREACH > ZMQ_HAUSNUMERO
    case ENETUNREACH:
        return "Network is unreachable";
#endif
#if ECONNABORTED > ZMQ_HAUSNUMERO
    case ECONNABORTED:
        return "Connection aborted";
#endif
#if ECONNRESET > ZMQ_HAUSNUMERO
    case ECONNRESET:
        return "Connection reset by peer";
#endif
#if ENOTCONN > ZMQ_HAUSNUMERO
    case ENOTCONN:
        return "Socket is not connected";
#endif
#if ETIMEDOUT > ZMQ_HAUSNUMERO
    case ETIMEDOUT:
        return "Operation timed out";
#endif
    // libzmq gives this one its own wording even where errno.h has it
    // ("No route to host" on Linux); keep the drop-in identical.
    case EHOSTUNREACH:
        return "Host unreachable";
#if ENETRESET > ZMQ_HAUSNUMERO
    case ENETRESET:
        return "Connection reset by network";
#endif
    case EFSM:
        return "Operation cannot be accomplished in current state";
    case ENOCOMPATPROTO:
        return "The protocol is not compatible with the socket type";
    case ETERM:
        return "Context was terminated";
    case EMTHREAD:
        return "No thread available";
    default:
        return std::strerror(errnum_);
    }
}

} // extern "C"
