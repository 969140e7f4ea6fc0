#include "harness/cli/bugzilla_key.hpp"

#include <cstdlib>
#include <mutex>

namespace harness::cli {

std::string take_bugzilla_api_key_from_environment() {
  static std::mutex mutex;
  static std::string key;
  std::lock_guard lock(mutex);
  if (const char* k = std::getenv("BUGZILLA_API_KEY")) {
    if (*k) key = k;
    ::unsetenv("BUGZILLA_API_KEY");
  }
  return key;
}

}  // namespace harness::cli
