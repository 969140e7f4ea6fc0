// The report writers on any bytes a case can carry (ids, messages, transcripts, properties come
// from listings, servers and package metadata): junit.xml must parse as XML (tinyxml2), index.html
// must show every such string escaped (each starts with "<x-fz", which must never appear raw), and
// summary.txt must stay within Bugzilla's comment limit; manifest.json and results.json must be
// written (invalid UTF-8 included).
#include <fuzzer/FuzzedDataProvider.h>
#include <tinyxml2.h>

#include <cstdio>
#include <cstdlib>

#include "harness/report/report.hpp"
#include "harness/report/results.hpp"

using namespace harness;

namespace {

std::string str(FuzzedDataProvider& p) { return "<x-fz" + p.ConsumeRandomLengthString(200); }

[[noreturn]] void fail(const char* what, const std::string& doc) {
  std::fprintf(stderr, "%s\n---\n%s\n---\n", what, doc.substr(0, 4000).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  RunRecord run;
  run.run_id = str(p);
  run.plan_name = str(p);
  run.plan_summary = str(p);
  run.command = str(p);
  run.started = str(p);
  run.hostname = str(p);
  StreamRecord base{.name = "baseline", .baseline = true, .spec = parse_candidate_spec("debian:bookworm:stable")};
  StreamRecord cand{.name = "candidate", .spec = parse_candidate_spec("debian:trixie:stable")};
  cand.packages.packages.push_back({.name = str(p), .version = str(p), .arch = "amd64", .source = str(p), .repo = str(p)});
  if (p.ConsumeBool()) cand.errors.push_back(str(p));
  cand.changed.push_back(str(p));
  run.streams = {base, cand};
  SuiteRecord suite{.name = "exiqgrep", .package = str(p), .results = {{}, {}}};
  const int cases = p.ConsumeIntegralInRange(0, 6);
  for (int i = 0; i < cases; ++i) {
    CaseResult c;
    c.suite = "exiqgrep";
    c.id = str(p);
    c.group = str(p);
    c.summary = str(p);
    c.refs = {str(p)};
    c.message = str(p);
    c.transcript = str(p);
    c.properties[str(p)] = str(p);
    CaseResult b = c;
    c.outcome = static_cast<Outcome>(p.ConsumeIntegralInRange(0, 3));
    b.outcome = static_cast<Outcome>(p.ConsumeIntegralInRange(0, 3));
    if (p.ConsumeBool()) b.transcript = str(p);
    suite.results[0].push_back(std::move(b));
    suite.results[1].push_back(std::move(c));
  }
  run.suites = {suite};
  classify_run(run);

  std::string junit = junit_xml(run);
  tinyxml2::XMLDocument doc;
  if (doc.Parse(junit.data(), junit.size()) != tinyxml2::XML_SUCCESS) fail("junit.xml does not parse", junit);
  if (!doc.FirstChildElement("testsuites")) fail("junit.xml has no <testsuites>", junit);

  std::string html = html_report(run);
  if (html.find("<x-fz") != std::string::npos) fail("index.html carries an unescaped input string", html);

  std::string summary = summary_text(run);
  if (summary.size() > kMaxSummaryChars) fail("summary.txt exceeds Bugzilla's limit", summary);
  (void)summary_full_text(run);
  (void)manifest_json(run);
  (void)results_json(run);
  return 0;
}
