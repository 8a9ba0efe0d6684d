// libzmq's rule for the 0/1 options of socket types: the value must be an
// int (exactly sizeof(int) bytes) and not negative; any non-zero means on.
#pragma once

#include <cstddef>
#include <cstring>

namespace zlink {

inline bool parse_flag_option(const void *value, size_t size, bool *out) {
    int v = 0;
    if (!value || size != sizeof(int))
        return false;
    std::memcpy(&v, value, sizeof v);
    if (v < 0)
        return false;
    *out = v != 0;
    return true;
}

} // namespace zlink
