#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"

namespace harness::cli {

// Placeholder until this subcommand lands: it refuses to run rather than pretend.
void add_nightly(CLI::App& app, Context&, int*) {
  auto* cmd = app.add_subcommand("nightly", "(not implemented yet)");
  cmd->allow_extras();
  cmd->callback([] { throw UsageError("'harness nightly' is not implemented yet"); });
}

}  // namespace harness::cli
