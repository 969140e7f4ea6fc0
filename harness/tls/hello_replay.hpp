// Replay of a recorded ClientHello: the server's first answer to the exact bytes a real client sent
// (its ServerHello, a HelloRetryRequest, or an alert), decoded from the records (RFC 8446 4.1.3 and
// 4.1.4, RFC 5246 7.4.1.3), and whether the emulated handshake of the same profile agrees with it.
// What testssl.sh's client simulation does, beside the harness's own emulation: where the two
// disagree, the emulation is not trusted for that case.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/tls/starttls_client.hpp"

namespace harness {

struct ServerFirstAnswer {
  enum class Kind { server_hello, hello_retry_request, alert, closed };
  Kind kind = Kind::closed;
  std::string protocol;  // the selected version: supported_versions (TLS 1.3), else legacy_version
  std::uint16_t cipher = 0;
  std::string cipher_name;  // OpenSSL's name ("ECDHE-RSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384")
  std::string group;        // key_share's group (TLS 1.3; a HelloRetryRequest's asks for it)
  std::string alpn;         // a TLS 1.2 ServerHello's ALPN (TLS 1.3 sends it encrypted)
  std::optional<TlsAlert> alert;
  // "ServerHello TLSv1.3 TLS_AES_256_GCM_SHA384 X25519", "alert fatal handshake failure (40)",
  // "connection closed without an answer"
  std::string text() const;
};

// The first answer in the server's bytes. nullopt while they end before it does (read more);
// throws HelloError (client_hello.hpp) for bytes that are no TLS answer, naming what is wrong.
std::optional<ServerFirstAnswer> parse_server_first_answer(const std::vector<std::uint8_t>& bytes);

struct HelloReplay {
  bool reached_tls = false;  // the dialog got as far as sending the hello
  std::string failure;       // why it did not (connect, banner, STARTTLS), or a malformed answer
  ServerFirstAnswer answer;
  std::string transcript;    // SMTP lines both ways, then what was sent and answered
  double ms = 0;
};

// Connects to the target (SMTP up to STARTTLS when target.starttls), sends the recorded hello's
// bytes and reads the server's first answer. Never throws for what the server does.
HelloReplay replay_hello(const ProbeTarget& target, const std::string& hello_hex);

// Whether the emulated handshake and the replay's first answer tell the same story: both reached a
// ServerHello (or HelloRetryRequest) with the same version and suite, or both were refused. The
// string says what differed (or what agreed).
std::pair<bool, std::string> replay_agrees(const ProbeResult& emulated, const ServerFirstAnswer& replay);

}  // namespace harness
