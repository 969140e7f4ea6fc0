#include "harness/tls/hello_replay.hpp"

#include <algorithm>
#include <memory>

#include <openssl/ssl.h>

#include "harness/common/strings.hpp"
#include "harness/tls/client_hello.hpp"
#include "harness/tls/ossl.hpp"

namespace harness {
namespace {

constexpr std::uint8_t kAlert = 21, kHandshake = 22;
constexpr std::uint8_t kServerHello = 2;
constexpr std::size_t kMaxRecord = (1 << 14) + 2048;  // RFC 8446 5.2: a protected record's limit
// RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
constexpr std::uint8_t kHrrRandom[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                         0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                         0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// A bounds-checked reader of one message; every shortfall names the field.
struct Reader {
  const std::vector<std::uint8_t>& b;
  std::size_t at = 0, end = 0;
  void need(std::size_t n, const char* what) const {
    if (end - at < n) throw HelloError(std::string("ServerHello ends inside its ") + what);
  }
  std::uint16_t u16(const char* what) {
    need(2, what);
    std::uint16_t v = static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
    at += 2;
    return v;
  }
  std::uint8_t u8(const char* what) {
    need(1, what);
    return b[at++];
  }
  void skip(std::size_t n, const char* what) {
    need(n, what);
    at += n;
  }
};

ServerFirstAnswer decode_server_hello(const std::vector<std::uint8_t>& msg) {
  ServerFirstAnswer a;
  Reader r{msg, 4, msg.size()};
  int legacy_version = r.u16("legacy_version");
  r.need(32, "random");
  bool hrr = std::equal(msg.begin() + static_cast<std::ptrdiff_t>(r.at), msg.begin() + static_cast<std::ptrdiff_t>(r.at) + 32, kHrrRandom);
  r.skip(32, "random");
  r.skip(r.u8("session id length"), "legacy_session_id_echo");
  a.cipher = r.u16("cipher_suite");
  a.cipher_name = suite_name(a.cipher);
  if (a.cipher_name.empty()) a.cipher_name = hex16(a.cipher);
  r.u8("legacy_compression_method");
  a.kind = hrr ? ServerFirstAnswer::Kind::hello_retry_request : ServerFirstAnswer::Kind::server_hello;
  a.protocol = version_name(legacy_version);
  if (r.at == r.end) return a;  // RFC 5246: the extensions may be absent
  std::size_t ext_len = r.u16("extensions length");
  std::size_t ext_end = r.at + ext_len;
  if (ext_end > r.end) throw HelloError("ServerHello's extensions run past its end");
  r.end = ext_end;
  while (r.at < r.end) {
    std::uint16_t type = r.u16("extension type");
    std::size_t len = r.u16("extension length");
    r.need(len, "extension data");
    Reader e{msg, r.at, r.at + len};
    if (type == ext::kSupportedVersions) {
      a.protocol = version_name(e.u16("supported_versions"));
    } else if (type == ext::kKeyShare) {
      a.group = group_name(e.u16("key_share group"));  // ServerHello: its share; HRR: the group it asks for
    } else if (type == ext::kAlpn && len >= 3) {
      e.u16("ALPN list length");
      std::size_t n = e.u8("ALPN name length");
      e.need(n, "ALPN name");
      a.alpn.assign(msg.begin() + static_cast<std::ptrdiff_t>(e.at), msg.begin() + static_cast<std::ptrdiff_t>(e.at + n));
    }
    r.at += len;
  }
  if (a.protocol.empty()) a.protocol = hex16(static_cast<std::uint16_t>(legacy_version));
  return a;
}

}  // namespace

std::string ServerFirstAnswer::text() const {
  switch (kind) {
    case Kind::server_hello:
    case Kind::hello_retry_request: {
      std::string s = kind == Kind::server_hello ? "ServerHello " : "HelloRetryRequest ";
      s += protocol + " " + cipher_name;
      if (!group.empty()) s += (kind == Kind::server_hello ? " " : " asking for ") + group;
      if (!alpn.empty()) s += " ALPN " + alpn;
      return s;
    }
    case Kind::alert: return "alert " + (alert ? alert->level + " " + alert->description + " (" + std::to_string(alert->code) + ")" : "");
    case Kind::closed: return "connection closed without an answer";
  }
  return "";
}

std::optional<ServerFirstAnswer> parse_server_first_answer(const std::vector<std::uint8_t>& bytes) {
  std::vector<std::uint8_t> message;  // handshake bytes reassembled from consecutive records
  std::size_t at = 0;
  while (bytes.size() - at >= 5) {
    std::uint8_t type = bytes[at];
    std::size_t len = static_cast<std::size_t>(bytes[at + 3] << 8 | bytes[at + 4]);
    if (type != kAlert && type != kHandshake) {
      bool text = std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin() + static_cast<std::ptrdiff_t>(at + 5),
                              [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
      std::string head(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.end());
      throw HelloError(text ? "the server answered with text, not TLS: '" + escape_for_message(head, 60) + "'"
                            : "the server's first record has content type " + std::to_string(type) + ", neither handshake (22) nor alert (21)");
    }
    if (len == 0 || len > kMaxRecord) throw HelloError("a record length of " + std::to_string(len) + " bytes");
    if (bytes.size() - at - 5 < len) return std::nullopt;
    const auto* frag = bytes.data() + at + 5;
    if (type == kAlert) {
      if (!message.empty()) throw HelloError("an alert inside the server's ServerHello");
      if (len < 2) throw HelloError("an alert record of " + std::to_string(len) + " byte");
      ServerFirstAnswer a;
      a.kind = ServerFirstAnswer::Kind::alert;
      TlsAlert alert;
      alert.level = frag[0] == 2 ? "fatal" : frag[0] == 1 ? "warning" : "level " + std::to_string(frag[0]);
      alert.code = frag[1];
      const char* long_name = SSL_alert_desc_string_long(frag[1]);
      alert.description = long_name && std::string(long_name) != "unknown" ? long_name : alert_rfc_name(frag[1]);
      if (alert.description.empty()) alert.description = "alert " + std::to_string(frag[1]);
      a.alert = alert;
      return a;
    }
    message.insert(message.end(), frag, frag + len);
    at += 5 + len;
    if (message.size() >= 4) {
      if (message[0] != kServerHello)
        throw HelloError("the server's first handshake message has type " + std::to_string(message[0]) + ", not ServerHello (2)");
      std::size_t body = static_cast<std::size_t>(message[1]) << 16 | static_cast<std::size_t>(message[2]) << 8 | message[3];
      if (body > (1u << 16)) throw HelloError("a ServerHello of " + std::to_string(body) + " bytes");
      if (message.size() >= 4 + body) {
        message.resize(4 + body);
        return decode_server_hello(message);
      }
    }
  }
  return std::nullopt;
}

std::pair<bool, std::string> replay_agrees(const ProbeResult& emulated, const ServerFirstAnswer& replay) {
  using Kind = ServerFirstAnswer::Kind;
  bool answered = replay.kind == Kind::server_hello || replay.kind == Kind::hello_retry_request;
  if (emulated.handshake_ok) {
    std::string emu = emulated.protocol + " " + emulated.cipher;
    if (!answered) return {false, "the emulation completed " + emu + "; the recorded hello got " + replay.text()};
    if (replay.protocol != emulated.protocol || replay.cipher_name != emulated.cipher)
      return {false, "the emulation negotiated " + emu + "; the recorded hello got " + replay.text()};
    return {true, "replay agrees: " + replay.text()};
  }
  if (answered)
    return {false, "the emulation failed (" + emulated.failure + "); the recorded hello got " + replay.text()};
  return {true, "replay agrees: refused too (" + replay.text() + ")"};
}

}  // namespace harness
