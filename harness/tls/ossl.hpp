// RAII owners for OpenSSL handles: every SSL*, SSL_CTX*, EVP_PKEY*, X509*, BIO* the harness
// creates is held by one of these, so an exception never leaks a handle or a key.
#pragma once
#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace harness::ossl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept { Free(p); }
};

using SslCtx = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using Ssl = std::unique_ptr<SSL, Deleter<SSL_free>>;
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PKeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BigNum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

// The oldest error on this thread's queue as "error:0A0000C1:SSL routines::no shared cipher",
// and clears the queue. Empty when there is none.
std::string drain_errors();
// Throws InfraError("<what>: <OpenSSL error>") — for calls that must not fail.
[[noreturn]] void fail(const std::string& what);

}  // namespace harness::ossl
