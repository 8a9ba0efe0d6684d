// zmq_z85_encode / zmq_z85_decode: argument checks over core/z85.
#include <zmq.h>

#include "core/z85.hpp"

#include <cerrno>
#include <cstring>

extern "C" {

ZMQ_EXPORT char *zmq_z85_encode(char *dest_, const uint8_t *data_, size_t size_) {
    if (dest_ == nullptr || (data_ == nullptr && size_ != 0) ||
        !zlink::z85_encode(dest_, data_, size_)) {
        errno = EINVAL;
        return nullptr;
    }
    return dest_;
}

// Unlike encoding nothing, decoding "" is an error in libzmq (it wants at
// least one group), and we match it.
ZMQ_EXPORT uint8_t *zmq_z85_decode(uint8_t *dest_, const char *string_) {
    if (dest_ == nullptr || string_ == nullptr || string_[0] == '\0' ||
        !zlink::z85_decode(dest_, string_, std::strlen(string_))) {
        errno = EINVAL;
        return nullptr;
    }
    return dest_;
}

} // extern "C"
