// The podman command line, with the adjustments this host needs (runtime, ulimits),
// found once by probing and cached. Every call has a timeout.
#pragma once
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/common/process.hpp"

namespace harness {

struct PodmanSettings {
  std::string program = "podman";
  std::string runtime;                 // empty: podman's default
  std::vector<std::string> ulimits;    // "nofile=N:N", "nproc=M:M"
  std::vector<std::string> adjustments;  // what was changed from the defaults and why
  std::string version;
};

// Runs a throwaway container from a probe image made of the host's /usr/bin/true and the
// libraries it needs; on a known failure (runtime, rlimits) retries with the adjustment.
// The result is cached in `cache_dir/podman-settings.json`, keyed by podman version and limits.
PodmanSettings detect_podman(const std::filesystem::path& cache_dir, bool use_cache = true);

class Podman {
 public:
  explicit Podman(PodmanSettings settings) : settings_(std::move(settings)) {}
  const PodmanSettings& settings() const { return settings_; }

  // `podman ARGS...`; throws InfraError naming the command when podman itself fails to run.
  ProcessResult run(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                    const std::string& stdin_data = "", bool ignore_interrupt = false,
                    bool stream_stderr = false, const std::string& progress = "") const;
  // Same, but a non-zero exit is an InfraError carrying podman's stderr.
  ProcessResult check(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                      const std::string& what) const;
  // --runtime/--ulimit arguments for `run` and `build`.
  std::vector<std::string> container_args() const;

  bool image_exists(const std::string& ref) const;

 private:
  PodmanSettings settings_;
};

}  // namespace harness
