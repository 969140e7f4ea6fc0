// A sending MTA's TLS client behaviour, as data (scenarios/starttls/clients/*.yaml), and what
// the OpenSSL linked into the harness can actually offer of it.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace harness {

struct ClientProfile {
  std::string name;  // file stem: "proofpoint-2015"
  std::string description;
  std::string summary;  // why this profile looks the way it does
  std::vector<std::string> refs;
  std::string where;    // "file:line" for messages
  std::string min_protocol = "TLSv1.2";  // TLSv1 | TLSv1.1 | TLSv1.2 | TLSv1.3
  std::string max_protocol = "TLSv1.3";
  // TLS <= 1.2 suites in offer order (OpenSSL names). Empty with no cipher_string: library default.
  std::vector<std::string> ciphers;
  std::string cipher_string;  // alternative: an OpenSSL cipher string, e.g. Postfix's "medium"
  std::vector<std::string> tls13_suites;  // empty: library default
  std::vector<std::string> groups;        // empty: library default
  std::vector<std::string> sigalgs;       // empty: library default
  // signature_algorithms_cert (RFC 8446 4.2.3). OpenSSL 3 clients never send the extension: a
  // profile that lists it is reported as not emulated, with the names checked for typos.
  std::vector<std::string> sigalgs_cert;
  bool extended_master_secret = true;
  bool encrypt_then_mac = true;
  bool session_tickets = true;
  std::optional<std::string> sni;  // most MTAs send none
  // ALPN protocol names in offer order (RFC 7301). MTAs send none; clients built on HTTP stacks
  // (Android, Go, Thunderbird) send h2,http/1.1, and exim refuses a list without "smtp" (alert 120).
  std::vector<std::string> alpn;
  bool status_request = false;  // OCSP status_request extension (RFC 6066 section 8)
  // The ClientHello a real client sent (TLS record, hex), kept beside the decoded fields so a
  // replay can send the very bytes; from `harness import-clients` or a capture.
  struct RecordedHello {
    std::string hex;     // "1603010200010001fc0303..."
    std::string source;  // where the bytes come from: "testssl.sh client-simulation.txt: android_90"
  };
  std::optional<RecordedHello> recorded_hello;
  // How a captured profile was made (`harness capture-client`): sender, package, version, distro,
  // command, captured_at, made_with, ehlo. Empty for written and imported profiles.
  std::map<std::string, std::string> captured;
  std::optional<int> security_level;  // unset: the library's configured default

  bool offers_tls13() const { return max_protocol == "TLSv1.3"; }
  bool offers_tls12_or_lower() const { return min_protocol != "TLSv1.3"; }
};

// Reads one profile file; throws UsageError "file:line: ..." for unknown keys, bad protocol
// names, cipher or group names this OpenSSL does not know at all.
ClientProfile load_client_profile(const std::filesystem::path& file);
// Every *.yaml under `dir`, sorted by name; throws UsageError when there is none.
std::vector<ClientProfile> load_client_profiles(const std::filesystem::path& dir);

// Which of the profile's TLS<=1.2 ciphers the linked OpenSSL can put in a ClientHello.
// RC4/3DES are absent from builds without enable-weak-ssl-ciphers: they are reported, not dropped.
// `not_emulated` also names hello fields the library cannot send ("signature_algorithms_cert").
struct Emulation {
  std::vector<std::string> offered;
  std::vector<std::string> not_emulated;
};
Emulation check_emulation(const ClientProfile& profile);

// Whether `name` is a TLS<=1.2 suite name OpenSSL uses or used: known to the linked OpenSSL, or a
// weak/legacy suite it lacks (reported as not emulated). False for typos.
bool cipher_name_known(const std::string& name);

// Why `hex` is not one TLS record holding one whole ClientHello (or an SSLv2-compatible
// ClientHello); empty when it is.
std::string recorded_hello_problem(const std::string& hex);

// "TLSv1.2" -> TLS1_2_VERSION; 0 for an unknown name.
int protocol_version(const std::string& name);

}  // namespace harness
