// summary.txt: plain text for a Bugzilla comment (at most 65,535 characters, error 114 beyond):
// the verdict, the versions on both sides, what regressed and the command that reproduces it.
#include <set>

#include "harness/common/strings.hpp"
#include "harness/report/detail.hpp"
#include "harness/report/report.hpp"

namespace harness {
namespace {
using namespace report_detail;

const char* heading(Verdict v) {
  switch (v) {
    case Verdict::regression: return "REGRESSIONS (pass on the baseline, fail on the candidate)";
    case Verdict::error: return "ERRORS (infrastructure trouble; these are not test results)";
    case Verdict::fixed: return "FIXED (fail on the baseline, pass on the candidate)";
    case Verdict::fail: return "FAIL (no baseline result to compare with)";
    case Verdict::always_fail: return "ALWAYS-FAIL (fail on both; not a regression)";
    case Verdict::skip: return "SKIPPED";
    case Verdict::flaky: return "FLAKY (differed or failed once, but reruns gave another outcome: not the candidate's doing)";
    case Verdict::pass: return "PASS";
  }
  return "";
}

}  // namespace

std::string summary_text(const RunRecord& run, std::size_t max_chars) {
  auto counts = count_verdicts(run);
  auto status = run_status(run);
  std::string head;
  head += "harness run " + run.run_id + ": ";
  if (run.single_stream())
    head += std::string(status == RunStatus::fail    ? "FAIL found"
                        : status == RunStatus::error ? "no failure seen, but infrastructure errors (incomplete)"
                                                     : "no failure") +
            "\nSingle-stream run (no baseline): each case is PASS or FAIL on its own; nothing is compared with a "
            "baseline, so no case is called a regression or fixed";
  else
    head += status == RunStatus::regression ? "REGRESSION found"
            : status == RunStatus::error    ? "no regression seen, but infrastructure errors (incomplete)"
                                            : "no regression";
  head += "\n";
  if (!run.plan_name.empty()) head += "Plan: " + run.plan_name + (run.plan_summary.empty() ? "" : " - " + one_line(run.plan_summary)) + "\n";
  std::string line;
  for (auto v : kAllVerdicts)
    if (!run.single_stream() || (v != Verdict::regression && v != Verdict::fixed && v != Verdict::always_fail))
      line += (line.empty() ? "" : ", ") + std::to_string(counts[v]) + " " + to_string(v);
  head += "Verdicts: " + line + "\n";
  // What was not tested, and who is to blame, before anything else.
  for (const auto& s : run.streams) {
    if (s.identical_to_baseline)
      head += "IDENTICAL: " + s.spec.text + " resolves to the baseline's packages; not run, nothing to compare\n";
    if (!s.not_exercised.empty()) {
      head += "NOT EXERCISED by any suite on " + s.name + " (no image held them, so no case tested them): " +
              join(s.not_exercised, ", ") + "\n";
    }
    std::string causes, cleared;
    for (const auto& b : s.blame) {
      std::string what = join(b.changes, ", ");
      if (b.finding == "causes" || b.finding == "partly")
        causes += (causes.empty() ? "" : "; ") + what + (b.finding == "partly" ? " (partly: " + b.detail + ")" : "");
      else
        cleared += (cleared.empty() ? "" : "; ") + what + (b.finding == "unknown" ? " (unknown: " + one_line(b.detail) + ")" : "");
    }
    if (!s.blame.empty())
      head += "BLAME on " + s.name + ": " + (causes.empty() ? "no single change explains the regressions" : "caused by " + causes) +
              (cleared.empty() ? "" : "; not involved: " + cleared) + "\n";
  }
  head += "\n";
  for (const auto& s : run.streams) {
    head += (s.baseline ? std::string("Baseline ") : "Candidate (" + s.name + ") ") + s.spec.text + ":\n    " +
            versions_line(s, 12) + "\n";
    for (const auto& p : s.packages.packages)
      if (!p.advisory.empty()) head += "    advisory " + p.advisory + " (" + p.name + ")\n";
    for (const auto& f : s.local_packages) head += "    local package " + f + "\n";
    for (const auto& e : s.errors) head += "    stream error: " + one_line(e) + "\n";
  }

  std::string foot = "\nReproduce:\n    " + (run.command.empty() ? std::string("harness run") : run.command) + "\n";
  foot += "Reports: reports/" + run.run_id + "/ (junit.xml, index.html, manifest.json, logs/)\n";

  // Cases by verdict, most important first; cut when the comment would get too long.
  std::string body;
  std::size_t budget = max_chars > head.size() + foot.size() + 200 ? max_chars - head.size() - foot.size() - 200 : 0;
  std::size_t left_out = 0;
  // Many cases share one reason (every query on one listing): say why once, list the cases.
  std::set<std::string> explained;
  for (auto v : kAllVerdicts) {
    if (v == Verdict::pass || counts[v] == 0) continue;
    std::string section = "\n";
    section += heading(v);
    section += ":\n";
    bool headed = false;
    for (const auto& cv : run.verdicts) {
      if (cv.verdict != v) continue;
      const auto& suite = run.suites[cv.suite];
      const auto& stream = run.streams[cv.stream];
      std::string item = "  - " + suite.name + "/" + cv.id + " on " + stream.name + " (" + stream.spec.text + "): " +
                         one_line(cv.reason) + "\n";
      const CaseResult* c = cv.candidate ? cv.candidate : cv.baseline;
      bool explain = c && explained.insert(c->summary + "\n" + [&] {
        std::string r;
        for (const auto& x : c->refs) r += x + ",";
        return r;
      }()).second;
      if (explain && !c->summary.empty() && v != Verdict::skip) item += "      why: " + one_line(c->summary) + "\n";
      if (explain && !c->refs.empty()) {
        std::string refs;
        for (const auto& r : c->refs) refs += (refs.empty() ? "" : ", ") + r;
        item += "      refs: " + refs + "\n";
      }
      if (body.size() + item.size() + (headed ? 0 : section.size()) > budget) {
        ++left_out;
        continue;
      }
      if (!headed) body += section;
      headed = true;
      body += item;
    }
  }
  if (left_out) body += "\n(" + std::to_string(left_out) + " more cases not listed here: see junit.xml)\n";
  std::string out = strip_xml_illegal(head + body + foot);
  if (out.size() > max_chars) {
    out.resize(max_chars);
    // Do not end in the middle of a UTF-8 sequence.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  }
  return out;
}

}  // namespace harness
