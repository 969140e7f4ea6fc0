#include "harness/suites/starttls/tls_servers.hpp"

#include <algorithm>
#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"

#include <openssl/crypto.h>

namespace harness {
namespace {
using namespace std::chrono_literals;

constexpr int kEximPortBase = 2500;
constexpr int kSServerPortBase = 4430;
constexpr int kReceiverPortBase = 4500;
constexpr const char* kCertDir = "/etc/harness-tls";

bool wants(const std::vector<std::string>& servers, const char* name) {
  return std::find(servers.begin(), servers.end(), name) != servers.end();
}

std::vector<int> ports_for(const std::vector<CertSetDef>& sets, const std::vector<std::string>& servers,
                           std::size_t receivers) {
  std::vector<int> ports;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    if (wants(servers, "exim")) ports.push_back(kEximPortBase + 1 + static_cast<int>(i));
    if (wants(servers, "openssl")) ports.push_back(kSServerPortBase + 1 + static_cast<int>(i));
  }
  for (std::size_t i = 0; i < receivers; ++i) ports.push_back(kReceiverPortBase + 1 + static_cast<int>(i));
  return ports;
}

Image ensure_image(const SuiteContext& ctx, const std::vector<std::string>& servers) {
  if (!ctx.images) throw InfraError("starttls: no image store in the suite context");
  return ctx.images->ensure(ctx.image_for(server_packages(ctx.spec.family, servers)));
}

std::string cert_path(const KeySpec& k) { return std::string(kCertDir) + "/" + k.name() + ".crt"; }
std::string key_path(const KeySpec& k) { return std::string(kCertDir) + "/" + k.name() + ".key"; }

// ${if eq{$received_port}{2501}{A}{${if eq{$received_port}{2502}{B}{...}}}} — a colon list of
// files per port (dual sets: RSA first, EC second; exim picks per negotiated cipher).
std::string per_port_expansion(const std::vector<CertSetDef>& sets, bool keys) {
  std::string tail = "/nonexistent";  // any other port: the TLS setup fails loudly
  for (std::size_t i = sets.size(); i-- > 0;) {
    std::string files;
    for (const auto& k : sets[i].keys) {
      if (!files.empty()) files += ':';
      files += keys ? key_path(k) : cert_path(k);
    }
    tail = "${if eq{$received_port}{" + std::to_string(kEximPortBase + 1 + static_cast<int>(i)) + "}{" + files + "}{" + tail + "}}";
  }
  return tail;
}

// A shell loop that waits (max 10 s) until the container listens on `port` (from /proc/net/tcp*:
// minbase has no ss/netstat; a probe connection would show up in the servers' logs).
std::string wait_listening(int port) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "%04X", port);
  return "i=0; until grep -qE ':" + std::string(hex) + " [0-9A-F]+:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null; do "
         "i=$((i+1)); [ $i -gt 200 ] && { echo 'port " + std::to_string(port) + " never listened' >&2; exit 1; }; sleep 0.05; done\n";
}

std::string s_server_cmd(int port, const CertSetDef& set, const std::string& extra, const std::string& log) {
  std::string cmd = "setsid -f openssl s_server -quiet -accept " + std::to_string(port);
  for (std::size_t i = 0; i < set.keys.size() && i < 2; ++i)
    cmd += std::string(i == 0 ? " -cert " : " -dcert ") + cert_path(set.keys[i]) + (i == 0 ? " -key " : " -dkey ") +
           key_path(set.keys[i]);
  return cmd + extra + " </dev/null >" + log + " 2>&1\n";
}

}  // namespace

std::vector<std::string> server_packages(Family family, const std::vector<std::string>& servers) {
  std::vector<std::string> p{"openssl"};
  if (wants(servers, "exim")) {
    if (family != Family::debian)
      throw UsageError("suite starttls: exim servers are configured for Debian only so far (Fedora's exim reads "
                       "/etc/exim/exim.conf); run with servers=openssl on Fedora");
    p.push_back("exim4-daemon-light");
  }
  return p;
}

TlsServerBed::TlsServerBed(const SuiteContext& ctx, const std::vector<CertSetDef>& sets,
                           const std::vector<std::string>& servers, const std::vector<ReceiverDef>& receivers)
    // Keys are made while the image is checked and the container starts (RSA keygen is slow).
    : keys_ready_(std::async(std::launch::async,
                             [this, &sets] {
                               for (const auto& set : sets)
                                 for (const auto& k : set.keys) certs_.issue(k);
                             })),
      image_(ensure_image(ctx, servers)),
      testbed_(ctx.start(image_, "tls-servers", ports_for(sets, servers, receivers.size()))) {
  keys_ready_.get();
  // One exec sets everything up. The certificates and keys travel in its stdin (never in argv,
  // which `ps` and podman's events show); the script is not echoed anywhere. Each server starts in
  // a unit of its own, so one that fails (a candidate's broken configuration) takes down only its
  // own endpoints; the unit's log is the evidence.
  std::string script = "set -e\nmkdir -p " + std::string(kCertDir) + "\ncd " + std::string(kCertDir) + "\numask 022\n";
  for (const auto& entry : std::filesystem::directory_iterator(certs_.dir())) {
    auto name = entry.path().filename().string();
    if (name.find(".tmp.") != std::string::npos) continue;
    script += "cat > " + name + " <<'HARNESS_PEM_EOF'\n" + read_file(entry.path()) + "HARNESS_PEM_EOF\n";
  }
  script += "chmod 755 . && chmod 644 *.crt && chmod 640 *.key\nset +e\n";
  auto unit = [&script](const std::string& name, const std::string& body, const std::string& logs_on_failure) {
    std::string log = "/tmp/harness-start-" + name + ".log";
    script += "( set -e\n" + body + ") >" + log + " 2>&1\nrc=$?\necho \"=== unit " + name + " rc=$rc\"\n"
              "if [ $rc -ne 0 ]; then tail -c 3000 " + log + "; " + logs_on_failure + "echo '=== end'; fi\n";
  };
  if (wants(servers, "exim")) {
    std::string body = "chgrp Debian-exim " + std::string(kCertDir) + "/*.key\n";
    body += "sed -i \"s/^dc_local_interfaces=.*/dc_local_interfaces=''/\" /etc/exim4/update-exim4.conf.conf\n";
    body += "cat > /etc/exim4/exim4.conf.localmacros <<'HARNESS_EOF'\n"
            "MAIN_TLS_ENABLE = yes\n"
            "MAIN_TLS_CERTIFICATE = " + per_port_expansion(sets, false) + "\n"
            "MAIN_TLS_PRIVATEKEY = " + per_port_expansion(sets, true) + "\n"
            "# no reverse DNS for the podman gateway address: it only delays the banner\n"
            "MAIN_HOST_LOOKUP = !*\n"
            "MAIN_LOG_SELECTOR = +smtp_protocol_error +smtp_syntax_error +tls_peerdn +incoming_port +smtp_connection\n"
            "HARNESS_EOF\n";
    body += "update-exim4.conf\nmkdir -p /run/exim4 && chown Debian-exim /run/exim4\n";
    std::string ports;
    std::vector<int> exim_ports;
    for (std::size_t i = 0; i < sets.size(); ++i) {
      int port = kEximPortBase + 1 + static_cast<int>(i);
      if (!ports.empty()) ports += ':';
      ports += std::to_string(port);
      exim_ports.push_back(port);
      endpoints_.push_back({"exim", sets[i].name, port, true, "/var/log/exim4/mainlog"});
    }
    body += "exim4 -bd -oX " + ports + " -oP /run/exim4/exim.pid\n";
    for (int port : exim_ports) body += wait_listening(port);
    unit("exim", body, "tail -c 1500 /var/log/exim4/paniclog 2>/dev/null; tail -c 1500 /var/log/exim4/mainlog 2>/dev/null; ");
  }
  if (wants(servers, "openssl")) {
    for (std::size_t i = 0; i < sets.size(); ++i) {
      int port = kSServerPortBase + 1 + static_cast<int>(i);
      std::string log = "/var/log/harness-s_server-" + sets[i].name + ".log";
      endpoints_.push_back({"openssl", sets[i].name, port, false, log});
      unit("openssl-" + sets[i].name, s_server_cmd(port, sets[i], "", log) + wait_listening(port), "tail -c 1500 " + log + "; ");
    }
  }
  for (std::size_t i = 0; i < receivers.size(); ++i) {
    const auto& r = receivers[i];
    auto set = std::find_if(sets.begin(), sets.end(), [&](const CertSetDef& s) { return s.name == r.certset; });
    if (set == sets.end()) throw UsageError("receiver " + escape_for_message(r.name) + ": unknown certificate set '" + escape_for_message(r.certset) + "'");
    int port = kReceiverPortBase + 1 + static_cast<int>(i);
    std::string log = "/var/log/harness-receiver-" + r.name + ".log";
    // @SECLEVEL=0: a legacy receiver accepts what the candidate's default policy may no longer offer.
    std::string extra = " -min_protocol " + r.min_protocol + " -max_protocol " + r.max_protocol + " -cipher " +
                        shell_quote({r.cipher_string + ":@SECLEVEL=0"});
    receivers_.push_back({"receiver", r.name, port, false, log});
    unit("receiver-" + r.name, s_server_cmd(port, *set, extra, log) + wait_listening(port), "tail -c 1500 " + log + "; ");
  }
  auto r = testbed_.exec({"sh", "-s"}, script, 60s);
  OPENSSL_cleanse(script.data(), script.size());
  // The set-up before the units (certificates) is the harness's own: its failure is infrastructure.
  if (r.exit_code != 0 || r.out.find("=== unit ") == std::string::npos)
    throw InfraError("starttls: setting up the certificates failed in " + testbed_.name() + " (exit " +
                     std::to_string(r.exit_code) + "): " + r.err.substr(0, 2000) + r.out.substr(0, 1000));
  std::map<std::string, std::string> failed;  // unit -> its log
  std::string current;
  for (const auto& line : split_lines(r.out)) {
    if (line.rfind("=== unit ", 0) == 0) {
      auto rc = line.rfind(" rc=");
      current = line.substr(9, rc - 9);
      if (line.substr(rc + 4) == "0") current.clear();
      else failed[current] = "";
    } else if (line == "=== end") {
      current.clear();
    } else if (!current.empty()) {
      failed[current] += line + "\n";
    }
  }
  auto mark = [&failed](ServerEndpoint& e, const std::string& unit_name) {
    if (auto it = failed.find(unit_name); it != failed.end())
      e.start_error = it->second.empty() ? "exited non-zero without a message" : it->second;
  };
  for (auto& e : endpoints_) mark(e, e.server == "exim" ? "exim" : "openssl-" + e.certset);
  for (auto& e : receivers_) mark(e, "receiver-" + e.certset);
}

std::string TlsServerBed::version_of(const std::string& server) const {
  const char* pkg = server == "exim" ? "exim4-daemon-light" : "openssl";
  if (auto it = image_.installed.find(pkg); it != image_.installed.end()) return std::string(pkg) + " " + it->second;
  if (auto it = image_.requested.find(pkg); it != image_.requested.end()) return std::string(pkg) + " " + it->second;
  return std::string(pkg) + " (version unknown)";
}

std::map<std::string, std::string> TlsServerBed::read_logs() const {
  // One exec for all logs: each podman exec costs a few hundred ms on a busy host.
  std::vector<std::string> files;
  for (const auto& e : endpoints_)
    if (std::find(files.begin(), files.end(), e.log_file) == files.end()) files.push_back(e.log_file);
  std::string script;
  for (const auto& f : files) script += "echo '=== " + f + "'; cat " + f + " 2>/dev/null || true\n";
  auto r = testbed_.sh(script, "", 30s);
  std::map<std::string, std::string> logs;
  std::string current;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("=== ", 0) == 0 && std::find(files.begin(), files.end(), line.substr(4)) != files.end())
      current = line.substr(4);
    else if (!current.empty())
      logs[current] += line + "\n";
  }
  return logs;
}

}  // namespace harness
