#include "transports/tls/tls_context.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace zlink {

namespace {

struct bio_free_t {
    void operator()(BIO *b) const { BIO_free(b); }
};
using bio_ptr = std::unique_ptr<BIO, bio_free_t>;

// The PEM source of an option: the text itself or the file it names.
bio_ptr open_pem(const std::string &value) {
    if (is_pem_text(value))
        return bio_ptr(BIO_new_mem_buf(value.data(), static_cast<int>(value.size())));
    return bio_ptr(BIO_new_file(value.c_str(), "r"));
}

// PEM passphrase callback; userdata is the ZMQ_TLS_PASSWORD string.
int password_cb(char *buf, int size, int, void *userdata) {
    const auto *password = static_cast<const std::string *>(userdata);
    if (!password || size <= 0)
        return 0;
    const int n = static_cast<int>(std::min<std::size_t>(password->size(), size_t(size)));
    std::memcpy(buf, password->data(), size_t(n));
    return n;
}

// The leaf certificate, then every further certificate as its chain.
bool load_certificate(SSL_CTX *ctx, const std::string &value) {
    bio_ptr bio = open_pem(value);
    if (!bio)
        return false;
    X509 *leaf = PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr);
    if (!leaf)
        return false;
    const bool ok = SSL_CTX_use_certificate(ctx, leaf) == 1;
    X509_free(leaf);
    if (!ok || SSL_CTX_clear_chain_certs(ctx) != 1)
        return false;
    while (X509 *extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
            X509_free(extra);
            return false;
        }
    }
    ERR_clear_error(); // the end of the PEM stream reads as an error
    return true;
}

bool load_private_key(SSL_CTX *ctx, const std::string &value, const std::string &password) {
    bio_ptr bio = open_pem(value);
    if (!bio)
        return false;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio.get(), nullptr, password_cb,
                                            const_cast<std::string *>(&password));
    if (!key)
        return false;
    const bool ok = SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    EVP_PKEY_free(key);
    return ok;
}

bool load_trusted(SSL_CTX *ctx, const std::string &value) {
    if (!is_pem_text(value)) {
        struct stat st {};
        if (::stat(value.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            return SSL_CTX_load_verify_locations(ctx, nullptr, value.c_str()) == 1;
        return SSL_CTX_load_verify_locations(ctx, value.c_str(), nullptr) == 1;
    }
    bio_ptr bio = open_pem(value);
    if (!bio)
        return false;
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    int added = 0;
    while (X509 *cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        const int rc = X509_STORE_add_cert(store, cert);
        X509_free(cert);
        if (rc != 1)
            return false;
        ++added;
    }
    ERR_clear_error();
    return added > 0;
}

// Accepts whatever the peer presents (ZMQ_TLS_VERIFY=0).
int accept_any_certificate(int, X509_STORE_CTX *) { return 1; }

// What both sides share; nullptr on failure (err set).
SSL_CTX *new_context(bool server, const options_t &options, int &err) {
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!ctx) {
        err = ENOMEM;
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // No renegotiation; a peer closing without close_notify is a plain end
    // of stream (ZMTP frames carry their lengths, so truncation shows).
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF |
                                 SSL_OP_NO_COMPRESSION);
    // The stream writes one record per call and retries from wherever the
    // engine's buffer now is (tls_stream.cpp).
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const bool ok =
        (options.tls_cert.empty() || load_certificate(ctx, options.tls_cert)) &&
        (options.tls_key.empty() || load_private_key(ctx, options.tls_key, options.tls_password)) &&
        (options.tls_ca.empty() || load_trusted(ctx, options.tls_ca));
    const bool trust_system =
        options.tls_trust_system == 1 || (options.tls_trust_system == -1 && options.tls_ca.empty());
    if (!ok || (trust_system && SSL_CTX_set_default_verify_paths(ctx) != 1)) {
        ERR_clear_error();
        SSL_CTX_free(ctx);
        err = EINVAL;
        return nullptr;
    }
    return ctx;
}

} // namespace

bool is_pem_text(const std::string &value) { return value.rfind("-----BEGIN", 0) == 0; }

tls_context_ptr make_tls_server_context(const options_t &options, int &err) {
    if (options.tls_cert.empty() || options.tls_key.empty()) {
        err = EINVAL;
        return nullptr;
    }
    SSL_CTX *ctx = new_context(true, options, err);
    if (!ctx)
        return nullptr;
    int mode = SSL_VERIFY_NONE;
    if (options.tls_require_client_cert)
        mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    else if (!options.tls_ca.empty())
        mode = SSL_VERIFY_PEER; // asks; verifies a certificate when one comes
    SSL_CTX_set_verify(ctx, mode, options.tls_verify ? nullptr : accept_any_certificate);
    // zlink's clients do not resume sessions: no tickets to make and send.
    SSL_CTX_set_num_tickets(ctx, 0);
    return tls_context_ptr(ctx, SSL_CTX_free);
}

tls_context_ptr make_tls_client_context(const options_t &options, int &err) {
    if (options.tls_cert.empty() != options.tls_key.empty()) {
        err = EINVAL;
        return nullptr;
    }
    SSL_CTX *ctx = new_context(false, options, err);
    if (!ctx)
        return nullptr;
    SSL_CTX_set_verify(ctx, options.tls_verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    return tls_context_ptr(ctx, SSL_CTX_free);
}

} // namespace zlink
