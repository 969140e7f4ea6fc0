// Suite `starttls` as data: certificate sets, client profiles, expectations per
// (server, cert set, client), legacy receivers for the outbound direction.
// Files under scenarios/starttls/: certsets.yaml, clients/*.yaml, expectations.yaml, receivers.yaml.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/suites/starttls/tls_servers.hpp"
#include "harness/tls/profile.hpp"
#include "harness/tls/starttls_client.hpp"

namespace harness {

struct TlsExpectation {
  bool handshake_ok = true;
  std::optional<std::string> protocol;  // "TLSv1.3"
  std::optional<std::string> kx;        // "ECDHE", "RSA", "any"
  std::optional<std::string> auth;      // "RSA", "ECDSA", "any"
  std::optional<std::string> alert;     // an alert description that must be recorded, "handshake failure"
  std::string summary;
  std::vector<std::string> refs;
  std::string where;  // file:line of the rule
  std::string text() const;  // "ok TLSv1.2 ECDHE/RSA" / "fail (handshake failure)"
};

struct ExpectationRule {
  std::vector<std::string> servers, certsets, clients;  // "*" matches all
  // The server's TLS library (kTlsLibraries): where exim's own defaults differ between its GnuTLS
  // build (Debian) and its OpenSSL build (Fedora), a rule may hold for one of them only.
  std::vector<std::string> tls_libraries{"*"};
  TlsExpectation expect;
};

struct ReceiverCase {
  ReceiverDef receiver;
  TlsExpectation expect;  // for the candidate's own client with its default settings
};

inline const std::vector<std::string> kStarttlsServers{"exim", "openssl"};
inline const std::vector<std::string> kTlsLibraries{"gnutls", "openssl"};

struct StarttlsScenarios {
  std::vector<CertSetDef> certsets;
  std::vector<ClientProfile> clients;
  std::vector<ExpectationRule> rules;
  std::vector<ReceiverCase> receivers;
  // The last rule matching the triple on a server built with tls_library (general rules first,
  // specific ones after); tls_library "" (not known yet: the planned cases) matches every rule.
  const TlsExpectation* expectation(const std::string& server, const std::string& certset, const std::string& client,
                                    const std::string& tls_library) const;
};

// Which client profiles a run uses (suite option clients=): the bundled ones (clients/*.yaml,
// written from reports of real senders), those captured from the senders Debian packages
// (clients/captured/*.yaml, `harness capture-client`), or both.
inline const std::vector<std::string> kClientSets{"bundled", "captured", "all"};

// Reads and checks everything; every (server, cert set, client) of the chosen client set must have
// an expectation (rules may name the clients of either set). Throws UsageError "file:line: ...",
// and for an unknown client set.
StarttlsScenarios load_starttls_scenarios(const std::filesystem::path& dir, const std::string& client_set = "bundled");

// Whether a handshake result meets the expectation; the string says what differed (or what held).
std::pair<bool, std::string> meets(const TlsExpectation& e, const ProbeResult& r);

}  // namespace harness
