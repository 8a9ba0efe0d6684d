// zmq_curve_keypair / zmq_curve_public. zlink is built without CURVE
// (zmq_has("curve") is false), so, like a libzmq built without libsodium,
// both report ENOTSUP and leave the buffers alone.
#include <zmq.h>

#include <cerrno>

extern "C" {

ZMQ_EXPORT int zmq_curve_keypair (char *z85_public_key_, char *z85_secret_key_)
{
    (void) z85_public_key_;
    (void) z85_secret_key_;
    errno = ENOTSUP;
    return -1;
}

ZMQ_EXPORT int zmq_curve_public (char *z85_public_key_,
                                 const char *z85_secret_key_)
{
    (void) z85_public_key_;
    (void) z85_secret_key_;
    errno = ENOTSUP;
    return -1;
}

} // extern "C"
