// `harness candidates` against a mirror that accepts connections and never answers: the stall is
// reported (a warning naming the URL) and the command fails with exit 3 instead of hanging.
#define BOOST_TEST_MODULE repo_cli
#include <boost/test/unit_test.hpp>

#include "fixture_server.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

using namespace harness;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(mute_mirror_is_reported_and_fails_with_exit_3) {
  TempDir dir("harness-repo-cli");
  auto mute = repo_test::FixtureServer::mute();
  auto start = std::chrono::steady_clock::now();
  auto r = run_process({HARNESS_BIN, "--cache-dir", (dir.path() / "cache").string(), "--debian-mirror", mute.base(),
                        "--debian-security-mirror", mute.base(), "candidates", "debian:bookworm:stable", "--packages",
                        "openssl"},
                       {.timeout = 120s});
  auto elapsed = std::chrono::steady_clock::now() - start;
  BOOST_TEST_MESSAGE(r.err);
  BOOST_TEST(r.exit_code == 3);
  BOOST_TEST(r.err.find("warning: GET " + mute.base() + "/dists/bookworm") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("stalled") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("infrastructure error") != std::string::npos, r.err);
  BOOST_TEST(elapsed < 60s);  // a hang check, not a speed target
}
