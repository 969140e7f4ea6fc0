#include "harness/suites/starttls/starttls_scenarios.hpp"

#include <algorithm>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/plan/yaml_file.hpp"

namespace harness {
namespace {

bool matches(const std::vector<std::string>& names, const std::string& value) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return n == "*" || n == value; });
}

TlsExpectation read_expectation(const YamlFile& y, const YAML::Node& n) {
  TlsExpectation e;
  e.where = y.path.string() + ":" + std::to_string(y.line_of(n));
  auto hs = y.required_string(n, "handshake");
  if (hs != "ok" && hs != "fail") y.fail(n["handshake"], "handshake must be 'ok' or 'fail', not '" + escape_for_message(hs) + "'");
  e.handshake_ok = hs == "ok";
  e.protocol = y.optional_string(n, "protocol");
  if (e.protocol && !protocol_version(*e.protocol))
    y.fail(n["protocol"], "unknown protocol '" + *e.protocol + "' (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)");
  e.kx = y.optional_string(n, "kx");
  e.auth = y.optional_string(n, "auth");
  e.alert = y.optional_string(n, "alert");
  if (!e.handshake_ok && (e.protocol || e.kx || e.auth))
    y.fail(n, "protocol/kx/auth describe a successful handshake; they make no sense with handshake: fail");
  if (e.handshake_ok && e.alert) y.fail(n["alert"], "alert is for handshake: fail");
  e.summary = y.required_string(n, "summary");
  e.refs = y.string_list(n, "refs", true);
  return e;
}

std::vector<std::string> names_of(const YamlFile& y, const YAML::Node& n, const char* key, const std::set<std::string>& known) {
  auto list = y.string_list(n, key);
  if (list.empty()) return {"*"};
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i] == "*" || known.count(list[i])) continue;
    std::string k;
    for (const auto& s : known) k += (k.empty() ? "" : ", ") + s;
    y.fail(n[key].IsSequence() ? n[key][i] : n[key], std::string(key) + ": unknown name '" + list[i] + "' (known: " + k + ")");
  }
  return list;
}

}  // namespace

std::string TlsExpectation::text() const {
  if (!handshake_ok) return "fail" + (alert ? " (" + *alert + ")" : std::string());
  std::string s = "ok";
  if (protocol) s += " " + *protocol;
  if (kx || auth) s += " " + kx.value_or("*") + "/" + auth.value_or("*");
  return s;
}

const TlsExpectation* StarttlsScenarios::expectation(const std::string& server, const std::string& certset,
                                                     const std::string& client, const std::string& tls_library) const {
  const TlsExpectation* found = nullptr;
  for (const auto& r : rules)
    if (matches(r.servers, server) && matches(r.certsets, certset) && matches(r.clients, client) &&
        (tls_library.empty() || matches(r.tls_libraries, tls_library)))
      found = &r.expect;
  return found;
}

StarttlsScenarios load_starttls_scenarios(const std::filesystem::path& dir, const std::string& client_set) {
  if (std::find(kClientSets.begin(), kClientSets.end(), client_set) == kClientSets.end())
    throw UsageError("suite starttls: option clients=" + escape_for_message(client_set) + ": unknown client set (bundled, captured, all)");
  StarttlsScenarios s;
  {
    auto y = load_yaml_file(dir / "certsets.yaml");
    y.check_keys(y.root, {"certsets"});
    auto sets = y.root["certsets"];
    if (!sets.IsMap() || sets.size() == 0) y.fail(y.root, "'certsets' must map set names to {keys: [...], summary: ...}");
    for (const auto& kv : sets) {
      y.check_keys(kv.second, {"keys", "summary"});
      CertSetDef d;
      d.name = kv.first.as<std::string>();
      auto keys = y.string_list(kv.second, "keys", true);
      if (keys.size() > 2) y.fail(kv.second["keys"], "at most two keys per set (s_server serves -cert and -dcert)");
      for (std::size_t i = 0; i < keys.size(); ++i) {
        try {
          d.keys.push_back(KeySpec::parse(keys[i]));
        } catch (const UsageError& e) {
          y.fail(kv.second["keys"], e.what());
        }
      }
      y.required_string(kv.second, "summary");
      s.certsets.push_back(d);
    }
  }
  // Both sets are read (a rule may name a client of either); the chosen one is run.
  auto bundled = load_client_profiles(dir / "clients");
  std::vector<ClientProfile> captured;
  if (client_set != "bundled" || std::filesystem::is_directory(dir / "clients" / "captured"))
    captured = load_client_profiles(dir / "clients" / "captured");
  std::set<std::string> servers(kStarttlsServers.begin(), kStarttlsServers.end()), sets, known_clients, clients;
  for (const auto& c : s.certsets) sets.insert(c.name);
  for (const auto* set : {&bundled, &captured})
    for (const auto& c : *set)
      if (!known_clients.insert(c.name).second)
        throw UsageError((dir / "clients").string() + ": two client profiles are named '" + escape_for_message(c.name) + "'");
  if (client_set != "captured") s.clients = bundled;
  if (client_set != "bundled") s.clients.insert(s.clients.end(), captured.begin(), captured.end());
  for (const auto& c : s.clients) clients.insert(c.name);
  {
    auto y = load_yaml_file(dir / "expectations.yaml");
    y.check_keys(y.root, {"expectations"});
    auto list = y.root["expectations"];
    if (!list.IsSequence()) y.fail(y.root, "'expectations' must be a list of rules");
    for (const auto& n : list) {
      y.check_keys(n, {"servers", "certsets", "clients", "tls_library", "handshake", "protocol", "kx", "auth", "alert", "summary", "refs"});
      ExpectationRule r;
      r.tls_libraries = names_of(y, n, "tls_library", {kTlsLibraries.begin(), kTlsLibraries.end()});
      r.servers = names_of(y, n, "servers", servers);
      r.certsets = names_of(y, n, "certsets", sets);
      r.clients = names_of(y, n, "clients", known_clients);
      r.expect = read_expectation(y, n);
      s.rules.push_back(std::move(r));
    }
    for (const auto& sv : servers)
      for (const auto& cs : sets)
        for (const auto& cl : clients)
          for (const auto& lib : kTlsLibraries)
            if (!s.expectation(sv, cs, cl, lib))
              y.fail(list, "no rule covers server " + sv + ", cert set " + cs + ", client " + cl + " (TLS library " + lib + "); add one");
  }
  if (std::filesystem::exists(dir / "receivers.yaml")) {
    auto y = load_yaml_file(dir / "receivers.yaml");
    y.check_keys(y.root, {"receivers"});
    auto list = y.root["receivers"];
    if (!list.IsSequence()) y.fail(y.root, "'receivers' must be a list");
    for (const auto& n : list) {
      y.check_keys(n, {"name", "certset", "protocols", "ciphers", "handshake", "protocol", "kx", "auth", "alert", "summary", "refs"});
      ReceiverCase rc;
      rc.receiver.name = y.required_string(n, "name");
      rc.receiver.certset = y.required_string(n, "certset");
      if (!sets.count(rc.receiver.certset)) y.fail(n["certset"], "unknown cert set '" + rc.receiver.certset + "'");
      if (auto p = n["protocols"]; p.IsDefined()) {
        y.check_keys(p, {"min", "max"});
        rc.receiver.min_protocol = y.optional_string(p, "min").value_or(rc.receiver.min_protocol);
        rc.receiver.max_protocol = y.optional_string(p, "max").value_or(rc.receiver.max_protocol);
        if (!protocol_version(rc.receiver.min_protocol) || !protocol_version(rc.receiver.max_protocol))
          y.fail(p, "unknown protocol name (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)");
      }
      auto ciphers = y.string_list(n, "ciphers", true);
      for (const auto& c : ciphers) rc.receiver.cipher_string += (rc.receiver.cipher_string.empty() ? "" : ":") + c;
      rc.expect = read_expectation(y, n);
      s.receivers.push_back(std::move(rc));
    }
  }
  return s;
}

std::pair<bool, std::string> meets(const TlsExpectation& e, const ProbeResult& r) {
  std::string got = r.handshake_ok ? r.protocol + " " + r.cipher + (r.kx.empty() ? "" : " (" + r.kx + "/" + r.auth + ")")
                                   : "failure: " + r.failure;
  if (e.handshake_ok != r.handshake_ok) return {false, "expected " + e.text() + ", got " + got};
  if (!r.handshake_ok) {
    if (e.alert && std::none_of(r.alerts.begin(), r.alerts.end(), [&](const TlsAlert& a) { return a.description == *e.alert || alert_rfc_name(a.code) == *e.alert; }))
      return {false, "expected alert '" + *e.alert + "', got " + got};
    return {true, "handshake failed as expected: " + r.failure};
  }
  if (e.protocol && *e.protocol != r.protocol) return {false, "expected " + e.text() + ", got " + got};
  if (e.kx && *e.kx != r.kx) return {false, "expected " + e.text() + ", got " + got};
  if (e.auth && *e.auth != r.auth) return {false, "expected " + e.text() + ", got " + got};
  return {true, got};
}

}  // namespace harness
