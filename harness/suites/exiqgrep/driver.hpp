// Runs many exiqgrep invocations in a testbed with ONE `podman exec`: a small perl runner reads a
// bundle (files + invocations) on stdin and prints length-prefixed results. "In-process" runs
// fork the runner and compile the stream's exiqgrep script in the child (`do FILE`, with
// Getopt::Std preloaded), so a run costs a fork instead of a perl start; "exec" runs start a program
// (Munin's plugin, `exim -bp`). bench/exiqgrep checks both against one exec per invocation.
#pragma once
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "harness/testbed/testbed.hpp"

namespace harness::exiqgrep {

struct Invocation {
  std::string id;
  bool in_process = true;         // exiqgrep ARGV inside a forked perl; else exec argv
  std::vector<std::string> env;   // NAME=VALUE (exec runs)
  std::vector<std::string> argv;  // exiqgrep's arguments (in-process) or the full command (exec)
};

struct InvocationResult {
  int exit_code = -1;
  std::string out, err;
};

struct BundleFile {
  std::string name;  // relative to the work dir
  std::string mode;  // "0644", "0755"
  std::string data;
};

struct BatchResult {
  std::map<std::string, InvocationResult> results;
  std::chrono::milliseconds duration{0};
  double cpu_seconds = 0;  // user + system time of the runner and its children in the testbed
};

// Writes `files` under `work_dir` in the testbed and runs every invocation there (cwd = work_dir).
BatchResult run_batch(const Testbed& bed, const std::string& work_dir, const std::string& exiqgrep,
                      const std::vector<BundleFile>& files, const std::vector<Invocation>& runs,
                      std::chrono::seconds timeout = std::chrono::seconds(300));

// The same invocation as its own `podman exec` (a fresh process: the baseline and the cross-check).
InvocationResult run_one_exec(const Testbed& bed, const std::string& work_dir, const std::string& exiqgrep,
                              const Invocation& run);

}  // namespace harness::exiqgrep
