#include "core/feature_flags.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace zlink {

bool parse_flag_int(const char *text, int *out) {
    if (!text)
        return false;
    while (std::isspace(static_cast<unsigned char>(*text)))
        ++text;
    if (*text == '\0')
        return false;
    char *end = nullptr;
    errno = 0;
    const long v = std::strtol(text, &end, 10);
    if (end == text || errno == ERANGE || v < INT_MIN || v > INT_MAX)
        return false;
    while (std::isspace(static_cast<unsigned char>(*end)))
        ++end;
    if (*end != '\0')
        return false;
    *out = static_cast<int>(v);
    return true;
}

int resolve_flag(const char *env_name, int sockopt_value, int compiled_default, int min_value,
                 int max_value) {
    int v = 0;
    // errno is preserved: resolving happens inside calls whose errno matters.
    const int saved_errno = errno;
    const bool from_env =
        env_name && parse_flag_int(std::getenv(env_name), &v) && v >= min_value && v <= max_value;
    errno = saved_errno;
    if (from_env)
        return v;
    if (sockopt_value != -1)
        return sockopt_value;
    return compiled_default;
}

} // namespace zlink
