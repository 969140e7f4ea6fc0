// manifest.json: what a run was made of (plan, streams with package sets, transactions and images,
// timings, verdict counts), for tools and for `harness bugzilla attach`/nightly comparisons.
#include <nlohmann/json.hpp>

#include "harness/report/detail.hpp"
#include "harness/report/record.hpp"
#include "harness/report/report.hpp"

namespace harness {

std::string manifest_json(const RunRecord& run) {
  using nlohmann::json;
  auto clean = [](const std::string& s) { return strip_xml_illegal(s); };
  json j;
  j["run_id"] = run.run_id;
  j["started"] = run.started;
  j["hostname"] = clean(run.hostname);
  j["seconds"] = run.seconds;
  j["command"] = clean(run.command);
  j["plan"] = {{"name", clean(run.plan_name)}, {"path", clean(run.plan_path)}, {"summary", clean(run.plan_summary)}};
  // What shards of one run share (harness merge checks them), and which part this one is.
  j["plan_hash"] = plan_hash(run);
  j["package_sets_hash"] = package_sets_hash(run);
  if (run.shard.count > 0) {
    json assignment = json::object();
    for (const auto& [suite, k] : run.shard.assignment) assignment[suite] = k;
    j["shard"] = {{"index", run.shard.index}, {"count", run.shard.count}, {"basis", clean(run.shard.basis)}, {"suites", assignment}};
  }
  if (!run.merged_from.empty()) j["merged_from"] = run.merged_from;
  // "single-stream": no baseline, each case judged alone (never REGRESSION/FIXED).
  j["mode"] = run.single_stream() ? "single-stream" : "baseline-vs-candidate";
  j["status"] = run_status(run) == RunStatus::regression ? "regression"
                : run_status(run) == RunStatus::fail     ? "fail"
                : run_status(run) == RunStatus::error    ? "error"
                                                         : "ok";
  json archives = json::array();
  for (const auto& a : run.archives) archives.push_back({{"name", a.name}, {"url", clean(a.url)}, {"from", clean(a.origin)}});
  j["archives"] = archives;
  json timings = json::object();
  for (const auto& [phase, s] : run.timings) timings[phase] = s;
  j["timings"] = timings;
  json streams = json::array();
  for (const auto& s : run.streams) {
    json pk = json::array();
    for (const auto& p : s.packages.packages)
      pk.push_back({{"name", p.name}, {"epoch", p.epoch}, {"version", p.version}, {"release", p.release}, {"arch", p.arch},
                    {"evr", p.evr()}, {"source", p.source}, {"repo", p.repo}, {"advisory", p.advisory}, {"bugs", p.bugs}});
    json images = json::array();
    for (const auto& i : s.images) images.push_back({{"suite", i.suite}, {"tag", i.tag}, {"id", i.id}, {"packages", i.requested}});
    streams.push_back({{"name", s.name},
                       {"baseline", s.baseline},
                       {"spec", clean(s.spec.text)},
                       {"packages", pk},
                       {"package_set_hash", s.packages.packages.empty() ? "" : s.packages.hash()},
                       {"transaction", s.transaction},
                       {"local_packages", s.local_packages},
                       {"images", images},
                       {"errors", json::array()},
                       {"identical_to_baseline", s.identical_to_baseline},
                       {"changed", s.changed},
                       {"not_exercised", s.not_exercised},
                       {"blame", json::array()},
                       {"seconds", s.seconds}});
    for (const auto& e : s.errors) streams.back()["errors"].push_back(clean(e));
    for (const auto& b : s.blame)
      streams.back()["blame"].push_back({{"source", b.source}, {"changes", b.changes}, {"finding", b.finding}, {"detail", clean(b.detail)}});
  }
  j["streams"] = streams;
  json suites = json::array();
  for (const auto& s : run.suites) {
    json cases = json::array();
    for (std::size_t st = 0; st < s.results.size(); ++st)
      cases.push_back(s.results[st].size());
    suites.push_back({{"name", s.name}, {"package", s.package}, {"options", s.options}, {"cases_per_stream", cases}});
  }
  j["suites"] = suites;
  json counts = json::object();
  for (const auto& [v, n] : count_verdicts(run)) counts[to_string(v)] = n;
  j["verdicts"] = counts;
  json notable = json::array();
  for (const auto& v : run.verdicts)
    if (v.verdict != Verdict::pass)
      notable.push_back({{"suite", run.suites[v.suite].name}, {"case", clean(v.id)}, {"stream", run.streams[v.stream].name},
                         {"verdict", to_string(v.verdict)}, {"reason", clean(report_detail::one_line(v.reason))}});
  j["not_passing"] = notable;
  // Case text is whatever a listing or server sent: invalid UTF-8 becomes U+FFFD, never an exception.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace harness
