#include "harness/suites/starttls/s_client.hpp"

#include <sstream>

namespace harness {
namespace {
std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ":") + s;
  return out;
}
bool has_flag(const std::string& help, const std::string& flag) { return help.find(" " + flag + " ") != std::string::npos; }
}  // namespace

std::optional<std::vector<std::string>> s_client_argv(const ClientProfile& p, int port, bool starttls,
                                                      const std::string& ehlo_name, const std::string& help,
                                                      std::string& why_not) {
  std::vector<std::string> argv{"openssl", "s_client", "-brief", "-connect", "127.0.0.1:" + std::to_string(port)};
  auto add = [&](const std::string& flag, const std::string& value = "") {
    if (!has_flag(help, flag)) {
      why_not = "this s_client has no " + flag;
      return false;
    }
    argv.push_back(flag);
    if (!value.empty()) argv.push_back(value);
    return true;
  };
  if (starttls && !(add("-starttls", "smtp") && add("-name", ehlo_name))) return std::nullopt;
  if (!add("-min_protocol", p.min_protocol) || !add("-max_protocol", p.max_protocol)) return std::nullopt;
  auto offered = check_emulation(p).offered;
  std::string ciphers = !offered.empty() ? join(offered) : p.cipher_string;
  if (p.security_level) ciphers += std::string(ciphers.empty() ? "DEFAULT" : "") + ":@SECLEVEL=" + std::to_string(*p.security_level);
  if (!ciphers.empty() && !add("-cipher", ciphers)) return std::nullopt;
  if (!p.tls13_suites.empty() && !add("-ciphersuites", join(p.tls13_suites))) return std::nullopt;
  if (!p.groups.empty() && !add("-groups", join(p.groups))) return std::nullopt;
  if (!p.sigalgs.empty() && !add("-sigalgs", join(p.sigalgs))) return std::nullopt;
  if (!p.extended_master_secret && !add("-no_ems")) return std::nullopt;
  if (!p.encrypt_then_mac && !add("-no_etm")) return std::nullopt;
  if (!p.session_tickets && !add("-no_ticket")) return std::nullopt;
  if (!p.alpn.empty()) {
    std::string alpn;
    for (const auto& a : p.alpn) alpn += (alpn.empty() ? "" : ",") + a;
    if (!add("-alpn", alpn)) return std::nullopt;
  }
  if (p.status_request && !add("-status")) return std::nullopt;
  if (p.sni ? !add("-servername", *p.sni) : !add("-noservername")) return std::nullopt;
  return argv;
}

ProbeResult parse_s_client_brief(const std::string& output) {
  ProbeResult r;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CONNECTION ESTABLISHED", 0) == 0) r.handshake_ok = true;
    if (line.rfind("Protocol version: ", 0) == 0) r.protocol = line.substr(18);
    if (line.rfind("Ciphersuite: ", 0) == 0) r.cipher = line.substr(13);
    if (r.failure.empty() && line.find(":error:") != std::string::npos) r.failure = line;
  }
  if (r.handshake_ok) r.failure.clear();
  else if (r.failure.empty()) r.failure = "no connection (s_client printed no error)";
  r.stage = r.handshake_ok ? "done" : "handshake";
  return r;
}

}  // namespace harness
