// The run pipeline with a test-only suite (no containers): load-before-start, parallel streams,
// local candidates, resolution into pins, classification, reports and exit codes.
#define BOOST_TEST_MODULE pipeline
#include <boost/test/unit_test.hpp>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "harness/cli/pipeline.hpp"
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

// Reads "ID OUTCOME-ON-BOOKWORM OUTCOME-ON-TRIXIE" lines from <scenarios>/fake/cases.txt.
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
      if (!ok(b) || !ok(c)) throw UsageError((dir / "cases.txt").string() + ":" + std::to_string(line) + ": bad outcome");
      cases_.push_back({id, b, c});
    }
    options_ = options;
  }
  std::size_t case_count() const override { return cases_.size(); }
  std::vector<CaseResult> run(SuiteContext& ctx) override {
    {
      std::lock_guard l(trace_.m);
      trace_.starts.push_back({ctx.stream, std::chrono::steady_clock::now()});
      trace_.contexts.push_back(ctx);
    }
    int now = ++trace_.running;
    for (int m = trace_.max_running; now > m && !trace_.max_running.compare_exchange_weak(m, now);) {}
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    --trace_.running;
    if (options_.count("explode") && ctx.stream != "baseline") throw InfraError("podman vanished");
    std::vector<CaseResult> out;
    for (const auto& [id, b, c] : cases_) {
      CaseResult r;
      r.id = id;
      r.group = "g";
      const std::string& o = ctx.spec.release == "bookworm" && !ctx.spec.is_local() ? b : c;
      r.outcome = o == "pass" ? Outcome::pass : o == "fail" ? Outcome::fail : o == "error" ? Outcome::error : Outcome::skip;
      r.message = id + " " + o + " on " + ctx.spec.text;
      r.transcript = "$ exiqgrep -c\n" + o + "\n";
      out.push_back(r);
    }
    return out;
  }

 private:
  Trace& trace_;
  std::vector<std::tuple<std::string, std::string, std::string>> cases_;
  std::map<std::string, std::string> options_;
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
      return std::pair<ImageStore*, const Podman*>{nullptr, nullptr};
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
  auto summary = read_file(out.report_dir / "summary.txt");
  BOOST_CHECK(summary.find("fake/broken-by-candidate on candidate (debian:trixie:stable)") != std::string::npos);
  BOOST_CHECK(summary.find("exim4-base 4.98.2-1.amd64") != std::string::npos);
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

BOOST_FIXTURE_TEST_CASE(three_streams_on_two_workers, Fixture) {
  auto rq = request({"debian:bookworm:proposed-updates", "debian:trixie:stable"});
  auto out = run_plan(rq, services());
  BOOST_CHECK_EQUAL(trace.max_running.load(), 2);
  BOOST_REQUIRE_EQUAL(out.record.streams.size(), 3u);
  BOOST_CHECK_EQUAL(out.record.streams[1].name, "candidate-1");
  BOOST_CHECK_EQUAL(out.record.streams[2].name, "candidate-2");
  // The run records the archives it used and where they came from (manifest.json "archives").
  BOOST_REQUIRE_EQUAL(out.record.archives.size(), 2u);
  BOOST_CHECK_EQUAL(out.record.archives[1].url, "http://archive.example/debian-security");
  BOOST_CHECK_EQUAL(out.record.archives[1].origin, "test fixture");
  BOOST_CHECK(verdict_of(out.record, "broken-by-candidate", 1).verdict == Verdict::pass);  // p-u behaves like bookworm here
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
