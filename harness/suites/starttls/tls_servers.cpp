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
constexpr int kSmtpReceiverPortBase = 4600;  // in the testbed only: the exim sender's receivers
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

std::string s_server_args(int port, const CertSetDef& set, const std::string& extra) {
  std::string cmd = "openssl s_server -quiet -accept " + std::to_string(port);
  for (std::size_t i = 0; i < set.keys.size() && i < 2; ++i)
    cmd += std::string(i == 0 ? " -cert " : " -dcert ") + cert_path(set.keys[i]) + (i == 0 ? " -key " : " -dkey ") +
           key_path(set.keys[i]);
  return cmd + extra;
}

std::string s_server_cmd(int port, const CertSetDef& set, const std::string& extra, const std::string& log) {
  return "setsid -f " + s_server_args(port, set, extra) + " </dev/null >" + log + " 2>&1\n";
}

// s_server answering one SMTP delivery after the handshake: it writes its stdin to the client, and
// exim's smtp transport reads one reply per command (the rest waits in its buffer). The sleep keeps
// stdin open (s_server ends the connection at its end of input); the whole pipe runs detached.
std::string smtp_s_server_cmd(int port, const CertSetDef& set, const std::string& extra, const std::string& log) {
  std::string pipe = "( printf '220 legacy.harness.test ESMTP\\r\\n250 legacy.harness.test\\r\\n250 OK\\r\\n250 Accepted\\r\\n"
                     "354 Enter message\\r\\n250 OK queued\\r\\n221 Bye\\r\\n'; sleep 600 ) | " +
                     s_server_args(port, set, extra);
  return "setsid -f sh -c " + shell_quote({pipe}) + " </dev/null >" + log + " 2>&1\n";
}

// The sender's configuration: one manualroute router to 127.0.0.1, the port chosen by the
// recipient's domain (one per receiver).
std::pair<EximSender, std::string> exim_sender_setup(Family family, const std::vector<ReceiverDef>& receivers) {
  EximSender s;
  bool debian = family == Family::debian;
  s.binary = debian ? "exim4" : "exim";
  std::string user = debian ? "Debian-exim" : "exim";
  std::string etc = debian ? "/etc/exim4" : "/etc/exim";
  std::string logdir = debian ? "/var/log/exim4" : "/var/log/exim";
  s.config = etc + "/harness-sender.conf";
  s.mainlog = logdir + "/harness-sender-mainlog";
  std::string port = "0";  // any other domain: refused
  for (std::size_t i = receivers.size(); i-- > 0;)
    port = "${if eq{$domain}{" + receivers[i].name + ".harness.test}{" + std::to_string(kSmtpReceiverPortBase + 1 + static_cast<int>(i)) +
           "}{" + port + "}}";
  std::string script = "cat > " + s.config + " <<'HARNESS_EOF'\n"
      "primary_hostname = sender.harness.test\n"
      "spool_directory = /var/spool/harness-sender\n"
      "log_file_path = " + logdir + "/harness-sender-%slog\n"
      "log_selector = +tls_cipher +tls_peerdn +outgoing_port\n"
      "exim_user = " + user + "\nexim_group = " + user + "\n"
      "keep_environment =\n"
      "begin routers\n"
      "legacy:\n  driver = manualroute\n  route_list = * 127.0.0.1 byname\n  self = send\n  transport = to_legacy\n"
      "begin transports\n"
      "to_legacy:\n  driver = smtp\n  port = " + port + "\n  protocol = smtps\n  hosts_require_tls = *\n"
      "  tls_verify_certificates =\n  connection_max_messages = 1\n"
      "begin retry\n* * F,1m,1m\n"
      "HARNESS_EOF\n";
  // Debian's and Fedora's builds name the file of configurations exim may run with root kept.
  script += "echo " + s.config + " >> " + etc + (debian ? "/trusted_configs" : "/trusted-configs") + "\n";
  script += "mkdir -p /var/spool/harness-sender " + logdir + " && chown " + user + ":" + user + " /var/spool/harness-sender " + logdir + "\n";
  script += s.binary + " -C " + s.config + " -bV >/dev/null\n";  // a configuration exim refuses fails here, with its words
  return {s, script};
}

}  // namespace

std::vector<std::string> server_packages(Family family, const std::vector<std::string>& servers) {
  std::vector<std::string> p{"openssl"};
  if (wants(servers, "exim")) p.push_back(exim_server_package(family));
  return p;
}

std::string exim_server_package(Family family) { return family == Family::debian ? "exim4-daemon-light" : "exim"; }

std::string server_tls_library(Family family, const std::string& server) {
  return server == "exim" && family == Family::debian ? "gnutls" : "openssl";
}

EximServerSetup exim_server_setup(Family family, const std::vector<CertSetDef>& sets) {
  EximServerSetup e;
  std::string ports;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    int port = kEximPortBase + 1 + static_cast<int>(i);
    if (!ports.empty()) ports += ':';
    ports += std::to_string(port);
    e.ports.push_back(port);
  }
  const std::string log_selector =
      "+smtp_protocol_error +smtp_syntax_error +tls_peerdn +incoming_port +smtp_connection";
  std::string& body = e.script;
  if (family == Family::debian) {
    // Debian's exim4-config: macros in exim4.conf.localmacros, the config generated by update-exim4.conf.
    e.mainlog = "/var/log/exim4/mainlog";
    body = "chgrp Debian-exim " + std::string(kCertDir) + "/*.key\n";
    body += "sed -i \"s/^dc_local_interfaces=.*/dc_local_interfaces=''/\" /etc/exim4/update-exim4.conf.conf\n";
    body += "cat > /etc/exim4/exim4.conf.localmacros <<'HARNESS_EOF'\n"
            "MAIN_TLS_ENABLE = yes\n"
            "MAIN_TLS_CERTIFICATE = " + per_port_expansion(sets, false) + "\n"
            "MAIN_TLS_PRIVATEKEY = " + per_port_expansion(sets, true) + "\n"
            "# no reverse DNS for the podman gateway address: it only delays the banner\n"
            "MAIN_HOST_LOOKUP = !*\n"
            "MAIN_LOG_SELECTOR = " + log_selector + "\n"
            "HARNESS_EOF\n";
    body += "update-exim4.conf\nmkdir -p /run/exim4 && chown Debian-exim /run/exim4\n";
    body += "exim4 -bd -oX " + ports + " -oP /run/exim4/exim.pid\n";
    e.logs_on_failure = "tail -c 1500 /var/log/exim4/paniclog 2>/dev/null; tail -c 1500 /var/log/exim4/mainlog 2>/dev/null; ";
  } else {
    // Fedora's exim reads /etc/exim/exim.conf itself (no generator): the harness's main-section
    // settings go on top of the packaged file, whose own lines for the same options are removed
    // (a TLS certificate path that does not exist, port 465's TLS-on-connect, reverse DNS), with their
    // backslash-continued lines: exim's configure.default continues log_selector onto
    // "+tls_certificate_verified", which left alone is a line exim refuses.
    e.mainlog = "/var/log/exim/main.log";
    body = "chgrp exim " + std::string(kCertDir) + "/*.key\n";
    body += "C=/etc/exim/exim.conf\n"
            "sed -i -E '/^[[:space:]]*(tls_advertise_hosts|tls_certificate|tls_privatekey|tls_on_connect_ports|"
            "daemon_smtp_ports|local_interfaces|host_lookup|log_selector|log_file_path)[[:space:]]*=/{:a;/\\\\$/{N;ba};d}' $C\n";
    body += "{ cat <<'HARNESS_EOF'\n"
            "# harness starttls: one port per certificate set\n"
            "tls_advertise_hosts = *\n"
            "tls_certificate = " + per_port_expansion(sets, false) + "\n"
            "tls_privatekey = " + per_port_expansion(sets, true) + "\n"
            "host_lookup = !*\n"
            "log_selector = " + log_selector + "\n"
            "log_file_path = /var/log/exim/%s.log\n"
            "HARNESS_EOF\n"
            "cat $C; } > $C.harness && mv $C.harness $C\n";
    body += "mkdir -p /var/log/exim && chown exim:exim /var/log/exim\n";
    body += "/usr/sbin/exim -bV >/dev/null\n";  // a configuration exim refuses fails here, with its words
    body += "/usr/sbin/exim -bd -oX " + ports + " -oP /run/exim.pid\n";
    e.logs_on_failure = "tail -c 1500 /var/log/exim/panic.log 2>/dev/null; tail -c 1500 /var/log/exim/main.log 2>/dev/null; ";
  }
  for (int port : e.ports) body += wait_listening(port);
  return e;
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
      image_family_(ctx.spec.family),
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
    auto exim = exim_server_setup(ctx.spec.family, sets);
    for (std::size_t i = 0; i < sets.size(); ++i)
      endpoints_.push_back({"exim", sets[i].name, exim.ports[i], true, exim.mainlog});
    unit("exim", exim.script, exim.logs_on_failure);
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
  if (wants(servers, "exim") && !receivers.empty()) {
    for (std::size_t i = 0; i < receivers.size(); ++i) {
      const auto& r = receivers[i];
      auto set = std::find_if(sets.begin(), sets.end(), [&](const CertSetDef& s) { return s.name == r.certset; });
      int port = kSmtpReceiverPortBase + 1 + static_cast<int>(i);
      std::string log = "/var/log/harness-smtp-receiver-" + r.name + ".log";
      std::string extra = " -naccept 1 -min_protocol " + r.min_protocol + " -max_protocol " + r.max_protocol + " -cipher " +
                          shell_quote({r.cipher_string + ":@SECLEVEL=0"});
      smtp_receivers_.push_back({"smtp-receiver", r.name, port, false, log});
      unit("smtp-receiver-" + r.name, smtp_s_server_cmd(port, *set, extra, log) + wait_listening(port),
           "tail -c 1500 " + log + "; ");
    }
    auto [sender, sender_script] = exim_sender_setup(ctx.spec.family, receivers);
    exim_sender_ = sender;
    unit("exim-sender", sender_script, "");
  }
  auto r = testbed_->exec({"sh", "-s"}, script, 60s);
  OPENSSL_cleanse(script.data(), script.size());
  // The set-up before the units (certificates) is the harness's own: its failure is infrastructure.
  if (r.exit_code != 0 || r.out.find("=== unit ") == std::string::npos)
    throw InfraError("starttls: setting up the certificates failed in " + testbed_->name() + " (exit " +
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
  for (auto& e : smtp_receivers_) mark(e, "smtp-receiver-" + e.certset);
  if (exim_sender_)
    if (auto it = failed.find("exim-sender"); it != failed.end())
      exim_sender_->start_error = it->second.empty() ? "exited non-zero without a message" : it->second;
}

std::string TlsServerBed::version_of(const std::string& server) const {
  std::string pkg = server == "exim" ? exim_server_package(image_family_) : "openssl";
  if (auto it = image_.installed.find(pkg); it != image_.installed.end()) return pkg + " " + it->second;
  if (auto it = image_.requested.find(pkg); it != image_.requested.end()) return pkg + " " + it->second;
  return pkg + " (version unknown)";
}

std::map<std::string, std::string> TlsServerBed::read_logs() const {
  // One exec for all logs: each podman exec costs a few hundred ms on a busy host.
  std::vector<std::string> files;
  for (const auto& e : endpoints_)
    if (std::find(files.begin(), files.end(), e.log_file) == files.end()) files.push_back(e.log_file);
  std::string script;
  for (const auto& f : files) script += "echo '=== " + f + "'; cat " + f + " 2>/dev/null || true\n";
  auto r = testbed_->sh(script, "", 30s);
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
