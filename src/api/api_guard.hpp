// The C API's last line of defence: no exception crosses into C. The
// causes are handled where they arise (-1 with errno); this only catches
// what is left, e.g. std::bad_alloc deep inside a call.
#pragma once

#include <cerrno>

#include "core/exception_errno.hpp"

namespace zlink {

template <typename R, typename F>
R api_guard(R on_error, F &&body) noexcept {
    try {
        return body();
    } catch (...) {
        errno = errno_of_current_exception();
        return on_error;
    }
}

} // namespace zlink
