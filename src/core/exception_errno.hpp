// The errno an exception stands for, where one must not travel further:
// the C API's entry points and the io threads' run loops.
#pragma once

namespace zlink {

// Call only inside a catch block. std::bad_alloc -> ENOMEM, std:: and
// boost::system::system_error -> their error code, a logic error (length,
// range, argument) -> EINVAL, anything else -> ENOMEM.
int errno_of_current_exception() noexcept;

} // namespace zlink
