// The OpenSSL contexts of tls:// built from the ZMQ_TLS_* options (zlink.h):
// TLS 1.2 at least (1.3 preferred by OpenSSL's negotiation), certificates
// and keys from files or PEM text, the trust store and verification mode.
// A server's context is made once per bind and shared by its connections.
#pragma once

#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "core/options.hpp"

namespace zlink {

using tls_context_ptr = std::shared_ptr<SSL_CTX>;

// A value starting with "-----BEGIN" is PEM text, anything else a path.
bool is_pem_text(const std::string &value);

// nullptr with err = EINVAL when an option cannot be loaded (missing file,
// bad PEM, wrong password, key not matching the certificate; a server
// without certificate or key), ENOMEM if OpenSSL cannot allocate.
tls_context_ptr make_tls_server_context(const options_t &options, int &err);
tls_context_ptr make_tls_client_context(const options_t &options, int &err);

} // namespace zlink
