// Suite starttls against real exim and openssl s_server from Debian bookworm and trixie.
#define BOOST_TEST_MODULE starttls_integration
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <sstream>

#include "harness/common/tempdir.hpp"
#include "harness/suites/starttls/starttls_suite.hpp"
#include "tests/starttls/starttls_fixture.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {

std::map<std::string, CaseResult> run_matrix(const std::string& spec, const std::map<std::string, std::string>& options = {}) {
  test::StreamFixture f(spec);
  auto suite = make_starttls_suite();
  suite->load(HARNESS_SOURCE_DIR "/scenarios/starttls", options);
  auto results = suite->run(f.ctx);
  BOOST_TEST(results.size() == suite->case_count());
  std::map<std::string, CaseResult> by_id;
  for (auto& r : results) {
    BOOST_TEST_MESSAGE(spec << " " << r.id << ": " << to_string(r.outcome) << " " << r.message);
    by_id[r.id] = r;
  }
  return by_id;
}

const CaseResult& at(const std::map<std::string, CaseResult>& m, const std::string& id) {
  auto it = m.find(id);
  if (it == m.end()) BOOST_FAIL("no case " + id);
  return it->second;
}

std::string prop(const CaseResult& c, const std::string& k) {
  auto it = c.properties.find(k);
  return it == c.properties.end() ? "" : it->second;
}

void check_done_when(const std::map<std::string, CaseResult>& m) {
  // Every expectation of the data holds for this stream.
  for (const auto& [id, c] : m) BOOST_TEST(to_string(c.outcome) == "pass", id << ": " << c.message << "\n" << c.transcript);

  // The incident: EC-only exim vs the 2015 Proofpoint list fails with handshake_failure, exim's line attached.
  const auto& ec = at(m, "exim/ec/proofpoint-2015");
  BOOST_TEST(prop(ec, "handshake") == "failed");
  BOOST_TEST(prop(ec, "alerts").find("received fatal handshake failure (40)") != std::string::npos, prop(ec, "alerts"));
  BOOST_TEST(prop(ec, "server_log").find("TLS error on connection from (") != std::string::npos, prop(ec, "server_log"));
  BOOST_TEST(prop(ec, "not_emulated") == "RC4-SHA:DES-CBC3-SHA");
  const auto& sec = at(m, "openssl/ec/proofpoint-2015");
  BOOST_TEST(prop(sec, "server_log").find("no shared cipher") != std::string::npos, prop(sec, "server_log"));

  // The dual set rescues it with an ECDHE-RSA suite and the RSA certificate.
  for (const char* server : {"exim", "openssl"}) {
    const auto& dual = at(m, std::string(server) + "/dual/proofpoint-2015");
    BOOST_TEST(prop(dual, "cipher").rfind("ECDHE-RSA-", 0) == 0, server << ": " << prop(dual, "cipher"));
    BOOST_TEST(prop(dual, "cert_key_type") == "RSA");
    BOOST_TEST(prop(dual, "protocol") == "TLSv1.2");
  }
  // The TLS 1.3 sender gets TLS 1.3 on every set.
  for (const char* server : {"exim", "openssl"})
    for (const char* set : {"rsa", "ec", "dual"}) {
      const auto& c = at(m, std::string(server) + "/" + set + "/modern-tls13");
      BOOST_TEST(prop(c, "protocol") == "TLSv1.3", server << "/" << set);
      BOOST_TEST(!prop(c, "group").empty());
      BOOST_TEST(prop(c, "server") == server);
      BOOST_TEST(prop(c, "certset") == set);
      BOOST_TEST(prop(c, "client") == "modern-tls13");
    }
  // The stream's own exim delivered to each legacy receiver over TLS, its log line attached.
  for (const char* receiver : {"legacy-tls12-rsa", "legacy-tls12-rsa-gcm"}) {
    const auto& s = at(m, std::string("sender/exim/") + receiver);
    BOOST_TEST(prop(s, "delivery_log").find(std::string("=> rcpt@") + receiver + ".harness.test") != std::string::npos, prop(s, "delivery_log"));
    BOOST_TEST(prop(s, "protocol") == "TLSv1.2");
    BOOST_TEST(prop(s, "client").find("exim4-daemon-light ") == 0u, prop(s, "client"));
  }
  // The EC certificate is seen as one: key type and curve recorded.
  const auto& ecok = at(m, "exim/ec/ecdsa-only-tls12");
  BOOST_TEST(prop(ecok, "cert_key_type") == "EC");
  BOOST_TEST(prop(ecok, "cert_curve") == "prime256v1");
  BOOST_TEST(prop(ecok, "peer_signature_type") == "ECDSA");
}

}  // namespace

BOOST_AUTO_TEST_CASE(trixie_exim_and_s_server) { check_done_when(run_matrix("debian:trixie:stable")); }
BOOST_AUTO_TEST_CASE(bookworm_exim_and_s_server) { check_done_when(run_matrix("debian:bookworm:stable")); }

// The suite's verdicts agree with `openssl s_client` from the same image on every pair whose
// client the command line can express (a second, independent client implementation).
#include "harness/common/process.hpp"
#include "harness/suites/starttls/s_client.hpp"
#include "harness/suites/starttls/starttls_scenarios.hpp"
#include "harness/suites/starttls/tls_servers.hpp"

namespace {
void check_agreement(const std::string& spec) {
  auto suite_results = run_matrix(spec);
  auto scenarios = load_starttls_scenarios(HARNESS_SOURCE_DIR "/scenarios/starttls");
  test::StreamFixture f(spec);
  TlsServerBed bed(f.ctx, scenarios.certsets, kStarttlsServers);
  auto help = bed.testbed().sh("openssl s_client -help 2>&1").out;
  std::string script;
  std::vector<std::pair<std::string, std::string>> compared;  // case id, key
  int skipped = 0;
  for (const auto& e : bed.endpoints())
    for (const auto& p : scenarios.clients) {
      std::string why, id = e.server + "/" + e.certset + "/" + p.name;
      auto argv = s_client_argv(p, e.port, e.starttls, "sclient.harness.test", help, why);
      if (!argv) {
        BOOST_TEST_MESSAGE(spec << " " << id << ": not expressible with s_client: " << why);
        ++skipped;
        continue;
      }
      script += "echo '=== " + id + "'; timeout 10 " + shell_quote(*argv) + " </dev/null 2>&1\n";
      compared.push_back({id, id});
    }
  auto r = bed.testbed().sh(script, "", std::chrono::seconds(300));
  std::map<std::string, std::string> outputs;
  std::string current;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("=== ", 0) == 0) current = line.substr(4);
    else outputs[current] += line + "\n";
  }
  for (const auto& [id, key] : compared) {
    auto s = parse_s_client_brief(outputs[key]);
    const auto& c = at(suite_results, id);
    bool suite_ok = prop(c, "handshake") == "ok";
    BOOST_TEST(suite_ok == s.handshake_ok, spec << " " << id << ": suite " << c.message << " / s_client: " << outputs[key]);
    if (suite_ok && s.handshake_ok) {
      BOOST_TEST(prop(c, "protocol") == s.protocol, spec << " " << id);
      BOOST_TEST(prop(c, "cipher") == s.cipher, spec << " " << id);
    }
  }
  BOOST_TEST_MESSAGE(spec << ": " << compared.size() << " pairs compared with s_client, " << skipped << " not expressible");
  BOOST_TEST(compared.size() >= 36u);
}
}  // namespace

BOOST_AUTO_TEST_CASE(trixie_agrees_with_s_client) { check_agreement("debian:trixie:stable"); }
BOOST_AUTO_TEST_CASE(bookworm_agrees_with_s_client) { check_agreement("debian:bookworm:stable"); }

// The senders Debian packages (captured profiles) beside the bundled ones, against exim with the
// EC-only certificate: the cases name which senders would deliver in plaintext, and those are the
// 2015-era ones, none of the captured senders.
void check_ec_only_fallback(const std::string& spec) {
  auto m = run_matrix(spec, {{"clients", "all"}});
  std::set<std::string> plaintext, captured_seen;
  for (const auto& [id, c] : m) {
    if (prop(c, "direction") != "inbound") continue;
    BOOST_TEST(to_string(c.outcome) == "pass", id << ": " << c.message);
    const auto client = prop(c, "client");
    if (client.find("-bookworm") != std::string::npos || client.find("-trixie") != std::string::npos) {
      captured_seen.insert(client);
      BOOST_TEST(prop(c, "protocol") == "TLSv1.3", id);
      // The recorded bytes, replayed, got the ServerHello the emulation got.
      BOOST_TEST(prop(c, "replay_agrees") == "yes", id << ": " << prop(c, "replay"));
      BOOST_TEST(prop(c, "replay").rfind("ServerHello TLSv1.3 " + prop(c, "cipher"), 0) == 0u, id << ": " << prop(c, "replay"));
    }
    if (prop(c, "certset") == "ec" && prop(c, "falls_back_to") == "plaintext") {
      plaintext.insert(client);
      BOOST_TEST(c.message.find(client + " would deliver in plaintext") != std::string::npos, c.message);
    }
  }
  BOOST_TEST(captured_seen.size() == 20u);
  BOOST_TEST(plaintext == (std::set<std::string>{"exchange-online", "proofpoint-2015"}));
}

BOOST_AUTO_TEST_CASE(bookworm_captured_senders_on_ec_only_exim) { check_ec_only_fallback("debian:bookworm:stable"); }
BOOST_AUTO_TEST_CASE(trixie_captured_senders_on_ec_only_exim) { check_ec_only_fallback("debian:trixie:stable"); }

// A receiver the stream's exim cannot reach (only Camellia, which GnuTLS's default priorities leave
// out): the delivery is deferred, exim's "TLS session" line is the evidence, and a rule expecting
// the failure passes.
BOOST_AUTO_TEST_CASE(exim_sender_refused_by_a_receiver_is_logged) {
  TempDir dir("harness-starttls-receiver");
  const fs::path src = HARNESS_SOURCE_DIR "/scenarios/starttls";
  fs::copy(src, dir.path() / "starttls", fs::copy_options::recursive);
  write_file(dir.path() / "starttls/receivers.yaml",
             "receivers:\n"
             "  - name: legacy-camellia\n"
             "    certset: rsa\n"
             "    protocols: {min: TLSv1.2, max: TLSv1.2}\n"
             "    ciphers: [CAMELLIA256-SHA]\n"
             "    handshake: fail\n"
             "    summary: GnuTLS's NORMAL priorities have no Camellia suite, so exim (GnuTLS) shares none with this receiver.\n"
             "    refs: ['https://gnutls.org/manual/html_node/Priority-Strings.html']\n");
  test::StreamFixture f("debian:trixie:stable");
  auto suite = make_starttls_suite();
  suite->load(dir.path() / "starttls", {{"servers", "exim"}});
  std::map<std::string, CaseResult> m;
  for (auto& r : suite->run(f.ctx)) m[r.id] = r;
  const auto& c = at(m, "sender/exim/legacy-camellia");
  BOOST_TEST(prop(c, "handshake") == "failed");
  BOOST_TEST(prop(c, "delivery_log").find("== rcpt@legacy-camellia.harness.test") != std::string::npos, prop(c, "delivery_log"));
  BOOST_TEST(prop(c, "delivery_log").find("TLS session") != std::string::npos, prop(c, "delivery_log"));
  BOOST_TEST(to_string(c.outcome) == "pass", c.message);
}
