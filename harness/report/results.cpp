#include "harness/report/results.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/report/report.hpp"

namespace harness {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

json row_json(const ResultRow& r) {
  json j = {{"suite", r.suite}, {"case", r.id}, {"stream", r.stream}, {"spec", r.spec}, {"baseline", r.baseline},
            {"outcome", r.outcome}};
  if (!r.baseline) j["verdict"] = r.verdict;
  return j;
}

// "REGRESSION (outcome FAIL)", "PASS", "outcome FAIL" (a baseline row), "ERROR (no result)".
std::string side(const ResultRow& r) {
  if (r.baseline) return "outcome " + (r.outcome.empty() ? std::string("none") : r.outcome);
  if (r.outcome.empty()) return r.verdict + " (no result)";
  return r.outcome == r.verdict ? r.verdict : r.verdict + " (outcome " + r.outcome + ")";
}

std::string counts_line(const std::vector<ResultChange>& changes) {
  std::size_t n[3] = {0, 0, 0};
  for (const auto& c : changes) ++n[!c.before ? 1 : !c.after ? 2 : 0];
  return std::to_string(n[0]) + " changed, " + std::to_string(n[1]) + " added, " + std::to_string(n[2]) + " removed";
}

// Outcomes as the verdicts are spelled (PASS, not pass), so that the two compare.
std::string outcome_text(Outcome o) {
  auto s = to_string(o);
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

std::string results_json(const RunRecord& run) {
  auto clean = [](const std::string& s) { return strip_xml_illegal(s); };
  json rows = json::array();
  for (std::size_t si = 0; si < run.suites.size(); ++si) {
    const auto& suite = run.suites[si];
    for (std::size_t st = 0; st < suite.results.size() && st < run.streams.size(); ++st) {
      const auto& stream = run.streams[st];
      // Candidate rows come from the verdicts (they include cases the stream lost); the baseline's
      // from its outcomes.
      if (stream.baseline) {
        for (const auto& c : suite.results[st])
          rows.push_back(row_json({.suite = suite.name, .id = clean(c.id), .stream = stream.name, .spec = clean(stream.spec.text),
                                   .baseline = true, .outcome = outcome_text(c.outcome)}));
        continue;
      }
      for (const auto& v : run.verdicts)
        if (v.suite == si && v.stream == st)
          rows.push_back(row_json({.suite = suite.name, .id = clean(v.id), .stream = stream.name, .spec = clean(stream.spec.text),
                                   .outcome = v.candidate ? outcome_text(v.candidate->outcome) : "", .verdict = to_string(v.verdict)}));
    }
  }
  json j = {{"format", kResultsFormat},
            {"run_id", run.run_id},
            {"started", run.started},
            {"mode", run.single_stream() ? "single-stream" : "baseline-vs-candidate"},
            {"plan", {{"name", clean(run.plan_name)}, {"path", clean(run.plan_path)}}},
            {"cases", rows}};
  // Each suite's wall time per stream: `run --shard-timings` balances shards by them.
  json suites = json::array();
  for (const auto& suite : run.suites) suites.push_back({{"name", suite.name}, {"seconds", suite.seconds}});
  j["suites"] = suites;
  return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";  // invalid UTF-8: U+FFFD
}

RunResults read_results(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw UsageError(dir.string() + ": no such report folder");
  if (!fs::is_directory(dir, ec)) throw UsageError(dir.string() + ": not a folder (give a report folder: reports/<run-id>)");
  const fs::path file = dir / "results.json";
  if (!fs::is_regular_file(file, ec))
    throw UsageError(dir.string() + ": not a harness report folder (no results.json" +
                     (fs::is_regular_file(dir / "manifest.json", ec) ? "; written by an older harness, rerun it" : "") + ")");
  json j = json::parse(read_file(file), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != kResultsFormat || !j.contains("cases") ||
      !j["cases"].is_array())
    throw UsageError(file.string() + ": not a " + kResultsFormat + " file");
  RunResults r;
  r.dir = dir;
  r.run_id = j.value("run_id", "");
  r.started = j.value("started", "");
  r.mode = j.value("mode", "");
  if (j.contains("plan") && j["plan"].is_object()) {
    r.plan_name = j["plan"].value("name", "");
    r.plan_path = j["plan"].value("path", "");
  }
  for (const auto& c : j["cases"]) {
    if (!c.is_object()) throw UsageError(file.string() + ": a case is not an object");
    r.rows.push_back({.suite = c.value("suite", ""), .id = c.value("case", ""), .stream = c.value("stream", ""),
                      .spec = c.value("spec", ""), .baseline = c.value("baseline", false), .outcome = c.value("outcome", ""),
                      .verdict = c.value("verdict", "")});
  }
  return r;
}

std::vector<ResultChange> diff_results(const RunResults& a, const RunResults& b) {
  std::map<std::string, const ResultRow*> before, after;
  for (const auto& r : a.rows) before.emplace(r.key(), &r);
  for (const auto& r : b.rows) after.emplace(r.key(), &r);
  std::vector<ResultChange> out;
  for (const auto& [k, r] : before) {
    auto it = after.find(k);
    if (it == after.end())
      out.push_back({.before = *r});
    else if (it->second->outcome != r->outcome || it->second->verdict != r->verdict)
      out.push_back({.before = *r, .after = *it->second});
  }
  for (const auto& [k, r] : after)
    if (!before.count(k)) out.push_back({.after = *r});
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.row().key() < y.row().key(); });
  return out;
}

std::string diff_text(const RunResults& a, const RunResults& b, const std::vector<ResultChange>& changes) {
  std::string s = "harness diff " + a.dir.string() + " (" + a.run_id + ") -> " + b.dir.string() + " (" + b.run_id +
                  "): " + (changes.empty() ? "no case changed" : counts_line(changes)) + " (" +
                  std::to_string(b.rows.size()) + " cases now, " + std::to_string(a.rows.size()) + " before)\n";
  if (a.mode != b.mode) s += "  note: " + a.run_id + " is a " + a.mode + " run, " + b.run_id + " a " + b.mode + " run\n";
  for (const auto& c : changes) {
    std::string what = c.kind();
    what.resize(8, ' ');
    s += "  " + what + c.row().key() + ": ";
    if (c.before && c.after)
      s += side(*c.before) + " -> " + side(*c.after);
    else
      s += side(c.row());
    s += "\n";
  }
  return s;
}

std::optional<fs::path> previous_run(const fs::path& reports_root, const RunResults& current) {
  auto same_plan = [&](const RunResults& r) {
    if (!current.plan_path.empty() || !r.plan_path.empty()) {
      std::error_code e1, e2;
      return fs::weakly_canonical(r.plan_path, e1) == fs::weakly_canonical(current.plan_path, e2) && !e1 && !e2;
    }
    return r.plan_name == current.plan_name;
  };
  std::optional<fs::path> best;
  std::string best_id;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(reports_root, ec)) {
    const auto name = e.path().filename().string();
    if (e.is_symlink() || !e.is_directory() || name.empty() || name[0] == '.' || name >= current.run_id || name <= best_id)
      continue;
    try {
      auto r = read_results(e.path());
      if (r.run_id != name || !same_plan(r)) continue;
      best = e.path();
      best_id = name;
    } catch (const UsageError&) {
      // not a report folder, or one from an older harness
    }
  }
  return best;
}

std::string diff_json(const RunResults& a, const RunResults& b, const std::vector<ResultChange>& changes) {
  auto run = [](const RunResults& r) {
    return json{{"dir", r.dir.string()}, {"run_id", r.run_id}, {"mode", r.mode}, {"cases", r.rows.size()}};
  };
  auto state = [](const std::optional<ResultRow>& r) -> json {
    if (!r) return nullptr;
    json j = {{"outcome", r->outcome}};
    if (!r->baseline) j["verdict"] = r->verdict;
    return j;
  };
  json list = json::array();
  for (const auto& c : changes) {
    const auto& r = c.row();
    list.push_back({{"change", c.kind()}, {"suite", r.suite}, {"case", r.id}, {"spec", r.spec}, {"baseline", r.baseline},
                    {"before", state(c.before)}, {"after", state(c.after)}});
  }
  return json{{"a", run(a)}, {"b", run(b)}, {"changes", list}}.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace harness
