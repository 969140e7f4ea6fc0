// The run pipeline with a test-only suite (no containers): load-before-start, parallel streams,
// local candidates, resolution into pins, classification, reports and exit codes.
#define BOOST_TEST_MODULE pipeline
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

#include "harness/cli/pipeline.hpp"
#include "harness/cli/progress.hpp"
#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

using namespace harness;
using namespace harness::cli;
namespace fs = std::filesystem;

namespace {

struct Trace {
  std::mutex m;
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> starts, ends;
  std::vector<SuiteContext> contexts;
  std::atomic<int> running{0}, max_running{0};
};

// Reads "ID OUTCOME-ON-BOOKWORM OUTCOME-ON-TRIXIE" lines from <scenarios>/fake/cases.txt. Besides
// pass/fail/error/skip the candidate column may say "flip" (fail, pass, fail, ... per run: flaky) or
// "badif:NAME" (fails while the stream installs a local file of package NAME). The suite "installs"
// exim4-base (its image record holds the stream's version) and throws PackageError on candidate
// streams with option package_error.
class FakeSuite : public Suite {
 public:
  explicit FakeSuite(Trace& t) : trace_(t) {}
  std::string name() const override { return "fake"; }
  void load(const fs::path& dir, const std::map<std::string, std::string>& options) override {
    std::ifstream in(dir / "cases.txt");
    if (!in) throw UsageError((dir / "cases.txt").string() + ": cannot read");
    std::string id, b, c;
    int line = 0;
    while (in >> id >> b >> c) {
      ++line;
      auto ok = [](const std::string& s) { return s == "pass" || s == "fail" || s == "error" || s == "skip"; };
      if (!ok(b) || !(ok(c) || c == "flip" || c.rfind("badif:", 0) == 0))
        throw UsageError((dir / "cases.txt").string() + ":" + std::to_string(line) + ": bad outcome");
      cases_.push_back({id, b, c});
    }
    options_ = options;
  }
  std::size_t case_count() const override { return cases_.size(); }
  std::vector<CaseResult> planned_cases() const override {
    std::vector<CaseResult> out;
    for (const auto& [id, b, c] : cases_) {
      CaseResult r;
      r.id = id;
      r.group = "g";
      r.summary = "why " + id;
      out.push_back(r);
    }
    return out;
  }
  std::vector<CaseResult> run(SuiteContext& ctx) override {
    {
      std::lock_guard l(trace_.m);
      trace_.starts.push_back({ctx.stream, std::chrono::steady_clock::now()});
      trace_.contexts.push_back(ctx);
    }
    int now = ++trace_.running;
    for (int m = trace_.max_running; now > m && !trace_.max_running.compare_exchange_weak(m, now);) {}
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.count("quick") ? 10 : 300));
    --trace_.running;
    if (options_.count("explode") && ctx.stream != "baseline") throw InfraError("podman vanished");
    if (options_.count("bug") && ctx.stream != "baseline") throw std::logic_error("vector::_M_range_check: a bug");
    if (options_.count("package_error") && ctx.stream != "baseline")
      throw PackageError("the packages do not install (debian trixie: exim4-base)",
                         "E: Unable to correct problems, you have held broken packages.");
    std::set<std::string> local_names;
    Image img;
    img.tag = "fake-image";
    for (const auto& f : ctx.local_packages) {
      auto parts = f.filename().string();
      auto name = parts.substr(0, parts.find('_'));
      auto version = parts.substr(name.size() + 1, parts.find('_', name.size() + 1) - name.size() - 1);
      local_names.insert(name);
      if (name == "exim4-base") img.installed[name] = version;
    }
    if (const Package* p = ctx.pins.find("exim4-base"); p && !img.installed.count("exim4-base")) img.installed["exim4-base"] = p->evr();
    ctx.images_used.push_back(img);
    int run_no = ++runs_;
    std::vector<CaseResult> out;
    for (const auto& [id, b, c] : cases_) {
      CaseResult r;
      r.id = id;
      r.group = "g";
      std::string o = ctx.spec.release == "bookworm" && !ctx.spec.is_local() ? b : c;
      if (o == "flip") o = run_no % 2 ? "fail" : "pass";
      if (o.rfind("badif:", 0) == 0) o = local_names.count(o.substr(6)) ? "fail" : "pass";
      r.outcome = o == "pass" ? Outcome::pass : o == "fail" ? Outcome::fail : o == "error" ? Outcome::error : Outcome::skip;
      r.message = id + " " + o + " on " + ctx.spec.text;
      r.transcript = "$ exiqgrep -c\n" + o + "\n";
      out.push_back(r);
      if (ctx.case_done) ctx.case_done();
    }
    return out;
  }

 private:
  Trace& trace_;
  std::vector<std::tuple<std::string, std::string, std::string>> cases_;
  std::map<std::string, std::string> options_;
  int runs_ = 0;
};

struct Fixture {
  TempDir dir{"harness-test-pipeline"};
  Trace trace;
  bool testbeds_called = false;
  fs::path scenarios() const { return dir.path() / "scenarios"; }
  fs::path reports() const { return dir.path() / "reports"; }

  Fixture() {
    fs::create_directories(scenarios() / "fake");
    write_file(scenarios() / "fake" / "cases.txt",
               "new-format-count fail pass\nold-format-count pass pass\ndash-H fail fail\nbroken-by-candidate pass fail\n");
  }
  Services services() {
    Services sv;
    // Nothing is fetched here (no testbeds, a fake resolver); the streams' sources still need archives.
    sv.mirrors.debian = "http://archive.example/debian";
    sv.mirrors.debian_security = "http://archive.example/debian-security";
    sv.mirrors.debian_origin = sv.mirrors.debian_security_origin = "test fixture";
    sv.make_suite = [this](const std::string& name) -> std::unique_ptr<Suite> {
      if (name != "fake") throw UsageError("unknown suite '" + name + "'");
      return std::make_unique<FakeSuite>(trace);
    };
    sv.testbeds = [this] {
      testbeds_called = true;
      return std::pair<ImageSource*, const TestbedStarter*>{nullptr, nullptr};
    };
    sv.resolve = [](const CandidateSpec& spec, const std::vector<std::string>& packages) {
      Resolution r;
      r.spec = spec;
      r.packages.family = spec.family;
      for (const auto& p : packages)
        r.packages.packages.push_back({.name = p, .version = spec.release == "bookworm" ? "4.96-15+deb12u7" : "4.98.2-1",
                                       .arch = "amd64", .repo = spec.release});
      r.transaction = {"install " + packages.front()};
      return r;
    };
    return sv;
  }
  RunRequest request(std::vector<std::string> candidates) {
    RunRequest rq;
    rq.plan.name = "test";
    rq.plan.summary = "pipeline test";
    rq.plan.baseline = parse_candidate_spec("debian:bookworm:stable");
    for (const auto& c : candidates) rq.plan.candidates.push_back(parse_candidate_spec(c));
    rq.plan.packages = {"exim4-base"};
    rq.plan.suites = {{.name = "fake", .package = "exim4-base"}};
    rq.scenarios_dir = scenarios();
    rq.reports_dir = reports();
    rq.command = "harness run --baseline debian:bookworm:stable";
    rq.jobs = 2;
    return rq;
  }
};

const CaseVerdict& verdict_of(const RunRecord& run, const std::string& id, std::size_t stream = 1) {
  for (const auto& v : run.verdicts)
    if (v.id == id && v.stream == stream) return v;
  BOOST_FAIL("no verdict for " + id);
  throw 0;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(streams_run_in_parallel_and_are_classified, Fixture) {
  auto rq = request({"debian:trixie:stable"});
  rq.reruns = 0;  // timed: two streams at once, nothing after
  auto t0 = std::chrono::steady_clock::now();
  auto out = run_plan(rq, services());
  auto took = std::chrono::steady_clock::now() - t0;
  BOOST_CHECK(testbeds_called);
  // Two streams of 300 ms each, at once.
  BOOST_CHECK_EQUAL(trace.max_running.load(), 2);
  BOOST_CHECK(took < std::chrono::milliseconds(580));
  const auto& run = out.record;
  BOOST_CHECK(verdict_of(run, "new-format-count").verdict == Verdict::fixed);
  BOOST_CHECK(verdict_of(run, "old-format-count").verdict == Verdict::pass);
  BOOST_CHECK(verdict_of(run, "dash-H").verdict == Verdict::always_fail);
  BOOST_CHECK(verdict_of(run, "broken-by-candidate").verdict == Verdict::regression);
  BOOST_CHECK(out.status == RunStatus::regression);
  BOOST_CHECK_EQUAL(exit_code_for(out.status), 1);
  BOOST_CHECK_EQUAL(exit_code_for(RunStatus::ok), 0);
  BOOST_CHECK_EQUAL(exit_code_for(RunStatus::error), 3);
  // Pins came from the resolver, per stream.
  for (const auto& ctx : trace.contexts) {
    BOOST_REQUIRE(ctx.pins.find("exim4-base"));
    BOOST_CHECK_EQUAL(ctx.pins.find("exim4-base")->version, ctx.spec.release == "bookworm" ? "4.96-15+deb12u7" : "4.98.2-1");
    BOOST_CHECK(!ctx.sources.empty() && ctx.sources[0].find(ctx.spec.release) != std::string::npos);
  }
  // Reports, with latest pointing at them.
  BOOST_CHECK(fs::exists(out.report_dir / "junit.xml"));
  BOOST_CHECK_EQUAL(fs::read_symlink(reports() / "latest"), run.run_id);
  // summary.txt: causes and what changed; summary-full.txt: every case and every version.
  auto summary = read_file(out.report_dir / "summary.txt");
  BOOST_CHECK_MESSAGE(summary.find("  - 1x fake, e.g. broken-by-candidate: ") != std::string::npos, summary);
  BOOST_CHECK(summary.find("    exim4-base 4.96-15+deb12u7 -> 4.98.2-1\n") != std::string::npos);
  BOOST_CHECK(summary.find("Reports: " + out.report_dir.string() + "/ ") != std::string::npos);
  auto full = read_file(out.report_dir / "summary-full.txt");
  BOOST_CHECK(full.find("fake/broken-by-candidate on candidate (debian:trixie:stable)") != std::string::npos);
  BOOST_CHECK(full.find("exim4-base 4.98.2-1.amd64") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(bad_scenario_file_stops_before_any_testbed, Fixture) {
  write_file(scenarios() / "fake" / "cases.txt", "ok pass pass\nbad pass maybe\n");
  auto rq = request({"debian:trixie:stable"});
  try {
    run_plan(rq, services());
    BOOST_FAIL("a bad scenario file was accepted");
  } catch (const UsageError& e) {
    BOOST_CHECK(std::string(e.what()).find("cases.txt:2: bad outcome") != std::string::npos);
  }
  BOOST_CHECK(!testbeds_called);
  BOOST_CHECK(trace.starts.empty());
  BOOST_CHECK(!fs::exists(reports()));
  // An unknown suite is refused the same way.
  rq.only_suites = {"nosuch"};
  BOOST_CHECK_THROW(run_plan(rq, services()), UsageError);
  BOOST_CHECK(!testbeds_called);
}

BOOST_FIXTURE_TEST_CASE(infrastructure_failure_is_error_never_a_verdict, Fixture) {
  auto rq = request({"debian:trixie:stable"});
  rq.suite_options["fake"]["explode"] = "1";
  auto out = run_plan(rq, services());
  BOOST_CHECK(out.status == RunStatus::error);
  BOOST_CHECK_EQUAL(exit_code_for(out.status), 3);
  for (const auto& v : out.record.verdicts) {
    BOOST_CHECK(v.verdict == Verdict::error);
    BOOST_CHECK(v.reason.find("podman vanished") != std::string::npos);
  }
  BOOST_CHECK_EQUAL(out.record.verdicts.size(), 4u);
}

BOOST_FIXTURE_TEST_CASE(an_unexpected_exception_ends_only_its_stream, Fixture) {
  auto rq = request({"debian:trixie:stable", "debian:sid:stable"});
  rq.suite_options["fake"]["bug"] = "1";
  auto out = run_plan(rq, services());
  const auto& run = out.record;
  // The baseline's results stand; each candidate's cases are ERROR naming the internal error.
  BOOST_REQUIRE_EQUAL(run.suites.size(), 1u);
  BOOST_REQUIRE_EQUAL(run.suites[0].results.size(), 3u);
  for (const auto& c : run.suites[0].results[0]) BOOST_CHECK(c.outcome != Outcome::error);
  for (std::size_t st = 1; st < 3; ++st)
    for (const auto& c : run.suites[0].results[st]) {
      BOOST_CHECK(c.outcome == Outcome::error);
      BOOST_CHECK(c.message.find("internal error: vector::_M_range_check: a bug") != std::string::npos);
    }
  BOOST_CHECK(out.status == RunStatus::error);
  // Every report is written, the JUnit file listing the candidates' cases as <error>.
  for (const char* f : {"junit.xml", "summary.txt", "index.html", "manifest.json", "results.json"})
    BOOST_CHECK_MESSAGE(fs::exists(out.report_dir / f), f);
  auto junit = read_file(out.report_dir / "junit.xml");
  BOOST_CHECK(junit.find("<error") != std::string::npos);
  BOOST_CHECK(junit.find("tests=\"0\"") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_reports_folder_that_is_a_file_stops_before_any_testbed, Fixture) {
  write_file(dir.path() / "not-a-folder", "x\n");
  auto rq = request({"debian:trixie:stable"});
  rq.reports_dir = dir.path() / "not-a-folder";
  try {
    run_plan(rq, services());
    BOOST_FAIL("a file was accepted as the reports folder");
  } catch (const UsageError& e) {
    BOOST_CHECK_MESSAGE(std::string(e.what()).find("not-a-folder") != std::string::npos, e.what());
  }
  BOOST_CHECK(!testbeds_called);
  BOOST_CHECK(trace.starts.empty());
}

BOOST_FIXTURE_TEST_CASE(two_runs_at_once_into_one_reports_folder_both_finish, Fixture) {
  // The same run id (two runs started in the same second that drew the same suffix) into one folder.
  auto rq = request({"debian:trixie:stable"});
  rq.run_id = "20261205-064500-abcd";
  rq.reruns = 0;
  RunOutput a, b;
  std::exception_ptr fa, fb;
  {
    std::jthread ta([&] {
      try {
        a = run_plan(rq, services());
      } catch (...) {
        fa = std::current_exception();
      }
    });
    std::jthread tb([&] {
      try {
        b = run_plan(rq, services());
      } catch (...) {
        fb = std::current_exception();
      }
    });
  }
  BOOST_REQUIRE(!fa);
  BOOST_REQUIRE(!fb);
  BOOST_CHECK(a.report_dir != b.report_dir);
  std::set<std::string> ids{a.record.run_id, b.record.run_id};
  BOOST_CHECK((ids == std::set<std::string>{"20261205-064500-abcd", "20261205-064500-abcd-2"}));
  for (const auto* o : {&a, &b}) {
    BOOST_CHECK_EQUAL(o->report_dir.filename().string(), o->record.run_id);
    BOOST_CHECK(fs::exists(o->report_dir / "junit.xml"));
    // Each folder's manifest names its own run.
    BOOST_CHECK(read_file(o->report_dir / "manifest.json").find("\"" + o->record.run_id + "\"") != std::string::npos);
  }
}

BOOST_FIXTURE_TEST_CASE(three_streams_on_two_workers, Fixture) {
  auto rq = request({"debian:bookworm:proposed-updates", "debian:trixie:stable"});
  auto out = run_plan(rq, services());
  BOOST_CHECK_EQUAL(trace.max_running.load(), 2);
  BOOST_REQUIRE_EQUAL(out.record.streams.size(), 3u);
  BOOST_CHECK_EQUAL(out.record.streams[1].name, "candidate-1");
  BOOST_CHECK_EQUAL(out.record.streams[2].name, "candidate-2");
  // p-u resolves to bookworm's versions here: identical, not run; trixie is.
  BOOST_CHECK(out.record.streams[1].identical_to_baseline);
  // The run records the archives it used and where they came from (manifest.json "archives").
  BOOST_REQUIRE_EQUAL(out.record.archives.size(), 2u);
  BOOST_CHECK_EQUAL(out.record.archives[1].url, "http://archive.example/debian-security");
  BOOST_CHECK_EQUAL(out.record.archives[1].origin, "test fixture");
  BOOST_CHECK(verdict_of(out.record, "broken-by-candidate", 2).verdict == Verdict::regression);
}

BOOST_FIXTURE_TEST_CASE(local_candidate_packages_replace_the_channels, Fixture) {
  // A real (tiny) .deb made with dpkg-deb.
  auto pkg = dir.path() / "pkg";
  fs::create_directories(pkg / "DEBIAN");
  fs::create_directories(pkg / "usr/share/doc/exim4-base");
  write_file(pkg / "DEBIAN/control",
             "Package: exim4-base\nVersion: 4.98.2-1+local1\nArchitecture: all\nMaintainer: t <t@example.org>\n"
             "Description: test\n test\n");
  write_file(pkg / "usr/share/doc/exim4-base/README", "x\n");
  auto local = dir.path() / "results";
  fs::create_directories(local);
  auto r = run_process({"dpkg-deb", "--root-owner-group", "-b", pkg.string(), (local / "exim4-base_4.98.2-1+local1_all.deb").string()});
  BOOST_REQUIRE_MESSAGE(r.ok(), r.err);

  auto rq = request({"local:" + local.string() + "@debian:trixie:stable"});
  auto out = run_plan(rq, services());
  const auto& cand = out.record.streams[1];
  BOOST_CHECK_EQUAL(cand.local_packages.size(), 1u);
  auto* p = cand.packages.find("exim4-base");
  BOOST_REQUIRE(p);
  BOOST_CHECK_EQUAL(p->version, "4.98.2-1+local1");
  BOOST_CHECK_EQUAL(p->repo, "local");
  for (const auto& ctx : trace.contexts)
    if (ctx.stream == "candidate") {
      BOOST_CHECK(!ctx.pins.find("exim4-base"));  // installed from the file, not pinned from the archive
      BOOST_CHECK_EQUAL(ctx.local_packages.size(), 1u);
      BOOST_CHECK(ctx.sources[0].find("trixie") != std::string::npos);
    }
  BOOST_CHECK(verdict_of(out.record, "broken-by-candidate").verdict == Verdict::regression);

  // An empty folder is a usage error naming it.
  auto empty = dir.path() / "empty";
  fs::create_directories(empty);
  try {
    run_plan(request({"local:" + empty.string() + "@debian:trixie:stable"}), services());
    BOOST_FAIL("an empty local folder was accepted");
  } catch (const UsageError& e) {
    BOOST_CHECK(std::string(e.what()).find("no .deb files in " + empty.string()) != std::string::npos);
  }
}

namespace {
// A real (tiny) .deb made with dpkg-deb, named as dpkg-deb names it (NAME_VERSION_all.deb).
fs::path make_deb(const fs::path& work, const fs::path& out, const std::string& name, const std::string& version,
                  const std::string& source) {
  auto pkg = work / ("pkg-" + name);
  fs::create_directories(pkg / "DEBIAN");
  fs::create_directories(pkg / ("usr/share/doc/" + name));
  write_file(pkg / "DEBIAN/control", "Package: " + name + "\nSource: " + source + "\nVersion: " + version +
                                         "\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n test\n");
  write_file(pkg / ("usr/share/doc/" + name + "/README"), "x\n");
  fs::create_directories(out);
  auto file = out / (name + "_" + version + "_all.deb");
  auto r = run_process({"dpkg-deb", "--root-owner-group", "-b", pkg.string(), file.string()});
  BOOST_REQUIRE_MESSAGE(r.ok(), r.err);
  return file;
}
}  // namespace

BOOST_FIXTURE_TEST_CASE(a_package_that_breaks_is_a_regression_not_an_error, Fixture) {
  auto rq = request({"debian:trixie:stable"});
  rq.suite_options["fake"]["package_error"] = "1";
  auto out = run_plan(rq, services());
  // Passing cases on the baseline become REGRESSION; failing ones ALWAYS-FAIL; none is ERROR.
  BOOST_CHECK(verdict_of(out.record, "old-format-count").verdict == Verdict::regression);
  BOOST_CHECK(verdict_of(out.record, "dash-H").verdict == Verdict::always_fail);
  BOOST_CHECK(out.status == RunStatus::regression);
  const auto* c = verdict_of(out.record, "old-format-count").candidate;
  BOOST_REQUIRE(c);
  BOOST_CHECK(c->message.find("do not install") != std::string::npos);
  BOOST_CHECK(c->transcript.find("held broken packages") != std::string::npos);
  BOOST_CHECK(out.record.streams[1].errors.empty());
}

BOOST_FIXTURE_TEST_CASE(an_unresolved_stream_is_error_unless_unpinned, Fixture) {
  auto sv = services();
  auto resolve = sv.resolve;
  sv.resolve = [resolve](const CandidateSpec& spec, const std::vector<std::string>& packages) {
    if (spec.release == "trixie") throw InfraError("http://127.0.0.1:9/debian/dists/trixie/InRelease: connection refused");
    return resolve(spec, packages);
  };
  auto rq = request({"debian:trixie:stable"});
  auto out = run_plan(rq, sv);
  BOOST_CHECK(out.status == RunStatus::error);
  BOOST_CHECK_EQUAL(out.record.verdicts.size(), 4u);
  for (const auto& v : out.record.verdicts) {
    BOOST_CHECK(v.verdict == Verdict::error);
    BOOST_CHECK(v.reason.find("could not be resolved") != std::string::npos);
  }
  // Nothing ran on the candidate: its testbeds never started.
  for (const auto& ctx : trace.contexts) BOOST_CHECK(ctx.stream != "candidate");
  // JUnit still lists every case, as an error.
  auto junit = read_file(out.report_dir / "junit.xml");
  BOOST_CHECK(junit.find("errors=\"4\"") != std::string::npos);
  // The summary says the stream's versions were never known, not that none differs from the baseline.
  auto summary = read_file(out.report_dir / "summary.txt");
  BOOST_CHECK_MESSAGE(summary.find("no versions were resolved for debian:trixie:stable") != std::string::npos, summary);
  BOOST_CHECK(summary.find("no package version differs") == std::string::npos);
  BOOST_CHECK(summary.find("127.0.0.1:9/debian/dists/trixie/InRelease") != std::string::npos);
  BOOST_CHECK(read_file(out.report_dir / "summary-full.txt").find("(no versions resolved: not run)") != std::string::npos);

  rq.unpinned = true;
  auto loose = run_plan(rq, sv);
  BOOST_CHECK(verdict_of(loose.record, "broken-by-candidate").verdict == Verdict::regression);
}

BOOST_FIXTURE_TEST_CASE(a_candidate_with_the_baselines_packages_is_not_run, Fixture) {
  auto rq = request({"debian:bookworm:proposed-updates"});  // the fake resolver gives bookworm's versions
  auto out = run_plan(rq, services());
  BOOST_CHECK(out.record.streams[1].identical_to_baseline);
  BOOST_CHECK(out.record.verdicts.empty());
  BOOST_CHECK(out.status == RunStatus::ok);
  for (const auto& ctx : trace.contexts) BOOST_CHECK(ctx.stream == "baseline");
  auto summary = read_file(out.report_dir / "summary.txt");
  BOOST_CHECK(summary.find("IDENTICAL: debian:bookworm:proposed-updates") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_difference_that_does_not_reproduce_is_flaky, Fixture) {
  write_file(scenarios() / "fake" / "cases.txt", "steady pass fail\nwobbly pass flip\n");
  auto rq = request({"debian:trixie:stable"});
  rq.suite_options["fake"]["quick"] = "1";
  auto out = run_plan(rq, services());
  BOOST_CHECK(verdict_of(out.record, "steady").verdict == Verdict::regression);
  const auto& w = verdict_of(out.record, "wobbly");
  BOOST_CHECK(w.verdict == Verdict::flaky);
  BOOST_CHECK(w.reason.find("reruns disagree") != std::string::npos);
  BOOST_CHECK_EQUAL(out.record.suites[0].reruns[1].at("steady").size(), 2u);
  BOOST_CHECK_EQUAL(count_verdicts(out.record)[Verdict::flaky], 1u);
  // JUnit marks it as Surefire does; it fails nothing by itself.
  auto junit = read_file(out.report_dir / "junit.xml");
  BOOST_CHECK(junit.find("<flakyFailure type=\"flaky\"") != std::string::npos);
  auto xsd = fs::path(HARNESS_SOURCE_DIR) / "tests" / "report" / "junit.xsd";
  auto lint = run_process({"xmllint", "--noout", "--schema", xsd.string(), (out.report_dir / "junit.xml").string()});
  BOOST_CHECK_MESSAGE(lint.ok(), lint.err);
  // Without reruns the same difference is taken at its word.
  rq.reruns = 0;
  BOOST_CHECK(verdict_of(run_plan(rq, services()).record, "wobbly").verdict != Verdict::flaky);
}

BOOST_FIXTURE_TEST_CASE(blame_names_the_changed_package_behind_a_regression, Fixture) {
  write_file(scenarios() / "fake" / "cases.txt", "count pass badif:exim4-base\nother pass pass\n");
  auto local = dir.path() / "results";
  make_deb(dir.path(), local, "exim4-base", "4.98.2-1+fault1", "exim4");
  make_deb(dir.path(), local, "libssl3t64", "3.5.1-1+repack1", "openssl");
  auto rq = request({"local:" + local.string() + "@debian:trixie:stable"});
  rq.plan.baseline = parse_candidate_spec("debian:trixie:stable");
  rq.suite_options["fake"]["quick"] = "1";
  auto out = run_plan(rq, services());
  BOOST_CHECK(verdict_of(out.record, "count").verdict == Verdict::regression);
  const auto& blame = out.record.streams[1].blame;
  BOOST_REQUIRE_EQUAL(blame.size(), 2u);
  for (const auto& b : blame) {
    if (b.source == "exim4") {
      BOOST_CHECK_EQUAL(b.finding, "causes");
      BOOST_CHECK(b.changes.at(0).find("exim4-base 4.98.2-1 -> 4.98.2-1+fault1") != std::string::npos);
    } else {
      BOOST_CHECK_EQUAL(b.source, "openssl");
      BOOST_CHECK_EQUAL(b.finding, "not involved");
    }
  }
  auto summary = read_file(out.report_dir / "summary.txt");
  BOOST_CHECK(summary.find("BLAME on candidate: caused by exim4-base 4.98.2-1 -> 4.98.2-1+fault1") != std::string::npos);
  BOOST_CHECK(summary.find("not involved: libssl3t64") != std::string::npos);
  // libssl3t64 is in no image of the fake suite: said, not counted as tested.
  BOOST_CHECK(summary.find("NOT EXERCISED by any suite on candidate") != std::string::npos);
  BOOST_CHECK(summary.find("libssl3t64 3.5.1-1+repack1") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_candidate_no_suite_installed_is_not_a_pass, Fixture) {
  auto local = dir.path() / "results";
  make_deb(dir.path(), local, "exim4-config", "4.98.2-1+local1", "exim4");
  auto rq = request({"local:" + local.string() + "@debian:trixie:stable"});
  rq.plan.baseline = parse_candidate_spec("debian:trixie:stable");
  write_file(scenarios() / "fake" / "cases.txt", "a pass pass\n");
  auto out = run_plan(rq, services());
  BOOST_CHECK(out.status == RunStatus::error);
  BOOST_REQUIRE_EQUAL(out.record.streams[1].not_exercised.size(), 1u);
  BOOST_CHECK_EQUAL(out.record.streams[1].not_exercised[0], "exim4-config 4.98.2-1+local1");
  BOOST_CHECK(out.record.streams[1].errors.at(0).find("not tested") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_candidate_that_does_not_install_was_tested, Fixture) {
  auto local = dir.path() / "results";
  make_deb(dir.path(), local, "exim4-daemon-light", "4.98.2-1+fault1", "exim4");
  auto rq = request({"local:" + local.string() + "@debian:trixie:stable"});
  rq.plan.baseline = parse_candidate_spec("debian:trixie:stable");
  rq.suite_options["fake"]["package_error"] = "1";
  write_file(scenarios() / "fake" / "cases.txt", "a pass pass\n");
  auto out = run_plan(rq, services());
  BOOST_CHECK(verdict_of(out.record, "a").verdict == Verdict::regression);
  BOOST_CHECK(out.record.streams[1].errors.empty());  // no "not tested": not installing is the result
  BOOST_CHECK(out.status == RunStatus::regression);
}

BOOST_FIXTURE_TEST_CASE(progress_counts_each_streams_cases_and_ends_once, Fixture) {
  auto rq = request({"debian:trixie:stable", "debian:sid:stable"});
  rq.reruns = 0;
  rq.suite_options["fake"]["quick"] = "1";
  std::mutex m;
  std::vector<StreamProgress> events;
  rq.progress = [&](const StreamProgress& p) {
    std::lock_guard lock(m);
    events.push_back(p);
  };
  run_plan(rq, services());
  BOOST_REQUIRE(!events.empty());
  BOOST_CHECK(events.back().end);
  BOOST_CHECK_EQUAL(std::count_if(events.begin(), events.end(), [](auto& e) { return e.end; }), 1);
  for (const std::string stream : {"baseline", "candidate-1", "candidate-2"}) {
    std::vector<std::size_t> done;
    for (const auto& e : events)
      if (e.stream == stream) {
        BOOST_CHECK_EQUAL(e.suite, "fake");
        BOOST_CHECK_EQUAL(e.total, 4u);
        done.push_back(e.done);
      }
    // Started at 0, one step per case, ended at the suite's count.
    BOOST_REQUIRE_MESSAGE(done.size() >= 5u, stream);
    BOOST_CHECK_EQUAL(done.front(), 0u);
    BOOST_CHECK_EQUAL(done.back(), 4u);
    BOOST_CHECK(std::is_sorted(done.begin(), done.end()));
    BOOST_CHECK_EQUAL(std::count(done.begin(), done.end(), 2u), 1);
  }
}

BOOST_AUTO_TEST_CASE(progress_line_has_a_segment_per_stream_and_ends_with_one_line) {
  std::vector<std::string> drawn, ended;
  ProgressLine line([&](const std::string& s) { drawn.push_back(s); }, [&](const std::string& s) { ended.push_back(s); });
  line.update({.end = true});  // nothing drawn: nothing to end
  BOOST_CHECK(ended.empty());
  line.update({"baseline", "exiqgrep", 0, 44});
  line.update({"candidate", "starttls", 17, 44});
  line.update({"baseline", "exiqgrep", 44, 44});
  BOOST_CHECK_EQUAL(drawn.back(), "[baseline] exiqgrep 44/44  [candidate] starttls 17/44");
  line.update({.end = true});
  BOOST_REQUIRE_EQUAL(ended.size(), 1u);
  BOOST_CHECK_EQUAL(ended[0], "[baseline] exiqgrep 44/44  [candidate] starttls 17/44");
  line.update({.end = true});
  BOOST_CHECK_EQUAL(ended.size(), 1u);
  // Under ctest stderr is a file or a pipe, as in CI: no progress display at all.
  if (!isatty(2)) BOOST_CHECK(!terminal_progress());
}

BOOST_FIXTURE_TEST_CASE(a_candidate_without_baseline_is_judged_alone, Fixture) {
  // Candidate column (trixie): pass, fail, error, skip, and a case that fails once then passes.
  write_file(scenarios() / "fake" / "cases.txt",
             "good fail pass\nbad pass fail\nbroken pass error\nskipped pass skip\nwobbly pass flip\n");
  auto rq = request({"debian:trixie:stable"});
  rq.plan.baseline.reset();
  auto out = run_plan(rq, services());
  const auto& run = out.record;
  BOOST_CHECK(run.single_stream());
  BOOST_REQUIRE_EQUAL(run.streams.size(), 1u);
  BOOST_CHECK(!run.streams[0].baseline);
  BOOST_CHECK_EQUAL(run.streams[0].name, "candidate");
  // Only the candidate ran (no bookworm stream), and it had no baseline inputs.
  for (const auto& ctx : trace.contexts) {
    BOOST_CHECK_EQUAL(ctx.spec.release, "trixie");
    BOOST_CHECK(!ctx.baseline);
  }
  BOOST_REQUIRE_EQUAL(run.verdicts.size(), 5u);
  BOOST_CHECK(verdict_of(run, "good", 0).verdict == Verdict::pass);
  BOOST_CHECK(verdict_of(run, "bad", 0).verdict == Verdict::fail);
  BOOST_CHECK(verdict_of(run, "broken", 0).verdict == Verdict::error);
  BOOST_CHECK(verdict_of(run, "skipped", 0).verdict == Verdict::skip);
  // A FAIL is rerun like a difference; one that passes on a rerun is FLAKY, one that keeps failing is FAIL.
  BOOST_CHECK(verdict_of(run, "wobbly", 0).verdict == Verdict::flaky);
  BOOST_CHECK_EQUAL(run.suites[0].reruns[0].at("bad").size(), 2u);
  for (const auto& v : run.verdicts) BOOST_CHECK(v.verdict != Verdict::regression && v.verdict != Verdict::fixed);
  // A FAIL fails the run (exit 1) like an autopkgtest run; it is not called a regression.
  BOOST_CHECK(out.status == RunStatus::fail);
  BOOST_CHECK_EQUAL(exit_code_for(out.status), 1);
  // The reports say what kind of run this was and claim no REGRESSION/FIXED.
  auto summary = read_file(out.report_dir / "summary.txt");
  BOOST_CHECK(summary.find("Single-stream run (no baseline)") != std::string::npos);
  BOOST_CHECK(summary.find("REGRESSION") == std::string::npos);
  BOOST_CHECK(summary.find("FIXED") == std::string::npos);
  // summary.txt groups the FAIL by cause; summary-full.txt names the case.
  BOOST_CHECK_MESSAGE(summary.find("1x fake") != std::string::npos, summary);
  BOOST_CHECK(read_file(out.report_dir / "summary-full.txt").find("fake/bad on candidate (debian:trixie:stable)") != std::string::npos);
  auto manifest = read_file(out.report_dir / "manifest.json");
  BOOST_CHECK(manifest.find("\"mode\": \"single-stream\"") != std::string::npos);
  BOOST_CHECK(manifest.find("\"status\": \"fail\"") != std::string::npos);
  auto junit = read_file(out.report_dir / "junit.xml");
  BOOST_CHECK(junit.find("single-stream (no baseline)") != std::string::npos);
  BOOST_CHECK(junit.find("type=\"regression\"") == std::string::npos);
  auto html = read_file(out.report_dir / "index.html");
  BOOST_CHECK(html.find("Single-stream run (no baseline)") != std::string::npos);
  BOOST_CHECK(html.find("REGRESSION") == std::string::npos);

  // Every case passing (or skipped) is exit 0.
  write_file(scenarios() / "fake" / "cases.txt", "good fail pass\nskipped pass skip\n");
  auto ok = run_plan(rq, services());
  BOOST_CHECK(ok.status == RunStatus::ok);
  BOOST_CHECK_EQUAL(exit_code_for(ok.status), 0);
}
