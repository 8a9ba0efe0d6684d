// Helpers of the tls:// tests (zlink only: libzmq has no tls transport):
// setting the ZMQ_TLS_* options (zlink.h) from the test certificates.
#pragma once

#include <string>

#include <zlink.h>

#include "net_testutil.hpp"
#include "tls_certs.hpp"

namespace testutil {

inline void set_tls_str(void *s, int option, const std::string &v) {
    ASSERT_EQ(0, zmq_setsockopt(s, option, v.data(), v.size()))
        << "option " << option << ": " << zmq_strerror(zmq_errno());
}

// A server's certificate and key (PEM text, or file paths with `files`).
inline void tls_server(void *s, const tls_certs::pem_pair &p, bool files = false) {
    set_tls_str(s, ZMQ_TLS_CERT, files ? p.cert_file : p.cert);
    set_tls_str(s, ZMQ_TLS_KEY, files ? p.key_file : p.key);
}

// A client trusting the test CA only (PEM text, or its file with `files`).
inline void tls_client(void *s, bool files = false) {
    const auto &c = tls_certs::get();
    set_tls_str(s, ZMQ_TLS_CA, files ? c.ca_file : c.ca);
}

// Mutual TLS: the server asks for and verifies a client certificate.
inline void tls_require_client(void *server) {
    set_tls_str(server, ZMQ_TLS_CA, tls_certs::get().ca);
    ASSERT_EQ(0, set_int(server, ZMQ_TLS_REQUIRE_CLIENT_CERT, 1));
}

inline void tls_client_cert(void *client) {
    tls_server(client, tls_certs::get().client); // the same two options
}

} // namespace testutil
