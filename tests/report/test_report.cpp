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

BOOST_AUTO_TEST_CASE(summary_names_regressions_versions_and_command) {
  auto run = testing::synthetic_run(14);
  auto s = summary_text(run);
  BOOST_CHECK(s.rfind("harness run 20261128-020000-abcd: REGRESSION found", 0) == 0);
  BOOST_CHECK(s.find("REGRESSIONS (pass on the baseline, fail on the candidate):\n  - exiqgrep/case-8 on candidate") !=
              std::string::npos);
  BOOST_CHECK(s.find("  - starttls/case-1 on candidate (debian:trixie:stable): passes on the baseline") != std::string::npos);
  BOOST_CHECK(s.find("exim4-base 4.96-15+deb12u7.amd64") != std::string::npos);
  BOOST_CHECK(s.find("exim4-base 4.98.2-1.amd64") != std::string::npos);
  BOOST_CHECK(s.find("advisory DSA-9999-1") != std::string::npos);
  BOOST_CHECK(s.find("Reproduce:\n    harness run --baseline debian:bookworm:stable --candidate debian:trixie:stable") !=
              std::string::npos);
  BOOST_CHECK(s.find("rhbz#2258027") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(summary_fits_a_bugzilla_comment) {
  auto run = testing::synthetic_run(20000);
  auto s = summary_text(run);
  BOOST_CHECK_LE(s.size(), kMaxSummaryChars);
  BOOST_CHECK(s.find("more cases not listed here") != std::string::npos);
  // Regressions come first and the reproducer survives the cut.
  BOOST_CHECK(s.find("\nREGRESSIONS") < s.find("\nFIXED ("));
  BOOST_CHECK(s.find("Reproduce:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(html_is_escaped_and_has_the_grids) {
  auto run = testing::synthetic_run(42, "<script>alert(1)</script>\x01\n");
  auto html = html_report(run);
  BOOST_CHECK(html.find("<script>") == std::string::npos);
  BOOST_CHECK(html.find("&lt;script&gt;") != std::string::npos);
  BOOST_CHECK(html.find('\x01') == std::string::npos);
  BOOST_CHECK(html.find("TLS matrix: exim on baseline debian:bookworm:stable") != std::string::npos);
  BOOST_CHECK(html.find("<th>client \\ cert set</th><th>dual</th><th>ec</th><th>rsa</th>") != std::string::npos);
  BOOST_CHECK(html.find("By listing and version") != std::string::npos);
  BOOST_CHECK(html.find("exim4-base 4.98.2-1.amd64") != std::string::npos);
  BOOST_CHECK(html.find("class=\"regression\"") != std::string::npos);
  // The diff of a regression shows the candidate's new line.
  BOOST_CHECK(html.find("<ins>+ Line mismatch: 9h  2.2K 1rO3sE-005JbF-1D-H &lt;&gt; *** frozen ***</ins>") != std::string::npos);
  BOOST_CHECK(html.find("http") == std::string::npos || html.find("src=") == std::string::npos);  // self-contained
}

BOOST_AUTO_TEST_CASE(write_reports_and_latest_link) {
  TempDir dir("harness-test-reports");
  auto run = testing::synthetic_run(10);
  auto out = write_reports(run, dir.path());
  BOOST_CHECK_EQUAL(out, dir.path() / run.run_id);
  for (auto f : {"junit.xml", "summary.txt", "index.html", "manifest.json", "logs/exiqgrep.candidate.log"})
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
