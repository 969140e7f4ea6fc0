#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"

namespace harness::cli {

// Placeholder until this subcommand lands: it refuses to run rather than pretend.
void add_hook(CLI::App& app, Context&, int*) {
  auto* cmd = app.add_subcommand("hook", "(not implemented yet)");
  cmd->allow_extras();
  cmd->callback([] { throw UsageError("'harness hook' is not implemented yet"); });
}

}  // namespace harness::cli
