#include "harness/tls/testssl_import.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "harness/common/error.hpp"
#include "harness/tls/client_hello.hpp"
#include "harness/tls/ossl.hpp"
#include "harness/tls/profile.hpp"

namespace harness {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// Every array testssl.sh 3.x reads from the file; `optional` ones some clients leave out (alpn is
// given only by clients that send ALPN; one client in Debian's 3.0.8 file has no warning+=()).
struct ArraySpec {
  const char* name;
  bool required;
};
constexpr ArraySpec kArrays[] = {
    {"names", true},          {"short", true},          {"ciphers", true},          {"ciphersuites", true},
    {"sni", true},            {"warning", false},       {"handshakebytes", true},   {"protos", false},
    {"tlsvers", false},       {"lowest_protocol", true}, {"highest_protocol", true}, {"alpn", false},
    {"service", true},        {"minDhBits", false},     {"maxDhBits", false},       {"minRsaBits", false},
    {"maxRsaBits", false},    {"minEcdsaBits", false},  {"curves", true},           {"requiresSha2", false},
    {"current", false},
};

const ArraySpec* array_spec(const std::string& name) {
  for (const auto& a : kArrays)
    if (name == a.name) return &a;
  return nullptr;
}

struct Value {
  std::string text;
  int line = 0;
};

struct Client {
  int line = 0;  // of names+=()
  std::map<std::string, Value> arrays;
  const std::string& get(const std::string& k) const {
    static const std::string none;
    auto it = arrays.find(k);
    return it == arrays.end() ? none : it->second.text;
  }
  int line_of(const std::string& k) const {
    auto it = arrays.find(k);
    return it == arrays.end() ? line : it->second.line;
  }
};

std::string protocol_name(const std::string& hex) {
  if (hex == "0x0200") return "SSLv2";
  if (hex == "0x0300") return "SSLv3";
  if (hex == "0x0301") return "TLSv1";
  if (hex == "0x0302") return "TLSv1.1";
  if (hex == "0x0303") return "TLSv1.2";
  if (hex == "0x0304") return "TLSv1.3";
  return "";
}

bool is_tls13_suite(const std::string& name) {
  static const std::set<std::string> suites{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                                            "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"};
  return suites.count(name) > 0;
}

// Extension code points (IANA TLS ExtensionType registry).
constexpr std::uint16_t kStatusRequest = 5, kEncryptThenMac = 22, kExtendedMasterSecret = 23, kSessionTicket = 35;

}  // namespace

TestsslImport import_testssl_clients(const std::filesystem::path& file, bool all) {
  std::ifstream in(file);
  if (!in) throw UsageError(file.string() + ": cannot read (testssl.sh's client-simulation.txt, e.g. /etc/testssl/client-simulation.txt)");
  const std::string f = file.string();
  auto fail = [&](int line, const std::string& msg) -> void { throw UsageError(f + ":" + std::to_string(line) + ": " + msg); };

  // 1. The bash arrays, one client per names+=() (a record runs to the next names+=()).
  static const std::regex assignment(R"(^\s*([A-Za-z_][A-Za-z0-9_]*)\+=\((.*)\)\s*$)");
  TestsslImport result;
  std::vector<Client> clients;
  std::map<std::string, std::size_t> counts;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::smatch m;
    if (!std::regex_match(line, m, assignment))
      fail(n, "not testssl.sh's client-simulation format (every line is NAME+=(VALUE), a comment or blank): '" + line + "'");
    std::string key = m[1], raw = m[2];
    std::string value = raw;
    if (!raw.empty() && raw.front() == '"') {
      if (raw.size() < 2 || raw.back() != '"' || raw.find('"', 1) != raw.size() - 1)
        fail(n, key + "+=(" + raw + "): expected one double-quoted value");
      value = raw.substr(1, raw.size() - 2);
    } else if (raw.find_first_of(" \t\"'") != std::string::npos) {
      fail(n, key + "+=(" + raw + "): expected one value");
    }
    if (!array_spec(key)) {
      // bash creates the array and testssl.sh never reads it; a typo in the file (Debian's 3.0.8
      // has requireseha2+=() once), not a reason to refuse the other clients.
      result.warnings.push_back(f + ":" + std::to_string(n) + ": unknown array '" + key + "' read past (testssl.sh does not read it)");
      continue;
    }
    if (key == "names") clients.push_back(Client{n, {}});
    if (clients.empty()) fail(n, key + "+=() before the first names+=(): not testssl.sh's client-simulation format");
    auto& c = clients.back();
    if (auto it = c.arrays.find(key); it != c.arrays.end())
      fail(n, key + "+=(" + raw + ") given twice for client " + c.get("names") + " (first at line " + std::to_string(it->second.line) +
                  "): the arrays would be of different lengths");
    c.arrays[key] = Value{value, n};
    ++counts[key];
  }
  if (clients.empty()) fail(n, "no names+=() at all: not testssl.sh's client-simulation format");
  for (const auto& c : clients)
    for (const auto& a : kArrays)
      if (a.required && !c.arrays.count(a.name))
        fail(c.line, "client '" + c.get("names") + "' has no " + a.name + "+=(): the arrays are of different lengths (" +
                         std::to_string(clients.size()) + " names, " + std::to_string(counts[a.name]) + " " + a.name + ")");

  // 2. Each client as a profile.
  std::set<std::string> short_names;
  static const std::regex safe_name(R"([A-Za-z0-9][A-Za-z0-9_.-]*)");
  for (const auto& c : clients) {
    ++result.clients;
    const std::string& service = c.get("service");
    auto services = split(service, ',');
    bool smtp = service == "ANY" || std::find(services.begin(), services.end(), "SMTP") != services.end();
    if (smtp) ++result.smtp_capable;
    const std::string& short_name = c.get("short");
    if (!std::regex_match(short_name, safe_name))
      fail(c.line_of("short"), "short+=(\"" + short_name + "\"): not usable as a file name (letters, digits, _ . -)");
    if (!short_names.insert(short_name).second) fail(c.line_of("short"), "short name '" + short_name + "' given to two clients");

    // Decoding is checked for every client (bad input is an error even when the client is not selected).
    std::string lowest = protocol_name(c.get("lowest_protocol")), highest = protocol_name(c.get("highest_protocol"));
    if (lowest.empty()) fail(c.line_of("lowest_protocol"), "unknown protocol '" + c.get("lowest_protocol") + "' (0x0200..0x0304)");
    if (highest.empty()) fail(c.line_of("highest_protocol"), "unknown protocol '" + c.get("highest_protocol") + "' (0x0200..0x0304)");
    std::vector<std::string> ciphers, tls13;
    for (const auto& name : split(c.get("ciphers"), ':')) {
      if (is_tls13_suite(name)) tls13.push_back(name);
      else if (cipher_name_known(name)) ciphers.push_back(name);
      else fail(c.line_of("ciphers"), "unknown cipher '" + name + "' for client '" + c.get("names") + "' (OpenSSL names expected)");
    }
    auto listed13 = split(c.get("ciphersuites"), ':');
    for (const auto& name : listed13)
      if (!is_tls13_suite(name)) fail(c.line_of("ciphersuites"), "unknown TLS 1.3 suite '" + name + "' for client '" + c.get("names") + "'");
    if (!listed13.empty()) tls13 = listed13;
    auto groups = split(c.get("curves"), ':');
    auto alpn = split(c.get("alpn"), ',');
    std::optional<ClientHelloFacts> hello;
    std::string alpn_note;
    const std::string& hello_hex = c.get("handshakebytes");
    if (!hello_hex.empty()) {
      if (auto why = recorded_hello_problem(hello_hex); !why.empty())
        fail(c.line_of("handshakebytes"), "handshakebytes of client '" + c.get("names") + "': " + why);
    }
    bool sslv2_hello = hello_hex.size() >= 2 && (std::stoi(hello_hex.substr(0, 2), nullptr, 16) & 0x80);
    if (!hello_hex.empty() && !sslv2_hello) {
      try {
        hello = parse_client_hello(c.get("handshakebytes"));
      } catch (const std::exception& e) {
        fail(c.line_of("handshakebytes"), "handshakebytes of client '" + c.get("names") + "': " + e.what());
      }
      // The bytes are what the client sent: their ALPN wins. Many clients that send ALPN have no
      // alpn+=() (testssl.sh does not read the array), and a few arrays disagree with the bytes
      // (Debian's 3.0.8: Android 8.1 lists h2,http/1.1, its hello has no ALPN extension).
      if (c.arrays.count("alpn") && hello->alpn != alpn) {
        alpn_note = " Its alpn+=(\"" + join(alpn, ",") + "\") differs from the recorded hello's ALPN ('" + join(hello->alpn, ",") +
                    "'); the profile follows the hello.";
        result.warnings.push_back(f + ":" + std::to_string(c.line_of("alpn")) + ": client '" + c.get("names") + "':" + alpn_note);
      }
      alpn = hello->alpn;
    }
    if (!all && !smtp) continue;

    std::string where = f + ":" + std::to_string(c.line) + ": client '" + short_name + "' (" + c.get("names") + "): ";
    if (protocol_version(highest) == 0) {
      result.skipped.push_back(where + "offers " + highest + " at most; the profile format starts at TLSv1");
      continue;
    }
    bool tls13_used = highest == "TLSv1.3";
    ClientProfile probe;  // to ask check_emulation which suites this OpenSSL can put in a hello
    probe.ciphers = ciphers;
    if (!tls13_used && !ciphers.empty() && check_emulation(probe).offered.empty()) {
      result.skipped.push_back(where + "this OpenSSL can offer none of its suites (" + join(ciphers, ":") + ")");
      continue;
    }

    std::string summary = c.get("names") + " as testssl.sh's client-simulation.txt records it (its services: " + service +
                          (c.get("current") == "true" ? "; a current client there" : "") + "). Decoded: protocols, suites, groups" +
                          (hello ? "; ALPN, SNI, extended master secret, encrypt-then-MAC, session tickets and status_request "
                                   "from the recorded hello."
                                 : hello_hex.empty() ? "; no recorded hello, so ALPN, SNI and the optional extensions are the library's."
                                                     : ".");
    if (protocol_version(lowest) == 0)
      summary += " It also offers " + lowest + " (lowest_protocol " + c.get("lowest_protocol") + "), below the profile format's TLSv1.";
    // Signature algorithms from the hello: the ones this OpenSSL can offer become `sigalgs`, the
    // others are named in the summary (MD5 pairs, brainpool and GOST schemes, unknown code points).
    std::vector<std::string> sigalgs, sigalgs_not_emulated;
    if (hello && hello->has(13)) {
      ossl::SslCtx scratch(SSL_CTX_new(TLS_client_method()));
      for (auto code : hello->sigalgs) {
        if ((code & 0x0f0f) == 0x0a0a) continue;  // GREASE (RFC 8701)
        auto name = sigalg_name(code);
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%04x", code);
        if (std::find(sigalgs.begin(), sigalgs.end(), name) != sigalgs.end()) continue;  // OpenSSL refuses a list with repeats
        if (!name.empty() && SSL_CTX_set1_sigalgs_list(scratch.get(), name.c_str()) == 1) sigalgs.push_back(name);
        else sigalgs_not_emulated.push_back((name.empty() ? "" : name + " ") + hex);
        ossl::drain_errors();
      }
      summary += " Signature algorithms from the recorded hello";
      if (!sigalgs_not_emulated.empty()) summary += "; not emulated (this OpenSSL cannot offer them): " + join(sigalgs_not_emulated, ", ");
      summary += ".";
    } else if (hello || sslv2_hello) {
      summary += " The recorded hello has no signature_algorithms; the emulation sends the library's default"
                 " (OpenSSL sends none at TLS 1.1 and below).";
    }
    summary += alpn_note;
    if (sslv2_hello) summary += " The recorded hello is in SSLv2 format, which has no extensions: the profile sends none of the optional ones.";
    if (!c.get("warning").empty()) summary += " testssl.sh's warning: " + c.get("warning");

    YAML::Emitter y;
    y << YAML::Comment("generated by `harness import-clients testssl " + file.filename().string() + "` from line " +
                       std::to_string(c.line) + "; re-import instead of editing")
      << YAML::Newline;
    y << YAML::BeginMap;
    y << YAML::Key << "description" << YAML::Value << c.get("names");
    y << YAML::Key << "summary" << YAML::Value << summary;
    y << YAML::Key << "refs" << YAML::Value << YAML::BeginSeq
      << "testssl.sh etc/client-simulation.txt (Debian package testssl.sh), client " + short_name + " (" + c.get("names") + ")"
      << "Qualys SSL Labs client list (api/v3/getClients), where most recordings in that file come from" << YAML::EndSeq;
    y << YAML::Key << "protocols" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "min" << YAML::Value
      << (protocol_version(lowest) ? lowest : std::string("TLSv1")) << YAML::Key << "max" << YAML::Value << highest << YAML::EndMap;
    if (!ciphers.empty()) y << YAML::Key << "ciphers" << YAML::Value << ciphers;
    if (tls13_used && !tls13.empty()) y << YAML::Key << "tls13_suites" << YAML::Value << YAML::Flow << tls13;
    if (!groups.empty()) y << YAML::Key << "groups" << YAML::Value << YAML::Flow << groups;
    if (!sigalgs.empty()) y << YAML::Key << "sigalgs" << YAML::Value << YAML::Flow << sigalgs;
    if (!alpn.empty()) y << YAML::Key << "alpn" << YAML::Value << YAML::Flow << alpn;
    if (hello) {
      if (hello->sni) y << YAML::Key << "sni" << YAML::Value << *hello->sni;
      y << YAML::Key << "options" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "extended_master_secret"
        << YAML::Value << hello->has(kExtendedMasterSecret) << YAML::Key << "encrypt_then_mac" << YAML::Value
        << hello->has(kEncryptThenMac) << YAML::Key << "session_tickets" << YAML::Value << hello->has(kSessionTicket) << YAML::EndMap;
      if (hello->has(kStatusRequest)) y << YAML::Key << "status_request" << YAML::Value << true;
    } else if (sslv2_hello) {
      y << YAML::Key << "options" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "extended_master_secret"
        << YAML::Value << false << YAML::Key << "encrypt_then_mac" << YAML::Value << false << YAML::Key << "session_tickets"
        << YAML::Value << false << YAML::EndMap;
    }
    // Recorded clients offered what they offered: the library's default level would hide it.
    y << YAML::Key << "security_level" << YAML::Value << 0;
    if (!hello_hex.empty())
      y << YAML::Key << "recorded_hello" << YAML::Value << YAML::BeginMap << YAML::Key << "source" << YAML::Value
        << "testssl.sh client-simulation.txt: " + short_name << YAML::Key << "hex" << YAML::Value << c.get("handshakebytes")
        << YAML::EndMap;
    y << YAML::EndMap;
    result.profiles.push_back(TestsslProfile{short_name, c.get("names"), c.line, smtp, std::string(y.c_str()) + "\n"});
  }
  return result;
}

}  // namespace harness
