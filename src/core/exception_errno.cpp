#include "core/exception_errno.hpp"

#include <cerrno>
#include <new>
#include <stdexcept>
#include <system_error>

#include <boost/system/system_error.hpp>

namespace zlink {

int errno_of_current_exception() noexcept {
    try {
        throw;
    } catch (const std::bad_alloc &) {
        return ENOMEM;
    } catch (const std::system_error &e) {
        return e.code().value() > 0 ? e.code().value() : ENOMEM;
    } catch (const boost::system::system_error &e) {
        return e.code().value() > 0 ? e.code().value() : ENOMEM;
    } catch (const std::logic_error &) {
        return EINVAL;
    } catch (...) {
        return ENOMEM;
    }
}

} // namespace zlink
