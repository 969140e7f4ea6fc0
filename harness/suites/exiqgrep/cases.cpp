#include "harness/suites/exiqgrep/cases.hpp"

#include <algorithm>
#include <set>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/plan/yaml_file.hpp"

namespace harness::exiqgrep {
namespace fs = std::filesystem;

namespace {

// '*' matches any run of characters; nothing else is special.
bool glob_match(const std::string& pattern, const std::string& name) {
  std::size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == name[n]) { ++p; ++n; }
    else if (p < pattern.size() && pattern[p] == '*') { star = p++; mark = n; }
    else if (star != std::string::npos) { p = star + 1; n = ++mark; }
    else return false;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// "key: value" of a provenance sidecar (the YAML written by capture-queue, or by hand).
std::map<std::string, std::string> read_sidecar(const fs::path& path) {
  auto f = load_yaml_file(path);
  if (!f.root.IsMap()) f.fail(f.root, "a listing's provenance must be a mapping (listing, producer, distro, command, ...)");
  f.check_keys(f.root, {"listing", "producer", "package", "distro", "command", "captured", "made_with", "notes", "source"});
  std::map<std::string, std::string> m;
  for (const auto& kv : f.root) m[kv.first.as<std::string>()] = kv.second.as<std::string>();
  if (!m.count("producer")) f.fail(f.root, "missing 'producer' (which exim printed the listing, e.g. 'exim 4.96')");
  return m;
}

CaseKind parse_kind(const YamlFile& f, const YAML::Node& map) {
  auto k = f.optional_string(map, "kind").value_or("fake-exim");
  if (k == "fake-exim") return CaseKind::fake_exim;
  if (k == "munin") return CaseKind::munin;
  if (k == "minimal-install") return CaseKind::minimal_install;
  if (k == "live") return CaseKind::live;
  if (k == "live-listing") return CaseKind::live_listing;
  f.fail(map["kind"], "unknown kind '" + k + "' (fake-exim, munin, minimal-install, live, live-listing)");
}

std::optional<Expectation> parse_expect(const YamlFile& f, const YAML::Node& map) {
  auto n = map["expect"];
  if (!n.IsDefined()) f.fail(map, "missing 'expect' ('per model', or {exit, stdout_contains, stderr_contains})");
  if (n.IsScalar()) {
    if (n.as<std::string>() != "per model") f.fail(n, "expect: write 'per model' or a mapping {exit, stdout_contains, stderr_contains}");
    return std::nullopt;
  }
  f.check_keys(n, {"exit", "stdout_contains", "stderr_contains"});
  Expectation e;
  if (n["exit"].IsDefined()) {
    try {
      e.exit_code = n["exit"].as<int>();
    } catch (const YAML::Exception&) {
      f.fail(n["exit"], "exit must be a number");
    }
  }
  e.stdout_contains = f.optional_string(n, "stdout_contains");
  e.stderr_contains = f.optional_string(n, "stderr_contains");
  if (!e.exit_code && !e.stdout_contains && !e.stderr_contains) f.fail(n, "an explicit expectation needs exit, stdout_contains or stderr_contains");
  return e;
}

Query query_or_fail(const YamlFile& f, const YAML::Node& at, const std::vector<std::string>& args) {
  try {
    return parse_query(args);
  } catch (const std::invalid_argument& e) {
    f.fail(at, std::string("bad exiqgrep arguments: ") + e.what());
  }
}

}  // namespace

std::vector<CorpusListing> load_listings(const fs::path& dir, const std::string& default_producer) {
  if (!fs::is_directory(dir)) throw UsageError(dir.string() + ": not a folder of queue listings");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto ext = e.path().extension().string();
    if (ext == ".yaml" || ext == ".yml" || e.path().filename().string().starts_with(".")) continue;
    // Before anything follows a symlink: it must not lead out of the folder.
    if (e.is_symlink()) check_inside_folder(e.path(), dir);
    if (!e.is_regular_file()) continue;
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw UsageError(dir.string() + ": no listings in it (files holding `exim -bp` or `exim -bpu` output)");
  std::vector<CorpusListing> out;
  for (const auto& p : files) {
    CorpusListing l;
    l.name = p.filename().string();
    l.path = p;
    l.text = read_file(p);
    try {
      l.model = parse_listing(l.text, p.string());
    } catch (const ListingError& e) {
      throw UsageError(std::string(e.what()) + " (a listing the model cannot parse is a corpus error: fix or remove the file)");
    }
    l.producer = default_producer;
    auto side = p;
    side.replace_extension(".yaml");
    if (fs::exists(side)) {
      if (fs::is_symlink(side)) check_inside_folder(side, dir);
      auto m = read_sidecar(side);
      l.producer = m["producer"];
      l.provenance = m["producer"] + (m.count("distro") ? ", " + m["distro"] : "") +
                     (m.count("command") ? ", `" + m["command"] + "`" : "") +
                     (m.count("captured") ? ", " + m["captured"] : "") + (m.count("source") ? ", " + m["source"] : "");
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<SeedSpool> load_seed_spools(const fs::path& dir) {
  std::vector<SeedSpool> out;
  if (!fs::is_directory(dir)) return out;
  std::vector<fs::path> folders;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) folders.push_back(e.path());
  std::sort(folders.begin(), folders.end());
  for (const auto& folder : folders) {
    SeedSpool s;
    s.name = folder.filename().string();
    auto side = folder;
    side += ".yaml";
    if (!fs::exists(side)) throw UsageError(side.string() + ": missing (the provenance of the spool files in " + folder.string() + ")");
    auto m = read_sidecar(side);
    s.producer = m["producer"];
    s.provenance = m["producer"] + (m.count("distro") ? ", " + m["distro"] : "") + (m.count("captured") ? ", " + m["captured"] : "");
    for (const auto& e : fs::directory_iterator(folder)) {
      auto name = e.path().filename().string();
      auto id = name.size() > 2 ? name.substr(0, name.size() - 2) : "";
      auto suffix = name.size() > 2 ? name.substr(name.size() - 2) : "";
      auto format = id_format(id);
      bool id_ok = e.is_regular_file() && (suffix == "-H" || suffix == "-D") && format &&
                   *format != IdFormat::old_with_spool_suffix;
      if (!id_ok) throw UsageError(escape_for_message(e.path().string()) + ": not a spool file '<message id>-H' or '<message id>-D'");
      s.files[name] = read_file(e.path());
      if (suffix == "-H") s.ids.push_back(id);
    }
    for (const auto& id : s.ids)
      if (!s.files.count(id + "-D")) throw UsageError((folder / (id + "-H")).string() + ": its body file " + id + "-D is missing");
    if (s.ids.empty()) throw UsageError(folder.string() + ": no <id>-H spool files in it");
    std::sort(s.ids.begin(), s.ids.end());
    out.push_back(std::move(s));
  }
  return out;
}

SuiteData load_suite_data(const fs::path& scenarios_dir, const fs::path& maintainer_queues) {
  SuiteData d;
  d.seeds = load_seed_spools(scenarios_dir / "spool");
  for (auto& l : load_listings(scenarios_dir / "queues", "unknown")) d.listings.emplace(l.name, std::move(l));

  auto qf = load_yaml_file(scenarios_dir / "queries.yaml");
  qf.check_keys(qf.root, {"queries", "maintainer_queries"});
  if (!qf.root["queries"].IsSequence()) qf.fail(qf.root, "'queries' must be a list of {name, args, summary}");
  for (const auto& n : qf.root["queries"]) {
    qf.check_keys(n, {"name", "args", "summary"});
    NamedQuery q{qf.required_string(n, "name"), qf.string_list(n, "args", true), qf.required_string(n, "summary")};
    query_or_fail(qf, n, q.args);
    if (!d.queries.emplace(q.name, q).second) qf.fail(n, "query '" + escape_for_message(q.name) + "' defined twice");
  }
  auto named = [&](const YamlFile& f, const YAML::Node& at, const std::string& name) -> const NamedQuery& {
    auto it = d.queries.find(name);
    if (it == d.queries.end()) f.fail(at, "unknown query '" + escape_for_message(name) + "' (define it in queries.yaml)");
    return it->second;
  };

  std::set<std::string> ids;
  auto add = [&](const YamlFile& f, const YAML::Node& at, CaseSpec c) {
    c.where = f.path.string() + ":" + std::to_string(f.line_of(at));
    if (!ids.insert(c.id).second) f.fail(at, "case id '" + escape_for_message(c.id) + "' used twice");
    d.cases.push_back(std::move(c));
  };

  std::vector<fs::path> case_files;
  for (const auto& e : fs::directory_iterator(scenarios_dir / "cases"))
    if (e.path().extension() == ".yaml") case_files.push_back(e.path());
  std::sort(case_files.begin(), case_files.end());
  for (const auto& path : case_files) {
    auto f = load_yaml_file(path);
    f.check_keys(f.root, {"groups", "cases"});
    // Iterating a mapping as a list yields invalid nodes (yaml-cpp throws on them: a fuzz find).
    for (const char* key : {"groups", "cases"})
      if (f.root[key] && !f.root[key].IsSequence()) f.fail(f.root[key], std::string("'") + key + "' must be a list");
    for (const auto& g : f.root["groups"]) {
      f.check_keys(g, {"group", "kind", "listings", "queries", "expect", "summary", "refs"});
      auto group = f.required_string(g, "group");
      auto kind = parse_kind(f, g);
      auto expect = parse_expect(f, g);
      auto summary = f.required_string(g, "summary");
      auto refs = f.string_list(g, "refs");
      auto patterns = f.string_list(g, "listings", true);
      auto queries = f.string_list(g, "queries", true);
      for (const auto& pat : patterns) {
        std::vector<std::string> names;
        if (kind == CaseKind::live || kind == CaseKind::live_listing) {
          names.push_back(pat);  // "bpu", "bp", "named-bp": the live listing's mode
        } else {
          for (const auto& [name, _] : d.listings)
            if (glob_match(pat, name)) names.push_back(name);
          if (names.empty()) f.fail(g["listings"], "'" + pat + "' matches no listing in " + (scenarios_dir / "queues").string());
        }
        for (const auto& name : names) {
          for (const auto& qn : queries) {
            const auto& q = named(f, g["queries"], qn);
            CaseSpec c;
            auto stem = name.substr(0, name.rfind(".txt"));
            c.id = group + "/" + stem + "/" + qn;
            c.group = group;
            c.summary = summary + " Query: " + q.summary;
            c.refs = refs;
            c.kind = kind;
            c.listing = name;
            c.query_name = qn;
            c.query = parse_query(q.args);
            c.expect = expect;
            add(f, g, std::move(c));
          }
        }
      }
    }
    for (const auto& n : f.root["cases"]) {
      f.check_keys(n, {"id", "kind", "listing", "query", "args", "expect", "summary", "refs"});
      CaseSpec c;
      c.id = f.required_string(n, "id");
      c.kind = parse_kind(f, n);
      c.group = f.optional_string(n, "group").value_or(c.id.substr(0, c.id.find('/')));
      c.summary = f.required_string(n, "summary");
      c.refs = f.string_list(n, "refs");
      c.listing = f.required_string(n, "listing");
      bool live_listing = c.kind == CaseKind::live || c.kind == CaseKind::live_listing ||
                          (c.kind == CaseKind::munin && c.listing == "live");
      if (!live_listing && !d.listings.count(c.listing))
        f.fail(n["listing"], "no listing '" + c.listing + "' in " + (scenarios_dir / "queues").string());
      if (c.kind == CaseKind::live_listing || (c.kind == CaseKind::munin && c.listing == "live")) {
        if (n["query"].IsDefined() || n["args"].IsDefined()) f.fail(n, "a " + f.required_string(n, "kind") + " case takes no query");
      } else if (n["query"].IsDefined() == n["args"].IsDefined()) {
        f.fail(n, "give either 'query' (a name from queries.yaml) or 'args'");
      }
      if (n["query"].IsDefined()) {
        c.query_name = f.required_string(n, "query");
        c.query = parse_query(named(f, n["query"], c.query_name).args);
      }
      c.expect = parse_expect(f, n);
      if (n["args"].IsDefined()) {
        auto args = f.string_list(n, "args", true);
        // With an explicit expectation the arguments may be what the model does not answer (-h, -q).
        if (c.expect) {
          try {
            c.query = parse_query(args);
          } catch (const std::invalid_argument&) {
            c.query = Query{};
            c.query.args = args;
          }
        } else {
          c.query = query_or_fail(f, n["args"], args);
        }
        for (const auto& a : args) c.query_name += (c.query_name.empty() ? "" : " ") + a;
      }
      add(f, n, std::move(c));
    }
  }

  if (!maintainer_queues.empty()) {
    std::vector<std::string> queries = qf.string_list(qf.root, "maintainer_queries", true);
    for (auto& l : load_listings(maintainer_queues, "unknown (from " + maintainer_queues.string() + ")")) {
      auto name = "queues:" + l.name;
      for (const auto& qn : queries) {
        const auto& q = named(qf, qf.root["maintainer_queries"], qn);
        CaseSpec c;
        c.id = "maintainer/" + l.name + "/" + qn;
        c.group = "maintainer";
        c.summary = "A listing from the maintainer's own server (--queues " + maintainer_queues.string() +
                    "); the model's answer is what exiqgrep must print. Query: " + q.summary;
        c.kind = CaseKind::fake_exim;
        c.listing = name;
        c.query_name = qn;
        c.query = parse_query(q.args);
        c.where = l.path.string();
        if (!ids.insert(c.id).second) throw UsageError(l.path.string() + ": listed twice");
        d.cases.push_back(std::move(c));
      }
      l.name = name;
      d.listings.emplace(name, std::move(l));
    }
  }
  if (d.cases.empty()) throw UsageError((scenarios_dir / "cases").string() + ": no cases");
  for (const auto& c : d.cases)
    if (c.kind == CaseKind::live_listing && d.seeds.empty())
      throw UsageError(c.where + ": a live-listing case needs a seed spool in " + (scenarios_dir / "spool").string() +
                       " (harness capture-queue SPEC --spool-out " + (scenarios_dir / "spool").string() + ")");
  return d;
}

}  // namespace harness::exiqgrep
