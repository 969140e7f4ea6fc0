#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"

namespace harness::cli {

// Placeholder until this subcommand lands: it refuses to run rather than pretend.
void add_prepush(CLI::App& app, Context&, int*) {
  auto* cmd = app.add_subcommand("prepush", "(not implemented yet)");
  cmd->allow_extras();
  cmd->callback([] { throw UsageError("'harness prepush' is not implemented yet"); });
}

}  // namespace harness::cli
