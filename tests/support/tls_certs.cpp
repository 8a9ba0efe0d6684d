#include "tls_certs.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace tls_certs {

namespace {

[[noreturn]] void die(const char *what) {
    std::fprintf(stderr, "tls_certs: %s failed\n", what);
    std::abort();
}

struct key_free_t {
    void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct x509_free_t {
    void operator()(X509 *x) const { X509_free(x); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, key_free_t>;
using x509_ptr = std::unique_ptr<X509, x509_free_t>;

key_ptr new_key() {
    key_ptr k(EVP_EC_gen("P-256"));
    if (!k)
        die("EVP_EC_gen");
    return k;
}

void add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (!ext || X509_add_ext(cert, ext, -1) != 1)
        die("X509_add_ext");
    X509_EXTENSION_free(ext);
}

struct spec {
    std::string cn;
    std::string org = "zlink tests";
    bool ca = false;
    std::string san;           // "DNS:localhost,IP:127.0.0.1"; empty: none
    long valid_from_days = -1; // relative to now
    long valid_until_days = 365;
    bool client = false;
};

x509_ptr make_cert(const spec &s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key) {
    static long serial = 1;
    x509_ptr cert(X509_new());
    if (!cert)
        die("X509_new");
    X509 *x = cert.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), s.valid_from_days * 86400);
    X509_gmtime_adj(X509_getm_notAfter(x), s.valid_until_days * 86400);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>(s.org.c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>(s.cn.c_str()), -1, -1, 0);
    X509 *signer = issuer ? issuer : x;
    X509_set_issuer_name(x, X509_get_subject_name(signer));
    add_ext(x, signer, NID_basic_constraints, s.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, signer, NID_key_usage,
            s.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    add_ext(x, signer, NID_subject_key_identifier, "hash");
    if (!s.ca) {
        add_ext(x, signer, NID_authority_key_identifier, "keyid");
        add_ext(x, signer, NID_ext_key_usage, s.client ? "clientAuth" : "serverAuth");
    }
    if (!s.san.empty())
        add_ext(x, signer, NID_subject_alt_name, s.san.c_str());
    if (X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) == 0)
        die("X509_sign");
    return cert;
}

std::string pem_of(X509 *x) {
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char *p = nullptr;
    const long n = BIO_get_mem_data(b, &p);
    std::string s(p, size_t(n));
    BIO_free(b);
    return s;
}

std::string pem_of(EVP_PKEY *k, const std::string &password = std::string()) {
    BIO *b = BIO_new(BIO_s_mem());
    const EVP_CIPHER *cipher = password.empty() ? nullptr : EVP_aes_256_cbc();
    if (PEM_write_bio_PrivateKey(b, k, cipher, nullptr, 0, nullptr,
                                 password.empty() ? nullptr : (void *)password.c_str()) != 1)
        die("PEM_write_bio_PrivateKey");
    char *p = nullptr;
    const long n = BIO_get_mem_data(b, &p);
    std::string s(p, size_t(n));
    BIO_free(b);
    return s;
}

std::vector<std::string> &files_to_remove() {
    static std::vector<std::string> files;
    return files;
}

void remove_files() {
    auto &files = files_to_remove();
    for (auto it = files.rbegin(); it != files.rend(); ++it)
        ::remove(it->c_str()); // the directory is first, so removed last
}

std::string write_file(const std::string &dir, const std::string &name, const std::string &text) {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << text;
    files_to_remove().push_back(path);
    return path;
}

pem_pair leaf(const set &out, const std::string &name, const spec &s, X509 *ca, EVP_PKEY *ca_key,
              const std::string &password = std::string()) {
    key_ptr key = new_key();
    x509_ptr cert = make_cert(s, key.get(), ca, ca_key);
    pem_pair p;
    p.cert = pem_of(cert.get());
    p.key = pem_of(key.get(), password);
    p.cert_file = write_file(out.dir, name + ".crt", p.cert);
    p.key_file = write_file(out.dir, name + ".key", p.key);
    return p;
}

set make_all() {
    set out;
    char tmpl[] = "/tmp/zlink_tls_XXXXXX";
    if (!::mkdtemp(tmpl))
        die("mkdtemp");
    out.dir = tmpl;
    files_to_remove().push_back(out.dir);
    std::atexit(remove_files);

    key_ptr ca_key = new_key(), other_key = new_key();
    spec ca_spec;
    ca_spec.cn = "zlink test CA";
    ca_spec.ca = true;
    x509_ptr ca = make_cert(ca_spec, ca_key.get(), nullptr, nullptr);
    ca_spec.cn = "zlink untrusted CA";
    x509_ptr other = make_cert(ca_spec, other_key.get(), nullptr, nullptr);
    out.ca = pem_of(ca.get());
    out.ca_file = write_file(out.dir, "ca.crt", out.ca);
    out.other_ca = pem_of(other.get());
    out.other_ca_file = write_file(out.dir, "other_ca.crt", out.other_ca);

    spec server;
    server.cn = "zlink test server";
    server.san = "DNS:localhost,IP:127.0.0.1,IP:::1";
    out.server = leaf(out, "server", server, ca.get(), ca_key.get());
    spec client;
    client.cn = "zlink test client";
    client.client = true;
    out.client = leaf(out, "client", client, ca.get(), ca_key.get());
    spec expired = server;
    expired.valid_from_days = -3;
    expired.valid_until_days = -1;
    out.expired = leaf(out, "expired", expired, ca.get(), ca_key.get());
    spec wrong_host = server;
    wrong_host.san = "DNS:other.example";
    out.wrong_host = leaf(out, "wrong_host", wrong_host, ca.get(), ca_key.get());
    out.untrusted = leaf(out, "untrusted", server, other.get(), other_key.get());
    out.password = "zlink-secret";
    out.encrypted = leaf(out, "encrypted", server, ca.get(), ca_key.get(), out.password);
    return out;
}

} // namespace

const set &get() {
    static const set certs = make_all();
    return certs;
}

} // namespace tls_certs
