// Where integration tests keep the harness cache (podman probe, locks, metadata): the same place the
// CLI uses for root, so tests reuse the images and metadata a maintainer already has.
#pragma once
#include <cstdlib>
#include <filesystem>

namespace harness::test {
inline std::filesystem::path cache_dir() {
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home ? home : "/root") / ".cache" / "harness";
}
}  // namespace harness::test
