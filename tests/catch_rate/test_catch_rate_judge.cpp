// How the catch-rate benchmark judges one run: fault.yaml loading (errors name file:line), caught
// vs missed per glob, false alarms outside the fault's cases, ERROR/FLAKY/stream errors, FIXED
// against a faulty baseline, and blame. Synthetic manifests in the shape manifest.json has.
#define BOOST_TEST_MODULE catch_rate_judge
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "bench/catch_rate/catch_rate.hpp"
#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"

using namespace harness;
using namespace harness::catch_rate;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
fs::path write_fault(const fs::path& root, const std::string& name, const std::string& yaml) {
  fs::create_directories(root / name);
  std::ofstream(root / name / "fault.yaml") << yaml;
  return root / name;
}
json manifest(std::initializer_list<std::pair<std::string, std::string>> cases, json stream_errors = json::array()) {
  json j;
  j["seconds"] = 12.5;
  j["streams"] = json::array({{{"name", "baseline"}, {"errors", json::array()}}, {{"name", "candidate"}, {"errors", stream_errors}}});
  j["not_passing"] = json::array();
  for (const auto& [id, verdict] : cases) {
    auto slash = id.find('/');
    j["not_passing"].push_back({{"suite", id.substr(0, slash)}, {"case", id.substr(slash + 1)}, {"verdict", verdict},
                                {"stream", "candidate"}, {"reason", "why"}});
  }
  return j;
}
const char* kRegex = R"(name: regex
package: exim4-base
summary: exiqgrep's id regex drops the new format.
refs: [exim 46a36afae]
suites: [exiqgrep]
regression: ['exiqgrep/counts/trixie-*/count', 'exiqgrep/live/*']
allowed: ['exiqgrep/munin/*']
)";
}  // namespace

BOOST_AUTO_TEST_CASE(every_glob_caught_and_regressions_elsewhere_are_false_alarms) {
  TempDir d("harness-test-catch-rate");
  auto f = load_fault(write_fault(d.path(), "regex", kRegex));
  auto j = judge(f, manifest({{"exiqgrep/counts/trixie-4.98.2-bpu/count", "REGRESSION"},
                              {"exiqgrep/live/live/count", "REGRESSION"},
                              {"exiqgrep/munin/trixie-4.98.2-bpu/count-frozen", "REGRESSION"},
                              {"starttls/exim/rsa/postfix-defaults", "REGRESSION"},
                              {"exiqgrep/counts/incident/count", "ALWAYS-FAIL"}}),
                 "");
  BOOST_TEST(j.caught);
  BOOST_TEST(j.missed.empty());
  BOOST_TEST(j.caught_cases.size() == 2u);
  BOOST_TEST(j.false_alarms == std::vector<std::string>{"starttls/exim/rsa/postfix-defaults"});
  BOOST_TEST(j.seconds == 12.5);
}

BOOST_AUTO_TEST_CASE(a_glob_without_regression_is_a_miss) {
  TempDir d("harness-test-catch-rate");
  auto f = load_fault(write_fault(d.path(), "regex", kRegex));
  auto j = judge(f, manifest({{"exiqgrep/counts/trixie-4.98.2-bpu/count", "REGRESSION"}, {"exiqgrep/live/live/count", "FAIL"}}), "");
  BOOST_TEST(!j.caught);
  BOOST_TEST(j.missed == std::vector<std::string>{"exiqgrep/live/* (no REGRESSION)"});
  // Nothing at all: every glob missed.
  BOOST_TEST(judge(f, manifest({}), "").missed.size() == 2u);
}

BOOST_AUTO_TEST_CASE(errors_flaky_and_stream_errors_are_counted) {
  TempDir d("harness-test-catch-rate");
  auto f = load_fault(write_fault(d.path(), "unchanged", R"(name: unchanged
package: exim4-base
summary: repacked as is.
refs: [dpkg-deb(1)]
suites: [exiqgrep, starttls]
)"));
  auto j = judge(f, manifest({{"starttls/exim/rsa/postfix-defaults", "ERROR"}, {"exiqgrep/live/live/count", "FLAKY"},
                              {"exiqgrep/counts/x/count", "REGRESSION"}},
                             json::array({"podman build failed"})),
                 "");
  BOOST_TEST(!j.caught);  // the unchanged repack is never "caught"
  BOOST_TEST(j.errors.size() == 2u);
  BOOST_TEST(j.flaky.size() == 1u);
  BOOST_TEST(j.false_alarms.size() == 1u);
  BOOST_TEST(totals_line({j}) == "caught 0/0, false alarms 1, errors 2, flaky 1");
}

BOOST_AUTO_TEST_CASE(fixed_against_a_faulty_baseline_and_blame) {
  TempDir d("harness-test-catch-rate");
  auto fixed = load_fault(write_fault(d.path(), "fixed", R"(name: fixed
package: exim4-daemon-light
summary: the fix against the faulty build.
refs: [exim Bug 3050]
suites: [exiqgrep]
fixed: ['exiqgrep/live/*']
baseline_fault: broken
)"));
  BOOST_TEST(judge(fixed, manifest({{"exiqgrep/live/live/count", "FIXED"}}), "").caught);
  BOOST_TEST(!judge(fixed, manifest({{"exiqgrep/live/live/count", "REGRESSION"}}), "").caught);
  auto argv = run_command(fixed, d.path(), "harness", d.path() / "out");
  auto base = std::find(argv.begin(), argv.end(), "--baseline");
  BOOST_REQUIRE(base != argv.end());
  BOOST_TEST(*(base + 1) == "local:" + (d.path() / "broken").string() + "@debian:trixie:stable");

  auto two = load_fault(write_fault(d.path(), "two", std::string(kRegex).replace(6, 5, "two") + "blame: exim4-base\n"));
  auto m = manifest({{"exiqgrep/counts/trixie-4.98.2-bpu/count", "REGRESSION"}, {"exiqgrep/live/live/count", "REGRESSION"}});
  auto right = judge(two, m, "REGRESSION found\n  caused by exim4-base 4.98.2-1 → 4.98.2-1+fault1\n");
  BOOST_TEST(right.caught);
  BOOST_TEST(right.blame_seen == "exim4-base");
  auto wrong = judge(two, m, "REGRESSION found\n  caused by openssl 3.5 → 3.5+bench0\n");
  BOOST_TEST(!wrong.caught);
  BOOST_TEST(wrong.blame_seen == "openssl");
  BOOST_TEST(!judge(two, m, "REGRESSION found\n").caught);  // not named at all
  // The manifest's structured blame: only a "causes" finding counts.
  m["streams"][1]["blame"] = json::array({{{"source", "openssl"}, {"changes", {"openssl 3.5 -> 3.5+bench0"}}, {"finding", "not involved"}},
                                          {{"source", "exim4"}, {"changes", {"exim4-base 4.98.2-1 -> 4.98.2-1+fault1"}}, {"finding", "causes"}}});
  auto structured = judge(two, m, "");
  BOOST_TEST(structured.caught);
  BOOST_TEST(structured.blame_seen == "exim4-base");
  m["streams"][1]["blame"][1]["finding"] = "partly";
  BOOST_TEST(!judge(two, m, "").caught);
}

BOOST_AUTO_TEST_CASE(bad_fault_files_name_file_and_line) {
  TempDir d("harness-test-catch-rate");
  auto check = [&](const std::string& name, const std::string& yaml, const std::string& needle) {
    try {
      load_fault(write_fault(d.path(), name, yaml));
      BOOST_ERROR("no error for " + name);
    } catch (const UsageError& e) {
      std::string m = e.what();
      BOOST_TEST(m.find((d.path() / name / "fault.yaml").string() + ":") != std::string::npos, m);
      BOOST_TEST(m.find(needle) != std::string::npos, m);
    }
  };
  check("typo", std::string(kRegex).replace(6, 5, "typo") + "regresion: [x]\n", "unknown key 'regresion'");
  check("other", kRegex, "differs from the folder");
  check("nothing", "name: nothing\npackage: p\nsummary: s\nrefs: [r]\nsuites: [exiqgrep]\n", "needs 'regression'");
  check("suite", "name: suite\npackage: p\nsummary: s\nrefs: [r]\nsuites: [tls]\nregression: [x]\n", "unknown suite 'tls'");
}
