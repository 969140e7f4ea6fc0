// harness diff RUN_A RUN_B [--json]: the cases whose verdict or outcome changed between two report
// folders (and those only one of them has), from their results.json.
#include <iostream>

#include "harness/cli/context.hpp"
#include "harness/report/results.hpp"

namespace harness::cli {

void add_diff(CLI::App& app, Context& ctx, int* exit_code) {
  struct Options {
    std::string a, b;
    bool json = false;
  };
  static Options o;
  auto* cmd = app.add_subcommand(
      "diff",
      "List the cases whose verdict or outcome changed between two runs (added and removed cases too), e.g.\n"
      "last night's report folder against tonight's. A run is a report folder, or a run id / 'latest' under the\n"
      "reports folder. Exit codes: 0 no change; 1 changes; 2 bad input (a missing folder, not a report).");
  cmd->add_option("run_a", o.a, "The earlier run (report folder or run id)")->required();
  cmd->add_option("run_b", o.b, "The later run (report folder or run id)")->required();
  cmd->add_flag("--json", o.json, "Print the changes as JSON");
  cmd->callback([&ctx, exit_code] {
    auto locate = [&ctx](const std::string& arg) {
      std::filesystem::path p = arg;
      std::error_code ec;
      if (!std::filesystem::exists(p, ec) && p.is_relative() && std::filesystem::exists(ctx.reports_dir() / p, ec))
        return ctx.reports_dir() / p;
      return p;
    };
    auto a = read_results(locate(o.a));
    auto b = read_results(locate(o.b));
    auto changes = diff_results(a, b);
    std::cout << (o.json ? diff_json(a, b, changes) : diff_text(a, b, changes));
    *exit_code = changes.empty() ? kExitOk : kExitRegression;
  });
}

}  // namespace harness::cli
