#include "protocol/zmtp_metadata.hpp"

#include "protocol/zmtp_wire.hpp"

namespace zlink {

size_t zmtp_metadata_size(const zmtp_property_list &props, bool *ok) {
    size_t total = 0;
    for (const auto &p : props) {
        if (p.first.empty() || p.first.size() > 255 || p.second.size() > 0xFFFFFFFFu) {
            if (ok)
                *ok = false;
            return 0;
        }
        total += 1 + p.first.size() + 4 + p.second.size();
    }
    if (ok)
        *ok = true;
    return total;
}

bool zmtp_encode_metadata(const zmtp_property_list &props, std::string *out) {
    bool ok = false;
    const size_t size = zmtp_metadata_size(props, &ok);
    if (!ok)
        return false;
    out->reserve(out->size() + size);
    for (const auto &p : props) {
        out->push_back(static_cast<char>(p.first.size()));
        out->append(p.first);
        unsigned char len[4];
        zmtp_put_u32(len, static_cast<uint32_t>(p.second.size()));
        out->append(reinterpret_cast<const char *>(len), 4);
        out->append(p.second);
    }
    return true;
}

zmtp_metadata_error zmtp_parse_metadata(const unsigned char *data, size_t size,
                                        metadata_t::dict_t *out) {
    metadata_t::dict_t tmp;
    const auto rc = zmtp_parse_metadata(data, size, [&](std::string n, std::string v) {
        tmp[std::move(n)] = std::move(v);
        return true;
    });
    if (rc == zmtp_metadata_error::ok) {
        for (auto &kv : tmp)
            (*out)[kv.first] = std::move(kv.second);
    }
    return rc;
}

bool zmtp_name_equals(const std::string &a, const char *b) {
    size_t i = 0;
    for (; i < a.size() && b[i]; ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]);
        unsigned char y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z')
            x = static_cast<unsigned char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<unsigned char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return i == a.size() && b[i] == 0;
}

} // namespace zlink
