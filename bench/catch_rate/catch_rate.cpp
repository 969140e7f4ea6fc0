#include "bench/catch_rate/catch_rate.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/plan/yaml_file.hpp"

namespace harness::catch_rate {
namespace fs = std::filesystem;

namespace {
bool matches(const std::string& glob, const std::string& id) { return fnmatch(glob.c_str(), id.c_str(), 0) == 0; }
bool matches_any(const std::vector<std::string>& globs, const std::string& id) {
  return std::any_of(globs.begin(), globs.end(), [&](const auto& g) { return matches(g, id); });
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

Fault load_fault(const fs::path& dir) {
  auto y = load_yaml_file(dir / "fault.yaml");
  const auto& r = y.root;
  y.check_keys(r, {"name", "package", "summary", "refs", "suites", "regression", "fixed", "allowed", "blame",
                   "baseline_fault"});
  Fault f;
  f.dir = dir;
  f.name = y.required_string(r, "name");
  if (f.name != dir.filename().string())
    y.fail(r["name"], "name '" + f.name + "' differs from the folder '" + dir.filename().string() + "'");
  f.package = y.required_string(r, "package");
  f.summary = y.required_string(r, "summary");
  f.refs = y.string_list(r, "refs", true);
  f.suites = y.string_list(r, "suites", true);
  for (const auto& s : f.suites)
    if (s != "exiqgrep" && s != "starttls") y.fail(r["suites"], "unknown suite '" + s + "' (exiqgrep, starttls)");
  f.regression = y.string_list(r, "regression");
  f.fixed = y.string_list(r, "fixed");
  f.allowed = y.string_list(r, "allowed");
  f.blame = y.optional_string(r, "blame");
  f.baseline_fault = y.optional_string(r, "baseline_fault");
  if (f.refs.empty()) y.fail(r, "refs must name at least one public source");
  if (f.name != "unchanged" && f.regression.empty() && f.fixed.empty())
    y.fail(r, "a fault needs 'regression' (or 'fixed') case globs: what must the harness report?");
  return f;
}

std::vector<Fault> load_faults(const fs::path& faults_dir) {
  std::vector<Fault> out;
  if (!fs::is_directory(faults_dir)) throw UsageError(faults_dir.string() + ": no such folder of faults");
  for (const auto& e : fs::directory_iterator(faults_dir))
    if (e.is_directory() && fs::exists(e.path() / "fault.yaml")) out.push_back(load_fault(e.path()));
  std::sort(out.begin(), out.end(), [](const Fault& a, const Fault& b) {
    return std::pair(a.name != "unchanged", a.name) < std::pair(b.name != "unchanged", b.name);
  });
  if (out.empty()) throw UsageError(faults_dir.string() + ": no subfolder with a fault.yaml");
  return out;
}

Judgement judge(const Fault& fault, const nlohmann::json& manifest, const std::string& summary) {
  Judgement j;
  j.fault = fault.name;
  j.seconds = manifest.value("seconds", 0.0);
  std::set<std::string> hit_regression, hit_fixed;
  for (const auto& c : manifest.value("not_passing", nlohmann::json::array())) {
    std::string id = c.value("suite", "") + "/" + c.value("case", "");
    std::string v = c.value("verdict", "");
    if (v == "REGRESSION") {
      bool expected = false;
      for (const auto& g : fault.regression)
        if (matches(g, id)) hit_regression.insert(g), expected = true;
      if (expected) j.caught_cases.push_back(id);
      else if (!matches_any(fault.allowed, id)) j.false_alarms.push_back(id);
    } else if (v == "FIXED") {
      for (const auto& g : fault.fixed)
        if (matches(g, id)) hit_fixed.insert(g), j.caught_cases.push_back(id);
    } else if (v == "ERROR") {
      j.errors.push_back(id + ": " + c.value("reason", ""));
    } else if (v == "FLAKY") {
      j.flaky.push_back(id);
    }
  }
  for (const auto& s : manifest.value("streams", nlohmann::json::array()))
    for (const auto& e : s.value("errors", nlohmann::json::array()))
      j.errors.push_back("stream " + s.value("name", "") + ": " + e.get<std::string>());
  for (const auto& g : fault.regression)
    if (!hit_regression.count(g)) j.missed.push_back(g + " (no REGRESSION)");
  for (const auto& g : fault.fixed)
    if (!hit_fixed.count(g)) j.missed.push_back(g + " (no FIXED)");
  if (fault.blame) {
    // The manifest's blame (streams[].blame: finding "causes", changes "PKG OLD -> NEW"), else the
    // summary's "caused by PKG OLD -> NEW".
    for (const auto& s : manifest.value("streams", nlohmann::json::array()))
      for (const auto& b : s.value("blame", nlohmann::json::array()))
        if (j.blame_seen.empty() && b.value("finding", "") == "causes" && !b.value("changes", nlohmann::json::array()).empty()) {
          auto change = b["changes"][0].get<std::string>();
          j.blame_seen = change.substr(0, change.find(' '));
        }
    auto pos = summary.find("caused by ");
    if (j.blame_seen.empty() && pos != std::string::npos) {
      auto end = summary.find_first_of(" \n", pos + 10);
      j.blame_seen = summary.substr(pos + 10, end == std::string::npos ? std::string::npos : end - pos - 10);
    }
    if (j.blame_seen != *fault.blame)
      j.missed.push_back("blame: expected 'caused by " + *fault.blame + "', the run named " +
                         (j.blame_seen.empty() ? std::string("nothing") : "'" + j.blame_seen + "'"));
  }
  j.caught = fault.name != "unchanged" && j.missed.empty();
  return j;
}

std::vector<std::string> run_command(const Fault& fault, const fs::path& faults_dir, const fs::path& harness,
                                     const fs::path& out) {
  std::string base = "debian:trixie:stable";
  if (fault.baseline_fault) base = "local:" + (faults_dir / *fault.baseline_fault).string() + "@debian:trixie:stable";
  std::vector<std::string> argv{harness.string(), "-q", "run", "--baseline", base, "--candidate",
                                "local:" + fault.dir.string() + "@debian:trixie:stable", "--out", out.string()};
  for (const auto& s : fault.suites) argv.insert(argv.end(), {"--suite", s});
  return argv;
}

Judgement run_fault(const Fault& fault, const fs::path& faults_dir, const fs::path& harness, const fs::path& out,
                    std::chrono::seconds timeout) {
  fs::remove_all(out);
  fs::create_directories(out);
  auto argv = run_command(fault, faults_dir, harness, out);
  auto r = run_process(argv, {.timeout = timeout, .max_output = 16u << 20});
  fs::path report;
  for (const auto& e : fs::directory_iterator(out))
    if (e.is_directory() && !e.is_symlink() && fs::exists(e.path() / "manifest.json")) report = e.path();
  if (report.empty()) {
    Judgement j;
    j.fault = fault.name;
    j.seconds = std::chrono::duration<double>(r.duration).count();
    j.errors.push_back("no report from `" + shell_quote(argv) + "` (exit " + std::to_string(r.exit_code) +
                       (r.timed_out ? ", timed out" : "") + "): " + r.err.substr(0, 2000));
    j.missed = fault.regression;
    return j;
  }
  auto manifest = nlohmann::json::parse(slurp(report / "manifest.json"));
  auto j = judge(fault, manifest, slurp(report / "summary.txt"));
  j.report_dir = report.string();
  return j;
}

fs::path make_faults(const fs::path& source_dir, const fs::path& harness, std::chrono::seconds timeout) {
  auto script = source_dir / "bench" / "catch_rate" / "make-faults.sh";
  auto r = run_process({"sh", script.string(), "--harness", harness.string()},
                       {.timeout = timeout, .stream_stderr = true});
  if (!r.ok())
    throw InfraError(script.string() + " failed (exit " + std::to_string(r.exit_code) +
                     (r.timed_out ? ", timed out" : "") + "): " + r.err.substr(r.err.size() > 3000 ? r.err.size() - 3000 : 0));
  auto out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  auto nl = out.rfind('\n');
  return fs::path(nl == std::string::npos ? out : out.substr(nl + 1));
}

std::string totals_line(const std::vector<Judgement>& results) {
  std::size_t caught = 0, total = 0, alarms = 0, errors = 0, flaky = 0;
  for (const auto& j : results) {
    alarms += j.false_alarms.size();
    errors += j.errors.size();
    flaky += j.flaky.size();
    if (j.fault == "unchanged") continue;
    ++total;
    caught += j.caught ? 1 : 0;
  }
  return "caught " + std::to_string(caught) + "/" + std::to_string(total) + ", false alarms " + std::to_string(alarms) +
         ", errors " + std::to_string(errors) + ", flaky " + std::to_string(flaky);
}

}  // namespace harness::catch_rate
