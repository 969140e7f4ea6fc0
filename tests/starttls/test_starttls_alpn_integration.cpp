// ALPN against real exim: a sender offering ALPN h2,http/1.1 (Android 9/10, Go 1.17) is refused
// by Debian's exim (tls_alpn, default "smtp : esmtp") with alert 120, one offering smtp gets it
// selected, and openssl s_server ignores ALPN. The shipped scenarios plus two ALPN senders and
// their rules, in a temporary copy (the shipped matrix stays as it is).
#define BOOST_TEST_MODULE starttls_alpn_integration
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>

#include "harness/common/tempdir.hpp"
#include "harness/suites/starttls/starttls_suite.hpp"
#include "tests/starttls/starttls_fixture.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {

std::string prop(const CaseResult& c, const std::string& k) {
  auto it = c.properties.find(k);
  return it == c.properties.end() ? "" : it->second;
}

void check_alpn(const std::string& spec) {
  TempDir d("harness-test");
  fs::copy(HARNESS_SOURCE_DIR "/scenarios/starttls", d.path() / "starttls", fs::copy_options::recursive);
  write_file(d.path() / "starttls/clients/alpn-h2.yaml",
             "description: a sender on an HTTP stack offering ALPN h2,http/1.1\n"
             "summary: the library's defaults with ALPN h2,http/1.1, as Android 9/10 and Go 1.17 send\n"
             "refs: ['RFC 7301 section 3.2']\nalpn: [h2, http/1.1]\n");
  write_file(d.path() / "starttls/clients/alpn-smtp.yaml",
             "summary: the library's defaults with ALPN smtp\nrefs: ['RFC 7301 section 3.2']\nalpn: [smtp]\n");
  std::ofstream(d.path() / "starttls/expectations.yaml", std::ios::app)
      << "\n  - clients: [alpn-h2, alpn-smtp]\n    handshake: ok\n    protocol: TLSv1.3\n"
         "    summary: s_server without -alpn ignores ALPN; exim selects smtp\n    refs: ['RFC 7301 section 3.2']\n"
         "  - clients: alpn-h2\n    servers: exim\n    handshake: fail\n    alert: no_application_protocol\n"
         "    summary: \"exim's tls_alpn (default smtp : esmtp) refuses a list without smtp\"\n    refs: ['RFC 7301 section 3.2']\n";

  test::StreamFixture f(spec);
  auto suite = make_starttls_suite();
  suite->load(d.path() / "starttls", {});
  std::map<std::string, CaseResult> m;
  for (auto& r : suite->run(f.ctx)) m[r.id] = r;
  for (const char* set : {"rsa", "ec", "dual"}) {
    std::string s = set;
    const auto& refused = m.at("exim/" + s + "/alpn-h2");
    BOOST_TEST(to_string(refused.outcome) == "pass", spec << " " << refused.id << ": " << refused.message << "\n" << refused.transcript);
    BOOST_TEST(prop(refused, "handshake") == "failed");
    BOOST_TEST(prop(refused, "alerts").find("received fatal no application protocol (120)") != std::string::npos, prop(refused, "alerts"));
    BOOST_TEST(prop(refused, "alpn_offered") == "h2,http/1.1");
    BOOST_TEST(prop(refused, "server_log").find("application protocol") != std::string::npos, prop(refused, "server_log"));
    BOOST_TEST(refused.transcript.find("ALPN offered: h2,http/1.1; selected: none") != std::string::npos, refused.transcript);
    const auto& smtp = m.at("exim/" + s + "/alpn-smtp");
    BOOST_TEST(to_string(smtp.outcome) == "pass", smtp.id << ": " << smtp.message);
    BOOST_TEST(prop(smtp, "alpn") == "smtp");
    const auto& ignored = m.at("openssl/" + s + "/alpn-h2");
    BOOST_TEST(to_string(ignored.outcome) == "pass", ignored.id << ": " << ignored.message);
    BOOST_TEST(prop(ignored, "handshake") == "ok");
    BOOST_TEST(prop(ignored, "alpn").empty());
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(trixie_exim_refuses_h2_with_alert_120) { check_alpn("debian:trixie:stable"); }
BOOST_AUTO_TEST_CASE(bookworm_exim_refuses_h2_with_alert_120) { check_alpn("debian:bookworm:stable"); }
