#include "harness/report/tmt_results.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "harness/common/tempdir.hpp"
#include "harness/report/detail.hpp"
#include "harness/report/report.hpp"

namespace harness {
namespace {

// tmt's duration: hh:mm:ss, hours at least two digits.
std::string hms(double seconds) {
  long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

std::string case_log(const RunRecord& run, const CaseVerdict& v) {
  std::string text;
  auto side = [&](const char* what, std::size_t st, const CaseResult* c) {
    text += "=== " + std::string(what) + " " + run.streams[st].label() + ": ";
    if (!c) {
      text += "no result\n";
      return;
    }
    text += to_string(c->outcome) + ": " + c->message + "\n" + c->transcript;
    if (!c->transcript.empty() && c->transcript.back() != '\n') text += "\n";
  };
  text += to_string(v.verdict) + " " + run.suites[v.suite].name + "/" + v.id + ": " + v.reason + "\n";
  side(run.single_stream() ? "stream" : "candidate", v.stream, v.candidate);
  if (!run.single_stream()) side("baseline", 0, v.baseline);
  return strip_xml_illegal(text);
}

}  // namespace

std::string tmt_outcome(Verdict v, bool single) {
  switch (v) {
    case Verdict::pass:
    case Verdict::fixed: return "pass";
    case Verdict::regression: return "fail";
    case Verdict::fail: return single ? "fail" : "info";
    case Verdict::always_fail:
    case Verdict::flaky: return "info";
    case Verdict::error: return "error";
    case Verdict::skip: return "skip";
  }
  return "error";
}

void write_tmt_results(const RunRecord& run, const std::filesystem::path& dir) {
  std::size_t candidates = 0;
  for (const auto& s : run.streams) candidates += s.baseline ? 0 : 1;
  YAML::Emitter y;
  y << YAML::BeginSeq;
  // The run itself: what the harness's exit code says.
  auto status = run_status(run);
  std::string counts;
  for (const auto& [v, n] : count_verdicts(run))
    if (n) counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + to_string(v);
  y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "/";
  y << YAML::Key << "result" << YAML::Value
    << (status == RunStatus::regression || status == RunStatus::fail ? "fail" : status == RunStatus::error ? "error" : "pass");
  y << YAML::Key << "note" << YAML::Value << YAML::BeginSeq << ("harness run " + run.run_id + ": " + (counts.empty() ? "no cases" : counts))
    << YAML::EndSeq;
  y << YAML::Key << "log" << YAML::Value << YAML::BeginSeq << "summary.txt" << "summary-full.txt" << "junit.xml" << YAML::EndSeq;
  y << YAML::EndMap;
  std::filesystem::create_directories(dir / "logs" / "cases");
  for (const auto& v : run.verdicts) {
    const auto& suite = run.suites[v.suite];
    const auto& stream = run.streams[v.stream];
    std::string name = "/" + (candidates > 1 ? stream.name + "/" : "") + suite.name + "/" + v.id;
    std::string log = "logs/cases/" + safe_file_name(suite.name) + "." + safe_file_name(stream.name) + "." + safe_file_name(v.id) + ".log";
    write_file(dir / log, case_log(run, v));
    y << YAML::BeginMap;
    y << YAML::Key << "name" << YAML::Value << strip_xml_illegal(name);
    y << YAML::Key << "result" << YAML::Value << tmt_outcome(v.verdict, run.single_stream());
    y << YAML::Key << "note" << YAML::Value << YAML::BeginSeq
      << strip_xml_illegal(to_string(v.verdict) + ": " + report_detail::one_line(v.reason)) << YAML::EndSeq;
    y << YAML::Key << "log" << YAML::Value << YAML::BeginSeq << log << log_file_name(run, v.suite, v.stream) << YAML::EndSeq;
    y << YAML::Key << "duration" << YAML::Value << hms(v.candidate ? v.candidate->seconds : 0);
    y << YAML::Key << "ids" << YAML::Value << YAML::BeginMap << YAML::Key << "harness-verdict" << YAML::Value << to_string(v.verdict)
      << YAML::EndMap;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq;
  write_file(dir / "results.yaml", std::string(y.c_str()) + "\n");
}

}  // namespace harness
