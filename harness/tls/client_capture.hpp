// `harness capture-client` on the wire: an SMTP server on 127.0.0.1 that answers EHLO with
// STARTTLS among its extensions, takes the ClientHello the client then sends (all its records),
// and ends the connection with a fatal alert (the sender fails there, as intended). The hello is
// written out as a starttls client profile (decoded fields, raw bytes, provenance).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/tls/client_hello.hpp"

namespace harness {

struct CapturedHello {
  std::vector<std::uint8_t> bytes;  // the records that held the ClientHello, as sent
  ClientHelloFacts facts;
  std::string helo;                          // the client's EHLO/HELO argument
  std::vector<std::string> smtp;             // the dialogue before TLS: "C: EHLO x", "S: 250-..."
};

// A listening socket on 127.0.0.1 (RAII). Port 0 takes a free port.
class CaptureListener {
 public:
  CaptureListener(const std::string& address, int port);
  ~CaptureListener();
  CaptureListener(const CaptureListener&) = delete;
  CaptureListener& operator=(const CaptureListener&) = delete;
  int port() const { return port_; }
  const std::string& address() const { return address_; }

  // Waits for one client until `deadline`, speaks SMTP up to STARTTLS and reads its ClientHello.
  // Throws InfraError when nobody connects in time or the client goes quiet or away before its
  // hello is whole, UsageError naming what was wrong when the client sends something that is no
  // SMTP up to STARTTLS or no ClientHello after it (HelloError's text), Interrupted on a signal.
  CapturedHello capture(std::chrono::steady_clock::time_point deadline);

 private:
  int fd_ = -1;
  int port_ = 0;
  std::string address_;
};

// Where a captured hello comes from, for the profile's `captured` block and its summary.
struct CaptureProvenance {
  std::string name;         // profile stem: "msmtp-bookworm"
  std::string sender;       // recipe name or --name: "msmtp"
  std::string package;      // "msmtp" ("" when unknown)
  std::string version;      // "1.8.23-1" ("" when unknown)
  std::string package_note; // the TLS library it links, as installed: "libgnutls30 3.7.9-2+deb12u4"
  std::string distro;       // "debian:bookworm" ("" when unknown)
  std::string command;      // what sent the message
  std::string captured_at;  // UTC, ISO 8601
  std::string made_with;    // the harness command line
  std::string summary;      // from the recipe: why this sender matters
  std::vector<std::string> refs;
};

// The profile YAML (scenarios/starttls/clients format) for a captured hello: the fields the
// emulation sends (protocols, ciphers, tls13_suites, groups, sigalgs, signature_algorithms_cert,
// alpn, sni, options, status_request) from the bytes, what the linked OpenSSL cannot offer named in
// the summary, the whole decoded hello under `hello`, the bytes as `recorded_hello`, and `captured`.
std::string captured_profile_yaml(const CapturedHello& hello, const CaptureProvenance& provenance);

// The fields of a hello that are the same on every connection of one client build and
// configuration, as "field: value" lines: what a recapture must reproduce. Left out, because
// they change per connection: random, session id (TLS 1.3 clients send 32 random bytes),
// key_share bytes, GREASE values (RFC 8701 clients pick them anew per connection), padding length
// (it follows the other lengths) and the pre_shared_key extension (present only on resumption).
std::vector<std::string> stable_hello_fields(const ClientHelloFacts& facts);

}  // namespace harness
