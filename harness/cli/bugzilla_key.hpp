// The Bugzilla API key from the environment, taken out of it so that no child process inherits it.
#pragma once
#include <string>

namespace harness::cli {

// Moves BUGZILLA_API_KEY out of the process environment (unsetenv) and keeps it here, so that no
// child process (podman, testbed commands) inherits it. main() calls it first thing; later calls
// return the key kept ("" when there was none).
std::string take_bugzilla_api_key_from_environment();

}  // namespace harness::cli
