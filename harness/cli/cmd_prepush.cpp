// harness prepush [--local DIR]: the maintainer's freshly built packages (candidate) against the
// stable build of the same release (baseline), before `git push` / `fedpkg push`.
#include <algorithm>
#include <iostream>

#include "harness/cli/context.hpp"
#include "harness/cli/pipeline.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/common/error.hpp"

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

// Where a build leaves its packages: ./results (mock --resultdir, the hook's convention), the newest
// results_<name>/<version>/<release>/ of `fedpkg mockbuild`, or the parent folder of a Debian source
// tree (dpkg-buildpackage writes ../*.deb).
fs::path find_build_output(Family family) {
  const char* ext = family == Family::debian ? ".deb" : ".rpm";
  if (holds("results", ext)) return "results";
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(".", ec)) {
    if (!e.is_directory() || e.path().filename().string().rfind("results_", 0) != 0) continue;
    for (const auto& d : fs::recursive_directory_iterator(e.path(), ec))
      if (d.is_directory() && holds(d.path(), ext)) found.push_back(d.path());
  }
  if (!found.empty())
    return *std::max_element(found.begin(), found.end(), [](auto& a, auto& b) {
      std::error_code e1;
      return fs::last_write_time(a, e1) < fs::last_write_time(b, e1);
    });
  if (family == Family::debian && fs::exists("debian/control") && holds("..", ext)) return "..";
  throw UsageError(std::string("no built packages found (looked in ./results, ./results_*/, and ../ for a Debian tree); ") +
                   "build first (fedpkg mockbuild / dpkg-buildpackage) or give --local DIR");
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
  cmd->add_option("--base", o.base, "Baseline channel (default: the host release's stable, e.g. debian:bookworm:stable)");
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
    if (!o.base.empty()) {
      base = parse_candidate_spec(o.base);
    } else {
      auto host = host_release();
      base = parse_candidate_spec(to_string(host.family) + ":" + host.release + ":stable");
    }
    if (base.is_local()) throw UsageError("--base must be a distribution channel");
    fs::path dir = o.local.empty() ? find_build_output(base.family) : fs::path(o.local);
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
