// Helpers for tests that look inside zlink (tests/unit): its debug counters
// and its environment-variable flags. Uses <zlink.h>, so never included by
// the public-API tests that also run against the system libzmq.
#pragma once

#include <zlink.h>
#include <zmq.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace testutil {

using counter_map = std::map<std::string, unsigned long long>;

// Every zmq_debug_counters entry by name (however many this build has).
inline counter_map debug_counters() {
    std::vector<zlink_debug_counter_t> cs(size_t(zmq_debug_counters(nullptr, 0)));
    const int n = zmq_debug_counters(cs.data(), int(cs.size()));
    counter_map out;
    for (int i = 0; i < n; ++i)
        out[cs[size_t(i)].name] = cs[size_t(i)].value;
    return out;
}

// One counter; 0 for a name this build does not have.
inline unsigned long long debug_counter(const std::string &name) {
    const counter_map all = debug_counters();
    const auto it = all.find(name);
    return it == all.end() ? 0 : it->second;
}

// Sets an environment variable for one scope and always removes it again.
class scoped_env {
  public:
    scoped_env(const char *name, const char *value) : _name(name) { ::setenv(name, value, 1); }
    ~scoped_env() { ::unsetenv(_name); }
    scoped_env(const scoped_env &) = delete;
    scoped_env &operator=(const scoped_env &) = delete;

  private:
    const char *_name;
};

} // namespace testutil
