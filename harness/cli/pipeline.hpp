// One harness run: load every suite (before any container starts), resolve each stream's exact
// package versions, run the baseline and candidate streams in parallel (threads, each with its own
// testbeds), classify, rerun what differs (FLAKY), say what of each candidate no suite exercised,
// blame the changed package behind regressions, write the reports. Shared by `run`, `prepush` and
// `nightly`.
#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/cli/shard.hpp"
#include "harness/plan/plan_file.hpp"
#include "harness/repo/fedora_candidates.hpp"
#include "harness/repo/resolver.hpp"
#include "harness/suites/suite.hpp"
#include "harness/verdict/verdict.hpp"

namespace harness::cli {

// Where a stream is, for a progress display (progress.hpp).
struct StreamProgress {
  std::string stream;               // "baseline", "candidate", ...
  std::string suite;                // the suite running on it
  std::size_t done = 0, total = 0;  // cases of that suite done on that stream
  bool end = false;                 // every stream ended (or the run was interrupted); the rest is empty
};

struct RunRequest {
  Plan plan;                                  // baseline + candidates must be set
  std::vector<std::string> only_suites;       // --suite (empty: the plan's suites)
  std::map<std::string, std::map<std::string, std::string>> suite_options;  // per suite, on top of the plan's
  std::filesystem::path scenarios_dir;
  std::filesystem::path reports_dir;
  std::string command;                        // the command line that reproduces the run
  std::string run_id;                         // empty: generated (UTC time + random)
  unsigned jobs = 0;                          // streams at once; 0: the number of cores
  bool allow_expired_metadata = false;
  // A stream whose versions cannot be resolved is ERROR; with unpinned it tests what its channel installs.
  bool unpinned = false;
  // A case that differs between baseline and candidate is rerun this many times on each side before
  // it is called REGRESSION or FIXED (FLAKY when an outcome moves).
  unsigned reruns = 2;
  // Name the changed source package behind a candidate's regressions (reruns per changed package).
  bool blame = true;
  std::vector<std::string> debian_sources_override;  // tests only: empty uses the channel's
  // Resolutions done beforehand (nightly), keyed by spec text; the rest are resolved here.
  std::map<std::string, Resolution> resolved;
  // What Bodhi said about bodhi: streams (keyed by spec text): their files carry its advisory and bugs.
  std::map<std::string, Advisory> advisories;
  // --shard K/N: run only this shard's suites (cli/shard.hpp); the reports say which part they are.
  std::optional<ShardRequest> shard;
  // Called as suites start and cases finish on each stream, from the stream threads (several at
  // once), and once with `end` after the streams; empty: no progress display.
  std::function<void(const StreamProgress&)> progress;
};

// What the pipeline takes from the outside. Tests supply their own suites and no testbeds.
struct Services {
  std::function<std::unique_ptr<Suite>(const std::string&)> make_suite;
  // Called once, after every suite loaded and every stream resolved (probing podman starts a container).
  std::function<std::pair<ImageSource*, const TestbedStarter*>()> testbeds;
  // Empty: streams are not resolved (apt/dnf pick the channel's versions; images record them).
  std::function<Resolution(const CandidateSpec&, const std::vector<std::string>&)> resolve;
  Mirrors mirrors;
};

struct RunOutput {
  RunRecord record;
  std::filesystem::path report_dir;
  RunStatus status = RunStatus::ok;
};

// Throws UsageError for bad input (nothing started), Interrupted on SIGINT/SIGTERM.
// Infrastructure trouble inside a stream is recorded in the run (ERROR verdicts), not thrown.
RunOutput run_plan(const RunRequest& request, const Services& services);

// 0 no regression, 1 regression, 3 infrastructure errors (context.hpp's Exit codes).
int exit_code_for(RunStatus status);

// The .deb/.rpm files of a local:DIR spec (sorted); UsageError when there are none.
std::vector<std::filesystem::path> local_package_files(const CandidateSpec& spec);
// name, version, arch of a local package file (dpkg-deb / rpm).
Package read_local_package(Family family, const std::filesystem::path& file);

// "20261128-021500-3f9a"
std::string new_run_id();

// Prints verdict counts, regressions and where the reports are (stdout).
void print_run_result(const RunOutput& out);

}  // namespace harness::cli
