// harness run [PLAN] [--baseline SPEC --candidate SPEC...] [--suite NAME...] [--queues DIR] [--out DIR]
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/cli/context.hpp"
#include "harness/cli/pipeline.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/common/error.hpp"
#include "harness/common/process.hpp"

namespace harness::cli {

void add_run(CLI::App& app, Context& ctx, int* exit_code) {
  static RunSetup o;
  static std::string shard, shard_timings;
  auto* cmd = app.add_subcommand(
      "run",
      "Run suites against a baseline and candidate builds, classify every case, write reports/<run-id>/.\n"
      "Without a plan or specs: the host's default plan (Debian: the suite's stable vs its proposed-updates and vs\n"
      "the next release; Fedora: the release's stable vs testing). --candidate without --baseline (and a plan\n"
      "without one): a single-stream run, each case PASS or FAIL on its own (like autopkgtest).\n"
      "Exit codes: 0 no regression (FAIL/ALWAYS-FAIL/FIXED do not fail a comparison); 1 at least one REGRESSION\n"
      "(single-stream: at least one FAIL); 2 bad input (plan, scenario file, spec; nothing was started);\n"
      "3 infrastructure errors and no regression.");
  cmd->add_option("plan", o.plan, "Plan file (scenarios/plans/NAME.yaml, or NAME)");
  cmd->add_option("--baseline", o.baseline, "Baseline spec, e.g. debian:bookworm:stable (none: a single-stream run)");
  cmd->add_option("--candidate", o.candidates, "Candidate spec (repeatable), e.g. debian:trixie:stable, local:DIR@debian:trixie:stable")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--suite", o.suites, "Run only this suite (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--package", o.packages, "Packages to resolve and pin (repeatable; default: the plan's)");
  cmd->add_option("--queues", o.queues, "exiqgrep: a folder of queue listings from your own servers (option 'queues')");
  cmd->add_option("--out", o.out, "Reports folder (default: reports/ of a source tree, else ./reports)");
  cmd->add_option("--jobs", o.jobs, "Streams run at once (default: the number of cores)");
  cmd->add_flag("--unpinned", o.unpinned,
                "When a stream's versions cannot be resolved (mirror down), test whatever its channel installs "
                "instead of reporting ERROR");
  cmd->add_option("--reruns", o.reruns,
                  "Reruns on each side of a case that differs before it is called REGRESSION or FIXED; one that "
                  "changes outcome is FLAKY (default 2; 0: no reruns)")
      ->capture_default_str();
  cmd->add_flag("--no-blame", o.no_blame,
                "Do not rerun a regressed candidate with each changed source package put back to find the cause");
  cmd->add_option("--shard", shard,
                  "Run only part K of N of the plan's suites (e.g. 2/3): the same split on every machine; a suite's\n"
                  "cases stay together (they share its testbeds). Join the parts with `harness merge`");
  cmd->add_option("--shard-timings", shard_timings,
                  "With --shard: balance the shards by the suite timings of a previous run (its report folder or\n"
                  "results.json) instead of by case counts; give every shard the same file");
  cmd->callback([&ctx, exit_code] {
    if (!shard_timings.empty() && shard.empty()) throw UsageError("--shard-timings needs --shard K/N");
    auto rq = make_run_request(ctx, o);
    if (!shard.empty()) {
      rq.shard = parse_shard(shard);
      rq.shard->timings = shard_timings;
      rq.command += " --shard " + shard + (shard_timings.empty() ? "" : " --shard-timings " + shard_timings);
    }
    auto result = run_plan(rq, services_for(ctx));
    print_run_result(result);
    *exit_code = exit_code_for(result.status);
  });
}

}  // namespace harness::cli
