#include "harness/tls/profile.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "harness/common/error.hpp"
#include "harness/plan/yaml_file.hpp"
#include "harness/tls/client_capture.hpp"
#include "harness/tls/client_hello.hpp"
#include "harness/tls/ossl.hpp"

namespace harness {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep = ":") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// A scratch client context for checking names (groups, sigalgs, ciphers) against this OpenSSL.
ossl::SslCtx scratch_ctx() {
  ossl::SslCtx ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) ossl::fail("SSL_CTX_new");
  SSL_CTX_set_security_level(ctx.get(), 0);
  return ctx;
}

// Whether this OpenSSL knows the cipher at all (at security level 0, all protocol versions).
bool cipher_known(SSL_CTX* ctx, const std::string& name) {
  bool ok = SSL_CTX_set_cipher_list(ctx, (name + ":@SECLEVEL=0").c_str()) == 1;
  ossl::drain_errors();
  return ok;
}

// Names of RC4/3DES/DES/... suites: valid in the TLS registry, absent from builds without weak
// ciphers. Listing them is legitimate (the incident's sender offered them); they are reported
// as not emulated instead of rejected as typos.
bool is_weak_cipher_name(const std::string& name) {
  for (const char* w : {"RC4", "DES-CBC", "DES-CBC3", "EXP", "NULL", "IDEA", "SEED", "RC2"})
    if (name.find(w) != std::string::npos) return true;
  return false;
}

// Suites OpenSSL 1.0.x/1.1.x named that OpenSSL 3 builds lack or leave out (static DH/ECDH key
// exchange, DSS, SRP, GOST, the pre-RFC ChaCha20 code points, Camellia with static DH): recorded
// clients (testssl.sh's client-simulation.txt) offer them. Known names, so reported as not
// emulated like RC4, never taken for typos.
bool is_legacy_cipher_name(const std::string& name) {
  static const std::set<std::string> legacy{
      "DH-DSS-AES128-GCM-SHA256", "DH-DSS-AES128-SHA", "DH-DSS-AES128-SHA256", "DH-DSS-AES256-GCM-SHA384",
      "DH-DSS-AES256-SHA", "DH-DSS-AES256-SHA256", "DH-DSS-CAMELLIA128-SHA", "DH-DSS-CAMELLIA256-SHA",
      "DH-RSA-AES128-GCM-SHA256", "DH-RSA-AES128-SHA", "DH-RSA-AES128-SHA256", "DH-RSA-AES256-GCM-SHA384",
      "DH-RSA-AES256-SHA", "DH-RSA-AES256-SHA256", "DH-RSA-CAMELLIA128-SHA", "DH-RSA-CAMELLIA256-SHA",
      "ECDH-ECDSA-AES128-GCM-SHA256", "ECDH-ECDSA-AES128-SHA", "ECDH-ECDSA-AES128-SHA256",
      "ECDH-ECDSA-AES256-GCM-SHA384", "ECDH-ECDSA-AES256-SHA", "ECDH-ECDSA-AES256-SHA384",
      "ECDH-RSA-AES128-GCM-SHA256", "ECDH-RSA-AES128-SHA", "ECDH-RSA-AES128-SHA256", "ECDH-RSA-AES256-GCM-SHA384",
      "ECDH-RSA-AES256-SHA", "ECDH-RSA-AES256-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305-OLD",
      "ECDHE-RSA-CHACHA20-POLY1305-OLD", "DHE-RSA-CHACHA20-POLY1305-OLD", "GOST2001-GOST89-GOST89",
      "GOST2012256-GOST89-GOST89", "GOST94-GOST89-GOST89", "SRP-AES-128-CBC-SHA", "SRP-AES-256-CBC-SHA",
      "SRP-RSA-AES-128-CBC-SHA", "SRP-RSA-AES-256-CBC-SHA", "SRP-DSS-AES-128-CBC-SHA", "SRP-DSS-AES-256-CBC-SHA",
      "SRP-3DES-EDE-CBC-SHA", "SRP-RSA-3DES-EDE-CBC-SHA", "SRP-DSS-3DES-EDE-CBC-SHA",
      "DHE-DSS-AES128-SHA", "DHE-DSS-AES256-SHA", "DHE-DSS-AES128-SHA256", "DHE-DSS-AES256-SHA256",
      "DHE-DSS-AES128-GCM-SHA256", "DHE-DSS-AES256-GCM-SHA384", "DHE-DSS-CAMELLIA128-SHA", "DHE-DSS-CAMELLIA256-SHA"};
  return legacy.count(name) > 0;
}

}  // namespace

bool cipher_name_known(const std::string& name) {
  auto ctx = scratch_ctx();
  return cipher_known(ctx.get(), name) || is_weak_cipher_name(name) || is_legacy_cipher_name(name);
}

std::string recorded_hello_problem(const std::string& hex) {
  std::vector<std::uint8_t> b;
  try {
    b = from_hex(hex);
  } catch (const HelloError& e) {
    return e.what();
  }
  if (b.empty()) return "hex must be an even number of hex digits";
  std::size_t n = b.size();
  // SSLv2-compatible ClientHello (RFC 5246 appendix E.2), as IE 6 and other 2000s clients sent:
  // a 2-byte header with the top bit set and the length, then message type 1.
  if (n >= 3 && (b[0] & 0x80)) {
    std::size_t len = static_cast<std::size_t>((b[0] & 0x7f) << 8 | b[1]);
    if (b[2] != 0x01) return "SSLv2-format record does not hold a ClientHello (message type " + std::to_string(b[2]) + ")";
    if (len + 2 != n) return "SSLv2-format length " + std::to_string(len) + " does not match the " + std::to_string(n - 2) + " bytes after the header";
    return "";
  }
  // TLS handshake records (type 22, version 3.x) holding exactly one ClientHello; a captured hello
  // may be split over several records, kept as sent.
  if (n < 9 || b[0] != 0x16 || b[1] != 0x03)
    return "not a TLS handshake record (must start with 16 03) nor an SSLv2-format ClientHello (80..)";
  try {
    auto framing = frame_client_hello(b);
    if (!framing) return "the records end before the ClientHello does (" + std::to_string(n) + " bytes)";
    if (framing->consumed != n) {
      if (framing->records == 1)
        return "record length " + std::to_string(framing->consumed - 5) + " does not match the " + std::to_string(n - 5) +
               " bytes after the header";
      return std::to_string(n - framing->consumed) + " bytes after the records of the ClientHello";
    }
  } catch (const HelloError& e) {
    return e.what();
  }
  return "";
}

int protocol_version(const std::string& name) {
  if (name == "TLSv1" || name == "TLSv1.0") return TLS1_VERSION;
  if (name == "TLSv1.1") return TLS1_1_VERSION;
  if (name == "TLSv1.2") return TLS1_2_VERSION;
  if (name == "TLSv1.3") return TLS1_3_VERSION;
  return 0;
}

ClientProfile load_client_profile(const std::filesystem::path& file) {
  auto y = load_yaml_file(file);
  const auto& root = y.root;
  y.check_keys(root, {"description", "summary", "refs", "protocols", "ciphers", "cipher_string", "tls13_suites",
                      "groups", "sigalgs", "options", "sni", "security_level", "alpn", "status_request", "signature_algorithms_cert",
                      "recorded_hello", "hello", "captured"});
  ClientProfile p;
  p.name = file.stem().string();
  p.where = file.string() + ":" + std::to_string(y.line_of(root));
  p.description = y.optional_string(root, "description").value_or("");
  p.summary = y.required_string(root, "summary");
  p.refs = y.string_list(root, "refs", true);
  if (auto n = root["protocols"]; n.IsDefined()) {
    y.check_keys(n, {"min", "max"});
    p.min_protocol = y.optional_string(n, "min").value_or(p.min_protocol);
    p.max_protocol = y.optional_string(n, "max").value_or(p.max_protocol);
    for (const char* k : {"min", "max"})
      if (n[k].IsDefined() && !protocol_version(n[k].as<std::string>()))
        y.fail(n[k], "unknown protocol '" + n[k].as<std::string>() + "' (use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)");
    if (protocol_version(p.min_protocol) > protocol_version(p.max_protocol))
      y.fail(n, "protocols: min " + p.min_protocol + " is above max " + p.max_protocol);
  }
  p.ciphers = y.string_list(root, "ciphers");
  p.cipher_string = y.optional_string(root, "cipher_string").value_or("");
  if (!p.ciphers.empty() && !p.cipher_string.empty())
    y.fail(root["cipher_string"], "give either 'ciphers' (a list) or 'cipher_string', not both");
  p.tls13_suites = y.string_list(root, "tls13_suites");
  p.groups = y.string_list(root, "groups");
  p.sigalgs = y.string_list(root, "sigalgs");
  p.sigalgs_cert = y.string_list(root, "signature_algorithms_cert");
  if (auto n = root["options"]; n.IsDefined()) {
    y.check_keys(n, {"extended_master_secret", "encrypt_then_mac", "session_tickets"});
    auto flag = [&](const char* k, bool& out) {
      if (!n[k].IsDefined()) return;
      try {
        out = n[k].as<bool>();
      } catch (const YAML::Exception&) {
        y.fail(n[k], std::string("'") + k + "' must be true or false");
      }
    };
    flag("extended_master_secret", p.extended_master_secret);
    flag("encrypt_then_mac", p.encrypt_then_mac);
    flag("session_tickets", p.session_tickets);
  }
  p.sni = y.optional_string(root, "sni");
  p.alpn = y.string_list(root, "alpn");
  for (std::size_t i = 0; i < p.alpn.size(); ++i) {
    const auto& a = p.alpn[i];
    // RFC 7301: a non-empty list of non-empty names of at most 255 bytes.
    if (a.empty() || a.size() > 255)
      y.fail(root["alpn"].IsSequence() ? root["alpn"][i] : root["alpn"],
             "alpn: protocol name '" + a + "' must be 1..255 bytes (e.g. smtp, h2, http/1.1)");
    if (std::count(p.alpn.begin(), p.alpn.end(), a) > 1)
      y.fail(root["alpn"].IsSequence() ? root["alpn"][i] : root["alpn"], "alpn: '" + a + "' is listed twice");
  }
  if (root["alpn"].IsDefined() && p.alpn.empty())
    y.fail(root["alpn"], "alpn: an empty list sends no ALPN extension; leave the key out instead");
  if (auto n = root["status_request"]; n.IsDefined()) {
    try {
      p.status_request = n.as<bool>();
    } catch (const YAML::Exception&) {
      y.fail(n, "'status_request' must be true or false");
    }
  }
  if (auto n = root["recorded_hello"]; n.IsDefined()) {
    y.check_keys(n, {"hex", "source"});
    ClientProfile::RecordedHello h{y.required_string(n, "hex"), y.required_string(n, "source")};
    if (auto why = recorded_hello_problem(h.hex); !why.empty()) y.fail(n["hex"], "recorded_hello: " + why);
    p.recorded_hello = std::move(h);
  }
  // A captured profile: `hello` is the decoded hello (written beside the bytes for the reader and
  // for recapture comparisons); it must say what the bytes say, so a hand edit cannot drift.
  if (auto n = root["hello"]; n.IsDefined()) {
    if (!p.recorded_hello) y.fail(n, "hello: the decoded fields need the bytes they come from (recorded_hello)");
    if (!n.IsMap()) y.fail(n, "hello: expected a map of field: value");
    std::vector<std::string> decoded;
    try {
      decoded = stable_hello_fields(parse_client_hello(p.recorded_hello->hex));
    } catch (const std::runtime_error& e) {
      y.fail(root["recorded_hello"]["hex"], std::string("recorded_hello does not decode: ") + e.what());
    }
    std::set<std::string> known;
    for (const auto& line : decoded) {
      auto key = line.substr(0, line.find(": "));
      auto value = line.substr(line.find(": ") + 2);
      known.insert(key);
      if (!n[key].IsDefined()) y.fail(n, "hello: '" + key + "' missing (the hex says '" + value + "'); recapture or remove 'hello'");
      if (!n[key].IsScalar() || n[key].as<std::string>() != value)
        y.fail(n[key], "hello: " + key + " '" + n[key].as<std::string>() + "' is not what recorded_hello says ('" + value + "')");
    }
    for (const auto& kv : n)
      if (!known.count(kv.first.as<std::string>())) y.fail(kv.first, "hello: unknown field '" + kv.first.as<std::string>() + "'");
  }
  if (auto n = root["captured"]; n.IsDefined()) {
    y.check_keys(n, {"sender", "package", "version", "tls_library", "distro", "command", "captured_at", "made_with", "ehlo"});
    for (const auto& kv : n) p.captured[kv.first.as<std::string>()] = kv.second.as<std::string>();
    if (!p.captured.count("sender")) y.fail(n, "captured: 'sender' missing");
  }
  if (auto n = root["security_level"]; n.IsDefined()) {
    int level = -1;
    try {
      level = n.as<int>();
    } catch (const YAML::Exception&) {
    }
    if (level < 0 || level > 5) y.fail(n, "security_level must be a number 0..5");
    p.security_level = level;
  }

  // Names this OpenSSL does not know are typos unless they are known weak suites.
  auto ctx = scratch_ctx();
  auto cipher_nodes = root["ciphers"];
  for (std::size_t i = 0; i < p.ciphers.size(); ++i) {
    const auto& c = p.ciphers[i];
    if (!cipher_known(ctx.get(), c) && !is_weak_cipher_name(c) && !is_legacy_cipher_name(c))
      y.fail(cipher_nodes.IsSequence() ? cipher_nodes[i] : cipher_nodes,
             "unknown cipher '" + c + "' (OpenSSL names, e.g. ECDHE-RSA-AES128-GCM-SHA256; see `openssl ciphers -v ALL`)");
  }
  if (!p.cipher_string.empty() && SSL_CTX_set_cipher_list(ctx.get(), p.cipher_string.c_str()) != 1) {
    ossl::drain_errors();
    y.fail(root["cipher_string"], "cipher_string matches no cipher this OpenSSL knows");
  }
  if (!p.tls13_suites.empty() && SSL_CTX_set_ciphersuites(ctx.get(), join(p.tls13_suites).c_str()) != 1) {
    ossl::drain_errors();
    y.fail(root["tls13_suites"], "unknown TLS 1.3 suite in '" + join(p.tls13_suites) + "' (e.g. TLS_AES_128_GCM_SHA256)");
  }
  if (!p.groups.empty() && SSL_CTX_set1_groups_list(ctx.get(), join(p.groups).c_str()) != 1) {
    ossl::drain_errors();
    y.fail(root["groups"], "unknown group in '" + join(p.groups) + "' (e.g. X25519, P-256, P-384)");
  }
  if (!p.sigalgs.empty() && SSL_CTX_set1_sigalgs_list(ctx.get(), join(p.sigalgs).c_str()) != 1) {
    ossl::drain_errors();
    y.fail(root["sigalgs"], "unknown signature algorithm in '" + join(p.sigalgs) +
                                "' (e.g. RSA+SHA256, ECDSA+SHA256, rsa_pss_rsae_sha256)");
  }
  if (!p.sigalgs_cert.empty() && SSL_CTX_set1_sigalgs_list(ctx.get(), join(p.sigalgs_cert).c_str()) != 1) {
    ossl::drain_errors();
    y.fail(root["signature_algorithms_cert"], "unknown signature algorithm in '" + join(p.sigalgs_cert) +
                                                  "' (e.g. RSA+SHA256, ECDSA+SHA256, rsa_pss_rsae_sha256)");
  }
  if (p.offers_tls12_or_lower() && !p.ciphers.empty() && check_emulation(p).offered.empty())
    y.fail(cipher_nodes, "none of the ciphers can be offered by this OpenSSL; the profile would test nothing");
  return p;
}

std::vector<ClientProfile> load_client_profiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(dir))
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".yaml") files.push_back(e.path());
  if (files.empty()) throw UsageError(dir.string() + ": no client profiles (*.yaml) found");
  std::sort(files.begin(), files.end());
  std::vector<ClientProfile> out;
  for (const auto& f : files) out.push_back(load_client_profile(f));
  return out;
}

Emulation check_emulation(const ClientProfile& p) {
  Emulation e;
  auto ctx = scratch_ctx();
  for (const auto& c : p.ciphers) (cipher_known(ctx.get(), c) ? e.offered : e.not_emulated).push_back(c);
  if (!p.sigalgs_cert.empty()) e.not_emulated.push_back("signature_algorithms_cert");
  return e;
}

}  // namespace harness
