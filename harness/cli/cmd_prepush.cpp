// harness prepush [--local DIR]: the maintainer's freshly built packages (candidate) against the
// stable build of the same release (baseline), before `git push` / `fedpkg push`.
#include <algorithm>
#include <iostream>
#include <map>
#include <optional>

#include "harness/cli/context.hpp"
#include "harness/cli/pipeline.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/common/error.hpp"
#include "harness/repo/fedora_candidates.hpp"

namespace harness::cli {
namespace {
namespace fs = std::filesystem;

bool holds(const fs::path& dir, const char* ext) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ext) return true;
  return false;
}

// Where a build leaves its `ext` packages: ./results (mock --resultdir, the hook's convention) or
// the newest results_<name>/<version>/<release>/ of `fedpkg mockbuild`.
std::optional<fs::path> find_results(const char* ext) {
  if (holds("results", ext)) return fs::path("results");
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(".", ec)) {
    if (!e.is_directory() || e.path().filename().string().rfind("results_", 0) != 0) continue;
    for (const auto& d : fs::recursive_directory_iterator(e.path(), ec))
      if (d.is_directory() && holds(d.path(), ext)) found.push_back(d.path());
  }
  if (found.empty()) return std::nullopt;
  return *std::max_element(found.begin(), found.end(), [](auto& a, auto& b) {
    std::error_code e1;
    return fs::last_write_time(a, e1) < fs::last_write_time(b, e1);
  });
}

// As find_results, or the parent folder of a Debian source tree (dpkg-buildpackage writes ../*.deb).
fs::path find_build_output(Family family) {
  const char* ext = family == Family::debian ? ".deb" : ".rpm";
  if (auto dir = find_results(ext)) return *dir;
  if (family == Family::debian && fs::exists("debian/control") && holds("..", ext)) return "..";
  throw UsageError(std::string("no built packages found (looked in ./results, ./results_*/, and ../ for a Debian tree); ") +
                   "build first (fedpkg mockbuild / dpkg-buildpackage) or give --local DIR");
}

// The stable channel of the Fedora release the RPMs in `dir` were built for, from their dist tag
// (exim-4.98.2-1.fc41.x86_64.rpm: fedora:41:stable), so that a mockbuild needs no --base on any host.
std::string fedora_base_of(const fs::path& dir) {
  std::map<int, std::string> releases;  // release -> one file built for it
  std::vector<std::string> untagged;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    auto nvra = parse_rpm_file_name(name);
    if (!nvra) continue;
    if (auto n = fedora_dist_tag(nvra->release)) releases.emplace(*n, name);
    else untagged.push_back(name);
  }
  if (releases.size() == 1) return "fedora:" + std::to_string(releases.begin()->first) + ":stable";
  if (releases.size() > 1) {
    std::string listed;
    for (const auto& [n, file] : releases) listed += (listed.empty() ? "" : ", ") + ("fc" + std::to_string(n) + ": " + file);
    throw UsageError(dir.string() + " holds RPMs built for several Fedora releases (" + listed +
                     "); keep one release's build there, or give --base fedora:N:stable");
  }
  throw UsageError(dir.string() + ": no RPM there carries a Fedora dist tag (.fcN in its release" +
                   (untagged.empty() ? std::string(")") : ", e.g. " + untagged.front() + ")") +
                   "; give --base fedora:N:stable");
}

}  // namespace

void add_prepush(CLI::App& app, Context& ctx, int* exit_code) {
  struct Options {
    std::string local;
    std::string base;
    std::vector<std::string> suites;
    std::vector<std::string> packages;
    std::string out;
  };
  static Options o;
  auto* cmd = app.add_subcommand(
      "prepush",
      "Test locally built packages (candidate: local:DIR) against the stable build of the same release.\n"
      "Exit codes as 'run': non-zero blocks the push (1 regression, 3 infrastructure errors).");
  cmd->add_option("--local", o.local, "Folder of built .deb/.rpm files (default: ./results, ./results_*/..., ../ for Debian)");
  cmd->add_option("--base", o.base, "Baseline channel (default: for RPMs the Fedora release of their dist tag, .fc41: fedora:41:stable; else the host release's stable)");
  cmd->add_option("--suite", o.suites, "Run only this suite (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--package", o.packages,
                  "Packages to resolve and pin (repeatable; default: the default plan's names for the family)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--out", o.out, "Reports folder (default: reports/ of a source tree, else ./reports)");
  cmd->callback([&ctx, exit_code] {
    CandidateSpec base;
    fs::path dir = o.local;
    if (!o.base.empty()) {
      base = parse_candidate_spec(o.base);
      if (base.is_local()) throw UsageError("--base must be a distribution channel");
      if (dir.empty()) dir = find_build_output(base.family);
    } else {
      // RPMs say which Fedora release they were built for; anything else is tested on the host's release.
      if (dir.empty()) dir = find_results(".rpm").value_or(fs::path());
      if (!dir.empty() && holds(dir, ".rpm")) {
        base = parse_candidate_spec(fedora_base_of(dir));
        std::cerr << "prepush: the RPMs in " << dir.string() << " are built for " << base.base_text()
                  << " (their dist tag); --base overrides\n";
      } else {
        auto host = host_release();
        base = parse_candidate_spec(to_string(host.family) + ":" + host.release + ":stable");
        if (dir.empty()) dir = find_build_output(base.family);
      }
    }
    auto local = parse_candidate_spec("local:" + fs::absolute(dir).lexically_normal().string() + "@" + base.base_text());
    RunSetup setup{.baseline = base.base_text(), .candidates = {local.text}, .suites = o.suites,
                   .packages = o.packages, .out = o.out};
    auto rq = make_run_request(ctx, setup);
    rq.plan.name = "prepush";
    rq.plan.summary = "locally built packages in " + local.local_dir->string() + " against " + base.base_text();
    std::cerr << "prepush: " << rq.plan.summary << "\n";
    auto result = run_plan(rq, services_for(ctx));
    print_run_result(result);
    *exit_code = exit_code_for(result.status);
  });
}

}  // namespace harness::cli
