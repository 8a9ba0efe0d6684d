// zmq_version / zlink_version: the API level we emulate vs. our own release.
#include <zlink.h>
#include <zmq.h>

extern "C" {

ZMQ_EXPORT void zmq_version(int *major_, int *minor_, int *patch_) {
    // libzmq writes through the pointers unconditionally; tolerating NULL
    // costs nothing and lets callers ask for one component.
    if (major_)
        *major_ = ZMQ_VERSION_MAJOR;
    if (minor_)
        *minor_ = ZMQ_VERSION_MINOR;
    if (patch_)
        *patch_ = ZMQ_VERSION_PATCH;
}

ZLINK_EXPORT int zlink_version(int *major_, int *minor_, int *patch_) {
    if (major_)
        *major_ = ZLINK_VERSION_MAJOR;
    if (minor_)
        *minor_ = ZLINK_VERSION_MINOR;
    if (patch_)
        *patch_ = ZLINK_VERSION_PATCH;
    return ZLINK_VERSION;
}

} // extern "C"
