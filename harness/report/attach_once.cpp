#include "harness/report/attach_once.hpp"

#include <tinyxml2.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/report/report.hpp"

namespace harness {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

json read_manifest(const fs::path& run_dir) {
  const fs::path file = run_dir / "manifest.json";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw UsageError(run_dir.string() + " holds no manifest.json (give a run folder: reports/<run-id>)");
  json j = json::parse(read_file(file), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("streams") || !j["streams"].is_array())
    throw UsageError(file.string() + ": not a harness manifest");
  return j;
}

std::string str(const json& j, const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; }

// The run's junit.xml with only the baseline's testsuites and those of `streams`; totals recounted.
std::string junit_for_streams(const std::string& xml, const std::set<std::string>& streams, const std::string& baseline) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.c_str(), xml.size()) != tinyxml2::XML_SUCCESS || !doc.RootElement()) return xml;
  auto* root = doc.RootElement();
  uint64_t tests = 0, failures = 0, errors = 0;
  for (auto* ts = root->FirstChildElement("testsuite"); ts;) {
    auto* next = ts->NextSiblingElement("testsuite");
    std::string stream;
    if (auto* props = ts->FirstChildElement("properties"))
      for (auto* p = props->FirstChildElement("property"); p; p = p->NextSiblingElement("property"))
        if (p->Attribute("name", "stream") && p->Attribute("value")) stream = p->Attribute("value");
    if (stream != baseline && !streams.count(stream)) {
      root->DeleteChild(ts);
    } else {
      tests += ts->Unsigned64Attribute("tests");
      failures += ts->Unsigned64Attribute("failures");
      errors += ts->Unsigned64Attribute("errors");
    }
    ts = next;
  }
  root->SetAttribute("tests", tests);
  root->SetAttribute("failures", failures);
  root->SetAttribute("errors", errors);
  tinyxml2::XMLPrinter printer;
  doc.Print(&printer);
  return std::string(printer.CStr(), printer.CStrSize() > 0 ? printer.CStrSize() - 1 : 0);
}

bool carries(const ExistingAttachment& a, const std::string& marker) {
  auto hash = marker.substr(marker.find(':') + 1);
  return a.summary.find(marker) != std::string::npos || a.file_name.find(hash) != std::string::npos;
}

}  // namespace

std::string incomplete_reason(const fs::path& run_dir) {
  auto m = read_manifest(run_dir);
  std::vector<std::string> why;
  std::size_t errors = m.contains("verdicts") && m["verdicts"].is_object() ? m["verdicts"].value("ERROR", 0u) : 0u;
  if (errors) why.push_back(std::to_string(errors) + " ERROR case" + (errors == 1 ? "" : "s"));
  for (const auto& s : m["streams"])
    if (s.contains("errors") && s["errors"].is_array())
      for (const auto& e : s["errors"]) why.push_back("stream " + str(s, "name") + ": " + (e.is_string() ? e.get<std::string>() : e.dump()));
  return join(why, "; ");
}

std::vector<BugAttachmentPlan> plan_bug_attachments(const fs::path& run_dir, std::vector<std::string>* skipped) {
  auto m = read_manifest(run_dir);
  const std::string run_id = str(m, "run_id");
  std::string baseline_name;
  std::map<std::string, std::string> base_evr;  // package -> the baseline's version
  for (const auto& s : m["streams"])
    if (s.value("baseline", false)) {
      baseline_name = str(s, "name");
      for (const auto& p : s["packages"]) base_evr[str(p, "name")] = str(p, "evr");
    }
  struct Acc {
    std::set<std::string> advisories, packages, streams, stream_names;
  };
  std::map<long, Acc> bugs;
  std::set<std::string> other;
  for (const auto& s : m["streams"]) {
    if (s.value("baseline", false) || s.value("identical_to_baseline", false)) continue;
    for (const auto& p : s["packages"]) {
      auto name = str(p, "name");
      if (auto it = base_evr.find(name); it != base_evr.end() && it->second == str(p, "evr")) continue;  // not changed
      if (!p.contains("bugs") || !p["bugs"].is_array()) continue;
      for (const auto& b : p["bugs"]) {
        std::string ref = b.is_string() ? b.get<std::string>() : "";
        long id = 0;
        if (ref.rfind("rhbz#", 0) == 0) id = std::strtol(ref.c_str() + 5, nullptr, 10);
        if (id <= 0) {
          other.insert(ref);
          continue;
        }
        auto& acc = bugs[id];
        if (!str(p, "advisory").empty()) acc.advisories.insert(str(p, "advisory"));
        acc.packages.insert(name + "-" + str(p, "evr") + "." + str(p, "arch"));
        acc.streams.insert(str(s, "name") + " " + str(s, "spec"));
        acc.stream_names.insert(str(s, "name"));
      }
    }
  }
  if (skipped) skipped->assign(other.begin(), other.end());
  std::vector<BugAttachmentPlan> out;
  if (bugs.empty()) return out;
  const std::string junit = read_file(run_dir / "junit.xml");
  const std::string summary = fs::is_regular_file(run_dir / "summary.txt") ? read_file(run_dir / "summary.txt") : "";
  for (const auto& [id, acc] : bugs) {
    BugAttachmentPlan p;
    p.bug = id;
    p.advisories.assign(acc.advisories.begin(), acc.advisories.end());
    p.packages.assign(acc.packages.begin(), acc.packages.end());  // sorted: a set
    p.streams.assign(acc.streams.begin(), acc.streams.end());
    p.marker = "harness-build-set:" + sha256_hex(join(p.packages, "\n")).substr(0, 16);
    auto& a = p.attachment;
    a.bug = id;
    a.data = junit_for_streams(junit, acc.stream_names, baseline_name);
    a.file_name = "harness-" + run_id + "-junit.xml";
    std::string what = p.advisories.empty() ? join(p.packages, ", ") : join(p.advisories, ", ");
    if (what.size() > 120) what = what.substr(0, 117) + "...";
    // Bugzilla keeps 255 characters of an attachment's summary; the marker goes first to survive that.
    a.summary = "[" + p.marker + "] harness " + run_id + ": " + what;
    std::string head = "harness run " + run_id + " for rhbz#" + std::to_string(id) +
                       (p.advisories.empty() ? "" : " (" + join(p.advisories, ", ") + ")") + "\nBuilds: " +
                       join(p.packages, ", ") + "\nStreams: " + join(p.streams, ", ") +
                       "\nThe attached junit.xml holds the cases of these streams (and the baseline's); the summary "
                       "below covers the whole run.\n" +
                       p.marker + "\n\n";
    a.comment = head + summary;
    if (a.comment.size() > kMaxSummaryChars) {
      a.comment.resize(kMaxSummaryChars);
      while (!a.comment.empty() && (static_cast<unsigned char>(a.comment.back()) & 0xC0) == 0x80) a.comment.pop_back();
      if (!a.comment.empty() && static_cast<unsigned char>(a.comment.back()) >= 0xC0) a.comment.pop_back();
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::size_t attach_once(const fs::path& run_dir, const BugzillaOptions& o, bool dry_run, std::ostream& out) {
  auto why = incomplete_reason(run_dir);
  if (!why.empty()) {
    out << "--attach: not attaching " << run_dir.string() << ": the run is incomplete (" << why
        << "); only complete runs are attached\n";
    return 0;
  }
  std::vector<std::string> skipped;
  auto plans = plan_bug_attachments(run_dir, &skipped);
  for (const auto& s : skipped) out << "--attach: skipping " << s << " (not a Bugzilla bug)\n";
  if (plans.empty()) out << "--attach: the changed candidates' advisories name no Bugzilla bug\n";
  std::size_t posted = 0;
  for (const auto& p : plans) {
    std::string bug = "bug " + std::to_string(p.bug);
    auto existing = list_attachments(o, p.bug);
    auto it = std::find_if(existing.begin(), existing.end(), [&](const auto& a) { return carries(a, p.marker); });
    if (it != existing.end()) {
      out << bug << ": attachment " << it->id << " already holds the results for these builds (" << p.marker
          << "); not posted again\n";
      continue;
    }
    ++posted;
    if (dry_run) {
      out << bug << ": would post the results for " << join(p.packages, ", ") << ":\n" << describe_attachment_request(o, p.attachment);
      continue;
    }
    for (const auto& id : post_attachment(o, p.attachment))
      out << bug << ": attachment " << id << " (" << p.attachment.file_name << ") for " << join(p.packages, ", ") << "\n";
  }
  return posted;
}

}  // namespace harness
