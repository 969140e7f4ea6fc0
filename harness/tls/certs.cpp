#include "harness/tls/certs.hpp"

#include <openssl/pem.h>
#include <openssl/rand.h>

#include "harness/common/error.hpp"
#include "harness/tls/ossl.hpp"

namespace harness {
namespace {

ossl::PKey generate(const KeySpec& k) {
  EVP_PKEY* raw = k.type == KeySpec::Type::rsa
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(k.bits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", k.curve.c_str());
  if (!raw) ossl::fail("generating a " + k.name() + " key");
  return ossl::PKey(raw);
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str()));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) ossl::fail("adding extension " + value);
}

ossl::X509Ptr make_cert(EVP_PKEY* subject_key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, bool ca) {
  ossl::X509Ptr cert(X509_new());
  if (!cert) ossl::fail("X509_new");
  X509_set_version(cert.get(), X509_VERSION_3);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) ossl::fail("RAND_bytes");
  serial[0] &= 0x7f;
  ossl::BigNum bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) ossl::fail("serial number");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 2 * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("harness"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  if (!X509_set_pubkey(cert.get(), subject_key)) ossl::fail("X509_set_pubkey");
  X509* iss = issuer ? issuer : cert.get();
  if (ca) {
    add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    // digitalSignature for ECDHE/TLS1.3, keyEncipherment for RSA key transport (AES256-SHA).
    add_ext(cert.get(), iss, NID_key_usage,
            EVP_PKEY_is_a(subject_key, "RSA") ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature");
    add_ext(cert.get(), iss, NID_ext_key_usage, "serverAuth,clientAuth");
    add_ext(cert.get(), iss, NID_subject_alt_name, "DNS:" + cn);
  }
  add_ext(cert.get(), iss, NID_subject_key_identifier, "hash");
  if (!X509_sign(cert.get(), issuer_key ? issuer_key : subject_key, EVP_sha256())) ossl::fail("signing " + cn);
  return cert;
}

std::string pem_of(X509* cert) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_X509(bio.get(), cert)) ossl::fail("PEM_write_bio_X509");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// The PEM text of a private key. The string is wiped before it is freed.
struct SecretString {
  std::string s;
  ~SecretString() { OPENSSL_cleanse(s.data(), s.size()); }
};

void write_key(EVP_PKEY* key, const std::filesystem::path& path) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
    ossl::fail("PEM_write_bio_PrivateKey");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  SecretString pem{std::string(data, static_cast<size_t>(n))};
  OPENSSL_cleanse(data, static_cast<size_t>(n));
  write_file(path, pem.s, 0600);
}

}  // namespace

KeySpec KeySpec::parse(const std::string& text) {
  if (text == "rsa2048") return {Type::rsa, 2048, ""};
  if (text == "rsa3072") return {Type::rsa, 3072, ""};
  if (text == "rsa4096") return {Type::rsa, 4096, ""};
  if (text == "ec-p256") return {Type::ec, 256, "P-256"};
  if (text == "ec-p384") return {Type::ec, 384, "P-384"};
  throw UsageError("unknown key type '" + text + "' (use rsa2048, rsa3072, rsa4096, ec-p256 or ec-p384)");
}

std::string KeySpec::name() const {
  if (type == Type::rsa) return "rsa" + std::to_string(bits);
  return curve == "P-384" ? "ec-p384" : "ec-p256";
}

struct CertificateFactory::Ca {
  ossl::PKey key;
  ossl::X509Ptr cert;
};

CertificateFactory::CertificateFactory() : dir_("harness-certs") {
  auto key = generate(KeySpec::parse("ec-p256"));
  auto cert = make_cert(key.get(), "harness throwaway CA", nullptr, nullptr, true);
  ca_cert_ = dir_.path() / "ca.crt";
  write_file(ca_cert_, pem_of(cert.get()), 0644);
  ca_ = std::make_unique<Ca>(Ca{std::move(key), std::move(cert)});
}

CertificateFactory::~CertificateFactory() = default;

const IssuedCert& CertificateFactory::issue(const KeySpec& spec, const std::string& host_name) {
  for (const auto& c : issued_)
    if (c->key.name() == spec.name()) return *c;
  auto key = generate(spec);
  auto cert = make_cert(key.get(), host_name, ca_->cert.get(), ca_->key.get(), false);
  auto out = std::make_unique<IssuedCert>();
  out->key = spec;
  out->cert = dir_.path() / (spec.name() + ".crt");
  out->key_file = dir_.path() / (spec.name() + ".key");
  write_file(out->cert, pem_of(cert.get()) + pem_of(ca_->cert.get()), 0644);
  write_key(key.get(), out->key_file);
  issued_.push_back(std::move(out));
  return *issued_.back();
}

}  // namespace harness
