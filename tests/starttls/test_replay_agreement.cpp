// The emulation measured against replay, as the issue asked: testssl.sh's SMTP-capable recorded
// clients (Debian's /etc/testssl/client-simulation.txt; containers/host-packages.txt installs
// testssl.sh) imported as profiles and run by the starttls suite against exim and openssl s_server
// of bookworm and trixie, every cert set. Each case's emulated handshake is compared with the
// replay of the same recorded bytes; the emulation must agree on >= 98% of (server, set, client)
// cases, and every disagreement is printed with its reason.
#define BOOST_TEST_MODULE replay_agreement
#include <boost/test/unit_test.hpp>

#include "harness/common/tempdir.hpp"
#include "harness/suites/starttls/starttls_suite.hpp"
#include "harness/tls/testssl_import.hpp"
#include "tests/starttls/starttls_fixture.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {
const fs::path kTestssl = "/etc/testssl/client-simulation.txt";

// A scenario folder of the shipped cert sets and the imported clients, under one rule that holds
// for whatever they negotiate: what is measured here is agreement, not the outcome.
fs::path imported_scenarios(const TempDir& dir) {
  BOOST_REQUIRE_MESSAGE(fs::exists(kTestssl), kTestssl << " is missing: install the host packages (containers/setup-host)");
  auto import = import_testssl_clients(kTestssl, false);
  BOOST_TEST_MESSAGE("imported " << import.profiles.size() << " SMTP-capable clients of " << import.clients);
  fs::path s = dir.path() / "starttls";
  fs::create_directories(s / "clients");
  fs::copy_file(fs::path(HARNESS_SOURCE_DIR) / "scenarios/starttls/certsets.yaml", s / "certsets.yaml");
  for (const auto& p : import.profiles) write_file(s / "clients" / (p.short_name + ".yaml"), p.yaml);
  write_file(s / "expectations.yaml",
             "expectations:\n"
             "  - handshake: ok\n"
             "    summary: Any result; this run measures whether emulation and replay agree.\n"
             "    refs: ['https://testssl.sh/ (client simulation: the recorded hellos replayed)']\n");
  return s;
}

struct Tally {
  std::size_t cases = 0, agree = 0, agree_server_hello = 0, agree_refused = 0;
  std::vector<std::string> disagreements;
};

void measure(const std::string& spec, const fs::path& scenarios, Tally& t) {
  test::StreamFixture f(spec);
  auto suite = make_starttls_suite();
  suite->load(scenarios, {});
  for (const auto& c : suite->run(f.ctx)) {
    if (c.properties.at("direction") != "inbound") continue;
    ++t.cases;
    auto agrees = c.properties.find("replay_agrees");
    if (agrees != c.properties.end() && agrees->second == "yes") {
      ++t.agree;
      ++(c.properties.at("replay").rfind("ServerHello", 0) == 0 || c.properties.at("replay").rfind("HelloRetryRequest", 0) == 0
             ? t.agree_server_hello : t.agree_refused);
    } else {
      auto replay = c.properties.find("replay");
      t.disagreements.push_back(spec + " " + c.id + ": " + c.message +
                                (replay == c.properties.end() ? " [no replay]" : " [replay: " + replay->second + "]"));
    }
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(emulation_agrees_with_replay_on_98_percent) {
  TempDir dir("harness-replay-agreement");
  auto scenarios = imported_scenarios(dir);
  Tally t;
  for (const char* spec : {"debian:bookworm:stable", "debian:trixie:stable"}) measure(spec, scenarios, t);
  for (const auto& d : t.disagreements) BOOST_TEST_MESSAGE("disagrees: " << d);
  double share = t.cases ? 100.0 * static_cast<double>(t.agree) / static_cast<double>(t.cases) : 0;
  BOOST_TEST_MESSAGE("emulation and replay agree on " << t.agree << " of " << t.cases << " cases (" << share << "%): "
                     << t.agree_server_hello << " on the same version and suite, " << t.agree_refused << " both refused");
  // Both kinds are there: the ALPN clients (h2) that exim refuses, and handshakes of every kind.
  BOOST_TEST(t.agree_refused > 0u);
  BOOST_TEST(t.agree_server_hello > t.agree_refused);
  BOOST_TEST(t.cases == 2u * 2u * 3u * 30u);  // releases x servers x cert sets x clients
  BOOST_TEST(share >= 98.0, t.agree << " of " << t.cases << " agree");
}
