// Suite starttls against real exim and openssl s_server from Debian bookworm and trixie.
#define BOOST_TEST_MODULE starttls_integration
#include <boost/test/unit_test.hpp>

#include <map>

#include "harness/suites/starttls/starttls_suite.hpp"
#include "tests/starttls/starttls_fixture.hpp"

using namespace harness;

namespace {

std::map<std::string, CaseResult> run_matrix(const std::string& spec) {
  test::StreamFixture f(spec);
  auto suite = make_starttls_suite();
  suite->load(HARNESS_SOURCE_DIR "/scenarios/starttls", {});
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
  // The EC certificate is seen as one: key type and curve recorded.
  const auto& ecok = at(m, "exim/ec/ecdsa-only-tls12");
  BOOST_TEST(prop(ecok, "cert_key_type") == "EC");
  BOOST_TEST(prop(ecok, "cert_curve") == "prime256v1");
  BOOST_TEST(prop(ecok, "peer_signature_type") == "ECDSA");
}

}  // namespace

BOOST_AUTO_TEST_CASE(trixie_exim_and_s_server) { check_done_when(run_matrix("debian:trixie:stable")); }
BOOST_AUTO_TEST_CASE(bookworm_exim_and_s_server) { check_done_when(run_matrix("debian:bookworm:stable")); }
