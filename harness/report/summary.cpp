// summary.txt: a Bugzilla comment a maintainer reads in a minute (at most kMaxSummaryLines lines and
// 65,535 characters): the verdict, what changed, what was not exercised, blame, every cause of
// REGRESSION and FIXED with a count, two example cases and the evidence, the other verdicts as counts
// by cause, the reproducer and the real report folder. summary-full.txt: the same head, then every
// case on its own line.
#include <algorithm>
#include <cctype>
#include <map>
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

std::string cut(std::string s, std::size_t n) {
  s = one_line(std::move(s));
  if (s.size() <= n) return s;
  s.resize(n);
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
  if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
  return s + "...";
}

bool separator(char c) {
  return c == ' ' || c == '\t' || c == '<' || c == '>' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' ||
         c == '}' || c == '\'' || c == '"' || c == ',' || c == ';' || c == '=' || c == '@' || c == ':' || c == '/';
}

// A token that names one case's thing: an id, a host, a version, a time, a size ("1xX83Y-0000000000W-1aOo",
// "4b976aa62e58", "4.98.2-1", "45m", "2.2K", "347"). Words with one number in them ("exim4-base") and
// names ending in their version ("TLSv1.2", "perl-modules-5.36") stay.
bool case_specific(std::string_view t) {
  std::size_t runs = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (std::isdigit(static_cast<unsigned char>(t[i])) && (i == 0 || !std::isdigit(static_cast<unsigned char>(t[i - 1])))) ++runs;
  if (runs == 0) return false;
  if (runs >= 2) {
    // A name with its version stays: TLSv1.2, perl-modules-5.36, python3.11.
    std::size_t i = 0;
    if (!std::isalpha(static_cast<unsigned char>(t[0]))) return true;
    while (i < t.size() && (std::isalpha(static_cast<unsigned char>(t[i])) || t[i] == '-' || t[i] == '_' || t[i] == '+')) ++i;
    if (i == t.size() || !std::isdigit(static_cast<unsigned char>(t[i]))) return true;
    while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || (t[i] == '.' && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i + 1]))))) ++i;
    return i != t.size();
  }
  // A number, optionally with a short unit: 347, 45m, 2.2K, 0.5s, 12%.
  std::size_t i = 0;
  if (!std::isdigit(static_cast<unsigned char>(t[0]))) return false;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.' || t[i] == ',')) ++i;
  return t.size() - i <= 2;
}

// The case whose output explains the verdict: the failing side.
const CaseResult* failing_side(const CaseVerdict& v) {
  if (v.verdict == Verdict::fixed) return v.baseline;
  if (v.verdict == Verdict::error) {
    if (v.candidate && v.candidate->outcome == Outcome::error) return v.candidate;
    if (v.baseline && v.baseline->outcome == Outcome::error) return v.baseline;
    return nullptr;
  }
  if (v.verdict == Verdict::flaky) return nullptr;
  return v.candidate ? v.candidate : v.baseline;
}

// The evidence a cause is read from: the failing side's message, else the verdict's reason.
std::string evidence(const CaseVerdict& v) {
  const CaseResult* c = failing_side(v);
  return one_line(c && !c->message.empty() ? c->message : v.reason);
}

struct CauseGroup {
  Verdict verdict;
  std::size_t stream = 0;
  std::size_t suite = 0;
  std::string cause;
  std::vector<const CaseVerdict*> cases;
};

// Groups in first-seen order within each verdict; the biggest group of a verdict first.
std::map<Verdict, std::vector<CauseGroup>> group_by_cause(const RunRecord& run) {
  std::map<Verdict, std::vector<CauseGroup>> out;
  std::map<std::string, std::pair<Verdict, std::size_t>> where;
  for (const auto& v : run.verdicts) {
    if (v.verdict == Verdict::pass) continue;
    std::string cause = normalize_cause(evidence(v));
    std::string key = to_string(v.verdict) + "\n" + std::to_string(v.stream) + "\n" + std::to_string(v.suite) + "\n" + cause;
    auto it = where.find(key);
    if (it == where.end()) {
      auto& list = out[v.verdict];
      it = where.emplace(key, std::pair{v.verdict, list.size()}).first;
      list.push_back({v.verdict, v.stream, v.suite, cause, {}});
    }
    out[it->second.first][it->second.second].cases.push_back(&v);
  }
  for (auto& [verdict, list] : out)
    std::stable_sort(list.begin(), list.end(), [](const CauseGroup& a, const CauseGroup& b) { return a.cases.size() > b.cases.size(); });
  return out;
}

std::size_t candidate_streams_run(const RunRecord& run) {
  std::size_t n = 0;
  for (const auto& s : run.streams) n += !s.baseline && !s.identical_to_baseline;
  return n;
}

std::string group_line(const RunRecord& run, const CauseGroup& g, bool name_stream) {
  std::string line = "  - " + std::to_string(g.cases.size()) + "x " + run.suites[g.suite].name;
  if (name_stream) line += " on " + run.streams[g.stream].name;
  line += ", e.g. " + g.cases[0]->id;
  if (g.cases.size() > 1) line += ", " + g.cases[1]->id;
  return line + ": " + cut(evidence(*g.cases[0]), 240);
}

std::string why_line(const CauseGroup& g) {
  const CaseVerdict& v = *g.cases[0];
  const CaseResult* c = v.candidate ? v.candidate : v.baseline;
  if (!c || (c->summary.empty() && c->refs.empty())) return {};
  std::string line = "      why: " + (c->summary.empty() ? std::string("-") : cut(c->summary, 240));
  if (!c->refs.empty()) line += " refs: " + join(c->refs, ", ");
  return line;
}

struct Change {
  std::string name, from, to, notes;
};

// name -> exact version (epoch:version-release, no arch) of what a stream installed.
std::map<std::string, std::pair<std::string, const Package*>> versions_of(const StreamRecord& s) {
  std::map<std::string, std::pair<std::string, const Package*>> m;
  for (const auto& p : s.packages.packages) m[p.name] = {p.evr(), &p};
  for (const auto& img : s.images)
    for (const auto& [name, version] : img.requested)
      if (!m.count(name)) m[name] = {version, nullptr};
  return m;
}

std::vector<Change> changes(const StreamRecord& base, const StreamRecord& cand) {
  auto b = versions_of(base), c = versions_of(cand);
  std::vector<Change> out;
  for (const auto& [name, ver] : c) {
    auto it = b.find(name);
    std::string from = it == b.end() ? "(not in the baseline)" : it->second.first;
    if (it != b.end() && from == ver.first) continue;
    std::string notes;
    if (const Package* p = ver.second) {
      std::vector<std::string> n;
      if (!p->advisory.empty()) n.push_back(p->advisory);
      for (const auto& bug : p->bugs) n.push_back(bug);
      notes = join(n, ", ");
    }
    out.push_back({name, from, ver.first, notes});
  }
  for (const auto& [name, ver] : b)
    if (!c.count(name) && !cand.packages.packages.empty()) out.push_back({name, ver.first, "(not installed)", ""});
  return out;
}

// The lines every summary opens with: verdict, counts, what was not tested, blame, what changed.
std::vector<std::string> head_lines(const RunRecord& run, std::size_t max_changes) {
  auto counts = count_verdicts(run);
  auto status = run_status(run);
  std::vector<std::string> h;
  if (run.single_stream()) {
    h.push_back("harness run " + run.run_id + ": " +
                (status == RunStatus::fail    ? "FAIL found"
                 : status == RunStatus::error ? "no failure seen, but infrastructure errors (incomplete)"
                                              : "no failure"));
    h.push_back("Single-stream run (no baseline): each case is PASS or FAIL on its own; nothing is compared with a "
                "baseline, so no case is called a regression or fixed");
  } else {
    h.push_back("harness run " + run.run_id + ": " +
                (status == RunStatus::regression ? "REGRESSION found"
                 : status == RunStatus::error    ? "no regression seen, but infrastructure errors (incomplete)"
                                                 : "no regression"));
  }
  if (!run.plan_name.empty()) h.push_back("Plan: " + run.plan_name + (run.plan_summary.empty() ? "" : " - " + cut(run.plan_summary, 200)));
  // A shard is part of a run: say so before its counts are read as the run's.
  if (run.shard.count > 0) {
    std::vector<std::string> mine;
    for (const auto& s : run.suites) mine.push_back(s.name);
    h.push_back("SHARD " + std::to_string(run.shard.index) + "/" + std::to_string(run.shard.count) + " of the plan: " +
                (mine.empty() ? std::string("no suite") : join(mine, ", ")) + "; `harness merge` joins the shards into the run");
  }
  if (!run.merged_from.empty())
    h.push_back("Merged from " + std::to_string(run.merged_from.size()) + " shards: " + cut(join(run.merged_from, "; "), 400));
  std::string line;
  for (auto v : kAllVerdicts)
    if (!run.single_stream() || (v != Verdict::regression && v != Verdict::fixed && v != Verdict::always_fail))
      line += (line.empty() ? "" : ", ") + std::to_string(counts[v]) + " " + to_string(v);
  h.push_back("Verdicts: " + line);
  // What was not tested, and who is to blame, before anything else.
  for (const auto& s : run.streams) {
    if (s.identical_to_baseline)
      h.push_back("IDENTICAL: " + s.spec.text + " resolves to the baseline's packages; not run, nothing to compare");
    if (!s.not_exercised.empty())
      h.push_back("NOT EXERCISED by any suite on " + s.name + " (no image held them, so no case tested them): " +
                  join(s.not_exercised, ", "));
    std::string causes, cleared;
    for (const auto& b : s.blame) {
      std::string what = join(b.changes, ", ");
      if (b.finding == "causes" || b.finding == "partly")
        causes += (causes.empty() ? "" : "; ") + what + (b.finding == "partly" ? " (partly: " + b.detail + ")" : "");
      else
        cleared += (cleared.empty() ? "" : "; ") + what + (b.finding == "unknown" ? " (unknown: " + one_line(b.detail) + ")" : "");
    }
    if (!s.blame.empty())
      h.push_back("BLAME on " + s.name + ": " + (causes.empty() ? "no single change explains the regressions" : "caused by " + causes) +
                  (cleared.empty() ? "" : "; not involved: " + cleared));
    for (const auto& e : s.errors) h.push_back("STREAM ERROR on " + s.name + ": " + cut(e, 300));
  }
  h.push_back("");
  const StreamRecord* base = nullptr;
  for (const auto& s : run.streams)
    if (s.baseline) base = &s;
  // A single-stream run compares with nothing: it says what it tested instead.
  h.push_back(base ? "What changed against the baseline " + base->spec.text + ":" : std::string("What was tested:"));
  for (const auto& s : run.streams) {
    if (s.baseline || s.identical_to_baseline) continue;
    h.push_back("  " + s.name + " " + s.spec.text + ":");
    // A stream that was not run for want of versions has nothing to compare: "no version differs"
    // would read as if it had installed the baseline's packages.
    if (s.packages.packages.empty() && s.local_packages.empty() && s.images.empty() && !s.errors.empty()) {
      h.push_back("    (no versions were resolved for " + s.spec.text + ": nothing was installed or tested on it; "
                  "STREAM ERROR above says why)");
      continue;
    }
    if (!base) {
      h.push_back("    " + versions_line(s, max_changes));
      continue;
    }
    auto list = base ? changes(*base, s) : std::vector<Change>{};
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i + 1 == max_changes && list.size() > max_changes) {
        h.push_back("    ... and " + std::to_string(list.size() - i) + " more packages (summary-full.txt)");
        break;
      }
      const auto& c = list[i];
      h.push_back("    " + c.name + " " + c.from + " -> " + c.to + (c.notes.empty() ? "" : " (" + c.notes + ")"));
    }
    if (list.empty()) h.push_back("    (no package version differs from the baseline's)");
    for (std::size_t i = 0; i < s.local_packages.size(); ++i) {
      if (i + 1 == max_changes && s.local_packages.size() > max_changes) {
        h.push_back("    ... and " + std::to_string(s.local_packages.size() - i) + " more local packages (summary-full.txt)");
        break;
      }
      h.push_back("    local package " + s.local_packages[i]);
    }
  }
  return h;
}

std::vector<std::string> foot_lines(const RunRecord& run, const std::filesystem::path& report_dir, bool full) {
  std::string dir = report_dir.empty() ? "reports/" + run.run_id : report_dir.string();
  if (dir.back() != '/') dir += '/';
  return {"",
          "Reproduce:",
          "    " + (run.command.empty() ? std::string("harness run") : run.command),
          "Reports: " + dir + (full ? " (summary.txt is the short form; junit.xml, index.html, manifest.json, logs/)"
                                    : " (summary-full.txt lists every case; junit.xml, index.html, manifest.json, logs/)")};
}

std::string lines_text(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

std::string cap_chars(std::string out, std::size_t max_chars) {
  if (out.size() > max_chars) {
    out.resize(max_chars);
    // Do not end in the middle of a UTF-8 sequence.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  }
  return out;
}

}  // namespace

std::string normalize_cause(std::string_view evidence) {
  std::string out;
  std::size_t i = 0;
  while (i < evidence.size()) {
    char c = evidence[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      ++i;
      continue;
    }
    if (separator(c)) {
      out += c;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < evidence.size() && !separator(evidence[j]) && evidence[j] != '\n' && evidence[j] != '\r') ++j;
    auto token = evidence.substr(i, j - i);
    out += case_specific(token) ? std::string("#") : std::string(token);
    i = j;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.size() > 300 ? out.substr(0, 300) : out;
}

std::string summary_text(const RunRecord& run, const std::filesystem::path& report_dir, std::size_t max_lines, std::size_t max_chars) {
  auto head = head_lines(run, 8);
  auto foot = foot_lines(run, report_dir, false);
  auto groups = group_by_cause(run);
  bool name_stream = candidate_streams_run(run) > 1;

  // The head may be cut (many streams, long blame) but the verdict line and the foot always stay.
  std::size_t sections = 0;
  for (const auto& [v, list] : groups) sections += !list.empty();
  std::size_t reserved = foot.size() + sections + (sections ? 1 : 0);
  if (head.size() + reserved > max_lines) {
    std::size_t keep = max_lines > reserved + 2 ? max_lines - reserved - 1 : 1;
    if (keep < head.size()) {
      std::size_t dropped = head.size() - keep;
      head.resize(keep);
      head.push_back("... " + std::to_string(dropped) + " more lines: summary-full.txt");
    }
  }
  std::size_t left = max_lines > head.size() + reserved ? max_lines - head.size() - reserved : 0;

  // Cause lines by importance: REGRESSION (with why/refs), ERROR, FIXED, FLAKY, FAIL, ALWAYS-FAIL, SKIP.
  std::vector<std::string> body;
  if (sections) body.push_back("");
  for (auto v : kAllVerdicts) {
    auto it = groups.find(v);
    if (it == groups.end() || it->second.empty()) continue;
    const auto& list = it->second;
    std::size_t cases = 0;
    for (const auto& g : list) cases += g.cases.size();
    body.push_back(std::string(heading(v)) + ": " + std::to_string(cases) + (cases == 1 ? " case, " : " cases, ") +
                   std::to_string(list.size()) + (list.size() == 1 ? " cause" : " causes"));
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::vector<std::string> item{group_line(run, list[i], name_stream)};
      if (v == Verdict::regression) {
        auto why = why_line(list[i]);
        if (!why.empty()) item.push_back(why);
      }
      // Room for this cause and, when more follow, for the line saying so.
      bool last = i + 1 == list.size();
      if (item.size() + (last ? 0 : 1) > left) {
        std::size_t more = 0;
        for (std::size_t k = i; k < list.size(); ++k) more += list[k].cases.size();
        if (left > 0) {
          body.push_back("  ... " + std::to_string(list.size() - i) + " more causes (" + std::to_string(more) +
                         " cases): summary-full.txt");
          --left;
        }
        break;
      }
      for (auto& l : item) body.push_back(std::move(l));
      left -= item.size();
    }
  }
  std::vector<std::string> all = head;
  all.insert(all.end(), body.begin(), body.end());
  all.insert(all.end(), foot.begin(), foot.end());
  return cap_chars(strip_xml_illegal(lines_text(all)), max_chars);
}

std::string summary_full_text(const RunRecord& run, const std::filesystem::path& report_dir) {
  auto counts = count_verdicts(run);
  std::string out = lines_text(head_lines(run, static_cast<std::size_t>(-1)));
  for (const auto& s : run.streams) {
    out += std::string(s.baseline ? "Baseline " : "Candidate (" + s.name + ") ") + s.spec.text + ":\n    " +
           versions_line(s, static_cast<std::size_t>(-1)) + "\n";
  }
  // Every case by verdict, most important first; a reason shared by many cases is explained once.
  std::set<std::string> explained;
  for (auto v : kAllVerdicts) {
    if (v == Verdict::pass || counts[v] == 0) continue;
    out += std::string("\n") + heading(v) + ":\n";
    for (const auto& cv : run.verdicts) {
      if (cv.verdict != v) continue;
      const auto& suite = run.suites[cv.suite];
      const auto& stream = run.streams[cv.stream];
      out += "  - " + suite.name + "/" + cv.id + " on " + stream.name + " (" + stream.spec.text + "): " + one_line(cv.reason) + "\n";
      const CaseResult* c = cv.candidate ? cv.candidate : cv.baseline;
      if (!c || !explained.insert(c->summary + "\n" + join(c->refs, ",")).second) continue;
      if (!c->summary.empty() && v != Verdict::skip) out += "      why: " + one_line(c->summary) + "\n";
      if (!c->refs.empty()) out += "      refs: " + join(c->refs, ", ") + "\n";
    }
  }
  out += lines_text(foot_lines(run, report_dir, true));
  return strip_xml_illegal(out);
}

}  // namespace harness
