// harness nightly --watchlist FILE [--attach [--url URL] [--dry-run]]: resolve the watched packages
// in the baseline and every candidate channel, run only the candidates whose versions changed,
// write reports, and optionally attach them to the bugs the candidates' advisories name.
#include <iostream>
#include <set>

#include "harness/cli/context.hpp"
#include "harness/cli/pipeline.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/report/attach_once.hpp"
#include "harness/report/results.hpp"

namespace harness::cli {
namespace {

// Packages whose version differs between the two sets (or that exist only in the candidate).
std::vector<std::string> changed_packages(const PackageSet& base, const PackageSet& cand) {
  std::vector<std::string> out;
  for (const auto& p : cand.packages) {
    const Package* b = base.find(p.name);
    if (!b || compare_evr(cand.family, b->evr(), p.evr()) != 0)
      out.push_back(p.name + " " + (b ? b->evr() : std::string("(new)")) + " -> " + p.evr());
  }
  return out;
}

}  // namespace

void add_nightly(CLI::App& app, Context& ctx, int* exit_code) {
  struct Options {
    std::string watchlist;
    bool attach = false;
    bool dry_run = false;
    std::string url = "https://bugzilla.redhat.com";
    std::string out;
  };
  static Options o;
  auto* cmd = app.add_subcommand(
      "nightly",
      "For CI: resolve the watchlist's packages in the baseline and candidate channels, run only the candidates\n"
      "that changed, write reports; with --attach, attach them to the bugs named by the candidates' advisories.\n"
      "The watchlist is a plan file (baseline, candidates, packages, suites). Exit codes as 'run'; 0 when\n"
      "nothing changed.");
  cmd->add_option("--watchlist", o.watchlist, "Watchlist (plan) file")->required();
  cmd->add_flag("--attach", o.attach,
                "Attach junit.xml + summary to the bugs of the candidates' advisories (rhbz#N): complete runs only, "
                "each bug the streams of its packages, once per build set (checked in the bug's attachments)");
  cmd->add_option("--url", o.url, "Bugzilla base URL for --attach")->capture_default_str();
  cmd->add_flag("--dry-run", o.dry_run,
                "With --attach: look up the bugs' attachments, print the posts instead of sending them");
  cmd->add_option("--out", o.out, "Reports folder (default: reports/ of a source tree, else ./reports)");
  cmd->callback([&ctx, exit_code] {
    RunSetup setup{.plan = o.watchlist, .out = o.out};
    auto rq = make_run_request(ctx, setup);
    if (!rq.plan.path.empty() && !rq.plan.baseline)
      throw UsageError(o.watchlist + ": a watchlist needs 'baseline' and 'candidates'");
    auto sv = services_for(ctx);
    // Resolve everything first: only changed candidates are worth containers.
    auto base = sv.resolve(*rq.plan.baseline, rq.plan.packages);
    rq.resolved[rq.plan.baseline->text] = base;
    std::vector<CandidateSpec> changed;
    for (const auto& c : rq.plan.candidates) {
      if (c.is_local()) {
        changed.push_back(c);
        continue;
      }
      auto res = sv.resolve(c, rq.plan.packages);
      auto diff = changed_packages(base.packages, res.packages);
      std::cout << c.text << ": " << (diff.empty() ? "unchanged" : std::to_string(diff.size()) + " changed") << "\n";
      for (const auto& d : diff) std::cout << "  " << d << "\n";
      if (diff.empty()) continue;
      rq.resolved[c.text] = std::move(res);
      changed.push_back(c);
    }
    if (changed.empty()) {
      std::cout << "nothing changed since the baseline; no run\n";
      *exit_code = kExitOk;
      return;
    }
    rq.plan.candidates = changed;
    rq.command = reproduce_command(ctx, rq, setup);
    auto result = run_plan(rq, sv);
    print_run_result(result);
    *exit_code = exit_code_for(result.status);
    // What changed since the previous run of this watchlist (the newest earlier folder beside this one).
    auto now = read_results(result.report_dir);
    if (auto prev = previous_run(result.report_dir.parent_path(), now)) {
      auto before = read_results(*prev);
      std::cout << "since the previous run: " << diff_text(before, now, diff_results(before, now));
    } else {
      std::cout << "since the previous run: none of this watchlist in " << result.report_dir.parent_path().string() << "\n";
    }
    if (!o.attach) return;
    // Complete runs only, each bug with its advisory's streams, once per (bug, candidate build set).
    attach_once(result.report_dir, BugzillaOptions{.url = o.url, .api_key = find_api_key(o.url)}, o.dry_run, std::cout);
  });
}

}  // namespace harness::cli
