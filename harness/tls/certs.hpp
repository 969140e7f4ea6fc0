// Throwaway certificates made with the OpenSSL API for one run: a CA, then server
// certificates with RSA or EC keys. Keys live only in a private TempDir (mode 0600 files)
// that is removed with the factory; nothing here ever prints key material.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "harness/common/tempdir.hpp"

namespace harness {

struct KeySpec {
  enum class Type { rsa, ec };
  Type type = Type::rsa;
  int bits = 2048;    // RSA modulus size
  std::string curve;  // EC: "P-256", "P-384"
  // "rsa2048", "rsa4096", "ec-p256", "ec-p384"; throws UsageError naming the accepted forms.
  static KeySpec parse(const std::string& text);
  std::string name() const;  // the parse() form
};

struct IssuedCert {
  KeySpec key;
  std::filesystem::path cert;  // PEM: leaf then CA (a chain file)
  std::filesystem::path key_file;  // PEM private key, mode 0600
};

class CertificateFactory {
 public:
  // Creates the temp dir and a self-signed P-256 CA valid for two days.
  CertificateFactory();
  ~CertificateFactory();
  CertificateFactory(const CertificateFactory&) = delete;
  CertificateFactory& operator=(const CertificateFactory&) = delete;

  // A leaf for `host_name` (CN and subjectAltName) signed by the CA. Same KeySpec twice gives
  // the same files (keys are costly: RSA 4096 takes a second).
  const IssuedCert& issue(const KeySpec& key, const std::string& host_name = "mx.harness.test");
  const std::filesystem::path& ca_cert() const { return ca_cert_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  struct Ca;
  TempDir dir_;
  std::unique_ptr<Ca> ca_;
  std::filesystem::path ca_cert_;
  std::vector<std::unique_ptr<IssuedCert>> issued_;
};

}  // namespace harness
