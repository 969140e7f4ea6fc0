// Suite `starttls`: the stream's exim and openssl s_server, each with every certificate set,
// against every client profile (one CaseResult per server x cert set x client), plus the
// stream's own TLS client against legacy receivers.
#include "harness/suites/starttls/starttls_suite.hpp"

#include "harness/common/strings.hpp"

#include <algorithm>
#include <future>
#include <optional>
#include <sstream>
#include <thread>

#include "harness/common/error.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/log.hpp"
#include "harness/common/process.hpp"
#include "harness/suites/starttls/s_client.hpp"
#include "harness/suites/starttls/starttls_scenarios.hpp"
#include "harness/suites/starttls/tls_servers.hpp"
#include "harness/tls/hello_replay.hpp"

namespace harness {
namespace {
using namespace std::chrono_literals;

std::string host_label(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  return out.substr(0, 50);
}

std::string fmt_seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", std::chrono::duration<double>(d).count());
  return buf;
}

struct Probe {
  const ServerEndpoint* endpoint;
  const StarttlsClient* client;
  std::string ehlo;
  ProbeResult result;
  std::string server_log;
  std::optional<HelloReplay> replay;  // the profile's recorded hello sent as it was
};

// exim's line for one connection, found by the unique EHLO name: the TLS error if there is one.
std::string exim_line_for(const std::vector<std::string>& mainlog, const std::string& ehlo) {
  std::string needle = "(" + ehlo + ")", last;
  for (const auto& l : mainlog) {
    if (l.find(needle) == std::string::npos) continue;
    if (l.find("TLS error") != std::string::npos) return l;
    last = l;
  }
  return last;
}

void fill_properties(CaseResult& c, const ProbeResult& r) {
  auto set = [&](const char* k, const std::string& v) {
    if (!v.empty()) c.properties[k] = v;
  };
  set("handshake", r.handshake_ok ? "ok" : "failed");
  set("stage", r.stage);
  set("protocol", r.protocol);
  set("cipher", r.cipher);
  set("cipher_iana", r.cipher_iana);
  set("kx", r.kx);
  set("auth", r.auth);
  set("cert_key_type", r.cert_key_type);
  if (r.cert_bits) set("cert_bits", std::to_string(r.cert_bits));
  set("cert_curve", r.cert_curve);
  set("group", r.group);
  set("alpn", r.alpn);
  set("peer_signature_type", r.peer_signature_type);
  set("peer_signature_digest", r.peer_signature_digest);
  std::string alerts;
  for (const auto& a : r.alerts) alerts += (alerts.empty() ? "" : "; ") + a.text();
  set("alerts", alerts);
  set("failure", r.failure);
  set("error", r.error);
  set("error_lib", r.error_lib);
  set("error_reason", r.error_reason);
  set("starttls_offered", r.starttls_offered ? "yes" : "");
}

class StarttlsSuite : public Suite {
 public:
  std::string name() const override { return "starttls"; }

  void load(const std::filesystem::path& scenarios_dir, const std::map<std::string, std::string>& options) override {
    auto dir = scenarios_dir.filename() == "starttls" ? scenarios_dir : scenarios_dir / "starttls";
    auto clients = options.find("clients");
    scenarios_ = load_starttls_scenarios(dir, clients == options.end() ? "bundled" : clients->second);
    servers_ = kStarttlsServers;
    if (auto it = options.find("servers"); it != options.end()) {
      servers_ = split_nonempty(it->second);
      for (const auto& s : servers_)
        if (std::find(kStarttlsServers.begin(), kStarttlsServers.end(), s) == kStarttlsServers.end())
          throw UsageError("suite starttls: option servers=" + escape_for_message(it->second) + ": unknown server '" + escape_for_message(s) + "' (exim, openssl)");
    }
    clients_.clear();
    for (const auto& p : scenarios_.clients) clients_.emplace_back(p);
  }

  void check_family(Family family) const override {
    // Every server needs its package and configuration for the family (tls_servers.cpp).
    server_packages(family, servers_);
  }

  std::size_t case_count() const override {
    return servers_.size() * scenarios_.certsets.size() * clients_.size() + scenarios_.receivers.size() * (exim_sends() ? 2 : 1);
  }

  std::vector<CaseResult> planned_cases() const override {
    std::vector<CaseResult> out;
    for (const auto& server : servers_)
      for (const auto& set : scenarios_.certsets)
        for (const auto& client : clients_) {
          const auto* expect = scenarios_.expectation(server, set.name, client.profile().name, "");
          CaseResult c;
          c.suite = name();
          c.id = server + "/" + set.name + "/" + client.profile().name;
          c.group = server;
          c.summary = expect->summary;
          c.refs = expect->refs;
          c.properties["direction"] = "inbound";
          c.properties["server"] = server;
          c.properties["certset"] = set.name;
          c.properties["client"] = client.profile().name;
          out.push_back(std::move(c));
        }
    for (const auto& rc : scenarios_.receivers) out.push_back(outbound_skeleton(rc));
    if (exim_sends())
      for (const auto& rc : scenarios_.receivers) out.push_back(exim_sender_skeleton(rc));
    return out;
  }

  std::vector<CaseResult> run(SuiteContext& ctx) override {
    std::vector<ReceiverDef> receivers;
    for (const auto& r : scenarios_.receivers) receivers.push_back(r.receiver);
    auto t0 = std::chrono::steady_clock::now();
    auto secs = [](auto from) { return fmt_seconds(std::chrono::steady_clock::now() - from); };
    // The servers share one image. When its packages do not install, each server's own packages
    // are tried alone: a broken exim must not take the openssl cases down with it (and back).
    std::map<std::string, PackageError> broken;
    std::vector<std::string> servers = servers_;
    std::optional<TlsServerBed> bed_slot;
    try {
      bed_slot.emplace(ctx, scenarios_.certsets, servers, receivers);
    } catch (const PackageError& e) {
      if (servers.size() < 2) throw;
      std::vector<std::string> installable;
      for (const auto& s : servers) {
        try {
          ctx.images->ensure(ctx.image_for(server_packages(ctx.spec.family, {s})));
          installable.push_back(s);
        } catch (const PackageError& pe) {
          broken.emplace(s, pe);
        }
      }
      if (installable.empty() || broken.empty()) throw;
      servers = installable;
      bed_slot.emplace(ctx, scenarios_.certsets, servers, receivers);
    }
    const TlsServerBed& bed = *bed_slot;
    log::verbose("starttls " + ctx.stream + ": servers up in " + bed.testbed().name() + " after " + secs(t0));
    auto t1 = std::chrono::steady_clock::now();

    // Every endpoint gets its own thread; within one endpoint the clients go one after the other
    // (s_server serves one connection at a time, and the order finds its log lines).
    std::vector<Probe> probes;
    for (const auto& e : bed.endpoints())
      for (const auto& c : clients_)
        probes.push_back({&e, &c, host_label(c.profile().name) + "." + e.server + "-" + e.certset + ".harness.test", {}, {}});
    // The outbound cases use their own receivers: they run beside the inbound matrix.
    auto outbound = std::async(std::launch::async, [this, &bed] { return outbound_cases(bed); });
    std::vector<std::future<void>> workers;
    for (const auto& e : bed.endpoints()) {
      if (!e.start_error.empty()) continue;
      int port = bed.host_port(e);
      workers.push_back(std::async(std::launch::async, [&probes, &e, port, &ctx] {
        for (auto& p : probes) {
          if (p.endpoint != &e) continue;
          throw_if_interrupted();  // ^C: unwind (and remove the testbed) between handshakes
          ProbeTarget t;
          t.port = port;
          t.starttls = e.starttls;
          t.ehlo_name = p.ehlo;
          p.result = p.client->probe(t);
          if (ctx.case_done) ctx.case_done();
        }
      }));
    }
    for (auto& w : workers) w.get();
    log::verbose("starttls " + ctx.stream + ": " + std::to_string(probes.size()) + " handshakes in " + secs(t1));
    auto t2 = std::chrono::steady_clock::now();
    attach_server_logs(bed, probes);
    log::verbose("starttls " + ctx.stream + ": server logs read in " + secs(t2));
    // After the logs are read: a replay ends its connection after the server's first answer, which
    // s_server logs as one more error line, and its errors are matched to handshakes by count.
    auto t3 = std::chrono::steady_clock::now();
    replay_recorded_hellos(bed, probes);
    log::verbose("starttls " + ctx.stream + ": recorded hellos replayed in " + secs(t3));

    std::vector<CaseResult> out;
    for (const auto& p : probes) out.push_back(p.endpoint->start_error.empty() ? inbound_case(bed, p) : not_started(bed, p));
    for (const auto& [server, e] : broken)
      for (auto c : planned_cases()) {
        bool theirs = c.properties["direction"] == "inbound" ? c.properties["server"] == server
                                                             : server == "exim" && c.id.rfind("sender/exim/", 0) == 0;
        if (!theirs) continue;
        c.outcome = Outcome::fail;
        c.message = std::string("the ") + server + " server's packages do not install on this stream: " + e.what();
        c.transcript = e.log;
        c.properties["package_error"] = "does not install";
        out.push_back(std::move(c));
      }
    auto outbound_results = outbound.get();
    out.insert(out.end(), outbound_results.begin(), outbound_results.end());
    return out;
  }

 private:
  // The stream's exim is a sender too wherever it is a server (its package is in the image).
  bool exim_sends() const { return std::find(servers_.begin(), servers_.end(), "exim") != servers_.end(); }

  CaseResult exim_sender_skeleton(const ReceiverCase& rc) const {
    CaseResult c = outbound_skeleton(rc);
    c.id = "sender/exim/" + rc.receiver.name;
    return c;
  }

  // What exim's log says of one delivery: "=> rcpt@... X=TLS1.2:<suite>:<bits> ..." when it went
  // over TLS, "== rcpt@... defer (-37) H=...: TLS session: (gnutls_handshake): ..." when not.
  static ProbeResult exim_delivery_result(const std::vector<std::string>& lines, bool& tls_matter) {
    ProbeResult r;
    tls_matter = false;
    for (const auto& l : lines) {
      if (l.find(" => ") != std::string::npos) {
        auto x = l.find(" X=");
        if (x == std::string::npos) {
          r.failure = "delivered without TLS";
          tls_matter = true;
          return r;
        }
        auto fields = split_nonempty(l.substr(x + 3, l.find(' ', x + 3) - x - 3), ':');
        if (fields.size() < 2) continue;
        r.handshake_ok = true;
        r.stage = "done";
        std::string v = fields[0];  // TLS1.2 -> TLSv1.2, TLS1.0 -> TLSv1
        r.protocol = v == "TLS1.0" ? "TLSv1" : v.rfind("TLS", 0) == 0 ? "TLSv" + v.substr(3) : v;
        r.cipher = fields[1];
        bool tls13 = r.protocol == "TLSv1.3";
        // GnuTLS names (ECDHE_SECP256R1__RSA_SHA256__AES_256_CBC__SHA1, RSA__AES_256_GCM) and
        // OpenSSL names (ECDHE-RSA-AES256-SHA, AES256-GCM-SHA384) both say their key exchange first.
        r.kx = tls13 ? "any" : r.cipher.rfind("ECDHE", 0) == 0 ? "ECDHE" : r.cipher.rfind("DHE", 0) == 0 ? "DHE" : "RSA";
        r.auth = tls13 ? "any" : r.cipher.find("ECDSA") != std::string::npos ? "ECDSA" : "RSA";
        tls_matter = true;
        return r;
      }
      auto d = l.find(" == ");
      if (d == std::string::npos) d = l.find(" ** ");
      if (d == std::string::npos) continue;
      // The reason follows the host: "... H=127.0.0.1 [127.0.0.1]:4601: TLS session: ..."
      auto h = l.find("]:", d);
      auto why = h == std::string::npos ? std::string::npos : l.find(": ", h + 2);
      r.failure = why == std::string::npos ? l.substr(d + 4) : l.substr(why + 2);
      r.stage = "handshake";
      tls_matter = l.find("TLS") != std::string::npos;
      if (!tls_matter) r.stage = "connect";
    }
    return r;
  }

  // The stream's own exim delivering one message to each legacy receiver (tls_servers.hpp, EximSender).
  std::vector<CaseResult> exim_sender_cases(const TlsServerBed& bed) const {
    const auto& sender = *bed.exim_sender();
    std::string script;
    for (const auto& r : bed.smtp_receivers())
      if (r.start_error.empty() && sender.start_error.empty())
        script += "printf 'Subject: harness starttls outbound\\n\\nFrom the stream'\\''s own exim.\\n' | timeout 30 " + sender.binary +
                  " -C " + sender.config + " -odf -f sender@harness.test " + EximSender::recipient(r.certset) +
                  "; echo \"=== " + r.certset + " rc=$?\"\n";
    script += "echo '=== log'; cat " + sender.mainlog + " 2>/dev/null\n";
    auto res = bed.testbed().sh(script, "", 180s);
    std::vector<std::string> log;
    bool in_log = false;
    for (const auto& l : split_lines(res.out)) {
      if (l == "=== log") in_log = true;
      else if (in_log) log.push_back(l);
    }
    std::vector<CaseResult> out;
    for (std::size_t i = 0; i < scenarios_.receivers.size(); ++i) {
      const auto& rc = scenarios_.receivers[i];
      const auto& receiver = bed.smtp_receivers()[i];
      CaseResult c = exim_sender_skeleton(rc);
      c.properties["client"] = bed.version_of("exim") + ", its smtp transport (TLS on connect, TLS required)";
      c.properties["receiver"] = rc.receiver.name + ": " + rc.receiver.min_protocol + ".." + rc.receiver.max_protocol + " " +
                                 rc.receiver.cipher_string;
      c.properties["expected"] = rc.expect.text();
      std::string rcpt = EximSender::recipient(rc.receiver.name);
      std::vector<std::string> lines;
      for (const auto& l : log)
        if (l.find(" " + rcpt) != std::string::npos || l.find("<" + rcpt + ">") != std::string::npos) lines.push_back(l);
      c.transcript = "exim -C " + sender.config + " -odf -f sender@harness.test " + rcpt + " in " + bed.testbed().name() + "\n";
      for (const auto& l : lines) c.transcript += l + "\n";
      if (!sender.start_error.empty()) {
        c.outcome = Outcome::fail;
        c.message = "this stream's exim refused the sender configuration: " + split_lines(sender.start_error).front();
        c.transcript += sender.start_error;
      } else if (!receiver.start_error.empty()) {
        c.outcome = Outcome::fail;
        c.message = "the legacy receiver (this stream's openssl s_server) did not start: " + split_lines(receiver.start_error).front();
        c.transcript += receiver.start_error;
      } else {
        bool tls_matter = false;
        auto pr = exim_delivery_result(lines, tls_matter);
        fill_properties(c, pr);
        for (const auto& l : lines)
          if (l.find(" => ") != std::string::npos || l.find(" == ") != std::string::npos || l.find(" ** ") != std::string::npos)
            c.properties["delivery_log"] = l;
        if (lines.empty()) {
          c.outcome = Outcome::error;
          c.message = "exim logged nothing for the delivery to " + rcpt + " (" + (res.timed_out ? "timed out" : "exit " + std::to_string(res.exit_code)) + ")";
        } else if (!tls_matter) {
          c.outcome = Outcome::error;  // the receiver did not answer: the harness's machinery, not TLS
          c.message = "exim could not reach the receiver: " + pr.failure;
        } else {
          auto [ok, why] = meets(rc.expect, pr);
          c.outcome = ok ? Outcome::pass : Outcome::fail;
          c.message = why;
        }
      }
      out.push_back(std::move(c));
    }
    return out;
  }

  // Each profile with a recorded hello (captured or imported) also sends those bytes, as they
  // were, to every endpoint its emulation reached TLS on: one thread per endpoint, as the probes.
  static void replay_recorded_hellos(const TlsServerBed& bed, std::vector<Probe>& probes) {
    std::vector<std::future<void>> workers;
    for (const auto& e : bed.endpoints()) {
      if (!e.start_error.empty()) continue;
      int port = bed.host_port(e);
      workers.push_back(std::async(std::launch::async, [&probes, &e, port] {
        for (auto& p : probes) {
          const auto& recorded = p.client->profile().recorded_hello;
          if (p.endpoint != &e || !recorded || (p.result.stage != "handshake" && p.result.stage != "done")) continue;
          throw_if_interrupted();
          ProbeTarget t;
          t.port = port;
          t.starttls = e.starttls;
          t.ehlo_name = "replay-" + p.ehlo;
          p.replay = replay_hello(t, recorded->hex);
        }
      }));
    }
    for (auto& w : workers) w.get();
  }

  // The servers write their line after the alert went out: a log read at once can miss the last
  // ones, so it is read again (for at most 3 s) until every failed handshake has its line.
  void attach_server_logs(const TlsServerBed& bed, std::vector<Probe>& probes) const {
    auto deadline = std::chrono::steady_clock::now() + 3s;
    auto failed_on = [&](const ServerEndpoint& e) {
      std::vector<Probe*> failed;
      for (auto& p : probes)
        if (p.endpoint == &e && !p.result.handshake_ok && p.result.stage == "handshake") failed.push_back(&p);
      return failed;
    };
    auto s_server_errors = [](const std::string& log) {
      std::vector<std::string> errors;
      for (const auto& l : split_lines(log))
        if (l.find(":error:") != std::string::npos) errors.push_back(l);
      return errors;
    };
    std::map<std::string, std::string> logs;
    for (;;) {
      logs = bed.read_logs();
      bool complete = true;
      for (const auto& e : bed.endpoints()) {
        auto failed = failed_on(e);
        if (e.server == "exim") {
          const auto mainlog = split_lines(logs[e.log_file]);
          for (auto* p : failed)
            if (exim_line_for(mainlog, p->ehlo).find("TLS error") == std::string::npos) complete = false;
        } else if (s_server_errors(logs[e.log_file]).size() < failed.size()) {
          complete = false;
        }
      }
      if (complete || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(100ms);
    }
    for (const auto& e : bed.endpoints()) {
      if (e.server == "exim") {
        const auto mainlog = split_lines(logs[e.log_file]);
        for (auto& p : probes)
          if (p.endpoint == &e) p.server_log = exim_line_for(mainlog, p.ehlo);
        continue;
      }
      // s_server -quiet prints one error line per failed connection and nothing for a good one;
      // its connections were sequential, so the n-th error belongs to the n-th failed handshake.
      auto failed = failed_on(e);
      auto errors = s_server_errors(logs[e.log_file]);
      if (errors.size() == failed.size()) {
        for (std::size_t i = 0; i < failed.size(); ++i) failed[i]->server_log = errors[i];
      } else if (!errors.empty()) {
        for (auto* p : failed)
          p->server_log = "(" + std::to_string(errors.size()) + " s_server errors for " + std::to_string(failed.size()) +
                          " failed handshakes; not attributable) " + errors.front();
      }
    }
  }

  CaseResult inbound_case(const TlsServerBed& bed, const Probe& p) const {
    const auto& e = *p.endpoint;
    const auto& client = p.client->profile();
    const auto* expect = scenarios_.expectation(e.server, e.certset, client.name, server_tls_library(bed.family(), e.server));
    CaseResult c;
    c.suite = name();
    c.id = e.server + "/" + e.certset + "/" + client.name;
    c.group = e.server;
    c.summary = expect->summary;
    c.refs = expect->refs;
    c.seconds = p.result.ms / 1000.0;
    c.properties["direction"] = "inbound";
    c.properties["server"] = e.server;
    c.properties["certset"] = e.certset;
    c.properties["client"] = client.name;
    c.properties["server_version"] = bed.version_of(e.server);
    c.properties["expected"] = expect->text();
    c.properties["expectation_source"] = expect->where;
    fill_properties(c, p.result);
    if (!p.server_log.empty()) c.properties["server_log"] = p.server_log;
    const auto& missing = p.client->emulation().not_emulated;
    std::string not_emulated;
    for (const auto& n : missing) not_emulated += (not_emulated.empty() ? "" : ":") + n;
    if (!missing.empty()) c.properties["not_emulated"] = not_emulated;
    if (!client.alpn.empty()) {
      std::string offered;
      for (const auto& a : client.alpn) offered += (offered.empty() ? "" : ",") + a;
      c.properties["alpn_offered"] = offered;
    }

    bool reached_tls = p.result.stage == "handshake" || p.result.stage == "done" ||
                       (p.result.stage == "ehlo" && !p.result.starttls_offered && p.result.failure.find("STARTTLS") != std::string::npos);
    if (!reached_tls) {
      c.outcome = Outcome::error;
      c.message = "server unreachable before TLS (" + p.result.stage + "): " + p.result.failure;
    } else {
      auto [ok, why] = meets(*expect, p.result);
      c.outcome = ok ? Outcome::pass : Outcome::fail;
      c.message = why;
      // What the failed handshake means for mail: STARTTLS is opportunistic between MTAs (RFC 3207
      // section 4.1 allows going on in the clear; postfix's "may" level and exim's default
      // tls_tempfail_tryclear do), so this sender's mail to this server goes unencrypted.
      if (e.starttls && !p.result.handshake_ok) {
        c.properties["falls_back_to"] = "plaintext";
        c.message += "; " + client.name + " would deliver in plaintext (opportunistic STARTTLS retries without TLS)";
      }
    }
    if (!missing.empty()) c.message += " [not emulated: " + not_emulated + "]";
    if (p.replay && reached_tls) judge_replay(c, p.result, *p.replay);

    std::ostringstream t;
    t << "client " << client.name << " (" << client.where << ") -> " << e.server << " cert set " << e.certset
      << (e.starttls ? " via STARTTLS" : " direct TLS") << " in " << bed.testbed().name() << "\n";
    t << p.result.transcript;
    if (!client.alpn.empty())
      t << "ALPN offered: " << c.properties["alpn_offered"] << "; selected: " << (p.result.alpn.empty() ? "none" : p.result.alpn) << "\n";
    for (const auto& a : p.result.alerts) t << "alert: " << a.text() << "\n";
    if (!p.result.error.empty()) t << "OpenSSL: " << p.result.error << "\n";
    if (!p.server_log.empty()) t << "server log: " << p.server_log << "\n";
    if (p.replay)
      t << "replay of the recorded hello (" << client.recorded_hello->source << "):\n" << p.replay->transcript
        << (p.replay->failure.empty() ? "" : "replay: " + p.replay->failure + "\n");
    c.transcript = t.str();
    return c;
  }

  // The replay beside the emulation. Where they tell different stories the emulated result is not
  // evidence: the case is ERROR (the harness could not stand in for this client), never PASS or FAIL.
  static void judge_replay(CaseResult& c, const ProbeResult& emulated, const HelloReplay& replay) {
    if (!replay.reached_tls || !replay.failure.empty()) {
      c.properties["replay"] = "not completed: " + replay.failure;
      c.message += " [replay of the recorded hello not completed: " + replay.failure + "]";
      return;
    }
    c.properties["replay"] = replay.answer.text();
    auto [agree, why] = replay_agrees(emulated, replay.answer);
    c.properties["replay_agrees"] = agree ? "yes" : "no";
    if (agree) return;
    c.message = "emulation not trusted here: " + why + " (the emulated handshake alone said " + to_string(c.outcome) + ": " + c.message + ")";
    c.outcome = Outcome::error;
  }

  // A server that did not start with the suite's inputs: the stream's package broke it (the other
  // stream's server started from the same inputs, or the case is ALWAYS-FAIL).
  CaseResult not_started(const TlsServerBed& bed, const Probe& p) const {
    const auto& e = *p.endpoint;
    const auto* expect = scenarios_.expectation(e.server, e.certset, p.client->profile().name, server_tls_library(bed.family(), e.server));
    CaseResult c;
    c.suite = name();
    c.id = e.server + "/" + e.certset + "/" + p.client->profile().name;
    c.group = e.server;
    c.summary = expect->summary;
    c.refs = expect->refs;
    c.properties["direction"] = "inbound";
    c.properties["server"] = e.server;
    c.properties["certset"] = e.certset;
    c.properties["client"] = p.client->profile().name;
    c.properties["server_version"] = bed.version_of(e.server);
    c.properties["expected"] = expect->text();
    c.outcome = Outcome::fail;
    auto lines = split_lines(e.start_error);
    std::string last;
    for (const auto& l : lines)
      if (!l.empty()) last = l;
    c.message = e.server + " did not start with certificate set " + e.certset + " (" + bed.version_of(e.server) + "): " + last;
    c.transcript = e.server + " start log in " + bed.testbed().name() + ":\n" + e.start_error;
    return c;
  }

  CaseResult outbound_skeleton(const ReceiverCase& rc) const {
    CaseResult c;
    c.suite = name();
    c.id = "sender/openssl-s_client/" + rc.receiver.name;
    c.group = "sender";
    c.summary = rc.expect.summary;
    c.refs = rc.expect.refs;
    c.properties["direction"] = "outbound";
    c.properties["server"] = "legacy-receiver";
    c.properties["certset"] = rc.receiver.certset;
    return c;
  }

  // The stream's own client (`openssl s_client`, default settings) against each legacy receiver.
  std::vector<CaseResult> outbound_cases(const TlsServerBed& bed) const {
    if (bed.receivers().empty()) return {};
    std::string script;
    for (const auto& r : bed.receivers())
      script += "echo '=== " + r.certset + "'; timeout 10 openssl s_client -brief -connect 127.0.0.1:" + std::to_string(r.port) +
                " </dev/null 2>&1; echo \"=== rc=$?\"\n";
    auto res = bed.testbed().sh(script, "", 60s);
    std::map<std::string, std::string> outputs;
    std::string current;
    for (const auto& l : split_lines(res.out)) {
      if (l.rfind("=== rc=", 0) == 0) continue;
      if (l.rfind("=== ", 0) == 0) {
        current = l.substr(4);
        continue;
      }
      outputs[current] += l + "\n";
    }
    std::vector<CaseResult> out;
    for (std::size_t i = 0; i < scenarios_.receivers.size(); ++i) {
      const auto& rc = scenarios_.receivers[i];
      auto parsed = parse_s_client_brief(outputs[rc.receiver.name]);
      CaseResult c = outbound_skeleton(rc);
      c.properties["client"] = "openssl s_client (" + bed.version_of("openssl") + ", default settings)";
      c.properties["receiver"] = rc.receiver.name + ": " + rc.receiver.min_protocol + ".." + rc.receiver.max_protocol + " " +
                                 rc.receiver.cipher_string;
      c.properties["expected"] = rc.expect.text();
      fill_properties(c, parsed);
      if (const auto& why = bed.receivers()[i].start_error; !why.empty()) {
        c.outcome = Outcome::fail;
        c.message = "the legacy receiver (this stream's openssl s_server) did not start: " + split_lines(why).front();
        c.transcript = why;
        out.push_back(std::move(c));
        continue;
      } else if (res.exit_code != 0 && outputs.empty()) {
        c.outcome = Outcome::error;
        c.message = "s_client did not run: " + res.err.substr(0, 500);
      } else {
        auto [ok, why] = meets(rc.expect, parsed);
        c.outcome = ok ? Outcome::pass : Outcome::fail;
        c.message = why;
      }
      c.transcript = "openssl s_client -brief -connect 127.0.0.1:" + std::to_string(bed.receivers()[i].port) + " in " +
                     bed.testbed().name() + "\n" + outputs[rc.receiver.name];
      out.push_back(std::move(c));
    }
    if (bed.exim_sender()) {
      auto exim = exim_sender_cases(bed);
      out.insert(out.end(), exim.begin(), exim.end());
    }
    return out;
  }

  StarttlsScenarios scenarios_;
  std::vector<std::string> servers_;
  std::vector<StarttlsClient> clients_;
};

}  // namespace

std::unique_ptr<Suite> make_starttls_suite() { return std::make_unique<StarttlsSuite>(); }

}  // namespace harness
