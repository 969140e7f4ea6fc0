#include "harness/plan/plan_file.hpp"

#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/plan/yaml_file.hpp"

namespace harness {
namespace {

CandidateSpec spec_at(const YamlFile& f, const YAML::Node& node, const std::string& text) {
  std::string t = text;
  // local:DIR relative to the plan's folder, so that a plan travels with its packages.
  if (t.rfind("local:", 0) == 0) {
    std::string rest = t.substr(6);
    auto at = rest.rfind('@');
    std::string dir = at == std::string::npos ? rest : rest.substr(0, at);
    if (!dir.empty() && std::filesystem::path(dir).is_relative())
      t = "local:" + (f.path.parent_path() / dir).lexically_normal().string() +
          (at == std::string::npos ? "" : rest.substr(at));
  }
  try {
    return parse_candidate_spec(t);
  } catch (const UsageError& e) {
    f.fail(node, e.what());
  }
}

std::map<std::string, std::string> options_of(const YamlFile& f, const YAML::Node& n) {
  std::map<std::string, std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsMap()) f.fail(n, "'options' must be a mapping of option: value");
  for (const auto& kv : n) {
    if (!kv.first.IsScalar()) f.fail(kv.first, "an option name must be a name, not a list or mapping");
    if (!kv.second.IsScalar()) f.fail(kv.second, "option '" + escape_for_message(kv.first.as<std::string>()) + "' must be a string");
    out[kv.first.as<std::string>()] = kv.second.as<std::string>();
  }
  return out;
}

Family family_key(const YamlFile& f, const YAML::Node& key) {
  auto k = key.as<std::string>();
  if (k == "debian") return Family::debian;
  if (k == "fedora") return Family::fedora;
  f.fail(key, "'" + k + "' is not a distribution family: use debian or fedora");
}

// `packages:` a list for every family, or a mapping family -> list.
void read_packages(const YamlFile& f, const YAML::Node& root, Plan& plan) {
  auto n = root["packages"];
  if (!n.IsDefined() || !n.IsMap()) {
    plan.packages = f.string_list(root, "packages", true);
    return;
  }
  for (const auto& kv : n) {
    auto fam = family_key(f, kv.first);
    auto list = kv.second.IsSequence() ? f.string_list(n, kv.first.as<std::string>().c_str(), true)
                                       : std::vector<std::string>{};
    if (list.empty()) f.fail(kv.second, "packages for " + to_string(fam) + " must be a non-empty list of names");
    plan.packages_by_family[fam] = list;
  }
  if (plan.packages_by_family.empty()) f.fail(n, "'packages' names no family: give debian: [...] and/or fedora: [...]");
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

Plan load_plan_file(const std::filesystem::path& path) {
  auto f = load_yaml_file(path);
  const auto& root = f.root;
  if (!root.IsMap()) f.fail(root, "a plan is a mapping with baseline, candidates, packages and suites");
  f.check_keys(root, {"name", "summary", "baseline", "candidates", "packages", "suites", "refs"});
  Plan plan;
  plan.path = path;
  plan.name = f.optional_string(root, "name").value_or(path.stem().string());
  plan.summary = f.optional_string(root, "summary").value_or("");
  if (plan.summary.empty()) f.fail(root, "missing 'summary': say what this plan compares and why");
  if (auto b = f.optional_string(root, "baseline")) plan.baseline = spec_at(f, root["baseline"], *b);
  if (plan.baseline && plan.baseline->is_local())
    f.fail(root["baseline"], "the baseline must be a distribution channel, not local:");
  auto cands = f.string_list(root, "candidates");
  for (std::size_t i = 0; i < cands.size(); ++i) {
    auto node = root["candidates"].IsSequence() ? root["candidates"][i] : root["candidates"];
    plan.candidates.push_back(spec_at(f, node, cands[i]));
  }
  if (plan.baseline.has_value() != !plan.candidates.empty())
    f.fail(root, "give both 'baseline' and 'candidates', or neither (a template for the default plan)");
  for (const auto& c : plan.candidates)
    if (plan.baseline && c.family != plan.baseline->family)
      f.fail(root["candidates"], "candidate '" + c.text + "' is " + to_string(c.family) + " but the baseline is " +
                                     to_string(plan.baseline->family));
  read_packages(f, root, plan);
  plan.refs = f.string_list(root, "refs");
  auto suites = root["suites"];
  if (!suites.IsDefined() || !suites.IsSequence() || suites.size() == 0)
    f.fail(suites.IsDefined() ? suites : root, "'suites' must be a list of suite names or {name, package, options}");
  for (const auto& s : suites) {
    PlanSuite ps;
    if (s.IsScalar()) {
      ps.name = s.as<std::string>();
    } else {
      f.check_keys(s, {"name", "package", "options"});
      ps.name = f.required_string(s, "name");
      // A missing key is a zombie node (IsMap() would throw): ask IsDefined() first.
      if (const auto package = s["package"]; package.IsDefined() && package.IsMap()) {
        for (const auto& kv : package) {
          if (!kv.second.IsScalar()) f.fail(kv.second, "a suite's package for a family is one name");
          ps.package_by_family[family_key(f, kv.first)] = kv.second.as<std::string>();
        }
      } else {
        ps.package = f.optional_string(s, "package").value_or("");
      }
      ps.options = options_of(f, s["options"]);
    }
    for (auto& [fam, pkg] : ps.package_by_family)
      if (pkg.rfind("src:", 0) == 0) pkg = pkg.substr(4);
    for (const auto& other : plan.suites)
      if (other.name == ps.name) f.fail(s, "suite '" + escape_for_message(ps.name) + "' is listed twice");
    plan.suites.push_back(std::move(ps));
  }
  if (plan.baseline) {
    try {
      select_family(plan, plan.baseline->family);
    } catch (const UsageError& e) {
      f.fail(root["packages"].IsDefined() ? root["packages"] : root, e.what());
    }
  } else if (plan.packages_by_family.empty()) {
    select_family(plan, Family::debian);  // names for every family: fill the suites' defaults now
  }
  return plan;
}

void select_family(Plan& plan, Family family) {
  const std::string where = plan.path.empty() ? "the plan" : "plan " + plan.path.string();
  if (!plan.packages_by_family.empty()) {
    auto it = plan.packages_by_family.find(family);
    if (it == plan.packages_by_family.end())
      throw UsageError(where + " names no packages for " + to_string(family) + " (its 'packages:' has " +
                       to_string(plan.packages_by_family.begin()->first) +
                       " only); add a '" + to_string(family) + ":' list there, or give --package NAME");
    plan.packages = it->second;
  }
  for (auto& ps : plan.suites) {
    if (!ps.package_by_family.empty()) {
      auto it = ps.package_by_family.find(family);
      if (it == ps.package_by_family.end())
        throw UsageError(where + ": suite '" + ps.name + "' names its package for " +
                         to_string(ps.package_by_family.begin()->first) + " only; add '" + to_string(family) +
                         ": NAME' under its 'package:'");
      ps.package = it->second;
    } else if (ps.package.empty() || ps.package_from_default) {
      ps.package = plan.packages.empty() ? ps.name : plan.packages.front();
      ps.package_from_default = true;
    }
    if (ps.package.rfind("src:", 0) == 0) ps.package = ps.package.substr(4);
  }
}

HostRelease parse_os_release(const std::string& text) {
  std::map<std::string, std::string> kv;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos || line[0] == '#') continue;
    std::string v = trim(line.substr(eq + 1));
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
    kv[trim(line.substr(0, eq))] = v;
  }
  HostRelease h;
  auto id = kv["ID"];
  auto like = " " + kv["ID_LIKE"] + " ";
  if (id == "debian" || (id != "fedora" && like.find(" debian ") != std::string::npos && id != "ubuntu")) {
    h.family = Family::debian;
    h.release = kv["VERSION_CODENAME"];
    if (h.release.empty() && kv["PRETTY_NAME"].find("sid") != std::string::npos) h.release = "sid";
  } else if (id == "fedora") {
    h.family = Family::fedora;
    h.release = kv["VERSION_ID"];
    if (kv["VARIANT_ID"] == "rawhide" || kv["REDHAT_SUPPORT_PRODUCT_VERSION"] == "rawhide") h.release = "rawhide";
  } else {
    throw UsageError("os-release: host '" + (id.empty() ? std::string("unknown") : escape_for_message(id)) +
                     "' is neither Debian nor Fedora; name a plan (harness run scenarios/plans/NAME.yaml) or "
                     "give --baseline and --candidate");
  }
  if (h.release.empty())
    throw UsageError("os-release: no release (VERSION_CODENAME / VERSION_ID) found; give --baseline and --candidate");
  return h;
}

std::string next_debian_release(const std::string& codename) {
  static const char* order[] = {"buster", "bullseye", "bookworm", "trixie", "forky", "duke"};
  for (std::size_t i = 0; i + 1 < std::size(order); ++i)
    if (codename == order[i]) return order[i + 1];
  return {};
}

Plan default_plan_for(const HostRelease& host, Plan tmpl) {
  tmpl.candidates.clear();
  if (host.family == Family::fedora && host.release == "rawhide") {
    // Rawhide has no testing channel to compare its stable with (candidate_spec.cpp): the candidate
    // is a build, and only the user knows which.
    throw UsageError("no default comparison on a Fedora rawhide host: rawhide has no testing channel (builds enter it "
                     "directly). Name the build: harness run --baseline fedora:rawhide:stable --candidate koji:NVR "
                     "(or bodhi:ALIAS, local:DIR@fedora:rawhide:stable), or use harness prepush for fedpkg mockbuild results");
  }
  if (host.family == Family::fedora) {
    tmpl.baseline = parse_candidate_spec("fedora:" + host.release + ":stable");
    tmpl.candidates.push_back(parse_candidate_spec("fedora:" + host.release + ":testing"));
  } else {
    tmpl.baseline = parse_candidate_spec("debian:" + host.release + ":stable");
    if (host.release != "sid") tmpl.candidates.push_back(parse_candidate_spec("debian:" + host.release + ":proposed-updates"));
    if (auto next = next_debian_release(host.release); !next.empty())
      tmpl.candidates.push_back(parse_candidate_spec("debian:" + next + ":stable"));
    if (tmpl.candidates.empty())
      throw UsageError("no default comparison for Debian '" + escape_for_message(host.release) + "'; give --baseline and --candidate");
  }
  tmpl.name = tmpl.name.empty() ? "default" : tmpl.name;
  tmpl.summary = tmpl.summary + (tmpl.summary.empty() ? "" : " ") + "(host: " + to_string(host.family) + " " +
                 host.release + ")";
  return tmpl;
}

}  // namespace harness
