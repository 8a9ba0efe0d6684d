// ZMTP metadata (the property list in READY, INITIATE and ZAP replies):
//   property = name-length(1) name(1..255) value-length(4, network order) value
// Property names are case-insensitive (RFC 23); values are opaque bytes.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/metadata.hpp"

namespace zlink {

// Properties to send, in wire order.
using zmtp_property_list = std::vector<std::pair<std::string, std::string>>;

// Well-known property names.
constexpr const char *zmtp_prop_socket_type = "Socket-Type";
constexpr const char *zmtp_prop_identity = "Identity";

// Encoded size; 0 with *ok = false when a name is empty or longer than 255
// bytes, or a value is 4 GiB or more.
size_t zmtp_metadata_size(const zmtp_property_list &props, bool *ok = nullptr);
// Appends the encoding to out. Returns false (out unchanged) on invalid input.
bool zmtp_encode_metadata(const zmtp_property_list &props, std::string *out);

enum class zmtp_metadata_error {
    ok,
    truncated,  // a length runs past the end of the data
    empty_name, // zero-length property name
};

// Parses a whole property list, reporting each property to
// fn(std::string name, std::string value) in wire order; fn returns false to
// stop early (the result is then ok; the caller knows why it stopped).
// On a syntax error earlier properties have already been reported, so
// callers collect into a temporary and keep it only on ok.
template <typename Fn>
zmtp_metadata_error zmtp_parse_metadata(const unsigned char *data, size_t size, Fn &&fn);

// Convenience: parse into a dict (later duplicates overwrite earlier ones).
zmtp_metadata_error zmtp_parse_metadata(const unsigned char *data, size_t size,
                                        metadata_t::dict_t *out);

// Case-insensitive ASCII comparison for property names.
bool zmtp_name_equals(const std::string &a, const char *b);

// ---- implementation of the template ----

template <typename Fn>
zmtp_metadata_error zmtp_parse_metadata(const unsigned char *data, size_t size, Fn &&fn) {
    size_t pos = 0;
    while (pos < size) {
        const size_t name_len = data[pos++];
        if (name_len == 0)
            return zmtp_metadata_error::empty_name;
        if (name_len > size - pos)
            return zmtp_metadata_error::truncated;
        std::string name(reinterpret_cast<const char *>(data + pos), name_len);
        pos += name_len;
        if (size - pos < 4)
            return zmtp_metadata_error::truncated;
        const size_t value_len = (size_t(data[pos]) << 24) | (size_t(data[pos + 1]) << 16) |
                                 (size_t(data[pos + 2]) << 8) | data[pos + 3];
        pos += 4;
        if (value_len > size - pos)
            return zmtp_metadata_error::truncated;
        std::string value(reinterpret_cast<const char *>(data + pos), value_len);
        pos += value_len;
        if (!fn(std::move(name), std::move(value)))
            break;
    }
    return zmtp_metadata_error::ok;
}

} // namespace zlink
