// Child processes with a hard timeout, captured output and no shell in between.
#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace harness {

struct ProcessOptions {
  std::string stdin_data;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  std::optional<std::filesystem::path> cwd;
  // Extra NAME=VALUE entries on top of the inherited environment.
  std::vector<std::string> env;
  // Output beyond this is dropped (and `truncated` set) so a runaway child cannot eat memory.
  std::size_t max_output = 64u << 20;
  // Cleanup calls (container removal during unwinding) must finish even after SIGINT.
  bool ignore_interrupt = false;
  // Pass the child's stderr through to ours as it arrives (progress of long builds).
  bool stream_stderr = false;
  // Long work (debootstrap, image builds): on a terminal, show "<progress>: <last output line>".
  std::string progress;
};

struct ProcessResult {
  int exit_code = -1;      // exit status, or 128+signal when killed by a signal
  bool timed_out = false;  // killed by us at the deadline
  bool truncated = false;
  std::string out;
  std::string err;
  std::chrono::milliseconds duration{0};
  bool ok() const { return exit_code == 0 && !timed_out; }
};

// Runs argv[0] (looked up in PATH) with the given arguments. Throws InfraError when the
// program cannot be started, Interrupted when SIGINT/SIGTERM arrives (after killing the child).
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// "a b 'c d'" — for messages and reproducer lines, never executed through a shell by us.
std::string shell_quote(const std::vector<std::string>& argv);

// Absolute path of a program found in PATH, or empty.
std::string find_program(const std::string& name);

}  // namespace harness
