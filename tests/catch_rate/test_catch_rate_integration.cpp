// The catch-rate benchmark held as a test (label: integration): bench/catch_rate/make-faults.sh builds
// every injected-fault candidate from trixie's real packages (exim4-daemon-light from the real exim4
// source, with and without the Bug 3050 fix), then one real `harness run` per fault against
// debian:trixie:stable. Held: every fault caught in its own suite and cases, 0 REGRESSION elsewhere,
// 0 ERROR, 0 FLAKY; the unchanged repack 0 REGRESSION, 0 ERROR, 0 FLAKY; the two-package candidate
// blamed on the faulty package. The faults and the built images are cached by content, so a rerun
// on the same machine only runs the suites.
#define BOOST_TEST_MODULE catch_rate_integration
#include <boost/test/unit_test.hpp>

#include "bench/catch_rate/catch_rate.hpp"
#include "harness/common/tempdir.hpp"

using namespace harness;
using namespace harness::catch_rate;
namespace fs = std::filesystem;

namespace {
std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (std::size_t i = 0; i < items.size() && i < 10; ++i) s += "\n    " + items[i];
  if (items.size() > 10) s += "\n    ... " + std::to_string(items.size() - 10) + " more";
  return s;
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_fault_is_caught_where_it_must_be_and_nowhere_else) {
  auto faults_dir = make_faults(HARNESS_SOURCE_DIR, HARNESS_BIN, std::chrono::minutes(60));
  auto faults = load_faults(faults_dir);
  BOOST_TEST_MESSAGE("faults: " << faults_dir);
  // The benchmark's promise: at least 8 faults besides the unchanged repack and the fixed build.
  std::size_t injected = 0;
  for (const auto& f : faults) injected += (f.name != "unchanged" && f.fixed.empty()) ? 1 : 0;
  BOOST_TEST(injected >= 8u);
  BOOST_TEST(faults.front().name == "unchanged");

  TempDir out("harness-test-catch-rate");
  std::vector<Judgement> results;
  for (const auto& f : faults) {
    auto j = run_fault(f, faults_dir, HARNESS_BIN, out.path() / f.name, std::chrono::minutes(30));
    BOOST_TEST_MESSAGE(f.name << ": " << (j.caught ? "caught" : "not caught") << ", " << j.caught_cases.size()
                              << " expected verdicts, " << j.seconds << " s");
    if (f.name != "unchanged")
      BOOST_CHECK_MESSAGE(j.caught, f.name << " (" << f.package << ") missed:" << joined(j.missed));
    BOOST_CHECK_MESSAGE(j.false_alarms.empty(), f.name << ": REGRESSION outside its cases:" << joined(j.false_alarms));
    BOOST_CHECK_MESSAGE(j.errors.empty(), f.name << ": ERROR:" << joined(j.errors));
    BOOST_CHECK_MESSAGE(j.flaky.empty(), f.name << ": FLAKY:" << joined(j.flaky));
    results.push_back(std::move(j));
  }
  BOOST_TEST_MESSAGE(totals_line(results));
}
