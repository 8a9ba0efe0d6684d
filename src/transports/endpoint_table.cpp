#include "transports/endpoint_table.hpp"

#include <cerrno>

#include "core/mailbox.hpp"
#include "core/pipe.hpp"

namespace zlink {

int endpoint_table_t::add(const std::string &name, const i_endpoint_host *owner, mailbox_t *mailbox,
                          const options_t &o) {
    std::lock_guard<std::mutex> lock(_mutex);
    if (_endpoints.count(name)) {
        errno = EADDRINUSE;
        return -1;
    }
    mailbox->add_ref();
    _endpoints.emplace(name, endpoint_t{owner, mailbox, o});
    return 0;
}

int endpoint_table_t::remove(const std::string &name, const i_endpoint_host *owner) {
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _endpoints.find(name);
    if (it == _endpoints.end() || it->second.owner != owner) {
        errno = ENOENT;
        return -1;
    }
    it->second.mailbox->drop_ref();
    _endpoints.erase(it);
    return 0;
}

void endpoint_table_t::remove_all(const i_endpoint_host *owner) {
    std::lock_guard<std::mutex> lock(_mutex);
    for (auto it = _endpoints.begin(); it != _endpoints.end();) {
        if (it->second.owner == owner) {
            it->second.mailbox->drop_ref();
            it = _endpoints.erase(it);
        } else
            ++it;
    }
}

bool endpoint_table_t::find_or_pend(const std::string &name, endpoint_t &ep,
                                    const pending_t *pending) {
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _endpoints.find(name);
    if (it != _endpoints.end()) {
        ep = it->second;
        ep.mailbox->add_ref();
        return true;
    }
    if (pending)
        _pending.emplace(name, *pending);
    return false;
}

std::vector<endpoint_table_t::pending_t> endpoint_table_t::take_pending(const std::string &name) {
    std::lock_guard<std::mutex> lock(_mutex);
    std::vector<pending_t> out;
    auto range = _pending.equal_range(name);
    for (auto it = range.first; it != range.second; ++it)
        out.push_back(it->second);
    _pending.erase(range.first, range.second);
    return out;
}

void endpoint_table_t::end_pending() {
    std::multimap<std::string, pending_t> pending;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        pending.swap(_pending);
    }
    for (auto &p : pending)
        p.second.bind_end->terminate();
}

} // namespace zlink
