// The client engine: plays one sending MTA (a ClientProfile) against a server — SMTP banner,
// EHLO, STARTTLS, TLS handshake, one step at a time (no pipelining), each step with a deadline —
// and records what was negotiated or why it failed.
// Callers ignore SIGPIPE (the harness binary does): OpenSSL writes to the socket without MSG_NOSIGNAL.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harness/tls/profile.hpp"

namespace harness {

struct ProbeTarget {
  std::string host = "127.0.0.1";  // numeric IPv4/IPv6 only: the harness talks to loopback
  int port = 25;
  bool starttls = true;            // false: TLS right after connect (openssl s_server)
  std::string ehlo_name = "client.harness.test";  // unique per case: finds the server's log line
  std::chrono::milliseconds step_timeout{5000};   // per step: connect, banner, EHLO, STARTTLS, handshake
};

struct TlsAlert {
  bool sent = false;  // false: received from the server
  std::string level;  // "fatal" / "warning"
  std::string description;  // "handshake failure", "no application protocol"
  int code = 0;       // 40, 120
  std::string text() const;  // "received fatal handshake failure (40)"
};

// The RFC 8446 section 6 name of an alert: "no_application_protocol" for 120; "" when unknown.
std::string alert_rfc_name(int code);

struct ProbeResult {
  // Which step the dialog reached: connect, banner, ehlo, starttls, handshake, done.
  std::string stage = "connect";
  bool starttls_offered = false;
  bool handshake_ok = false;
  std::string failure;  // one line when !handshake_ok
  std::string protocol;      // "TLSv1.2"
  std::string cipher;        // OpenSSL name
  std::string cipher_iana;   // "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
  std::string kx;            // "ECDHE", "RSA", "DHE", "any" (TLS1.3)
  std::string auth;          // "RSA", "ECDSA", "any" (TLS1.3)
  std::string cert_key_type;  // "RSA" / "EC"
  int cert_bits = 0;
  std::string cert_curve;     // "prime256v1" / "secp384r1"
  std::string group;          // negotiated key exchange group, "X25519"
  std::string alpn;           // the ALPN protocol the server selected; empty: none (or none offered)
  std::string peer_signature_type;  // "RSA-PSS", "ECDSA", "RSA"
  std::string peer_signature_digest;  // "SHA256"
  std::vector<TlsAlert> alerts;
  std::string error;         // "error:0A000410:SSL routines::sslv3 alert handshake failure"
  std::string error_lib;     // "SSL routines"
  std::string error_reason;  // "sslv3 alert handshake failure"
  std::string transcript;    // SMTP lines both ways ("S: 220 ...", "C: EHLO ...")
  double ms = 0;
};

// One SSL_CTX configured from a profile, reused for every connection of that profile.
class StarttlsClient {
 public:
  explicit StarttlsClient(const ClientProfile& profile);
  ~StarttlsClient();
  StarttlsClient(StarttlsClient&&) noexcept;
  StarttlsClient(const StarttlsClient&) = delete;
  StarttlsClient& operator=(const StarttlsClient&) = delete;
  StarttlsClient& operator=(StarttlsClient&&) = delete;

  // Never throws for what the server does; a failure is in the result.
  ProbeResult probe(const ProbeTarget& target) const;
  const ClientProfile& profile() const { return profile_; }
  const Emulation& emulation() const { return emulation_; }

 private:
  ClientProfile profile_;
  Emulation emulation_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace harness
