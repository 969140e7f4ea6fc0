// Plans: what a run compares (a baseline spec against candidate specs), which packages it watches
// and which suites it runs. scenarios/plans/*.yaml; the default plan is built for the host.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"

namespace harness {

struct PlanSuite {
  std::string name;
  std::string package;  // the package the suite tests (reports: classname suite.package)
  // `package: {debian: exim4-base, fedora: exim}`: per family; select_family() fills `package`.
  std::map<Family, std::string> package_by_family;
  bool package_from_default = false;  // `package` is the plan's first package (follows select_family)
  std::map<std::string, std::string> options;
};

struct Plan {
  std::filesystem::path path;  // empty for plans built on the command line
  std::string name;
  std::string summary;
  std::optional<CandidateSpec> baseline;  // absent in a template (the default plan fills it)
  std::vector<CandidateSpec> candidates;
  std::vector<std::string> packages;  // resolved and pinned in every stream (binary names or src:NAME)
  // `packages: {debian: [...], fedora: [...]}`: the names differ per family; select_family() picks.
  std::map<Family, std::vector<std::string>> packages_by_family;
  std::vector<PlanSuite> suites;
  std::vector<std::string> refs;
};

// Throws UsageError "file:line: what is wrong" (unknown keys, bad specs, missing suites).
// Relative local:DIR specs are taken relative to the plan file's folder.
Plan load_plan_file(const std::filesystem::path& path);

// Fills `packages` and each suite's `package` with the names of `family` where the plan names them
// per family. Throws UsageError naming the plan file when it has none for that family.
void select_family(Plan& plan, Family family);

// The host as /etc/os-release describes it (the CLI reads the file; this only parses).
struct HostRelease {
  Family family = Family::debian;
  std::string release;  // "bookworm", "41"
};
// Throws UsageError when the text names neither Debian nor Fedora (or no release).
HostRelease parse_os_release(const std::string& text);

// The next Debian release after `codename` ("bookworm" -> "trixie"), empty for sid.
std::string next_debian_release(const std::string& codename);

// Fills `tmpl` (packages, suites) with the host's default comparison: Fedora: the release's
// stable vs testing; Debian: the suite's stable vs its proposed-updates and vs the next release.
Plan default_plan_for(const HostRelease& host, Plan tmpl);

}  // namespace harness
