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
  std::string extra_class;  // "xfail" (an expected failure), "changed" (differs from the baseline)
};

std::string cell_html(const Cell& c) {
  std::string cls = css_class(c.v) + (c.extra_class.empty() ? "" : " " + c.extra_class);
  return "<td class=\"" + cls + "\" title=\"" + esc(c.title) + "\">" + esc(c.text) + "</td>";
}

Cell cell_for(const RunRecord& run, const VerdictIndex& idx, std::size_t si, std::size_t st, const CaseResult& c) {
  Cell cell;
  const CaseVerdict* v = run.streams[st].baseline ? nullptr : idx.find(si, st, c.id);
  cell.v = v ? v->verdict : as_verdict(c.outcome);
  cell.text = v ? to_string(v->verdict) : to_string(c.outcome);
  cell.title = c.id + ": " + one_line(c.message);
  return cell;
}

// The outcome changed between the baseline and this candidate.
bool moved(Verdict v) { return v == Verdict::regression || v == Verdict::fixed || v == Verdict::flaky; }

// "handshake failure (40)" from "received fatal handshake failure (40); ...".
std::string alert_of(const CaseResult& c) {
  if (const auto* a = prop(c, "alerts")) {
    std::string s = a->substr(0, a->find(';'));
    for (const char* p : {"received fatal ", "sent fatal ", "received ", "sent "})
      if (s.rfind(p, 0) == 0) return s.substr(std::string_view(p).size());
    return s;
  }
  if (const auto* f = prop(c, "failure")) return *f;
  return one_line(c.message);
}

// What one TLS probe did: "✓ TLSv1.2 ECDHE/RSA", "✗ handshake failure (40)", "✗ expected: handshake
// failure (40)" (the expectation was a failed handshake), or the outcome when no handshake was tried.
Cell tls_cell(const RunRecord& run, const VerdictIndex& idx, std::size_t si, std::size_t st, const CaseResult& c) {
  Cell cell = cell_for(run, idx, si, st, c);
  const auto* hs = prop(c, "handshake");
  const auto* expected = prop(c, "expected");
  bool expect_fail = expected && expected->rfind("fail", 0) == 0;
  if (hs && *hs == "ok") {
    cell.text = "\u2713 " + (prop(c, "protocol") ? *prop(c, "protocol") : std::string("TLS"));
    const auto *kx = prop(c, "kx"), *auth = prop(c, "auth");
    if (kx && auth && !(*kx == "any" && *auth == "any")) cell.text += " " + *kx + "/" + *auth;
    if (expect_fail) cell.text += " (expected: failure)";
  } else if (hs) {
    cell.text = std::string("\u2717 ") + (expect_fail ? "expected: " : "") + alert_of(c);
    if (expect_fail && c.outcome == Outcome::pass) cell.extra_class = "xfail";
  } else {
    cell.text = to_string(c.outcome) + ": " + one_line(c.message).substr(0, 60);
  }
  if (!run.streams[st].baseline && cell.v != Verdict::pass) cell.text += " \u2014 " + to_string(cell.v);
  if (const auto* cipher = prop(c, "cipher")) cell.title += " [" + *cipher + "]";
  if (expected) cell.title += " (expected " + *expected + ")";
  return cell;
}

// starttls-like: one grid per server: rows client profiles, columns cert set x stream (baseline
// first); a candidate cell that differs from the baseline's is marked (Δ).
void tls_matrix(std::ostringstream& o, const RunRecord& run, const VerdictIndex& idx, std::size_t si) {
  const auto& suite = run.suites[si];
  // server -> client -> certset -> stream -> case
  std::map<std::string, std::map<std::string, std::map<std::string, std::map<std::size_t, const CaseResult*>>>> grid;
  std::map<std::string, std::set<std::string>> certsets;
  std::map<std::string, std::set<std::size_t>> streams;
  for (std::size_t st = 0; st < suite.results.size(); ++st)
    for (const auto& c : suite.results[st]) {
      auto *server = prop(c, "server"), *certset = prop(c, "certset"), *client = prop(c, "client");
      if (!server || !certset || !client) continue;
      grid[*server][*client][*certset][st] = &c;
      certsets[*server].insert(*certset);
      streams[*server].insert(st);
    }
  for (const auto& [server, rows] : grid) {
    const auto& sts = streams[server];
    std::string which;
    for (auto st : sts) which += (which.empty() ? "" : ", ") + run.streams[st].label();
    o << "<h4>TLS matrix: " << esc(server) << "</h4>\n<p><small>" << esc(which) << "</small></p>\n<table class=\"grid tls\"><tr><th rowspan=\"2\">client \\ cert set</th>";
    for (const auto& cs : certsets[server]) o << "<th colspan=\"" << sts.size() << "\">" << esc(cs) << "</th>";
    o << "</tr>\n<tr>";
    for (std::size_t k = 0; k < certsets[server].size(); ++k)
      for (auto st : sts) o << "<th title=\"" << esc(run.streams[st].spec.text) << "\">" << esc(run.streams[st].name) << "</th>";
    o << "</tr>\n";
    for (const auto& [client, cols] : rows) {
      o << "<tr><th>" << esc(client) << "</th>";
      for (const auto& cs : certsets[server]) {
        auto it = cols.find(cs);
        const CaseResult* base = nullptr;
        std::string base_text;
        for (auto st : sts) {
          const CaseResult* c = nullptr;
          if (it != cols.end() && it->second.count(st)) c = it->second.at(st);
          if (!c) {
            o << "<td class=\"none\">-</td>";
            continue;
          }
          Cell cell = tls_cell(run, idx, si, st, *c);
          if (run.streams[st].baseline) {
            base = c;
            base_text = cell.text;
          } else if (base && (moved(cell.v) || cell.text != base_text)) {
            cell.extra_class += cell.extra_class.empty() ? "changed" : " changed";
            cell.text = "\u0394 " + cell.text;
            cell.title += " (baseline: " + base_text + ")";
          }
          o << cell_html(cell);
        }
      }
      o << "</tr>\n";
    }
    o << "</table>\n";
  }
}

// Every suite: rows = group (listing, scenario group), columns = streams with their versions; a
// candidate cell with a case whose outcome moved (REGRESSION, FIXED, FLAKY) is marked (Δ).
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
    o << "<th>" << esc(s.name) << "<br><small>" << esc(s.spec.text) << "<br>"
      << esc(s.identical_to_baseline ? "identical to the baseline: not run" : suite.package + " " + ver) << "</small></th>";
  }
  o << "</tr>\n";
  for (const auto& g : groups) {
    o << "<tr><th>" << esc(g) << "</th>";
    for (std::size_t st = 0; st < counts[g].size(); ++st) {
      const auto& per = counts[g][st];
      if (per.empty()) {
        o << "<td class=\"none\">-</td>";
        continue;
      }
      Cell cell;
      cell.v = Verdict::skip;
      bool changed = false;
      for (const auto& [v, n] : per) {
        if (severity(v) > severity(cell.v)) cell.v = v;
        if (!cell.text.empty()) cell.text += ' ';
        cell.text += std::to_string(n) + " " + to_string(v);
        changed = changed || (!run.streams[st].baseline && moved(v));
      }
      if (changed) {
        cell.extra_class = "changed";
        cell.text = "\u0394 " + cell.text;
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
del{background:#ffd0d0;text-decoration:none}details{margin:.3em 0}summary{cursor:pointer}
.xfail{background:repeating-linear-gradient(135deg,#e4f4e4 0,#e4f4e4 6px,#cfd8cf 6px,#cfd8cf 12px);color:#333;font-style:italic}
.changed{outline:3px solid #333;outline-offset:-3px;font-weight:bold}table.tls td{min-width:7em})";

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
  o << "</tr></table>\n<p class=\"legend\">Cells: <span class=\"pass\">\u2713 TLSv1.2 ECDHE/RSA</span> a handshake "
       "and what it negotiated; <span class=\"fail\">\u2717 alert</span> a failed handshake; <span class=\"pass xfail\">\u2717 "
       "expected: alert</span> a failure the expectation asks for; <span class=\"changed\">\u0394</span> differs from the "
       "baseline; colours: the verdict.</p>\n<h2>Streams</h2>\n<table><tr><th>stream</th><th>spec</th><th>packages</th><th>images</th></tr>\n";
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
