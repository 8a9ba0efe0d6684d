#include "transports/ws/ws_handshake.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zmq.h>

namespace zlink {

namespace http = boost::beast::http;

namespace {

std::string base64(const unsigned char *data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(&out[0]), data, int(size));
    out.resize(n > 0 ? std::size_t(n) : 0);
    return out;
}

std::string trim(const std::string &s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
        --e;
    return s.substr(b, e - b);
}

// "a, b,c" -> {a, b, c}; a field may also be repeated (Beast joins nothing).
void split_tokens(const std::string &value, std::vector<std::string> &out) {
    std::size_t start = 0;
    while (start <= value.size()) {
        const std::size_t comma = value.find(',', start);
        const std::string token = trim(
            value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!token.empty())
            out.push_back(token);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
}

const char *const ws_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

} // namespace

std::string ws_make_key() {
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1) {
        for (unsigned i = 0; i < sizeof raw; ++i) // a key need not be secret, only fresh
            raw[i] = static_cast<unsigned char>(std::rand());
    }
    return base64(raw, sizeof raw);
}

std::string ws_accept_for(const std::string &key) {
    const std::string text = key + ws_guid;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha1(), nullptr) != 1)
        return std::string();
    return base64(digest, len);
}

std::vector<std::string> ws_client_protocols(int mechanism) {
    switch (mechanism) {
    case ZMQ_NULL:
        // /NULL first, as libzmq: its server takes the first offered, and in
        // bare ZWS2.0 it sends without reading our routing id, so its close
        // with that unread is a reset that drops what it had not yet sent.
        // A jszmq (ws) server answers /NULL too but speaks bare: ws_stream
        // tells them apart by the server's first message.
        return {"ZWS2.0/NULL", "ZWS2.0"};
    case ZMQ_PLAIN:
        return {"ZWS2.0/PLAIN"};
    case ZMQ_CURVE:
        return {"ZWS2.0/CURVE"};
    default:
        return {};
    }
}

std::string ws_choose_protocol(int mechanism, const std::vector<std::string> &offered) {
    // ZWS2.0/NULL when offered keeps READY (Socket-Type check, metadata).
    if (mechanism == ZMQ_NULL &&
        std::find(offered.begin(), offered.end(), "ZWS2.0/NULL") != offered.end())
        return "ZWS2.0/NULL";
    for (const std::string &p : offered) {
        if (mechanism == ZMQ_NULL && (p == "ZWS2.0" || p == "ZWS2.0/NULL"))
            return p;
        if ((mechanism == ZMQ_PLAIN && p == "ZWS2.0/PLAIN") ||
            (mechanism == ZMQ_CURVE && p == "ZWS2.0/CURVE"))
            return p;
    }
    return std::string();
}

std::string ws_client_request(const std::string &host, const std::string &path,
                              const std::string &key, const std::vector<std::string> &protocols) {
    std::string joined;
    for (const std::string &p : protocols)
        joined += (joined.empty() ? "" : ", ") + p;
    return "GET " + path + " HTTP/1.1\r\nHost: " + host +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
           "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " + joined + "\r\n\r\n";
}

std::string ws_server_accept(const std::string &key, const std::string &protocol) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           ws_accept_for(key) + "\r\nSec-WebSocket-Protocol: " + protocol + "\r\n\r\n";
}

std::string ws_server_refusal(unsigned status, const char *reason) {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason +
           "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
}

// Beast parses a whole header in one put() (need_more, nothing used, until
// it is all there), so the caller passes everything received so far.
ws_parse_status ws_parse_request(const char *data, std::size_t size, std::size_t &header_size,
                                 ws_request_t &out) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(8192);
    boost::system::error_code ec;
    const std::size_t used = parser.put(boost::asio::buffer(data, size), ec);
    if (ec == http::error::need_more)
        return ws_parse_status::need_more;
    if (ec || !parser.is_header_done())
        return ws_parse_status::bad;
    const auto &req = parser.get();
    if (!boost::beast::websocket::is_upgrade(req) ||
        req[http::field::sec_websocket_version] != "13")
        return ws_parse_status::bad;
    out.key = std::string(req[http::field::sec_websocket_key]);
    if (out.key.empty())
        return ws_parse_status::bad;
    const std::string target(req.target());
    out.path = target.substr(0, target.find('?'));
    for (const auto &field : req) {
        if (field.name() == http::field::sec_websocket_protocol)
            split_tokens(std::string(field.value()), out.protocols);
    }
    header_size = used;
    return ws_parse_status::ok;
}

ws_parse_status ws_parse_response(const char *data, std::size_t size, std::size_t &header_size,
                                  ws_response_t &out) {
    http::response_parser<http::empty_body> parser;
    parser.header_limit(8192);
    boost::system::error_code ec;
    const std::size_t used = parser.put(boost::asio::buffer(data, size), ec);
    if (ec == http::error::need_more && !parser.is_header_done())
        return ws_parse_status::need_more;
    if (!parser.is_header_done())
        return ws_parse_status::bad;
    const auto &res = parser.get();
    out.status = res.result_int();
    out.accept = std::string(res[http::field::sec_websocket_accept]);
    out.protocol = trim(std::string(res[http::field::sec_websocket_protocol]));
    header_size = used;
    return ws_parse_status::ok;
}

} // namespace zlink
