#include <iostream>

#include "harness/cli/context.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/testbed/testbed.hpp"

namespace harness::cli {

void add_gc(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "gc", "Remove what killed runs left behind: containers whose harness process is gone, and its temp dirs");
  static bool all = false;
  cmd->add_flag("--all", all, "Also remove containers of live runs and those kept by 'testbed up'");
  cmd->callback([&ctx, exit_code] {
    auto rep = collect_garbage(ctx.podman(), all);
    for (const auto& n : rep.removed) std::cout << "removed container " << n << "\n";
    for (const auto& n : rep.kept) std::cout << "kept container " << n << " (owned by a live process or 'testbed up')\n";
    const char* tmp = std::getenv("TMPDIR");
    for (const auto& d : remove_stale_temp_dirs(tmp && *tmp ? tmp : "/tmp")) std::cout << "removed temp dir " << d.string() << "\n";
    std::cout << rep.removed.size() << " container(s) removed, " << rep.kept.size() << " kept\n";
    *exit_code = kExitOk;
  });
}

}  // namespace harness::cli
