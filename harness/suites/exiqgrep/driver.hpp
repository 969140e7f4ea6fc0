// Runs many exiqgrep invocations in a testbed with ONE `podman exec`: a small perl runner reads a
// bundle (files + invocations) on stdin and prints length-prefixed results. The runner compiles
// the stream's exiqgrep script once; an `exiqgrep` run is a fork that calls it, so a run costs a
// fork instead of a perl start and a compile (when the script does not compile cleanly as one
// sub, each child compiles it with `do FILE` instead, and fails as a fresh exiqgrep would).
// `exec` runs start a program (Munin's plugin, `exim -bp`). bench/exiqgrep checks every run
// against one exec per invocation.
#pragma once
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "harness/testbed/testbed.hpp"

namespace harness::exiqgrep {

enum class RunMode {
  exiqgrep,    // exiqgrep with these arguments, in a fork of the runner (up to 4 at once)
  exec,        // the full command (up to 4 at once, shared with exiqgrep runs)
  background,  // the full command, started at once beside the others (queueing live messages)
  wait_all,    // no command: the runs after it start when every run before it has ended
};

struct Invocation {
  std::string id;
  RunMode mode = RunMode::exiqgrep;
  std::vector<std::string> env;   // NAME=VALUE
  std::vector<std::string> argv;  // exiqgrep's arguments, or the full command
};

struct InvocationResult {
  int exit_code = -1;
  std::string out, err;
};

struct BundleFile {
  std::string name;  // relative to the work dir; may sit in one folder ("seed/1xZVpn-00000S-1w-H")
  std::string mode;  // "0644", "0755"
  std::string data;
};

struct BatchResult {
  std::map<std::string, InvocationResult> results;
  std::chrono::milliseconds duration{0};
  double cpu_seconds = 0;  // user + system time of the runner and its children in the testbed
  bool compiled_once = false;  // false: every exiqgrep run compiled the script itself (do FILE)
};

// The runner's command line and its stdin: writes `files` under `work_dir` and runs every
// invocation there (cwd = work_dir), in one process in a testbed.
struct BatchCommand {
  std::vector<std::string> argv;
  std::string input;
};
BatchCommand batch_command(const std::string& work_dir, const std::string& exiqgrep, const std::vector<BundleFile>& files,
                           const std::vector<Invocation>& runs);
// Reads the runner's output; `where` names the testbed in errors.
BatchResult parse_batch(const ExecResult& x, const std::vector<Invocation>& runs, const std::string& where);

// batch_command() run in `bed`.
BatchResult run_batch(const Testbed& bed, const std::string& work_dir, const std::string& exiqgrep,
                      const std::vector<BundleFile>& files, const std::vector<Invocation>& runs,
                      std::chrono::seconds timeout = std::chrono::seconds(300));

// The same invocation as its own `podman exec` (a fresh process: the baseline and the cross-check).
InvocationResult run_one_exec(const Testbed& bed, const std::string& work_dir, const std::string& exiqgrep,
                              const Invocation& run);

}  // namespace harness::exiqgrep
