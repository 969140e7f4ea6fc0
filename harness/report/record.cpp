#include "harness/report/record.hpp"

#include <nlohmann/json.hpp>

#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/tempdir.hpp"

namespace harness {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

Outcome outcome_from(const std::string& s, const fs::path& file) {
  for (auto o : {Outcome::pass, Outcome::fail, Outcome::error, Outcome::skip})
    if (to_string(o) == s) return o;
  throw UsageError(file.string() + ": unknown case outcome '" + s + "'");
}

json case_json(const CaseResult& c) {
  return {{"suite", c.suite},     {"id", c.id},           {"group", c.group},
          {"summary", c.summary}, {"refs", c.refs},       {"outcome", to_string(c.outcome)},
          {"message", c.message}, {"transcript", c.transcript}, {"seconds", c.seconds},
          {"properties", c.properties}};
}

CaseResult case_from(const json& j, const fs::path& file) {
  CaseResult c;
  c.suite = j.value("suite", "");
  c.id = j.at("id").get<std::string>();
  c.group = j.value("group", "");
  c.summary = j.value("summary", "");
  c.refs = j.value("refs", std::vector<std::string>{});
  c.outcome = outcome_from(j.at("outcome").get<std::string>(), file);
  c.message = j.value("message", "");
  c.transcript = j.value("transcript", "");
  c.seconds = j.value("seconds", 0.0);
  c.properties = j.value("properties", std::map<std::string, std::string>{});
  return c;
}

json spec_json(const CandidateSpec& s) {
  return {{"text", s.text},
          {"family", s.family == Family::fedora ? "fedora" : "debian"},
          {"release", s.release},
          {"channel", s.channel},
          {"local_dir", s.local_dir ? s.local_dir->string() : ""}};
}

CandidateSpec spec_from(const json& j) {
  CandidateSpec s;
  s.text = j.value("text", "");
  s.family = j.value("family", "") == "fedora" ? Family::fedora : Family::debian;
  s.release = j.value("release", "");
  s.channel = j.value("channel", "");
  if (auto d = j.value("local_dir", ""); !d.empty()) s.local_dir = fs::path(d);
  return s;
}

json package_json(const Package& p) {
  return {{"name", p.name},         {"epoch", p.epoch},       {"version", p.version},
          {"release", p.release},   {"arch", p.arch},         {"source", p.source},
          {"repo", p.repo},         {"advisory", p.advisory}, {"advisory_type", p.advisory_type},
          {"severity", p.severity}, {"bugs", p.bugs},         {"file", p.file}};
}

Package package_from(const json& j) {
  return {.name = j.value("name", ""),         .epoch = j.value("epoch", ""),       .version = j.value("version", ""),
          .release = j.value("release", ""),   .arch = j.value("arch", ""),         .source = j.value("source", ""),
          .repo = j.value("repo", ""),         .advisory = j.value("advisory", ""), .advisory_type = j.value("advisory_type", ""),
          .severity = j.value("severity", ""), .bugs = j.value("bugs", std::vector<std::string>{}), .file = j.value("file", "")};
}

}  // namespace

std::string plan_hash(const RunRecord& run) {
  Sha256 h;
  h.field(run.plan_name).field(run.single_stream() ? "single" : "compare");
  if (run.shard.count > 0)
    for (const auto& [suite, _] : run.shard.assignment) h.field(suite);
  else
    for (const auto& s : run.suites) h.field(s.name);
  h.field("|");
  for (const auto& s : run.streams) h.field(s.name).field(s.spec.text);
  return h.hex().substr(0, 16);
}

std::string package_sets_hash(const RunRecord& run) {
  Sha256 h;
  for (const auto& s : run.streams) {
    h.field(s.name).field(s.packages.packages.empty() ? "" : s.packages.hash());
    for (const auto& f : s.local_packages) h.field(f);
  }
  return h.hex().substr(0, 16);
}

std::string record_json(const RunRecord& run) {
  json streams = json::array();
  for (const auto& s : run.streams) {
    json pk = json::array(), images = json::array(), blame = json::array();
    for (const auto& p : s.packages.packages) pk.push_back(package_json(p));
    for (const auto& i : s.images) images.push_back({{"suite", i.suite}, {"tag", i.tag}, {"id", i.id}, {"requested", i.requested}});
    for (const auto& b : s.blame) blame.push_back({{"source", b.source}, {"changes", b.changes}, {"finding", b.finding}, {"detail", b.detail}});
    streams.push_back({{"name", s.name},
                       {"baseline", s.baseline},
                       {"spec", spec_json(s.spec)},
                       {"packages", pk},
                       {"transaction", s.transaction},
                       {"local_packages", s.local_packages},
                       {"images", images},
                       {"errors", s.errors},
                       {"identical_to_baseline", s.identical_to_baseline},
                       {"changed", s.changed},
                       {"not_exercised", s.not_exercised},
                       {"blame", blame},
                       {"seconds", s.seconds}});
  }
  json suites = json::array();
  for (const auto& s : run.suites) {
    json results = json::array(), reruns = json::array();
    for (const auto& per_stream : s.results) {
      json cases = json::array();
      for (const auto& c : per_stream) cases.push_back(case_json(c));
      results.push_back(cases);
    }
    for (const auto& per_stream : s.reruns) {
      json m = json::object();
      for (const auto& [id, outcomes] : per_stream) {
        json list = json::array();
        for (auto o : outcomes) list.push_back(to_string(o));
        m[id] = list;
      }
      reruns.push_back(m);
    }
    suites.push_back({{"name", s.name}, {"package", s.package}, {"options", s.options}, {"results", results},
                      {"reruns", reruns}, {"seconds", s.seconds}});
  }
  json timings = json::array();
  for (const auto& [phase, secs] : run.timings) timings.push_back({phase, secs});
  json archives = json::array();
  for (const auto& a : run.archives) archives.push_back({{"name", a.name}, {"url", a.url}, {"origin", a.origin}});
  json assignment = json::array();
  for (const auto& [suite, k] : run.shard.assignment) assignment.push_back({suite, k});
  json j = {{"format", kRecordFormat},
            {"run_id", run.run_id},
            {"plan", {{"name", run.plan_name}, {"path", run.plan_path}, {"summary", run.plan_summary}}},
            {"command", run.command},
            {"started", run.started},
            {"hostname", run.hostname},
            {"seconds", run.seconds},
            {"timings", timings},
            {"archives", archives},
            {"shard", {{"index", run.shard.index}, {"count", run.shard.count}, {"basis", run.shard.basis}, {"assignment", assignment}}},
            {"merged_from", run.merged_from},
            {"streams", streams},
            {"suites", suites}};
  // Transcripts may hold any bytes; replace what is not UTF-8 rather than fail the report.
  return j.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

RunRecord read_record(const fs::path& dir) {
  const fs::path file = dir / "record.json";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw UsageError(dir.string() + ": no such report folder");
  if (!fs::is_regular_file(file, ec))
    throw UsageError(dir.string() + ": no record.json (a report folder written by an older harness, or not a harness report)");
  json j = json::parse(read_file(file), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != kRecordFormat)
    throw UsageError(file.string() + ": not a " + kRecordFormat + " file");
  RunRecord run;
  try {
    run.run_id = j.value("run_id", "");
    run.plan_name = j["plan"].value("name", "");
    run.plan_path = j["plan"].value("path", "");
    run.plan_summary = j["plan"].value("summary", "");
    run.command = j.value("command", "");
    run.started = j.value("started", "");
    run.hostname = j.value("hostname", "");
    run.seconds = j.value("seconds", 0.0);
    for (const auto& t : j.at("timings")) run.timings.push_back({t.at(0).get<std::string>(), t.at(1).get<double>()});
    for (const auto& a : j.at("archives"))
      run.archives.push_back({a.value("name", ""), a.value("url", ""), a.value("origin", "")});
    const auto& sh = j.at("shard");
    run.shard.index = sh.value("index", 0u);
    run.shard.count = sh.value("count", 0u);
    run.shard.basis = sh.value("basis", "");
    for (const auto& a : sh.at("assignment")) run.shard.assignment.push_back({a.at(0).get<std::string>(), a.at(1).get<unsigned>()});
    run.merged_from = j.value("merged_from", std::vector<std::string>{});
    for (const auto& s : j.at("streams")) {
      StreamRecord r;
      r.name = s.at("name").get<std::string>();
      r.baseline = s.value("baseline", false);
      r.spec = spec_from(s.at("spec"));
      r.packages.family = r.spec.family;
      for (const auto& p : s.at("packages")) r.packages.packages.push_back(package_from(p));
      r.transaction = s.value("transaction", std::vector<std::string>{});
      r.local_packages = s.value("local_packages", std::vector<std::string>{});
      for (const auto& i : s.at("images"))
        r.images.push_back({i.value("suite", ""), i.value("tag", ""), i.value("id", ""),
                            i.value("requested", std::map<std::string, std::string>{})});
      r.errors = s.value("errors", std::vector<std::string>{});
      r.identical_to_baseline = s.value("identical_to_baseline", false);
      r.changed = s.value("changed", std::vector<std::string>{});
      r.not_exercised = s.value("not_exercised", std::vector<std::string>{});
      for (const auto& b : s.at("blame"))
        r.blame.push_back({b.value("source", ""), b.value("changes", std::vector<std::string>{}), b.value("finding", ""),
                           b.value("detail", "")});
      r.seconds = s.value("seconds", 0.0);
      run.streams.push_back(std::move(r));
    }
    for (const auto& s : j.at("suites")) {
      SuiteRecord r;
      r.name = s.at("name").get<std::string>();
      r.package = s.value("package", "");
      r.options = s.value("options", std::map<std::string, std::string>{});
      for (const auto& per_stream : s.at("results")) {
        r.results.emplace_back();
        for (const auto& c : per_stream) r.results.back().push_back(case_from(c, file));
      }
      for (const auto& per_stream : s.at("reruns")) {
        r.reruns.emplace_back();
        for (const auto& [id, list] : per_stream.items())
          for (const auto& o : list) r.reruns.back()[id].push_back(outcome_from(o.get<std::string>(), file));
      }
      r.seconds = s.value("seconds", std::vector<double>{});
      if (r.results.size() != run.streams.size() || r.reruns.size() != run.streams.size())
        throw UsageError(file.string() + ": suite " + r.name + " has results for " + std::to_string(r.results.size()) +
                         " streams, the run has " + std::to_string(run.streams.size()));
      run.suites.push_back(std::move(r));
    }
  } catch (const json::exception& e) {
    throw UsageError(file.string() + ": malformed (" + e.what() + ")");
  }
  return run;
}

}  // namespace harness
