// index.html: one self-contained page (no scripts, no external resources): the run, the versions,
// per suite a coloured grid (the TLS matrix for starttls-like results with server/certset/client
// properties; listings by stream/version otherwise) and the failures with baseline-vs-candidate diffs.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "harness/common/strings.hpp"
#include "harness/report/detail.hpp"
#include "harness/report/report.hpp"

namespace harness {
namespace {
using namespace report_detail;

constexpr std::size_t kMaxDetails = 400;     // failure sections on one page
constexpr std::size_t kMaxTranscript = 8192;  // per transcript shown

std::string esc(std::string_view raw) {
  std::string s = strip_xml_illegal(raw);
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string css_class(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::regression: return "regression";
    case Verdict::fixed: return "fixed";
    case Verdict::always_fail: return "always";
    case Verdict::error: return "error";
    case Verdict::skip: return "skip";
    case Verdict::flaky: return "flaky";
  }
  return "error";
}

// The baseline has outcomes, candidates have verdicts; both map to one colour scale.
Verdict as_verdict(Outcome o) {
  switch (o) {
    case Outcome::pass: return Verdict::pass;
    case Outcome::fail: return Verdict::fail;
    case Outcome::error: return Verdict::error;
    case Outcome::skip: return Verdict::skip;
  }
  return Verdict::error;
}

int severity(Verdict v) {
  switch (v) {
    case Verdict::regression: return 6;
    case Verdict::error: return 5;
    case Verdict::fail: return 4;
    case Verdict::always_fail: return 3;
    case Verdict::fixed: return 2;
    case Verdict::flaky: return 2;
    case Verdict::pass: return 1;
    case Verdict::skip: return 0;
  }
  return 5;
}

// A line diff (LCS) of two transcripts; empty when they are too big to diff here.
std::string diff_html(std::string_view a_text, std::string_view b_text) {
  auto a = split_lines(a_text), b = split_lines(b_text);
  if (a.size() * b.size() > 4'000'000 || a.empty() || b.empty()) return {};
  std::vector<std::vector<unsigned>> l(a.size() + 1, std::vector<unsigned>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;)
    for (std::size_t j = b.size(); j-- > 0;)
      l[i][j] = a[i] == b[j] ? l[i + 1][j + 1] + 1 : std::max(l[i + 1][j], l[i][j + 1]);
  std::string out = "<pre class=\"diff\">";
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out += "  " + esc(a[i]) + "\n";
      ++i, ++j;
    } else if (i < a.size() && (j == b.size() || l[i + 1][j] >= l[i][j + 1])) {
      out += "<del>- " + esc(a[i]) + "</del>\n";
      ++i;
    } else {
      out += "<ins>+ " + esc(b[j]) + "</ins>\n";
      ++j;
    }
  }
  return out + "</pre>";
}

std::string transcript_html(const std::string& t) {
  return "<pre>" + esc(trim_middle(t, kMaxTranscript / 2, kMaxTranscript / 2, "logs/")) + "</pre>";
}

const std::string* prop(const CaseResult& c, const char* key) {
  auto it = c.properties.find(key);
  return it == c.properties.end() ? nullptr : &it->second;
}

struct Cell {
  Verdict v = Verdict::skip;
  std::string text;
  std::string title;
};

std::string cell_html(const Cell& c) {
  return "<td class=\"" + css_class(c.v) + "\" title=\"" + esc(c.title) + "\">" + esc(c.text) + "</td>";
}

Cell cell_for(const RunRecord& run, const VerdictIndex& idx, std::size_t si, std::size_t st, const CaseResult& c) {
  Cell cell;
  const CaseVerdict* v = run.streams[st].baseline ? nullptr : idx.find(si, st, c.id);
  cell.v = v ? v->verdict : as_verdict(c.outcome);
  cell.text = v ? to_string(v->verdict) : to_string(c.outcome);
  cell.title = c.id + ": " + one_line(c.message);
  return cell;
}

// starttls-like: per stream and server, clients x cert sets.
void tls_matrix(std::ostringstream& o, const RunRecord& run, const VerdictIndex& idx, std::size_t si) {
  const auto& suite = run.suites[si];
  for (std::size_t st = 0; st < suite.results.size(); ++st) {
    std::map<std::string, std::map<std::string, std::map<std::string, const CaseResult*>>> grid;  // server/client/certset
    std::set<std::string> certsets;
    for (const auto& c : suite.results[st]) {
      auto *server = prop(c, "server"), *certset = prop(c, "certset"), *client = prop(c, "client");
      if (!server || !certset || !client) continue;
      grid[*server][*client][*certset] = &c;
      certsets.insert(*certset);
    }
    for (const auto& [server, rows] : grid) {
      o << "<h4>TLS matrix: " << esc(server) << " on " << esc(run.streams[st].label()) << "</h4>\n<table class=\"grid\"><tr><th>client \\ cert set</th>";
      for (const auto& cs : certsets) o << "<th>" << esc(cs) << "</th>";
      o << "</tr>\n";
      for (const auto& [client, cols] : rows) {
        o << "<tr><th>" << esc(client) << "</th>";
        for (const auto& cs : certsets) {
          auto it = cols.find(cs);
          if (it == cols.end()) {
            o << "<td class=\"none\">-</td>";
            continue;
          }
          Cell cell = cell_for(run, idx, si, st, *it->second);
          const auto* proto = prop(*it->second, "protocol");
          const auto* cipher = prop(*it->second, "cipher");
          if (proto) cell.text += " " + *proto;
          if (cipher) cell.title += " [" + *cipher + "]";
          o << cell_html(cell);
        }
        o << "</tr>\n";
      }
      o << "</table>\n";
    }
  }
}

// Every suite: rows = group (listing, scenario group), columns = streams with their versions.
void group_grid(std::ostringstream& o, const RunRecord& run, const VerdictIndex& idx, std::size_t si) {
  const auto& suite = run.suites[si];
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::map<Verdict, int>>> counts;
  bool by_listing = false;
  for (std::size_t st = 0; st < suite.results.size(); ++st)
    for (const auto& c : suite.results[st]) {
      // exiqgrep-like results carry the listing they ran on: one row per listing, one column per version.
      const std::string* listing = prop(c, "listing");
      by_listing = by_listing || (listing && !listing->empty());
      const std::string g = listing && !listing->empty() ? *listing : c.group.empty() ? c.id : c.group;
      auto& row = counts[g];
      if (row.empty()) {
        groups.push_back(g);
        row.resize(run.streams.size());
      }
      ++row[st][cell_for(run, idx, si, st, c).v];
    }
  if (groups.empty()) return;
  o << "<h4>By " << (by_listing ? "listing" : "group") << " and version</h4>\n<table class=\"grid\"><tr><th></th>";
  for (const auto& s : run.streams) {
    std::string ver;
    for (const auto& row : stream_versions(s))
      if (row.package == suite.package) ver = row.version;
    o << "<th>" << esc(s.name) << "<br><small>" << esc(s.spec.text) << "<br>" << esc(suite.package + " " + ver) << "</small></th>";
  }
  o << "</tr>\n";
  for (const auto& g : groups) {
    o << "<tr><th>" << esc(g) << "</th>";
    for (const auto& per : counts[g]) {
      if (per.empty()) {
        o << "<td class=\"none\">-</td>";
        continue;
      }
      Cell cell;
      cell.v = Verdict::skip;
      for (const auto& [v, n] : per) {
        if (severity(v) > severity(cell.v)) cell.v = v;
        if (!cell.text.empty()) cell.text += ' ';
        cell.text += std::to_string(n) + " " + to_string(v);
      }
      o << cell_html(cell);
    }
    o << "</tr>\n";
  }
  o << "</table>\n";
}

const char* kStyle = R"(body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.25em .5em;font-size:90%;text-align:left}
.pass{background:#c8f0c8}.fixed{background:#9fd8ff}.fail{background:#ffd0a0}.always{background:#e8d8a8}
.regression{background:#ff8080;font-weight:bold}.error{background:#d0a0ff}.skip{background:#eee}.flaky{background:#f0e0ff}.none{background:#fff;color:#999}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;max-height:40em}ins{background:#d0ffd0;text-decoration:none}
del{background:#ffd0d0;text-decoration:none}details{margin:.3em 0}summary{cursor:pointer})";

}  // namespace

std::string html_report(const RunRecord& run) {
  VerdictIndex idx(run);
  auto counts = count_verdicts(run);
  auto status = run_status(run);
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>harness " << esc(run.run_id)
    << "</title><style>" << kStyle << "</style></head><body>\n";
  o << "<h1>harness run " << esc(run.run_id) << ": "
    << (status == RunStatus::regression ? "<span class=\"regression\">REGRESSION</span>"
        : status == RunStatus::fail     ? "<span class=\"fail\">FAIL</span>"
        : status == RunStatus::error    ? "<span class=\"error\">infrastructure errors</span>"
        : run.single_stream()           ? "<span class=\"pass\">no failure</span>"
                                        : "<span class=\"pass\">no regression</span>")
    << "</h1>\n";
  if (run.single_stream())
    o << "<p><b>Single-stream run (no baseline)</b>: each case is PASS or FAIL on its own; nothing is compared with a "
         "baseline, so no case is called a regression or fixed.</p>\n";
  o << "<p>Plan <b>" << esc(run.plan_name) << "</b>: " << esc(run.plan_summary) << "<br>Started " << esc(run.started)
    << " on " << esc(run.hostname) << ", " << esc(format_seconds(run.seconds)) << " s. Reproduce: <code>"
    << esc(run.command) << "</code></p>\n<table><tr>";
  for (auto v : kAllVerdicts)
    if (!run.single_stream() || (v != Verdict::regression && v != Verdict::fixed && v != Verdict::always_fail))
      o << "<td class=\"" << css_class(v) << "\">" << counts[v] << " " << to_string(v) << "</td>";
  o << "</tr></table>\n<h2>Streams</h2>\n<table><tr><th>stream</th><th>spec</th><th>packages</th><th>images</th></tr>\n";
  for (const auto& s : run.streams) {
    o << "<tr><td>" << esc(s.name) << "</td><td>" << esc(s.spec.text) << "</td><td>";
    for (const auto& r : stream_versions(s))
      o << esc(r.package + " " + r.version + (r.origin.empty() ? "" : " (" + r.origin + ")") +
               (r.advisory.empty() ? "" : " " + r.advisory))
        << "<br>";
    for (const auto& e : s.errors) o << "<span class=\"error\">" << esc(e) << "</span><br>";
    if (s.identical_to_baseline) o << "<b>identical to the baseline's packages: not run</b><br>";
    for (const auto& p : s.not_exercised) o << "<span class=\"fail\">not exercised by any suite: " << esc(p) << "</span><br>";
    for (const auto& b : s.blame) {
      std::string what = join(b.changes, ", ");
      o << "<span class=\"" << (b.finding == "causes" ? "regression" : "pass") << "\">blame " << esc(b.source) << ": "
        << esc(b.finding) << " (" << esc(what) << "; " << esc(b.detail) << ")</span><br>";
    }
    o << "</td><td>";
    for (const auto& i : s.images) o << esc(i.suite + ": " + i.tag + " " + i.id.substr(0, 12)) << "<br>";
    o << "</td></tr>\n";
  }
  o << "</table>\n";

  for (std::size_t si = 0; si < run.suites.size(); ++si) {
    o << "<h2>Suite " << esc(run.suites[si].name) << "</h2>\n";
    tls_matrix(o, run, idx, si);
    group_grid(o, run, idx, si);
  }

  o << "<h2>Cases that need a look</h2>\n";
  std::vector<const CaseVerdict*> shown;
  for (const auto& v : run.verdicts)
    if (v.verdict != Verdict::pass && v.verdict != Verdict::skip) shown.push_back(&v);
  std::stable_sort(shown.begin(), shown.end(),
                   [](auto* a, auto* b) { return severity(a->verdict) > severity(b->verdict); });
  if (shown.empty()) o << "<p>None: every case passes or is skipped.</p>\n";
  for (std::size_t i = 0; i < shown.size() && i < kMaxDetails; ++i) {
    const auto& v = *shown[i];
    const auto& suite = run.suites[v.suite];
    o << "<details" << (v.verdict == Verdict::regression ? " open" : "") << "><summary><span class=\""
      << css_class(v.verdict) << "\">" << to_string(v.verdict) << "</span> " << esc(suite.name + "/" + v.id) << " on "
      << esc(run.streams[v.stream].label()) << ": " << esc(one_line(v.reason)) << "</summary>\n";
    const CaseResult* c = v.candidate ? v.candidate : v.baseline;
    if (c && !c->summary.empty()) o << "<p>Why: " << esc(c->summary) << "</p>\n";
    if (c && !c->refs.empty()) {
      o << "<p>Refs:";
      for (const auto& r : c->refs) o << " " << esc(r);
      o << "</p>\n";
    }
    if (v.baseline && v.candidate && v.baseline->transcript != v.candidate->transcript) {
      auto d = diff_html(v.baseline->transcript, v.candidate->transcript);
      if (!d.empty()) o << "<p>Baseline (-) vs candidate (+):</p>\n" << d << "\n";
    }
    if (v.candidate && !v.candidate->transcript.empty())
      o << "<p>Candidate transcript:</p>\n" << transcript_html(v.candidate->transcript) << "\n";
    o << "</details>\n";
  }
  if (shown.size() > kMaxDetails)
    o << "<p>" << shown.size() - kMaxDetails << " more cases are in junit.xml.</p>\n";
  o << "</body></html>\n";
  return o.str();
}

}  // namespace harness
