// Sharded runs through the pipeline's suite seam (suites of our own, no containers): the split is
// deterministic and keeps each suite whole, the shards merged equal the unsharded run, merge refuses
// what is not one run, and results.yaml follows tmt's custom results format.
#define BOOST_TEST_MODULE shard
#include <boost/test/unit_test.hpp>
#include <yaml-cpp/yaml.h>

#include <array>
#include <regex>
#include <set>
#include <sstream>
#include <tinyxml2.h>

#include "harness/cli/pipeline.hpp"
#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/report/merge.hpp"
#include "harness/report/record.hpp"
#include "harness/report/report.hpp"
#include "harness/report/tmt_results.hpp"

using namespace harness;
using namespace harness::cli;
namespace fs = std::filesystem;

namespace {

Outcome outcome_of(const std::string& s) {
  return s == "pass" ? Outcome::pass : s == "fail" ? Outcome::fail : s == "skip" ? Outcome::skip : Outcome::error;
}

// A suite named by its folder: <scenarios>/<name>/cases.txt, "ID BOOKWORM-OUTCOME TRIXIE-OUTCOME" per
// line. Every case of a stream comes from one run (as one testbed), and each run records an image
// holding the stream's exim4-base.
class TableSuite : public Suite {
 public:
  explicit TableSuite(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void load(const fs::path& dir, const std::map<std::string, std::string>&) override {
    auto text = read_file(dir / "cases.txt");
    std::istringstream in(text);
    for (std::string id, b, c; in >> id >> b >> c;) rows_.push_back({id, b, c});
  }
  std::size_t case_count() const override { return rows_.size(); }
  std::vector<CaseResult> planned_cases() const override {
    std::vector<CaseResult> out;
    for (const auto& r : rows_) out.push_back({.suite = name_, .id = r[0], .group = "g"});
    return out;
  }
  std::vector<CaseResult> run(SuiteContext& ctx) override {
    Image img;
    img.tag = name_ + "-image";
    if (const Package* p = ctx.pins.find("exim4-base")) img.installed["exim4-base"] = p->evr();
    ctx.images_used.push_back(img);
    std::vector<CaseResult> out;
    for (const auto& r : rows_) {
      auto o = ctx.spec.release == "bookworm" ? r[1] : r[2];
      out.push_back({.suite = name_, .id = r[0], .group = "g", .outcome = outcome_of(o),
                     .message = r[0] + " " + o + " on " + ctx.spec.text, .transcript = "$ check " + r[0] + "\n" + o + "\n",
                     .seconds = 1.4});
    }
    return out;
  }

 private:
  std::string name_;
  std::vector<std::array<std::string, 3>> rows_;
};

struct Fixture {
  TempDir dir{"harness-test-shard"};
  std::string candidate_version = "4.98.2-1";
  fs::path scenarios() const { return dir.path() / "scenarios"; }

  Fixture() {
    auto suite = [&](const std::string& name, const std::string& cases) {
      fs::create_directories(scenarios() / name);
      write_file(scenarios() / name / "cases.txt", cases);
    };
    suite("alpha", "a1 pass pass\na2 pass fail\na3 fail pass\na4 pass pass\na5 pass error\n");
    suite("beta", "b1 pass pass\nb2 fail fail\nb3 pass skip\n");
    suite("gamma", "g1 pass pass\ng2 pass fail\n");
    suite("delta", "d1 pass pass\nd2 error pass\nd3 pass pass\nd4 pass pass\n");
  }
  Services services() {
    Services sv;
    sv.mirrors.debian = "http://archive.example/debian";
    sv.mirrors.debian_security = "http://archive.example/debian-security";
    sv.mirrors.debian_origin = sv.mirrors.debian_security_origin = "test fixture";
    sv.make_suite = [](const std::string& name) -> std::unique_ptr<Suite> { return std::make_unique<TableSuite>(name); };
    sv.resolve = [this](const CandidateSpec& spec, const std::vector<std::string>& packages) {
      Resolution r;
      r.spec = spec;
      r.packages.family = spec.family;
      for (const auto& p : packages)
        r.packages.packages.push_back({.name = p, .version = spec.release == "bookworm" ? "4.96-15+deb12u7" : candidate_version,
                                       .arch = "amd64", .source = "exim4", .repo = spec.release});
      return r;
    };
    return sv;
  }
  RunRequest request(const std::string& reports, std::optional<std::string> shard = {}) {
    RunRequest rq;
    rq.plan.name = "shards";
    rq.plan.baseline = parse_candidate_spec("debian:bookworm:stable");
    rq.plan.candidates = {parse_candidate_spec("debian:trixie:stable")};
    rq.plan.packages = {"exim4-base"};
    for (const auto* s : {"alpha", "beta", "gamma", "delta"}) rq.plan.suites.push_back({.name = s, .package = "exim4-base"});
    rq.scenarios_dir = scenarios();
    rq.reports_dir = dir.path() / reports;
    rq.command = "harness run shards";
    rq.jobs = 2;
    if (shard) {
      rq.shard = parse_shard(*shard);
      rq.command += " --shard " + *shard;
    }
    return rq;
  }
  // The shards of the plan, each run and written like `run --shard K/3` does.
  std::vector<RunOutput> run_shards(unsigned n = 3) {
    std::vector<RunOutput> out;
    for (unsigned k = 1; k <= n; ++k)
      out.push_back(run_plan(request("shard" + std::to_string(k), std::to_string(k) + "/" + std::to_string(n)), services()));
    return out;
  }
};

std::map<std::string, std::string> verdicts_of(const RunRecord& run) {
  std::map<std::string, std::string> m;
  for (const auto& v : run.verdicts) m[run.suites[v.suite].name + "/" + v.id + "@" + run.streams[v.stream].name] = to_string(v.verdict);
  return m;
}

// The JUnit counts: the root's tests/failures/errors, the testsuites' summed (with skipped), and
// the testcases failing as regressions.
std::string junit_counts(const fs::path& dir) {
  tinyxml2::XMLDocument doc;
  BOOST_REQUIRE_EQUAL(doc.LoadFile((dir / "junit.xml").c_str()), tinyxml2::XML_SUCCESS);
  auto* root = doc.RootElement();
  std::string s;
  for (const auto* a : {"tests", "failures", "errors"}) s += std::string(a) + "=" + (root->Attribute(a) ? root->Attribute(a) : "-") + " ";
  std::map<std::string, long> sum;
  for (auto* ts = root->FirstChildElement("testsuite"); ts; ts = ts->NextSiblingElement("testsuite")) {
    for (const auto* a : {"tests", "failures", "errors", "skipped"}) sum[a] += ts->Int64Attribute(a, -1000);
    for (auto* tc = ts->FirstChildElement("testcase"); tc; tc = tc->NextSiblingElement("testcase"))
      if (auto* f = tc->FirstChildElement("failure"); f && f->Attribute("type", "regression")) ++sum["regression"];
  }
  for (const auto& [k, v] : sum) s += "suites." + k + "=" + std::to_string(v) + " ";
  return s;
}

std::vector<ShardRun> read_shards(const std::vector<RunOutput>& outs) {
  std::vector<ShardRun> shards;
  for (const auto& o : outs) shards.push_back({o.report_dir, read_record(o.report_dir)});
  return shards;
}

std::string refusal(std::vector<ShardRun> shards) {
  try {
    merge_shards(std::move(shards), "merged");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(merged)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(shard_option_is_parsed_strictly) {
  auto s = parse_shard("2/3");
  BOOST_CHECK_EQUAL(s.index, 2u);
  BOOST_CHECK_EQUAL(s.count, 3u);
  for (const auto* bad : {"0/3", "4/3", "3", "1/0", "a/b", "1/3x", "/3", ""}) BOOST_CHECK_THROW(parse_shard(bad), UsageError);
}

BOOST_AUTO_TEST_CASE(split_is_deterministic_balanced_and_covers_every_unit_once) {
  std::vector<std::pair<std::string, double>> units = {{"alpha", 5}, {"beta", 3}, {"gamma", 2}, {"delta", 4}};
  auto a = assign_shards(units, 2);
  // Heaviest first onto the least loaded shard: alpha(5)->1, delta(4)->2, beta(3)->2, gamma(2)->1: 7 and 7.
  BOOST_CHECK((a == std::vector<unsigned>{1, 2, 1, 2}));
  // The order the units come in does not change where each goes.
  std::vector<std::pair<std::string, double>> shuffled = {units[3], units[1], units[0], units[2]};
  auto b = assign_shards(shuffled, 2);
  for (std::size_t i = 0; i < units.size(); ++i)
    for (std::size_t j = 0; j < shuffled.size(); ++j)
      if (units[i].first == shuffled[j].first) BOOST_CHECK_EQUAL(a[i], b[j]);
  // Timings, not counts: one slow suite gets a shard to itself.
  auto t = assign_shards({{"alpha", 10}, {"beta", 300}, {"gamma", 12}, {"delta", 9}}, 2);
  BOOST_CHECK((t == std::vector<unsigned>{2, 1, 2, 2}));
  // More shards than units: the rest are empty, never a unit twice.
  auto many = assign_shards(units, 6);
  BOOST_CHECK_EQUAL(std::set<unsigned>(many.begin(), many.end()).size(), 4u);
}

BOOST_FIXTURE_TEST_CASE(each_shard_runs_its_suites_and_says_which_part_it_is, Fixture) {
  auto outs = run_shards();
  std::map<std::string, unsigned> owner;
  for (unsigned k = 0; k < outs.size(); ++k) {
    const auto& r = outs[k].record;
    BOOST_CHECK_EQUAL(r.shard.index, k + 1);
    BOOST_CHECK_EQUAL(r.shard.count, 3u);
    BOOST_CHECK(r.shard.assignment == outs[0].record.shard.assignment);
    for (const auto& s : r.suites) BOOST_CHECK_MESSAGE(owner.emplace(s.name, k + 1).second, s.name << " in two shards");
    auto manifest = read_file(outs[k].report_dir / "manifest.json");
    BOOST_CHECK(manifest.find("\"shard\"") != std::string::npos);
    auto summary = read_file(outs[k].report_dir / "summary.txt");
    BOOST_CHECK_MESSAGE(summary.find("SHARD " + std::to_string(k + 1) + "/3 of the plan: ") != std::string::npos, summary);
    BOOST_CHECK(manifest.find("\"package_sets_hash\": \"" + package_sets_hash(r) + "\"") != std::string::npos);
    BOOST_CHECK(manifest.find("\"plan_hash\": \"" + plan_hash(outs[0].record) + "\"") != std::string::npos);
  }
  BOOST_CHECK_EQUAL(owner.size(), 4u);
  // By case counts (alpha 5, delta 4, beta 3, gamma 2 over 3 shards): alpha | delta | beta + gamma.
  BOOST_CHECK_EQUAL(owner["alpha"], 1u);
  BOOST_CHECK_EQUAL(owner["delta"], 2u);
  BOOST_CHECK_EQUAL(owner["beta"], 3u);
  BOOST_CHECK_EQUAL(owner["gamma"], 3u);
  // The same split again (another machine computes the same from the same plan).
  auto again = run_plan(request("again", "3/3"), services());
  BOOST_CHECK(again.record.shard.assignment == outs[0].record.shard.assignment);
  BOOST_CHECK_EQUAL(again.record.suites.size(), 2u);
}

BOOST_FIXTURE_TEST_CASE(timings_of_a_previous_run_balance_the_shards, Fixture) {
  // A results.json whose beta took 300 s and the rest seconds: beta alone in one shard of two.
  fs::create_directories(dir.path() / "prev");
  write_file(dir.path() / "prev" / "results.json",
             R"({"format": "harness-results/1", "cases": [], "suites": [{"name": "alpha", "seconds": [10, 12]},
                 {"name": "beta", "seconds": [250, 300]}, {"name": "gamma", "seconds": [3, 4]}]})");
  auto rq = request("timed", "1/2");
  rq.shard->timings = dir.path() / "prev";
  auto out = run_plan(rq, services());
  BOOST_REQUIRE_EQUAL(out.record.suites.size(), 1u);
  BOOST_CHECK_EQUAL(out.record.suites[0].name, "beta");
  BOOST_CHECK(out.record.shard.basis.find("timings from") == 0);
  // A file that is not a results.json is refused with its name.
  write_file(dir.path() / "junk.json", "{}");
  rq = request("timed2", "1/2");
  rq.shard->timings = dir.path() / "junk.json";
  BOOST_CHECK_EXCEPTION(run_plan(rq, services()), UsageError,
                        [](const UsageError& e) { return std::string(e.what()).find("junk.json") != std::string::npos; });
}

BOOST_FIXTURE_TEST_CASE(shards_merged_equal_the_unsharded_run, Fixture) {
  auto whole = run_plan(request("whole"), services());
  auto outs = run_shards();
  auto merged = merge_shards(read_shards(outs), "merged-run");
  // Same verdict for every case, nothing lost, nothing twice.
  auto a = verdicts_of(whole.record), b = verdicts_of(merged);
  BOOST_CHECK_EQUAL(a.size(), 14u);
  BOOST_CHECK(a == b);
  BOOST_CHECK_EQUAL(merged.verdicts.size(), whole.record.verdicts.size());
  BOOST_CHECK_EQUAL(a["alpha/a2@candidate"], "REGRESSION");
  BOOST_CHECK_EQUAL(a["alpha/a3@candidate"], "FIXED");
  BOOST_CHECK(run_status(merged) == whole.status);
  BOOST_CHECK_EQUAL(merged.merged_from.size(), 3u);
  BOOST_CHECK_EQUAL(merged.command, "harness run shards");
  // The suites in the plan's order, the streams' facts as the whole run had them.
  std::vector<std::string> order;
  for (const auto& s : merged.suites) order.push_back(s.name);
  BOOST_CHECK((order == std::vector<std::string>{"alpha", "beta", "gamma", "delta"}));
  BOOST_CHECK(merged.streams[1].not_exercised == whole.record.streams[1].not_exercised);
  BOOST_CHECK(merged.streams[1].errors == whole.record.streams[1].errors);
  BOOST_CHECK(merged.streams[1].changed == whole.record.streams[1].changed);
  // The written reports count the same.
  auto dir_merged = write_reports(merged, dir.path() / "merged");
  BOOST_CHECK_EQUAL(junit_counts(dir_merged), junit_counts(whole.report_dir));
  BOOST_CHECK_MESSAGE(junit_counts(dir_merged).find("suites.regression=2 ") != std::string::npos, junit_counts(dir_merged));
  // results.yaml: the same entries (the run id in the first note aside).
  auto yaml_whole = read_file(whole.report_dir / "results.yaml");
  yaml_whole.replace(yaml_whole.find(whole.record.run_id), whole.record.run_id.size(), "merged-run");
  BOOST_CHECK_EQUAL(read_file(dir_merged / "results.yaml"), yaml_whole);
  // And the merged folder reads back the same (a merge of a merge is refused: it is no shard).
  auto again = read_record(dir_merged);
  classify_run(again);
  BOOST_CHECK(verdicts_of(again) == a);
  BOOST_CHECK(refusal({{dir_merged, read_record(dir_merged)}}).find("not a shard") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(merge_refuses_what_is_not_one_run, Fixture) {
  auto outs = run_shards();
  // A missing shard.
  auto shards = read_shards(outs);
  shards.erase(shards.begin() + 1);
  BOOST_CHECK_MESSAGE(refusal(shards).find("missing shard 2/3") != std::string::npos, refusal(shards));
  // A shard given twice.
  shards = read_shards(outs);
  shards[2] = shards[0];
  BOOST_CHECK_MESSAGE(refusal(shards).find("shard 1/3 given twice") != std::string::npos, refusal(shards));
  // Different package sets: the archive moved before shard 2 ran.
  candidate_version = "4.98.2-2";
  auto moved = run_plan(request("moved", "2/3"), services());
  shards = read_shards(outs);
  shards[1] = {moved.report_dir, read_record(moved.report_dir)};
  auto why = refusal(shards);
  BOOST_CHECK_MESSAGE(why.find("different package sets") != std::string::npos && why.find("exim4-base 4.98.2-1") != std::string::npos &&
                          why.find("4.98.2-2 in " + moved.report_dir.string()) != std::string::npos,
                      why);
  // A different plan (another candidate).
  candidate_version = "4.98.2-1";
  auto rq = request("other", "3/3");
  rq.plan.candidates = {parse_candidate_spec("debian:bookworm:proposed-updates")};
  auto other = run_plan(rq, services());
  shards = read_shards(outs);
  shards[2] = {other.report_dir, read_record(other.report_dir)};
  why = refusal(shards);
  BOOST_CHECK_MESSAGE(why.find("different plans") != std::string::npos && why.find(other.report_dir.string()) != std::string::npos, why);
  // A split of another size.
  auto two = run_plan(request("two", "2/2"), services());
  shards = read_shards(outs);
  shards[1] = {two.report_dir, read_record(two.report_dir)};
  BOOST_CHECK_MESSAGE(refusal(shards).find("different splits") != std::string::npos, refusal(shards));
  // A folder without record.json is named.
  fs::create_directories(dir.path() / "empty");
  BOOST_CHECK_EXCEPTION(read_record(dir.path() / "empty"), UsageError,
                        [](const UsageError& e) { return std::string(e.what()).find("no record.json") != std::string::npos; });
}

#ifdef HARNESS_BIN
BOOST_FIXTURE_TEST_CASE(harness_merge_exits_2_naming_the_mismatch, Fixture) {
  auto outs = run_shards();
  candidate_version = "4.98.2-9";
  auto moved = run_plan(request("moved", "2/3"), services());
  auto r = run_process({HARNESS_BIN, "merge", outs[0].report_dir.string(), moved.report_dir.string(), outs[2].report_dir.string(),
                        "--out", (dir.path() / "out").string()},
                       {.timeout = std::chrono::seconds(60)});
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_MESSAGE(r.err.find("different package sets") != std::string::npos, r.err);
  BOOST_CHECK(!fs::exists(dir.path() / "out" / "latest"));
  r = run_process({HARNESS_BIN, "merge", outs[0].report_dir.string(), outs[1].report_dir.string(), outs[2].report_dir.string(),
                   "--out", (dir.path() / "out").string()},
                  {.timeout = std::chrono::seconds(60)});
  BOOST_CHECK_MESSAGE(r.exit_code == 1, r.out + r.err);  // the plan has a REGRESSION
  BOOST_CHECK(fs::exists(dir.path() / "out" / "latest" / "junit.xml"));
  BOOST_CHECK_EQUAL(junit_counts(dir.path() / "out" / "latest"), junit_counts(run_plan(request("whole"), services()).report_dir));
}
#endif

// tmt's results.yaml schema (tmt/schemas/results.yaml with common.yaml's result definitions), the parts
// a custom results file uses, checked here in our own words: a list of maps with only the keys the
// schema allows, `name` (starting with /) and `result` required, result one of tmt's outcomes,
// duration hh:mm:ss, note and log lists of strings, ids a map of strings; logs relative paths.
void check_tmt_schema(const YAML::Node& doc, const fs::path& dir) {
  static const std::set<std::string> keys = {"guest", "name", "serial-number", "web-link", "result", "original-result", "context", "note",
                                             "start-time", "end-time", "duration", "data-path", "ids", "log", "check", "subresult"};
  static const std::set<std::string> outcomes = {"pass", "fail", "info", "warn", "error", "skip", "pending"};
  static const std::regex duration("^[0-9]{2,}:[0-5][0-9]:[0-5][0-9]$");
  BOOST_REQUIRE(doc.IsSequence());
  for (const auto& item : doc) {
    BOOST_REQUIRE(item.IsMap());
    for (const auto& kv : item) BOOST_CHECK_MESSAGE(keys.count(kv.first.as<std::string>()), "key not in tmt's schema: " << kv.first.as<std::string>());
    BOOST_REQUIRE(item["name"] && item["result"]);
    BOOST_CHECK_EQUAL(item["name"].as<std::string>().substr(0, 1), "/");
    BOOST_CHECK(outcomes.count(item["result"].as<std::string>()));
    if (item["duration"]) BOOST_CHECK(std::regex_match(item["duration"].as<std::string>(), duration));
    for (const auto* list : {"note", "log"})
      if (item[list]) {
        BOOST_REQUIRE(item[list].IsSequence());
        for (const auto& s : item[list]) BOOST_CHECK(s.IsScalar());
      }
    if (item["log"])
      for (const auto& l : item["log"]) {
        fs::path p = l.as<std::string>();
        BOOST_CHECK_MESSAGE(p.is_relative() && fs::is_regular_file(dir / p), "log " << p << " is not a relative path to a file");
      }
    if (item["ids"]) {
      BOOST_REQUIRE(item["ids"].IsMap());
      for (const auto& kv : item["ids"]) BOOST_CHECK(kv.second.IsScalar());
    }
  }
}

BOOST_FIXTURE_TEST_CASE(results_yaml_maps_verdicts_to_tmt_outcomes_with_the_case_log, Fixture) {
  auto out = run_plan(request("tmt"), services());
  auto doc = YAML::LoadFile((out.report_dir / "results.yaml").string());
  check_tmt_schema(doc, out.report_dir);
  std::map<std::string, YAML::Node> by_name;
  for (const auto& item : doc) by_name[item["name"].as<std::string>()] = static_cast<const YAML::Node&>(item);
  BOOST_CHECK_EQUAL(by_name.size(), 1 + 14u);
  auto result = [&](const std::string& n) { return by_name.count(n) ? by_name[n]["result"].as<std::string>() : "(none)"; };
  BOOST_CHECK_EQUAL(result("/alpha/a2"), "fail");   // REGRESSION
  BOOST_CHECK_EQUAL(result("/alpha/a3"), "pass");   // FIXED
  BOOST_CHECK_EQUAL(result("/alpha/a5"), "error");  // ERROR
  BOOST_CHECK_EQUAL(result("/beta/b3"), "skip");    // SKIP
  BOOST_CHECK_EQUAL(result("/beta/b2"), "info");    // ALWAYS-FAIL: does not fail the run
  BOOST_CHECK_EQUAL(result("/alpha/a1"), "pass");
  BOOST_CHECK_EQUAL(result("/"), "fail");           // the run has a regression
  BOOST_CHECK_EQUAL(by_name["/alpha/a2"]["duration"].as<std::string>(), "00:00:01");
  BOOST_CHECK(by_name["/alpha/a2"]["note"][0].as<std::string>().find("REGRESSION: passes on the baseline") == 0);
  // The regression's own log: both sides' transcripts.
  auto log = read_file(out.report_dir / by_name["/alpha/a2"]["log"][0].as<std::string>());
  BOOST_CHECK(log.find("a2 fail on debian:trixie:stable") != std::string::npos);
  BOOST_CHECK(log.find("a2 pass on debian:bookworm:stable") != std::string::npos);
  BOOST_CHECK_EQUAL(tmt_outcome(Verdict::fail, true), "fail");
  BOOST_CHECK_EQUAL(tmt_outcome(Verdict::flaky, false), "info");
}
