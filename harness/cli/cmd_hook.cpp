// harness hook install [--repo DIR] [--force]: a git pre-push hook that runs `harness prepush`.
#include <sys/stat.h>

#include <iostream>

#include "harness/cli/context.hpp"
#include "harness/cli/data_dir.hpp"
#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

namespace harness::cli {
namespace {
namespace fs = std::filesystem;
constexpr const char* kMarker = "# harness pre-push hook";

std::string self_path() {
  auto p = self_exe();
  return p.empty() ? std::string("harness") : p.string();
}

std::string hook_text(const std::string& harness, const std::string& root) {
  std::vector<std::string> argv{harness, "--root", root, "prepush"};
  return std::string("#!/bin/sh\n") + kMarker +
         " (written by `harness hook install`; remove this file to disable)\n"
         "# Tests the packages built in this checkout against the stable build and refuses the push on a\n"
         "# regression (exit 1) or when the test could not run (exit 3). Skip once: git push --no-verify.\n"
         "# HARNESS_LOCAL=DIR names the build output folder.\n"
         "set -e\n"
         "if [ -n \"$HARNESS_LOCAL\" ]; then\n"
         "  exec " + shell_quote(argv) + " --local \"$HARNESS_LOCAL\"\n"
         "fi\n"
         "exec " + shell_quote(argv) + "\n";
}

}  // namespace

void add_hook(CLI::App& app, Context& ctx, int* exit_code) {
  auto* hook = app.add_subcommand("hook", "Git hooks for a dist-git or Debian packaging checkout");
  hook->require_subcommand(1);
  struct Options {
    std::string repo = ".";
    bool force = false;
  };
  static Options o;
  auto* inst = hook->add_subcommand("install", "Write a pre-push hook that runs 'harness prepush' (refuses to replace a foreign hook without --force)");
  inst->add_option("--repo", o.repo, "The git checkout")->capture_default_str();
  inst->add_flag("--force", o.force, "Replace an existing pre-push hook that harness did not write (kept as pre-push.orig)");
  inst->callback([&ctx, exit_code] {
    auto r = run_process({"git", "-C", o.repo, "rev-parse", "--path-format=absolute", "--git-path", "hooks"},
                         {.timeout = std::chrono::seconds(30)});
    if (!r.ok()) throw UsageError(o.repo + " is not a git checkout: " + r.err);
    fs::path hooks = r.out.substr(0, r.out.find('\n'));
    fs::create_directories(hooks);
    fs::path target = hooks / "pre-push";
    std::error_code ec;
    if (fs::exists(target, ec)) {
      bool ours = read_file(target).find(kMarker) != std::string::npos;
      if (!ours && !o.force)
        throw UsageError(target.string() + " exists and was not written by harness; add --force to replace it (it is kept as pre-push.orig)");
      if (!ours) fs::rename(target, hooks / "pre-push.orig");
    }
    write_file(target, hook_text(self_path(), ctx.data_dir().string()), 0755);
    std::cout << "installed " << target.string() << "\n";
    *exit_code = kExitOk;
  });
}

}  // namespace harness::cli
