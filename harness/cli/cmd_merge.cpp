// harness merge DIR... --out DIR: the shard report folders of one run (`run --shard K/N`) joined
// into one report folder as if the run had not been split (report/merge.hpp).
#include <iostream>

#include "harness/cli/context.hpp"
#include "harness/cli/pipeline.hpp"
#include "harness/report/merge.hpp"
#include "harness/report/record.hpp"
#include "harness/report/report.hpp"

namespace harness::cli {

void add_merge(CLI::App& app, Context& ctx, int* exit_code) {
  struct Options {
    std::vector<std::string> dirs;
    std::string out;
  };
  static Options o;
  auto* cmd = app.add_subcommand(
      "merge",
      "Join the report folders of every shard of one run (harness run --shard K/N) into one report: JUnit,\n"
      "summaries, HTML, manifest, results.json/yaml, verdicts recomputed from both sides' outcomes. The merged run\n"
      "is written to OUT/<run-id>/ (OUT/latest points at it). Exit codes as `harness run` (0 no regression,\n"
      "1 regression, 3 infrastructure errors); 2 when the folders are not the shards of one run (different plans\n"
      "or package sets, a shard missing or given twice; the message names which).");
  cmd->add_option("dirs", o.dirs, "Shard report folders (reports/<run-id> of each shard)")->required()->expected(1, -1);
  cmd->add_option("--out", o.out, "Reports folder for the merged run (default: the reports folder)");
  cmd->callback([&ctx, exit_code] {
    std::vector<ShardRun> shards;
    for (const auto& d : o.dirs) shards.push_back({d, read_record(d)});
    RunOutput out;
    out.record = merge_shards(std::move(shards), new_run_id());
    out.report_dir = write_reports(out.record, o.out.empty() ? ctx.reports_dir() : std::filesystem::path(o.out));
    out.status = run_status(out.record);
    print_run_result(out);
    *exit_code = exit_code_for(out.status);
  });
}

}  // namespace harness::cli
