#include "harness/tls/client_hello.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <openssl/ssl.h>

#include "harness/tls/ossl.hpp"

namespace harness {
namespace {

constexpr std::size_t kMaxRecord = 1 << 14;  // RFC 8446 5.1: a plaintext fragment is at most 2^14 bytes

std::string byte_hex(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02x", v & 0xff);
  return buf;
}

// What the client sent instead of a TLS record, for the error: printable text (a client that
// never started TLS: "QUIT", "MAIL FROM") as text, anything else as its first bytes in hex.
std::string describe_bytes(const std::vector<std::uint8_t>& b) {
  std::size_t n = std::min<std::size_t>(b.size(), 24);
  bool text = n > 0 && std::all_of(b.begin(), b.begin() + static_cast<long>(n), [](std::uint8_t c) {
    return std::isprint(c) || c == '\r' || c == '\n' || c == '\t';
  });
  std::string out;
  if (text) {
    for (std::size_t i = 0; i < n; ++i)
      out += b[i] == '\r' ? std::string("\\r") : b[i] == '\n' ? std::string("\\n") : std::string(1, static_cast<char>(b[i]));
    return "text '" + out + (b.size() > n ? "...'" : "'");
  }
  for (std::size_t i = 0; i < n; ++i) out += byte_hex(b[i]);
  return "bytes " + out + (b.size() > n ? "..." : "");
}

std::string record_type_name(unsigned t) {
  switch (t) {
    case 20: return "change_cipher_spec";
    case 21: return "alert";
    case 22: return "handshake";
    case 23: return "application_data";
    default: return "unknown";
  }
}

// Bounded big-endian reads over [pos, end) of one structure; every read checks its length, so a
// length field that lies is an error naming the field, never a read past the bytes.
class Reader {
 public:
  Reader(const std::vector<std::uint8_t>& b, std::size_t pos, std::size_t end, std::string where)
      : b_(b), pos_(pos), end_(end), where_(std::move(where)) {}
  std::size_t left() const { return end_ - pos_; }
  bool done() const { return pos_ == end_; }
  std::size_t pos() const { return pos_; }
  void need(std::size_t n, const char* what) const {
    if (n > left()) throw HelloError(where_ + " ends inside " + what);
  }
  unsigned u8(const char* what) {
    need(1, what);
    return b_[pos_++];
  }
  unsigned u16(const char* what) {
    need(2, what);
    unsigned v = static_cast<unsigned>(b_[pos_] << 8 | b_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::vector<std::uint8_t> bytes(std::size_t n, const char* what) {
    need(n, what);
    std::vector<std::uint8_t> out(b_.begin() + static_cast<long>(pos_), b_.begin() + static_cast<long>(pos_ + n));
    pos_ += n;
    return out;
  }
  // A sub-reader over the next n bytes (a length-prefixed vector), which this one skips.
  Reader sub(std::size_t n, const std::string& what) {
    need(n, what.c_str());
    Reader r(b_, pos_, pos_ + n, what);
    pos_ += n;
    return r;
  }
  std::vector<std::uint16_t> u16_list(const std::string& what) {
    std::vector<std::uint16_t> out;
    if (left() % 2) throw HelloError(what + ": odd length " + std::to_string(left()));
    while (!done()) out.push_back(static_cast<std::uint16_t>(u16(what.c_str())));
    return out;
  }
  void expect_done(const std::string& what) const {
    if (!done()) throw HelloError(what + ": " + std::to_string(left()) + " bytes after its contents");
  }

 private:
  const std::vector<std::uint8_t>& b_;
  std::size_t pos_, end_;
  std::string where_;
};

std::string ext_name(std::uint16_t t) {
  switch (t) {
    case ext::kServerName: return "server_name";
    case ext::kStatusRequest: return "status_request";
    case ext::kSupportedGroups: return "supported_groups";
    case ext::kEcPointFormats: return "ec_point_formats";
    case ext::kSignatureAlgorithms: return "signature_algorithms";
    case ext::kAlpn: return "ALPN";
    case ext::kSupportedVersions: return "supported_versions";
    case ext::kPskKeyExchangeModes: return "psk_key_exchange_modes";
    case ext::kSignatureAlgorithmsCert: return "signature_algorithms_cert";
    case ext::kKeyShare: return "key_share";
    case ext::kRenegotiationInfo: return "renegotiation_info";
    default: return "extension " + hex16(t);
  }
}

// The body of one extension into `f`; extensions the profile does not describe are kept as types only.
void decode_extension(ClientHelloFacts& f, std::uint16_t type, Reader body) {
  const std::string what = ext_name(type) + " extension";
  switch (type) {
    case ext::kServerName: {
      if (body.done()) return;  // empty server_name: allowed in a ServerHello, tolerated here
      auto list = body.sub(body.u16("server_name list length"), what);
      body.expect_done(what);
      while (!list.done()) {
        unsigned name_type = list.u8("server_name type");
        auto name = list.bytes(list.u16("server_name length"), "server_name");
        if (name_type == 0 && !f.sni) f.sni = std::string(name.begin(), name.end());
      }
      return;
    }
    case ext::kSupportedGroups: {
      auto list = body.sub(body.u16("supported_groups length"), what);
      body.expect_done(what);
      f.groups = list.u16_list(what);
      return;
    }
    case ext::kEcPointFormats: {
      f.ec_point_formats = body.bytes(body.u8("ec_point_formats length"), "ec_point_formats");
      body.expect_done(what);
      return;
    }
    case ext::kSignatureAlgorithms:
    case ext::kSignatureAlgorithmsCert: {
      auto list = body.sub(body.u16("signature algorithms length"), what);
      body.expect_done(what);
      (type == ext::kSignatureAlgorithms ? f.sigalgs : f.sigalgs_cert) = list.u16_list(what);
      return;
    }
    case ext::kAlpn: {
      auto list = body.sub(body.u16("ALPN list length"), what);
      body.expect_done(what);
      while (!list.done()) {
        std::size_t n = list.u8("ALPN name length");
        if (n == 0) throw HelloError("malformed ALPN extension: an empty protocol name");
        auto name = list.bytes(n, "ALPN name");
        f.alpn.emplace_back(name.begin(), name.end());
      }
      return;
    }
    case ext::kSupportedVersions: {
      auto list = body.sub(body.u8("supported_versions length"), what);
      body.expect_done(what);
      f.supported_versions = list.u16_list(what);
      return;
    }
    case ext::kPskKeyExchangeModes: {
      f.psk_modes = body.bytes(body.u8("psk_key_exchange_modes length"), "psk_key_exchange_modes");
      body.expect_done(what);
      return;
    }
    case ext::kKeyShare: {
      auto list = body.sub(body.u16("key_share list length"), what);
      body.expect_done(what);
      while (!list.done()) {
        f.key_share_groups.push_back(static_cast<std::uint16_t>(list.u16("key_share group")));
        (void)list.bytes(list.u16("key_exchange length"), "key_exchange");
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

std::string hex16(std::uint16_t code) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", code);
  return buf;
}

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto c : bytes) out += byte_hex(c);
  return out;
}

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  if (hex.size() % 2) throw HelloError("hex must be an even number of hex digits");
  std::vector<std::uint8_t> out;
  out.reserve(hex.size() / 2);
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw HelloError(std::string("not a hex digit: '") + c + "'");
  };
  for (std::size_t i = 0; i < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(digit(hex[i]) << 4 | digit(hex[i + 1])));
  return out;
}

std::optional<HelloFraming> frame_client_hello(const std::vector<std::uint8_t>& b, std::size_t max_message) {
  HelloFraming f;
  std::size_t pos = 0;
  std::size_t want = 0;  // handshake message length incl. its 4-byte header, once known
  while (true) {
    if (b.size() - pos < 5) {
      // The first bytes already tell a client that is not speaking TLS at all.
      if (pos == 0 && !b.empty() && b[0] != 22) break;
      return std::nullopt;
    }
    unsigned type = b[pos], major = b[pos + 1];
    std::size_t len = static_cast<std::size_t>(b[pos + 3] << 8 | b[pos + 4]);
    if (type != 22 || major != 3) break;
    if (len == 0 || len > kMaxRecord)
      throw HelloError("record " + std::to_string(f.records + 1) + " has length " + std::to_string(len) +
                       " (a handshake record holds 1.." + std::to_string(kMaxRecord) + " bytes)");
    if (f.records == 0) f.record_version = static_cast<int>(b[pos + 1] << 8 | b[pos + 2]);
    if (b.size() - pos - 5 < len) return std::nullopt;
    f.message.insert(f.message.end(), b.begin() + static_cast<long>(pos + 5), b.begin() + static_cast<long>(pos + 5 + len));
    pos += 5 + len;
    ++f.records;
    if (want == 0 && f.message.size() >= 4) {
      if (f.message[0] != 1)
        throw HelloError("the record does not hold a ClientHello (handshake type " + std::to_string(f.message[0]) + ")");
      want = 4 + static_cast<std::size_t>(f.message[1] << 16 | f.message[2] << 8 | f.message[3]);
      if (want > max_message)
        throw HelloError("ClientHello length " + std::to_string(want - 4) + " is above the " + std::to_string(max_message) +
                         " bytes a hello is allowed here");
    } else if (want == 0 && !f.message.empty() && f.message[0] != 1) {
      throw HelloError("the record does not hold a ClientHello (handshake type " + std::to_string(f.message[0]) + ")");
    }
    if (want && f.message.size() > want)
      throw HelloError("ClientHello length " + std::to_string(want - 4) + " does not match its records (" +
                       std::to_string(f.message.size() - 4) + " bytes after the handshake header; " +
                       std::to_string(f.message.size() - want) + " bytes after the hello in record " +
                       std::to_string(f.records) + ")");
    if (want && f.message.size() == want) {
      f.consumed = pos;
      return f;
    }
  }
  // Not a handshake record of TLS 1.x.
  std::vector<std::uint8_t> rest(b.begin() + static_cast<long>(pos), b.end());
  if (pos == 0 && !b.empty() && (b[0] & 0x80) && b.size() >= 3 && b[2] == 1)
    throw HelloError("an SSLv2-format ClientHello (RFC 5246 E.2): no extensions to decode");
  std::string which = pos == 0 ? "the first record" : "record " + std::to_string(f.records + 1) + " (in the middle of the ClientHello)";
  if (rest.size() >= 2 && rest[1] != 3 && rest[0] >= 20 && rest[0] <= 23)
    throw HelloError(which + " has version " + byte_hex(rest[1]) + byte_hex(rest.size() > 2 ? rest[2] : 0) +
                     " (TLS records carry 03xx)");
  if (!rest.empty() && rest[0] >= 20 && rest[0] <= 23)
    throw HelloError(which + " is of type " + std::to_string(rest[0]) + " (" + record_type_name(rest[0]) +
                     "), not a handshake record (22)");
  throw HelloError("not a TLS handshake record (must start with 16 03): " + which + " begins with " + describe_bytes(rest));
}

bool ClientHelloFacts::has(std::uint16_t e) const { return std::find(extensions.begin(), extensions.end(), e) != extensions.end(); }

ClientHelloFacts parse_client_hello(const std::string& hex) { return parse_client_hello(from_hex(hex)); }

ClientHelloFacts parse_client_hello(const std::vector<std::uint8_t>& bytes) {
  auto framing = frame_client_hello(bytes);
  if (!framing) throw HelloError("the records end before the ClientHello does (" + std::to_string(bytes.size()) + " bytes)");
  if (framing->consumed != bytes.size())
    throw HelloError(std::to_string(bytes.size() - framing->consumed) + " bytes after the records of the ClientHello");
  const auto& m = framing->message;
  ClientHelloFacts f;
  f.record_version = framing->record_version;
  f.records = framing->records;
  Reader r(m, 4, m.size(), "ClientHello");
  f.legacy_version = static_cast<int>(r.u16("legacy_version"));
  f.random = r.bytes(32, "random");
  f.session_id = r.bytes(r.u8("session id length"), "session id");
  if (f.session_id.size() > 32) throw HelloError("session id of " + std::to_string(f.session_id.size()) + " bytes (at most 32)");
  auto suites = r.sub(r.u16("cipher suites length"), "cipher suites");
  if (suites.left() % 2) throw HelloError("odd cipher suites length " + std::to_string(suites.left()));
  f.ciphers = suites.u16_list("cipher suites");
  f.compression = r.bytes(r.u8("compression methods length"), "compression methods");
  if (r.done()) return f;  // no extensions (SSLv3-era hellos)
  auto exts = r.sub(r.u16("extensions length"), "extensions");
  r.expect_done("ClientHello (bytes after the extensions)");
  while (!exts.done()) {
    auto type = static_cast<std::uint16_t>(exts.u16("extension type"));
    auto len = exts.u16("extension length");
    auto body = exts.sub(len, ext_name(type) + " extension");
    f.extensions.push_back(type);
    decode_extension(f, type, body);
  }
  return f;
}

bool is_grease(std::uint16_t code) { return (code & 0x0f0f) == 0x0a0a && (code >> 8) == (code & 0xff); }

std::string sigalg_name(std::uint16_t code) {
  // TLS 1.2 pairs (RFC 5246 7.4.1.4.1: hash byte, signature byte) and TLS 1.3 schemes (RFC 8446 4.2.3).
  static const char* hashes[] = {nullptr, "MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512"};
  static const char* signatures[] = {nullptr, "RSA", "DSA", "ECDSA"};
  unsigned hash = code >> 8, sig = code & 0xff;
  if (hash >= 1 && hash <= 6 && sig >= 1 && sig <= 3) return std::string(signatures[sig]) + "+" + hashes[hash];
  switch (code) {
    case 0x0804: return "rsa_pss_rsae_sha256";
    case 0x0805: return "rsa_pss_rsae_sha384";
    case 0x0806: return "rsa_pss_rsae_sha512";
    case 0x0807: return "ed25519";
    case 0x0808: return "ed448";
    case 0x0809: return "rsa_pss_pss_sha256";
    case 0x080a: return "rsa_pss_pss_sha384";
    case 0x080b: return "rsa_pss_pss_sha512";
    default: return "";
  }
}

std::string group_name(std::uint16_t code) {
  switch (code) {
    case 19: return "P-192";
    case 21: return "P-224";
    case 22: return "secp256k1";
    case 23: return "P-256";
    case 24: return "P-384";
    case 25: return "P-521";
    case 26: return "brainpoolP256r1";
    case 27: return "brainpoolP384r1";
    case 28: return "brainpoolP512r1";
    case 29: return "X25519";
    case 30: return "X448";
    case 31: return "brainpoolP256r1tls13";
    case 32: return "brainpoolP384r1tls13";
    case 33: return "brainpoolP512r1tls13";
    case 256: return "ffdhe2048";
    case 257: return "ffdhe3072";
    case 258: return "ffdhe4096";
    case 259: return "ffdhe6144";
    case 260: return "ffdhe8192";
    case 0x0200: return "MLKEM512";
    case 0x0201: return "MLKEM768";
    case 0x0202: return "MLKEM1024";
    case 0x11eb: return "SecP256r1MLKEM768";
    case 0x11ec: return "X25519MLKEM768";
    case 0x11ed: return "SecP384r1MLKEM1024";
    case 0x6399: return "X25519Kyber768Draft00";
    default: return "";
  }
}

std::string version_name(int v) {
  switch (v) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    default: return "";
  }
}

std::string suite_name(std::uint16_t code) {
  // SSL_CIPHER_find looks a code point up in the method's table: one scratch handle serves all.
  static const ossl::SslCtx ctx(SSL_CTX_new(TLS_method()));
  static const ossl::Ssl ssl(ctx ? SSL_new(ctx.get()) : nullptr);
  if (!ssl) return "";
  const unsigned char bytes[2] = {static_cast<unsigned char>(code >> 8), static_cast<unsigned char>(code & 0xff)};
  const SSL_CIPHER* c = SSL_CIPHER_find(ssl.get(), bytes);
  ossl::drain_errors();
  return c ? SSL_CIPHER_get_name(c) : "";
}

}  // namespace harness
