#define BOOST_TEST_MODULE report
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/common/error.hpp"
#include "harness/report/report.hpp"
#include "harness/report/results.hpp"
#include "tests/report/synthetic_run.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {
// The project's JUnit schema (the strict junit-4 structure, typed counts and times).
const fs::path kXsd = fs::path(HARNESS_SOURCE_DIR) / "tests" / "report" / "junit.xsd";

// xmllint --schema junit.xsd. Returns xmllint's stderr on failure.
std::string validate(const std::string& xml) {
  TempDir dir("harness-test-junit");
  write_file(dir.path() / "junit.xml", xml);
  auto r = run_process({"xmllint", "--noout", "--schema", kXsd.string(), (dir.path() / "junit.xml").string()});
  return r.ok() ? std::string() : r.err + r.out;
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}
}  // namespace

BOOST_AUTO_TEST_CASE(strip_follows_tmts_list) {
  BOOST_CHECK_EQUAL(strip_xml_illegal("a\x01" "b\x1b[31mc\td\ne\x7f"), "ab[31mc\td\ne");
  BOOST_CHECK_EQUAL(strip_xml_illegal(std::string("x\0y", 3)), "xy");
  BOOST_CHECK_EQUAL(strip_xml_illegal("\r"), "");  // 0x0B-0x1F, as tmt strips
  BOOST_CHECK_EQUAL(strip_xml_illegal("\xc2\x85"), "\xc2\x85");  // U+0085 (NEL) is kept, as in tmt
  BOOST_CHECK_EQUAL(strip_xml_illegal("\xc2\x80\xc2\x9f"), "");  // C1 controls
  BOOST_CHECK_EQUAL(strip_xml_illegal("\xef\xbf\xbe\xef\xbf\xbf\xef\xb7\x90"), "");  // U+FFFE, U+FFFF, U+FDD0
  BOOST_CHECK_EQUAL(strip_xml_illegal("\xf0\x9f\xbf\xbf"), "");  // U+1FFFF
  BOOST_CHECK_EQUAL(strip_xml_illegal("a\xed\xa0\x80z"), "az");  // an encoded surrogate
  BOOST_CHECK_EQUAL(strip_xml_illegal("caf\xc3\xa9 \xff"), "caf\xc3\xa9 \xef\xbf\xbd");
  BOOST_CHECK_EQUAL(strip_xml_illegal("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");  // truncated sequence
}

BOOST_AUTO_TEST_CASE(trim_keeps_both_ends) {
  std::string t(10000, 'x');
  t.replace(0, 5, "BEGIN");
  t.replace(t.size() - 3, 3, "END");
  auto s = trim_middle(t, 100, 200, "logs/x.log");
  BOOST_CHECK(s.size() < 400);
  BOOST_CHECK(s.rfind("BEGIN", 0) == 0);
  BOOST_CHECK(s.find("END") == s.size() - 3);
  BOOST_CHECK(s.find("9700 bytes trimmed") != std::string::npos);
  BOOST_CHECK(s.find("logs/x.log") != std::string::npos);
  BOOST_CHECK_EQUAL(trim_middle("short", 100, 100), "short");
}

BOOST_AUTO_TEST_CASE(junit_validates_against_the_schema_with_control_bytes) {
  // Bytes 0x01 and 0x1b (a terminal colour), invalid UTF-8, U+FFFE and markup in transcripts and messages.
  std::string nasty = "exim said \x01\x1b[1mbold\x1b[0m <tag> & \"q\" ]]> \xff \xef\xbf\xbe end\n";
  auto run = testing::synthetic_run(21, nasty);
  auto& c = const_cast<CaseResult&>(run.suites[0].results[1][0]);
  c.message = "fails \x01 with \x1b[31m colour";
  c.id = "odd id <\x1b>";
  classify_run(run);
  auto xml = junit_xml(run);
  BOOST_CHECK(xml.find('\x01') == std::string::npos);
  BOOST_CHECK(xml.find('\x1b') == std::string::npos);
  BOOST_CHECK_EQUAL(validate(xml), "");
  // Test the validation itself: a raw 0x01 is rejected by xmllint.
  std::string broken = xml;
  broken.insert(broken.find("<system-out>") + 12, "\x01");
  BOOST_CHECK_NE(validate(broken), "");
}

BOOST_AUTO_TEST_CASE(junit_shape_for_jenkins_and_gitlab) {
  auto run = testing::synthetic_run(14);
  auto xml = junit_xml(run);
  // One testsuite per (suite, stream).
  BOOST_CHECK_EQUAL(count(xml, "<testsuite "), 4u);
  BOOST_CHECK(xml.find("name=\"exiqgrep @ candidate (debian:trixie:stable)\"") != std::string::npos);
  BOOST_CHECK(xml.find("classname=\"exiqgrep.exim4-base\"") != std::string::npos);
  BOOST_CHECK(xml.find("classname=\"starttls.exim4-daemon-light\"") != std::string::npos);
  // Exact versions, image and advisory as testsuite properties.
  BOOST_CHECK(xml.find("<property name=\"package:exim4-base\" value=\"4.98.2-1.amd64\"/>") != std::string::npos);
  BOOST_CHECK(xml.find("<property name=\"package:exim4-base\" value=\"4.96-15+deb12u7.amd64\"/>") != std::string::npos);
  BOOST_CHECK(xml.find("<property name=\"advisory\" value=\"DSA-9999-1\"/>") != std::string::npos);
  BOOST_CHECK(xml.find("<property name=\"image\" value=\"localhost/harness/debian:abc 0123456789abcdef\"/>") != std::string::npos);
  // The regression class is the failure type; always-fail is told apart.
  BOOST_CHECK_EQUAL(count(xml, "type=\"regression\""), 2u);  // case-1 (tls) and case-8 (exiqgrep): pass -> fail
  BOOST_CHECK(xml.find("type=\"always-fail\"") != std::string::npos);
  BOOST_CHECK(xml.find("<error type=\"infrastructure\"") != std::string::npos);
  // The strict XSD allows no attributes on <skipped>.
  BOOST_CHECK(xml.find("<skipped>") != std::string::npos);
  BOOST_CHECK(xml.find("<skipped ") == std::string::npos);
  // classname + name unique (GitLab keeps only the first duplicate).
  BOOST_CHECK(xml.find("name=\"case-0 [baseline]\"") != std::string::npos);
  BOOST_CHECK(xml.find("name=\"case-0 [candidate]\"") != std::string::npos);
  BOOST_CHECK_EQUAL(validate(xml), "");
}

BOOST_AUTO_TEST_CASE(the_schema_rejects_malformed_junit) {
  auto xml = junit_xml(testing::synthetic_run(14));
  BOOST_REQUIRE_EQUAL(validate(xml), "");
  auto broken = [&](const std::string& from, const std::string& to) {
    auto s = xml;
    auto p = s.find(from);
    BOOST_REQUIRE_MESSAGE(p != std::string::npos, from);
    s.replace(p, from.size(), to);
    return validate(s);
  };
  BOOST_CHECK_NE(broken("<skipped>", "<skipped message=\"x\">"), "");  // junit-4: no attributes on <skipped>
  BOOST_CHECK_NE(broken("<testsuite name=", "<testsuite nom="), "");  // a suite without a name
  BOOST_CHECK_NE(broken("<testcase name=", "<testcase title="), "");         // a case without a name
  BOOST_CHECK_NE(broken(" tests=\"", " tests=\"-"), "");                   // a negative count
  BOOST_CHECK_NE(broken(" time=\"", " time=\"1,5"), "");                   // a time that is not decimal seconds
  BOOST_CHECK_NE(broken(" timestamp=\"2026-11-28T02:00:00Z\"", " timestamp=\"Nov 28\""), "");
  BOOST_CHECK_NE(broken("<properties>", "<property name=\"a\" value=\"b\"/><properties>"), "");  // out of order
  BOOST_CHECK_NE(broken("<system-out>", "<outcome/><system-out>"), "");      // an unknown element
  BOOST_CHECK_NE(broken("</testsuites>", ""), "");                           // not well-formed
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t p = 0;
  for (auto n = s.find('\n'); n != std::string::npos; p = n + 1, n = s.find('\n', p)) out.push_back(s.substr(p, n - p));
  if (p < s.size()) out.push_back(s.substr(p));
  return out;
}

bool has(const std::string& hay, const std::string& needle) {
  bool found = hay.find(needle) != std::string::npos;
  if (!found) BOOST_TEST_MESSAGE("not found: " << needle);
  return found;
}

BOOST_AUTO_TEST_CASE(causes_drop_what_is_one_cases_own) {
  // Ids, ages, sizes and hosts differ per listing; the cause is the same.
  auto a = normalize_cause("exiqgrep exited 1 (the model: 0): Line mismatch: 45m   347 1xX83Y-0000000000W-1aOo <root@4b976aa62e58>");
  auto b = normalize_cause("exiqgrep exited 1 (the model: 0): Line mismatch:  0m   436 1xX85R-0000000003p-40LZ <root@f5ea4d5761f0>");
  BOOST_CHECK_EQUAL(a, b);
  BOOST_CHECK_EQUAL(a, "exiqgrep exited # (the model: #): Line mismatch: # # # <root@#>");
  // Another line in the same words is another cause: the 4.97.1 '-H' listing line with its frozen marker.
  BOOST_CHECK_NE(a, normalize_cause("exiqgrep exited 1 (the model: 0): Line mismatch:  9h  2.2K 1rO3sE-005JbF-1D-H <> *** frozen ***"));
  // Words with one number in them are words.
  BOOST_CHECK_EQUAL(normalize_cause("exim4-base does not install: perl-modules-5.36 missing"), "exim4-base does not install: perl-modules-5.36 missing");
  BOOST_CHECK_EQUAL(normalize_cause("exim4-base 4.98.2-1+deb13u6 on x86_64-linux-gnu"), "exim4-base # on #");
  BOOST_CHECK_EQUAL(normalize_cause("expected ok TLSv1.2, got handshake failed"), "expected ok TLSv1.2, got handshake failed");
  BOOST_CHECK_EQUAL(normalize_cause("connect 127.0.0.1:2525 timed out after 10s"), "connect #:# timed out after #");
}

BOOST_AUTO_TEST_CASE(summary_of_an_upgrade_run_is_short_and_names_every_cause) {
  auto run = testing::synthetic_upgrade_run();
  auto s = summary_text(run, "/srv/out/20261204-175547-244c");
  BOOST_TEST_MESSAGE(s);
  auto lines = lines_of(s);
  BOOST_CHECK_LE(lines.size(), kMaxSummaryLines);
  BOOST_CHECK(s.rfind("harness run 20261204-175547-244c: REGRESSION found\n", 0) == 0);
  // What changed, per candidate, with the advisory and the bug.
  BOOST_CHECK(has(s, "\n    exim4-base 4.96-15+deb12u11 -> 4.98.2-1+deb13u6\n"));
  BOOST_CHECK(has(s, "\n    openssl 3.0.22-1~deb12u2 -> 3.5.9-1~deb13u1\n"));
  BOOST_CHECK(has(s, "\n    exim4-base 4.96-15+deb12u11 -> 4.96-15+deb12u12 (DSA-9999-1, rhbz#2258027)\n"));
  BOOST_CHECK(!has(s, "perl 5.36.0-7+deb12u4 -> 5.36.0-7+deb12u4"));  // unchanged on proposed-updates
  // REGRESSIONS: one cause, its count, two examples, the evidence, why and refs.
  BOOST_CHECK(has(s, "\nREGRESSIONS (pass on the baseline, fail on the candidate): 2 cases, 1 cause\n"
                     "  - 2x exiqgrep on candidate-2, e.g. selection/modern-4.98-bp/count, selection/modern-4.98-bp/count-frozen: "
                     "unexpected stderr: Use of uninitialized value $id in pattern match at /usr/sbin/exiqgrep line 118\n"
                     "      why: the listing every version reads refs: exim 46a36afae\n"));
  // FIXED: 125 cases, 3 causes, each on one line, the biggest first.
  BOOST_CHECK(has(s, "\nFIXED (fail on the baseline, pass on the candidate): 125 cases, 3 causes\n"
                     "  - 120x exiqgrep on candidate-2, e.g. counts/trixie-4.98.2-bp-0/count, counts/trixie-4.98.2-bp-0/count-frozen: "
                     "exiqgrep exited 1 (the model: 0): Line mismatch: 0m   340 1xX80Y-000000000000W-0aOo <root@4b976aa62e58>\n"
                     "  - 4x exiqgrep on candidate-2, e.g. munin/trixie-4.98.2-bp-0/count-frozen, munin/sid-4.100.1-bp-1/count-frozen: "
                     "Munin exim_mailqueue reports U"));
  BOOST_CHECK(has(s, "\n  - 1x exiqgrep on candidate-2, e.g. packaging/minimal-install-count: exiqgrep cannot load the Perl module Getopt::Std"));
  // The other verdicts as counts by cause, per stream.
  BOOST_CHECK(has(s, "\nALWAYS-FAIL (fail on both; not a regression): 153 cases, 5 causes\n"));
  BOOST_CHECK(has(s, "  - 120x exiqgrep on candidate-1, e.g. "));
  BOOST_CHECK(has(s, "  - 14x exiqgrep on candidate-2, e.g. selection/incident-4.97.1-H-bpu/query-0, selection/incident-4.97.1-H-bpu/query-1: "
                     "exiqgrep exited 1 (the model: 0): Line mismatch:  9h  2.2K 1rO3sE-005JbF-1D-H <> *** frozen ***\n"));
  // No case is listed on its own line: 280 cases are 9 cause lines.
  BOOST_CHECK_EQUAL(count(s, "\n  - "), 1u + 3u + 5u);
  // The reproducer as given and the real report folder.
  BOOST_CHECK(has(s, "\nReproduce:\n    harness --debian-mirror http://archive.invalid/debian run --baseline debian:bookworm:stable "));
  BOOST_CHECK(has(s, "\nReports: /srv/out/20261204-175547-244c/ (summary-full.txt lists every case;"));
  BOOST_CHECK(!has(s, "reports/20261204-175547-244c"));
}

BOOST_AUTO_TEST_CASE(a_tight_line_budget_keeps_verdict_counts_and_reproducer) {
  auto run = testing::synthetic_upgrade_run();
  auto s = summary_text(run, "/srv/out/x", 24);
  BOOST_TEST_MESSAGE(s);
  BOOST_CHECK_LE(lines_of(s).size(), 24u);
  BOOST_CHECK(s.rfind("harness run 20261204-175547-244c: REGRESSION found\n", 0) == 0);
  BOOST_CHECK(has(s, "\n  - 2x exiqgrep on candidate-2, e.g. selection/modern-4.98-bp/count"));  // regressions first
  BOOST_CHECK(has(s, "\nFIXED (fail on the baseline, pass on the candidate): 125 cases, 3 causes"));
  BOOST_CHECK(has(s, "\nALWAYS-FAIL (fail on both; not a regression): 153 cases, 5 causes"));
  BOOST_CHECK(has(s, "more causes ("));
  BOOST_CHECK(has(s, "\nReproduce:\n    harness "));
}

BOOST_AUTO_TEST_CASE(summary_full_lists_every_case) {
  auto run = testing::synthetic_upgrade_run();
  auto s = summary_full_text(run, "/srv/out/x");
  std::size_t not_pass = 0;
  for (const auto& v : run.verdicts) not_pass += v.verdict != Verdict::pass;
  BOOST_CHECK_EQUAL(not_pass, 2u + 125u + 153u);
  BOOST_CHECK_EQUAL(count(s, "\n  - "), not_pass);
  BOOST_CHECK(has(s, "  - exiqgrep/counts/sid-4.100.1-named-bp-19/all-recipients-long on candidate-2 (debian:trixie:stable): fails on the baseline"));
  BOOST_CHECK(has(s, "exim4-base 4.96-15+deb12u11 -> 4.98.2-1+deb13u6"));
  BOOST_CHECK(has(s, "Reports: /srv/out/x/ (summary.txt is the short form"));
}

BOOST_AUTO_TEST_CASE(summary_names_regressions_versions_and_command) {
  auto run = testing::synthetic_run(14);
  auto s = summary_text(run);
  BOOST_CHECK(s.rfind("harness run 20261128-020000-abcd: REGRESSION found", 0) == 0);
  // case-1 (starttls) and case-8 (exiqgrep): two suites, two causes.
  BOOST_CHECK(has(s, "REGRESSIONS (pass on the baseline, fail on the candidate): 2 cases, 2 causes\n"));
  BOOST_CHECK(has(s, "  - 1x exiqgrep, e.g. case-8: message for case 8\n"));
  BOOST_CHECK(has(s, "  - 1x starttls, e.g. case-1: message for case 1\n"));
  BOOST_CHECK(has(s, "    exim4-base 4.96-15+deb12u7 -> 4.98.2-1 (DSA-9999-1, debbug#1)"));
  BOOST_CHECK(has(s, "Reproduce:\n    harness run --baseline debian:bookworm:stable --candidate debian:trixie:stable"));
  BOOST_CHECK(has(s, "rhbz#2258027"));
}

BOOST_AUTO_TEST_CASE(summary_fits_a_bugzilla_comment) {
  auto run = testing::synthetic_run(20000);
  auto s = summary_text(run);
  BOOST_CHECK_LE(s.size(), kMaxSummaryChars);
  BOOST_CHECK_LE(lines_of(s).size(), kMaxSummaryLines);
  // Regressions come first and the reproducer stays.
  BOOST_CHECK(s.find("\nREGRESSIONS") < s.find("\nFIXED ("));
  BOOST_CHECK(has(s, "Reproduce:"));
  // Beyond 65,535 characters the comment is cut, never longer (Bugzilla error 114).
  BOOST_CHECK_LE(summary_text(run, {}, 100000, 5000).size(), 5000u);
}

BOOST_AUTO_TEST_CASE(html_is_escaped_and_has_the_grids) {
  auto run = testing::synthetic_run(42, "<script>alert(1)</script>\x01\n");
  auto html = html_report(run);
  BOOST_CHECK(html.find("<script>") == std::string::npos);
  BOOST_CHECK(html.find("&lt;script&gt;") != std::string::npos);
  BOOST_CHECK(html.find('\x01') == std::string::npos);
  // One TLS grid per server, baseline and candidate side by side under each cert set.
  BOOST_CHECK_EQUAL(count(html, "<h4>TLS matrix: "), 1u);
  BOOST_CHECK(has(html, "<h4>TLS matrix: exim</h4>"));
  BOOST_CHECK(has(html, "<th rowspan=\"2\">client \\ cert set</th><th colspan=\"2\">dual</th><th colspan=\"2\">ec</th><th colspan=\"2\">rsa</th>"));
  BOOST_CHECK(html.find("By listing and version") != std::string::npos);
  BOOST_CHECK(html.find("exim4-base 4.98.2-1.amd64") != std::string::npos);
  BOOST_CHECK(html.find("class=\"regression\"") != std::string::npos);
  // The diff of a regression shows the candidate's new line.
  BOOST_CHECK(html.find("<ins>+ Line mismatch: 9h  2.2K 1rO3sE-005JbF-1D-H &lt;&gt; *** frozen ***</ins>") != std::string::npos);
  BOOST_CHECK(html.find("http") == std::string::npos || html.find("src=") == std::string::npos);  // self-contained
}

BOOST_AUTO_TEST_CASE(html_tls_cells_say_what_happened) {
  auto run = testing::synthetic_upgrade_run();
  auto html = html_report(run);
  // Two servers: two grids, each with the three streams under each cert set.
  BOOST_CHECK_EQUAL(count(html, "<h4>TLS matrix: "), 2u);
  BOOST_CHECK(has(html, "<th colspan=\"3\">ec</th>"));
  // The seed's cell: the expected handshake failure, with its alert, marked as expected.
  BOOST_CHECK(has(html, "<td class=\"pass xfail\" title=\"exim/ec/proofpoint-2015: handshake failed as expected"));
  BOOST_CHECK(has(html, "\u2717 expected: handshake failure (40)</td>"));
  // A handshake shows its protocol and key exchange/authentication; the one that changed is marked.
  BOOST_CHECK(has(html, ">\u2713 TLSv1.2 ECDHE/RSA</td>"));
  BOOST_CHECK(has(html, "<td class=\"pass changed\" title=\"exim/dual/proofpoint-2015: TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384 "
                        "[ECDHE-ECDSA-AES256-GCM-SHA384] (expected ok TLSv1.2) (baseline: \u2713 TLSv1.2 ECDHE/RSA)\">"
                        "\u0394 \u2713 TLSv1.2 ECDHE/ECDSA</td>"));
  BOOST_CHECK_EQUAL(count(html, "\u0394 \u2713"), 1u);
  BOOST_CHECK(has(html, ">\u2713 TLSv1.3</td>"));
  // The listing grid marks the listings whose outcome moved.
  BOOST_CHECK(has(html, "<td class=\"fixed changed\" title=\"\">\u0394 6 FIXED</td>"));
  BOOST_CHECK(has(html, "<td class=\"regression changed\" title=\"\">\u0394 4 PASS 2 REGRESSION</td>"));
}

BOOST_AUTO_TEST_CASE(write_reports_and_latest_link) {
  TempDir dir("harness-test-reports");
  auto run = testing::synthetic_run(10);
  auto out = write_reports(run, dir.path());
  BOOST_CHECK_EQUAL(out, dir.path() / run.run_id);
  for (auto f : {"junit.xml", "summary.txt", "summary-full.txt", "index.html", "manifest.json", "logs/exiqgrep.candidate.log"})
    BOOST_CHECK_MESSAGE(fs::exists(out / f), f);
  BOOST_CHECK(fs::is_symlink(dir.path() / "latest"));
  BOOST_CHECK_EQUAL(fs::read_symlink(dir.path() / "latest"), run.run_id);
  auto m = nlohmann::json::parse(read_file(out / "manifest.json"));
  BOOST_CHECK_EQUAL(m["streams"][1]["packages"][0]["evr"], "4.98.2-1");
  BOOST_CHECK_EQUAL(m["verdicts"]["REGRESSION"], 2);
  BOOST_CHECK_EQUAL(m["status"], "regression");
  // A second run moves the link.
  run.run_id = "20261128-030000-beef";
  write_reports(run, dir.path());
  BOOST_CHECK_EQUAL(fs::read_symlink(dir.path() / "latest"), run.run_id);
  // A run folder is never overwritten.
  BOOST_CHECK_THROW(write_reports(run, dir.path()), std::exception);
}

BOOST_AUTO_TEST_CASE(diff_lists_exactly_the_cases_that_changed) {
  TempDir dir("harness-test-diff");
  auto night1 = testing::synthetic_run(14);
  auto a = write_reports(night1, dir.path());
  BOOST_CHECK(fs::exists(a / "results.json"));

  // Tonight: one regression, one fix gone (its baseline now passes), one case removed from both
  // streams, one case new on the candidate, and one message changed (not a verdict: not listed).
  auto night2 = night1;
  night2.run_id = "20261129-020000-abcd";
  auto find = [&](std::size_t suite, std::size_t stream, const std::string& id) -> CaseResult& {
    for (auto& c : night2.suites[suite].results[stream])
      if (c.id == id) return c;
    BOOST_FAIL("no case " + id);
    throw 0;
  };
  find(0, 1, "case-0").outcome = Outcome::fail;
  find(0, 0, "case-2").outcome = Outcome::pass;
  find(0, 1, "case-6").message = "another message";
  for (auto& stream : night2.suites[0].results)
    std::erase_if(stream, [](const CaseResult& c) { return c.id == "case-4"; });
  night2.suites[1].results[1].push_back({.suite = "starttls", .id = "new-case", .outcome = Outcome::pass});
  classify_run(night2);  // the copied verdicts pointed into night1
  auto b = write_reports(night2, dir.path());

  auto ra = read_results(a), rb = read_results(b);
  BOOST_CHECK_EQUAL(ra.rows.size(), 28u);  // 14 cases on two streams
  auto changes = diff_results(ra, rb);
  std::vector<std::string> got;
  for (const auto& c : changes) {
    std::string s = std::string(c.kind()) + " " + c.row().key();
    if (c.before && c.after) s += ": " + c.before->outcome + "/" + c.before->verdict + " -> " + c.after->outcome + "/" + c.after->verdict;
    got.push_back(s);
  }
  const std::vector<std::string> want = {
      "changed exiqgrep/case-0 on debian:trixie:stable: PASS/PASS -> FAIL/REGRESSION",
      "changed exiqgrep/case-2 on debian:bookworm:stable (baseline): FAIL/ -> PASS/",
      "changed exiqgrep/case-2 on debian:trixie:stable: PASS/FIXED -> PASS/PASS",
      "removed exiqgrep/case-4 on debian:bookworm:stable (baseline)",
      "removed exiqgrep/case-4 on debian:trixie:stable",
      "added starttls/new-case on debian:trixie:stable",
  };
  BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), want.begin(), want.end());
  auto text = diff_text(ra, rb, changes);
  BOOST_CHECK(text.find("3 changed, 1 added, 2 removed") != std::string::npos);
  BOOST_CHECK(text.find("exiqgrep/case-0 on debian:trixie:stable: PASS -> REGRESSION (outcome FAIL)") != std::string::npos);
  auto j = nlohmann::json::parse(diff_json(ra, rb, changes));
  BOOST_REQUIRE_EQUAL(j["changes"].size(), 6u);
  BOOST_CHECK_EQUAL(j["changes"][0]["after"]["verdict"], "REGRESSION");
  BOOST_CHECK(j["changes"][5]["before"].is_null());
  // A run against itself: nothing.
  BOOST_CHECK(diff_results(rb, rb).empty());

  // Nightly's previous run: the newest earlier folder of the same plan.
  auto prev = previous_run(dir.path(), rb);
  BOOST_REQUIRE(prev);
  BOOST_CHECK_EQUAL(*prev, a);
  BOOST_CHECK(!previous_run(dir.path(), ra));
  auto other = night2;
  other.run_id = "20261130-020000-abcd";
  other.plan_name = "another";
  other.plan_path = "scenarios/plans/another.yaml";
  classify_run(other);
  write_reports(other, dir.path());
  auto third = night2;
  third.run_id = "20261201-020000-abcd";
  classify_run(third);
  auto c = write_reports(third, dir.path());
  BOOST_CHECK_EQUAL(*previous_run(dir.path(), read_results(c)), b);  // not `other`: another plan

  // Bad input names the path.
  try {
    read_results(dir.path() / "nosuch");
    BOOST_FAIL("a missing folder was accepted");
  } catch (const UsageError& e) {
    BOOST_CHECK(std::string(e.what()).find("nosuch: no such report folder") != std::string::npos);
  }
  fs::create_directories(dir.path() / "empty");
  try {
    read_results(dir.path() / "empty");
    BOOST_FAIL("a folder without results.json was accepted");
  } catch (const UsageError& e) {
    BOOST_CHECK(std::string(e.what()).find("empty: not a harness report folder") != std::string::npos);
  }
  write_file(dir.path() / "empty" / "results.json", "{\"cases\": 3}");
  BOOST_CHECK_THROW(read_results(dir.path() / "empty"), UsageError);
}

// Found by fuzz_report_writers (docs/architecture.md, Fuzzing): a case message with invalid UTF-8
// (a listing or a server's bytes) made nlohmann::json throw from manifest_json(), losing the reports.
BOOST_AUTO_TEST_CASE(json_reports_take_invalid_utf8) {
  auto run = testing::synthetic_run(7);
  run.suites[0].results[1][0].message = "bad \xff\xfe bytes";
  run.run_id = "id\xc3";
  classify_run(run);
  std::string manifest, results;
  BOOST_REQUIRE_NO_THROW(manifest = manifest_json(run));
  BOOST_REQUIRE_NO_THROW(results = results_json(run));
  nlohmann::json m, r;
  BOOST_REQUIRE_NO_THROW(m = nlohmann::json::parse(manifest));
  BOOST_REQUIRE_NO_THROW(r = nlohmann::json::parse(results));
  BOOST_TEST(m.dump().find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD in place of the bad bytes
}
