// `harness capture-client --sender openssl --release trixie`, recaptured: the real `openssl
// s_client -starttls smtp` of debian:trixie, in its own container from the senders image (the one
// the bundled profiles were captured with; built on first use), against the capture listener. The
// hello must match the bundled scenarios/starttls/clients/captured/openssl-trixie.yaml field by
// field (stable_hello_fields: the per-connection random parts left out, see client_capture.hpp),
// and its package version must be the bundled one, or the test says the archive moved on.
#define BOOST_TEST_MODULE capture_client_integration
#include <boost/test/unit_test.hpp>

#include "harness/cli/capture_client.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/tls/profile.hpp"
#include "starttls_fixture.hpp"

using namespace harness;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(recaptured_openssl_trixie_hello_matches_the_bundled_profile) {
  const std::filesystem::path src = HARNESS_SOURCE_DIR;
  auto bundled = load_client_profile(src / "scenarios/starttls/clients/captured/openssl-trixie.yaml");
  BOOST_REQUIRE(bundled.recorded_hello);
  auto want = stable_hello_fields(parse_client_hello(bundled.recorded_hello->hex));

  test::StreamFixture f("debian:trixie:stable");
  auto recipes = load_sender_recipes(src / "scenarios/starttls/senders.yaml");
  ImageRequest base;
  base.family = f.ctx.spec.family;
  base.release = f.ctx.spec.release;
  base.sources = f.ctx.sources;
  auto t0 = std::chrono::steady_clock::now();
  auto c = capture_sender(*f.podman, *f.images, recipes, recipes.find("openssl"), base, 60s);
  BOOST_TEST_MESSAGE("recaptured in " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
                                      << " s: openssl " << c.provenance.version);
  BOOST_TEST(c.provenance.package == "openssl");
  BOOST_TEST(c.provenance.distro == "debian:trixie");
  // A newer openssl in the archive may send another hello: say so rather than compare blindly.
  BOOST_REQUIRE_MESSAGE(c.provenance.version == bundled.captured.at("version"),
                        "trixie's openssl is now " << c.provenance.version << ", the bundled profile has "
                                                   << bundled.captured.at("version") << ": recapture the bundle");
  auto got = stable_hello_fields(c.hello.facts);
  BOOST_TEST(got == want, boost::test_tools::per_element());
  // The per-connection parts really differ (a recapture is not a replay of the bundled bytes).
  auto old = parse_client_hello(bundled.recorded_hello->hex);
  BOOST_TEST((c.hello.facts.random != old.random));
  // The sender saw the listener's alert and failed, as intended.
  BOOST_TEST(c.sender_output.find("alert") != std::string::npos, c.sender_output);

  // Written and loaded as the suite loads profiles, it is the bundled profile but for provenance.
  TempDir d("harness-test");
  c.provenance.captured_at = "now";
  write_file(d.path() / "openssl-trixie.yaml", captured_profile_yaml(c.hello, c.provenance));
  auto again = load_client_profile(d.path() / "openssl-trixie.yaml");
  BOOST_TEST(again.ciphers == bundled.ciphers);
  BOOST_TEST(again.tls13_suites == bundled.tls13_suites);
  BOOST_TEST(again.groups == bundled.groups);
  BOOST_TEST(again.sigalgs == bundled.sigalgs);
  BOOST_TEST(again.alpn == bundled.alpn);
}
