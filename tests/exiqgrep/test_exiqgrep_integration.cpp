// The exiqgrep suite against real exim packages in podman testbeds (label: integration):
// bookworm (exim 4.96) and trixie (exim 4.98.x), a SuiteContext built as the `run` command does.
#define BOOST_TEST_MODULE exiqgrep_integration
#include <boost/test/unit_test.hpp>
#include <iostream>

#include "harness/cli/host_archives.hpp"
#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"
#include "harness/suites/exiqgrep/capture.hpp"
#include "harness/suites/exiqgrep/exiqgrep_suite.hpp"
#include "harness/testbed/image.hpp"
#include "tests/support/cache_dir.hpp"

using namespace harness;

namespace {
namespace fs = std::filesystem;
const fs::path kScenarios = fs::path(HARNESS_SOURCE_DIR) / "scenarios" / "exiqgrep";

using harness::test::cache_dir;

struct Env {
  Podman podman{detect_podman(cache_dir())};
  ImageStore images{podman, {.recipes_dir = fs::path(HARNESS_SOURCE_DIR) / "containers", .cache_dir = cache_dir(), .mirrors = cli::host_mirrors()}};
  PodmanTestbedStarter starter{podman};
  TempDir work{"harness-exiqgrep-test"};

  SuiteContext context(const std::string& spec_text) {
    SuiteContext ctx;
    ctx.stream = "candidate";
    ctx.spec = parse_candidate_spec(spec_text);
    ctx.sources = debian_apt_sources(ctx.spec, cli::host_mirrors());
    ctx.images = &images;
    ctx.testbeds = &starter;
    ctx.run_id = "test-exiqgrep";
    ctx.work_dir = work.path();
    return ctx;
  }
};

Env& env() {
  static Env e;
  return e;
}

// One run per release, shared by the test cases below.
const std::vector<CaseResult>& results(const std::string& spec) {
  static std::map<std::string, std::vector<CaseResult>> cache;
  auto it = cache.find(spec);
  if (it != cache.end()) return it->second;
  auto suite = make_suite("exiqgrep");
  suite->load(kScenarios, {});
  BOOST_REQUIRE_GE(suite->case_count(), 100u);
  auto ctx = env().context(spec);
  auto r = suite->run(ctx);
  BOOST_REQUIRE_EQUAL(r.size(), suite->case_count());
  std::map<std::string, int> tally;
  for (const auto& c : r) tally[to_string(c.outcome)]++;
  std::cerr << spec << ":";
  for (const auto& [k, n] : tally) std::cerr << " " << k << " " << n;
  std::cerr << "\n";
  return cache.emplace(spec, std::move(r)).first->second;
}

std::string prop(const CaseResult& c, const std::string& k) {
  auto it = c.properties.find(k);
  return it == c.properties.end() ? "" : it->second;
}

bool has_new_ids(const CaseResult& c) { return prop(c, "listing_id_formats").find("new") != std::string::npos; }
bool has_h_ids(const CaseResult& c) { return prop(c, "listing_id_formats").find("old-H") != std::string::npos; }
bool only_old_ids(const CaseResult& c) { return prop(c, "listing_id_formats") == "old"; }

void show(const CaseResult& c) { BOOST_TEST_MESSAGE(c.id << ": " << to_string(c.outcome) << ": " << c.message); }
}  // namespace

BOOST_AUTO_TEST_CASE(bookworm_new_format_listings_fail_with_line_mismatch) {
  int checked = 0;
  for (const auto& c : results("debian:bookworm:stable")) {
    if (prop(c, "kind") != "fake-exim" || !c.group.starts_with("counts") || !has_new_ids(c)) continue;
    ++checked;
    BOOST_CHECK_MESSAGE(c.outcome == Outcome::fail && c.message.find("Line mismatch") != std::string::npos,
                        c.id << ": " << to_string(c.outcome) << ": " << c.message);
    BOOST_CHECK_EQUAL(prop(c, "exiqgrep_version"), "4.96");
  }
  BOOST_CHECK_GE(checked, 30);
}

BOOST_AUTO_TEST_CASE(bookworm_minimal_install_fails_naming_getopt_std) {
  int checked = 0;
  for (const auto& c : results("debian:bookworm:stable")) {
    if (prop(c, "kind") != "minimal-install") continue;
    ++checked;
    show(c);
    BOOST_CHECK(c.outcome == Outcome::fail);
    BOOST_CHECK_MESSAGE(c.message.find("Getopt::Std") != std::string::npos, c.message);
  }
  BOOST_CHECK_EQUAL(checked, 1);
}

BOOST_AUTO_TEST_CASE(bookworm_old_format_listings_pass) {
  int checked = 0;
  for (const auto& c : results("debian:bookworm:stable")) {
    if ((prop(c, "kind") != "fake-exim" && prop(c, "kind") != "munin") || !only_old_ids(c)) continue;
    ++checked;
    BOOST_CHECK_MESSAGE(c.outcome == Outcome::pass, c.id << ": " << c.message << "\n" << c.transcript);
  }
  BOOST_CHECK_GE(checked, 40);
  for (const auto& c : results("debian:bookworm:stable"))  // bookworm's own exim prints old ids
    if (prop(c, "kind") == "live") BOOST_CHECK_MESSAGE(c.outcome == Outcome::pass, c.id << ": " << c.message << "\n" << c.transcript);
}

BOOST_AUTO_TEST_CASE(trixie_new_format_listings_pass) {
  int checked = 0;
  for (const auto& c : results("debian:trixie:stable")) {
    if (prop(c, "kind") != "fake-exim" || !has_new_ids(c) || has_h_ids(c)) continue;
    ++checked;
    BOOST_CHECK_MESSAGE(c.outcome == Outcome::pass, c.id << ": " << c.message << "\n" << c.transcript);
  }
  BOOST_CHECK_GE(checked, 60);
  for (const auto& c : results("debian:trixie:stable"))
    if (prop(c, "kind") == "live" || prop(c, "kind") == "minimal-install" || prop(c, "kind") == "live-listing")
      BOOST_CHECK_MESSAGE(c.outcome == Outcome::pass, c.id << ": " << c.message << "\n" << c.transcript);
}

// The upgrade path, live: the seeded 4.96 spool is listed by the testbed's own exim beside its
// fresh queue; 4.96 and 4.98.2 both list old-format ids as 16 characters.
BOOST_AUTO_TEST_CASE(seeded_old_format_spool_is_listed_and_read_live) {
  for (const char* spec : {"debian:bookworm:stable", "debian:trixie:stable"}) {
    int upgrade = 0;
    for (const auto& c : results(spec)) {
      if (!c.id.starts_with("live-upgrade/")) continue;
      ++upgrade;
      show(c);
      BOOST_CHECK_MESSAGE(c.outcome == Outcome::pass, spec << " " << c.id << ": " << c.message << "\n" << c.transcript);
      auto formats = prop(c, "listing_id_formats");
      BOOST_CHECK_MESSAGE(formats.find("old") == 0 && formats.find("-H") == std::string::npos, c.id << ": " << formats);
      if (std::string(spec) == "debian:trixie:stable")  // its own queue has new ids beside the seeded old ones
        BOOST_CHECK_MESSAGE(formats.starts_with("old+new"), c.id << ": " << formats);
      if (prop(c, "kind") == "live-listing")
        BOOST_CHECK_MESSAGE(c.message.find("old-format (16-character) ids, 11 seeded from bookworm-4.96") != std::string::npos, c.message);
      if (c.id == "live-upgrade/live/upgraded-ids") {  // the seeded ids, 16 characters each, are what it printed
        BOOST_CHECK_MESSAGE(c.transcript.find("--- stdout\n1") != std::string::npos, c.transcript);
      }
    }
    BOOST_CHECK_EQUAL(upgrade, 7);
  }
}

// The upgrade itself: with the baseline's inputs in its context (as the pipeline sets them), the
// trixie candidate lists a spool bookworm's exim 4.96 wrote, beside the seed and its own queue.
BOOST_AUTO_TEST_CASE(candidate_lists_the_spool_the_baselines_exim_wrote) {
  auto suite = make_suite("exiqgrep");
  suite->load(kScenarios, {});
  auto ctx = env().context("debian:trixie:stable");
  auto base = env().context("debian:bookworm:stable");
  ctx.baseline = SuiteContext::StreamInputs{base.spec, base.pins, base.local_packages, base.sources};
  int checked = 0;
  for (const auto& c : suite->run(ctx)) {
    if (!c.id.starts_with("live-upgrade/")) continue;
    ++checked;
    BOOST_CHECK_MESSAGE(c.outcome == Outcome::pass, c.id << ": " << c.message << "\n" << c.transcript);
    BOOST_CHECK_MESSAGE(prop(c, "listing_provenance").find("baseline's exim (debian:bookworm:stable: Exim version 4.96") !=
                            std::string::npos, prop(c, "listing_provenance"));
    if (prop(c, "kind") == "live-listing")  // 11 seeded + 11 written by 4.96 in the baseline's testbed, + trixie's own
      BOOST_CHECK_MESSAGE(c.message.find("22 of them old-format") != std::string::npos, c.message);
  }
  BOOST_CHECK_EQUAL(checked, 7);
}

// Listings with exim's own spool error entries, captured from the same exim: the model's answer
// (`Line mismatch` at the first entry, exit 1; Munin U) must be what that release's exiqgrep prints.
BOOST_AUTO_TEST_CASE(spool_error_entries_agree_with_the_real_exiqgrep) {
  for (auto [spec, prefix] : {std::pair{"debian:bookworm:stable", "bookworm-4.96-spoolerrors"},
                              std::pair{"debian:trixie:stable", "trixie-4.98.2-spoolerrors"}}) {
    int checked = 0;
    for (const auto& c : results(spec)) {
      if (!prop(c, "listing").starts_with(prefix)) continue;
      ++checked;
      BOOST_CHECK_MESSAGE(c.outcome == Outcome::pass, spec << " " << c.id << ": " << c.message << "\n" << c.transcript);
      if (prop(c, "kind") == "fake-exim" && c.group != "usage")
        BOOST_CHECK_MESSAGE(c.transcript.find("Line mismatch: ") != std::string::npos, c.id);
    }
    BOOST_CHECK_GE(checked, 15);
  }
}

BOOST_AUTO_TEST_CASE(trixie_h_listing_fails) {
  int checked = 0;
  for (const auto& c : results("debian:trixie:stable")) {
    if (!has_h_ids(c) || prop(c, "kind") != "fake-exim") continue;
    ++checked;
    show(c);
    BOOST_CHECK_MESSAGE(c.outcome == Outcome::fail && c.message.find("Line mismatch") != std::string::npos, c.id << ": " << c.message);
  }
  BOOST_CHECK_GE(checked, 6);
}

BOOST_AUTO_TEST_CASE(trixie_munin_plugin_reports_numbers) {
  int checked = 0;
  for (const auto& c : results("debian:trixie:stable")) {
    if (prop(c, "kind") != "munin" || prop(c, "listing_id_formats").find("spool-errors") != std::string::npos) continue;
    show(c);
    if (has_h_ids(c)) {  // the incident: every upstream exiqgrep, so the graph goes blank
      BOOST_CHECK(c.outcome == Outcome::fail);
      BOOST_CHECK_MESSAGE(c.message.find("reports U") != std::string::npos, c.message);
      continue;
    }
    ++checked;
    BOOST_CHECK_MESSAGE(c.outcome == Outcome::pass, c.id << ": " << c.message << "\n" << c.transcript);
    BOOST_CHECK(c.transcript.find("frozen.value U") == std::string::npos);
  }
  BOOST_CHECK_GE(checked, 6);
}

BOOST_AUTO_TEST_CASE(maintainer_listings_are_parsed_and_counted) {
  // Listings from outside the project: a captured one under a foreign name, and one written here.
  TempDir dir("harness-exiqgrep-queues");
  copy_file(kScenarios / "queues" / "sid-4.100.1-oldspool-bookworm-bpu.txt", dir.path() / "mx1.example.org");
  copy_file(kScenarios / "queues" / "trixie-4.98.2-spoolerrors-bpu.txt", dir.path() / "mx3-crashed");  // spool error entries
  write_file(dir.path() / "mx2-mailq.txt",
             "14m  5.1K 1xYabc-0000000001q-4AbC <billing@example.com>\n          ann@example.net\n\n"
             " 3d   620 1xWxyz-0000000000Z-0ab1 <> *** frozen ***\n          gone@example.org\n\n");
  auto suite = make_suite("exiqgrep");
  suite->load(kScenarios, {{"queues", dir.path().string()}});
  auto ctx = env().context("debian:trixie:stable");
  int checked = 0;
  for (const auto& c : suite->run(ctx)) {
    if (c.group != "maintainer") continue;
    ++checked;
    BOOST_CHECK_MESSAGE(c.outcome == Outcome::pass, c.id << ": " << c.message << "\n" << c.transcript);
    if (c.id == "maintainer/mx2-mailq.txt/count-frozen") BOOST_CHECK_EQUAL(c.message, "1 matches out of 2 messages, as the model says");
    if (c.id.starts_with("maintainer/mx3-crashed/"))
      BOOST_CHECK_MESSAGE(c.transcript.find("[exit 1]") != std::string::npos && c.transcript.find("Line mismatch: ") != std::string::npos,
                          c.transcript);
  }
  BOOST_CHECK_EQUAL(checked, 15);
}

// The batch runner compiles exiqgrep once and forks a run per case; every result must be what a
// fresh exiqgrep process gives (its own podman exec): counts, 'Line mismatch' (exit 1), the help
// (exit 0 and 1), Getopt::Std's 'Unknown option'. In an image with only exim4-base (bookworm: no
// Getopt/Std.pm) the script does not compile and every run must fail as a fresh process does.
BOOST_AUTO_TEST_CASE(batched_runs_equal_fresh_processes) {
  auto data = exiqgrep::load_suite_data(kScenarios, {});
  auto plan = exiqgrep::fake_exim_plan(data, "/usr/sbin/exiqgrep");
  std::vector<exiqgrep::Invocation> sample;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const auto& r = plan.runs[i];
    if (r.mode == exiqgrep::RunMode::exiqgrep && (i % 8 == 0 || r.id.rfind("usage/", 0) == 0)) sample.push_back(r);
  }
  BOOST_REQUIRE_GE(sample.size(), 15u);
  struct Bed {
    std::string spec;
    std::vector<std::string> packages;
    bool compiles;
  };
  for (const auto& b : {Bed{"debian:trixie:stable", exiqgrep::exim_packages(Family::debian, true), true},
                        Bed{"debian:bookworm:stable", {"exim4-base"}, false}}) {
    auto ctx = env().context(b.spec);
    auto image = ctx.images->ensure(ctx.image_for(b.packages));
    auto bed = ctx.start(image, "batch-check");
    auto batch = exiqgrep::run_batch(*bed, exiqgrep::kWorkDir, "/usr/sbin/exiqgrep", plan.files, sample);
    BOOST_CHECK_EQUAL(batch.compiled_once, b.compiles);
    int failed = 0;
    for (const auto& run : sample) {
      auto fresh = exiqgrep::run_one_exec(*bed, exiqgrep::kWorkDir, "/usr/sbin/exiqgrep", run);
      const auto& got = batch.results.at(run.id);
      failed += fresh.exit_code != 0;
      BOOST_CHECK_MESSAGE(got.exit_code == fresh.exit_code && got.out == fresh.out && got.err == fresh.err,
                          b.spec << " " << run.id << ": batch exit " << got.exit_code << " stderr '" << got.err
                                 << "', fresh exit " << fresh.exit_code << " stderr '" << fresh.err << "'");
    }
    BOOST_TEST_MESSAGE(b.spec << ": " << sample.size() << " runs, " << failed << " of them failing, equal");
    if (!b.compiles) BOOST_CHECK_EQUAL(failed, static_cast<int>(sample.size()));
  }
}
