// Certificates for the tls:// tests, made at run time with OpenSSL's API
// (EC P-256, SHA-256): a test CA, leaf certificates it signs, an untrusted
// second CA, and certificates that must be refused. Made once per process,
// as PEM text and as files in a private temporary directory (removed at
// exit). Uses no zmq.h, so it serves zlink and system-libzmq builds alike.
#pragma once

#include <string>

namespace tls_certs {

struct pem_pair {
    std::string cert; // PEM text
    std::string key;  // PEM text (unencrypted unless said otherwise)
    std::string cert_file, key_file;
};

struct set {
    std::string ca, ca_file;             // the trusted test CA ("CN=zlink test CA")
    std::string other_ca, other_ca_file; // a CA nobody trusts
    pem_pair server;     // CN=zlink test server, SAN DNS:localhost, IP:127.0.0.1, IP:::1
    pem_pair client;     // CN=zlink test client,O=zlink tests (client authentication)
    pem_pair expired;    // like server, but expired yesterday
    pem_pair wrong_host; // like server, SAN DNS:other.example only
    pem_pair untrusted;  // like server, signed by other_ca
    pem_pair encrypted;  // server's certificate, its key encrypted with `password`
    std::string password;
    std::string dir; // where the files are
};

// The certificates; aborts the test binary if OpenSSL cannot make them.
const set &get();

} // namespace tls_certs
