// JUnit for Jenkins (validates against its strict junit-4 XSD) and GitLab: one <testsuite> per
// (suite, stream); classname = suite.package; testcase names carry the stream so that
// classname+name stays unique (GitLab keeps only the first of duplicates).
#include <tinyxml2.h>

#include "harness/common/strings.hpp"
#include "harness/report/detail.hpp"
#include "harness/report/report.hpp"

namespace harness {
namespace {
using namespace report_detail;

constexpr std::size_t kHead = 4096, kTail = 12288;

std::string clean(std::string_view s) { return strip_xml_illegal(s); }

void property(tinyxml2::XMLElement* props, const std::string& name, const std::string& value) {
  auto* p = props->InsertNewChildElement("property");
  p->SetAttribute("name", clean(name).c_str());
  p->SetAttribute("value", clean(value).c_str());
}

std::string case_header(const CaseResult& c, const CaseVerdict* v, const StreamRecord& stream) {
  std::string h = "stream: " + stream.label() + "\noutcome: " + to_string(c.outcome) + "\n";
  if (v) {
    h += "verdict: " + to_string(v->verdict) + " (" + one_line(v->reason) + ")\n";
    if (v->baseline) h += "baseline: " + to_string(v->baseline->outcome) + ": " + one_line(v->baseline->message) + "\n";
  }
  if (!c.message.empty()) h += "message: " + one_line(c.message) + "\n";
  if (!c.summary.empty()) h += "why: " + one_line(c.summary) + "\n";
  for (const auto& r : c.refs) h += "ref: " + r + "\n";
  for (const auto& [k, val] : c.properties) h += "property " + k + ": " + one_line(val) + "\n";
  return h;
}

}  // namespace

std::string junit_xml(const RunRecord& run) {
  VerdictIndex index(run);
  tinyxml2::XMLDocument doc;
  doc.InsertEndChild(doc.NewDeclaration());
  auto* root = doc.NewElement("testsuites");
  doc.InsertEndChild(root);
  root->SetAttribute("name", clean("harness " + run.run_id + " " + run.plan_name).c_str());
  std::size_t all_tests = 0, all_failures = 0, all_errors = 0;
  double all_time = 0;

  for (std::size_t si = 0; si < run.suites.size(); ++si) {
    const auto& suite = run.suites[si];
    const std::string classname = suite.name + "." + suite.package;
    for (std::size_t st = 0; st < run.streams.size() && st < suite.results.size(); ++st) {
      const auto& stream = run.streams[st];
      const auto& cases = suite.results[st];
      auto* ts = root->InsertNewChildElement("testsuite");
      ts->SetAttribute("name", clean(suite.name + " @ " + stream.name + " (" + stream.spec.text + ")").c_str());
      std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
      double time = 0;

      auto* props = ts->InsertNewChildElement("properties");
      property(props, "stream", stream.name);
      property(props, "spec", stream.spec.text);
      property(props, "run-id", run.run_id);
      if (run.single_stream()) property(props, "mode", "single-stream (no baseline): PASS/FAIL per case, nothing compared");
      for (const auto& row : stream_versions(stream)) {
        property(props, "package:" + row.package, row.version);
        if (!row.origin.empty()) property(props, "repo:" + row.package, row.origin);
        if (!row.advisory.empty()) property(props, "advisory", row.advisory);
      }
      for (const auto& bug : [&] {
             std::vector<std::string> b;
             for (const auto& p : stream.packages.packages) b.insert(b.end(), p.bugs.begin(), p.bugs.end());
             return b;
           }())
        property(props, "bug", bug);
      for (const auto& img : stream.images)
        if (img.suite == suite.name) property(props, "image", img.tag + (img.id.empty() ? "" : " " + img.id));
      for (const auto& f : stream.local_packages) property(props, "local-package", f);
      for (const auto& [k, v] : suite.options) property(props, "option:" + k, v);
      for (const auto& e : stream.errors) property(props, "stream-error", one_line(e));
      if (stream.identical_to_baseline) property(props, "identical-to-baseline", "not run: same package set as the baseline");
      for (const auto& p : stream.not_exercised) property(props, "not-exercised", p);
      for (const auto& b : stream.blame) {
        std::string what = join(b.changes, ", ");
        property(props, "blame:" + b.source, b.finding + ": " + what + " (" + one_line(b.detail) + ")");
      }

      for (const auto& c : cases) {
        const CaseVerdict* v = stream.baseline ? nullptr : index.find(si, st, c.id);
        ++tests;
        auto* tc = ts->InsertNewChildElement("testcase");
        tc->SetAttribute("name", clean(c.id + " [" + stream.name + "]").c_str());
        tc->SetAttribute("classname", clean(classname).c_str());
        tc->SetAttribute("time", format_seconds(c.seconds).c_str());
        time += c.seconds;
        std::string msg = one_line(c.message);
        if (v && v->verdict == Verdict::flaky) {
          // Surefire's form: the case does not fail the build; each outcome that moved is a flakyFailure.
          auto* f = tc->InsertNewChildElement("flakyFailure");
          f->SetAttribute("type", "flaky");
          f->SetAttribute("message", clean("FLAKY: " + one_line(v->reason)).c_str());
          f->SetText(clean(v->reason).c_str());
        } else if (c.outcome == Outcome::skip) {
          ++skipped;
          tc->InsertNewChildElement("skipped")->SetText(clean(msg.empty() ? "skipped" : msg).c_str());
        } else if (c.outcome == Outcome::error) {
          ++errors;
          auto* e = tc->InsertNewChildElement("error");
          e->SetAttribute("type", "infrastructure");
          e->SetAttribute("message", clean(msg).c_str());
          e->SetText(clean(msg).c_str());
        } else if (c.outcome == Outcome::fail) {
          ++failures;
          auto* f = tc->InsertNewChildElement("failure");
          std::string type = "fail";
          if (v && v->verdict == Verdict::regression) type = "regression";
          if (v && v->verdict == Verdict::always_fail) type = "always-fail";
          f->SetAttribute("type", type.c_str());
          f->SetAttribute("message", clean((v ? to_string(v->verdict) + ": " : std::string()) + msg).c_str());
          f->SetText(clean(v ? v->reason : msg).c_str());
        }
        std::string where = log_file_name(run, si, st);
        std::string out = case_header(c, v, stream);
        if (!c.transcript.empty()) out += "\n" + trim_middle(c.transcript, kHead, kTail, "reports/" + run.run_id + "/" + where);
        tc->InsertNewChildElement("system-out")->SetText(clean(out).c_str());
      }
      // A stream that lost its cases to an infrastructure failure shows them as errors here too.
      if (!stream.baseline)
        for (const auto& v : run.verdicts)
          if (v.suite == si && v.stream == st && !v.candidate) {
            ++tests;
            auto* tc = ts->InsertNewChildElement("testcase");
            tc->SetAttribute("name", clean(v.id + " [" + stream.name + "]").c_str());
            tc->SetAttribute("classname", clean(classname).c_str());
            auto* e = tc->InsertNewChildElement("error");
            e->SetAttribute("type", "infrastructure");
            e->SetAttribute("message", clean(one_line(v.reason)).c_str());
            ++errors;
          }
      ts->SetAttribute("tests", static_cast<uint64_t>(tests));
      ts->SetAttribute("failures", static_cast<uint64_t>(failures));
      ts->SetAttribute("errors", static_cast<uint64_t>(errors));
      ts->SetAttribute("skipped", static_cast<uint64_t>(skipped));
      ts->SetAttribute("time", format_seconds(time).c_str());
      ts->SetAttribute("timestamp", clean(run.started).c_str());
      if (!run.hostname.empty()) ts->SetAttribute("hostname", clean(run.hostname).c_str());
      ts->SetAttribute("package", clean(classname).c_str());
      all_tests += tests;
      all_failures += failures;
      all_errors += errors;
      all_time += time;
    }
  }
  root->SetAttribute("tests", static_cast<uint64_t>(all_tests));
  root->SetAttribute("failures", static_cast<uint64_t>(all_failures));
  root->SetAttribute("errors", static_cast<uint64_t>(all_errors));
  root->SetAttribute("time", format_seconds(all_time).c_str());
  tinyxml2::XMLPrinter printer;
  doc.Print(&printer);
  return std::string(printer.CStr(), printer.CStrSize() > 0 ? printer.CStrSize() - 1 : 0);
}

}  // namespace harness
