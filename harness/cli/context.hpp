// Options every subcommand shares, and the objects built from them. Only cli/ reads the
// environment (XDG_CACHE_HOME, HARNESS_ROOT, HARNESS_APT_ETC) and the host's apt sources; the
// stages take everything as parameters. The data dir (scenarios/, containers/) is resolved once, in
// main, by find_data_dir (data_dir.hpp).
#pragma once
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "harness/plan/config.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/podman.hpp"
#include "harness/testbed/testbed.hpp"

namespace harness::cli {

struct Context {
  bool verbose = false;
  bool quiet = false;
  std::string root_flag;            // --root DIR as given ("" when not given)
  std::filesystem::path root;       // data dir: scenarios/, containers/ (empty when none was found)
  std::string root_origin;          // how `root` was chosen, or what was tried when none was found
  std::filesystem::path cache_dir;  // $XDG_CACHE_HOME/harness
  Mirrors mirrors;                          // flags, then the host's apt sources (host_archives.hpp)
  std::filesystem::path apt_etc;            // where those apt sources were read
  std::vector<std::string> apt_notes;       // their entries that were skipped, and why
  bool allow_expired_metadata = false;
  std::vector<std::string> command;  // the words after `--` (testbed run/exec)

  // Built on first use (probing podman costs a container start when nothing is cached).
  const Podman& podman();
  ImageStore& images();
  const TestbedStarter& testbeds();
  // The data dir; throws UsageError naming what was tried when there is none.
  const std::filesystem::path& data_dir() const;
  std::filesystem::path scenarios_dir() const { return data_dir() / "scenarios"; }
  // reports/ of a source tree (a checkout), else reports/ in the current folder (an installed
  // data dir is read-only and shared).
  std::filesystem::path reports_dir() const;

 private:
  std::unique_ptr<Podman> podman_;
  std::unique_ptr<ImageStore> images_;
  std::unique_ptr<TestbedStarter> testbeds_;
};

// Exit codes, documented in README.md and `harness --help`.
enum Exit : int {
  kExitOk = 0,          // success; no regression
  kExitRegression = 1,  // run: a REGRESSION verdict; candidates: something changed
  kExitUsage = 2,       // bad input: a scenario file, a spec, a flag
  kExitInfra = 3,       // infrastructure error: podman, mirror, timeout (never a test verdict)
  kExitInterrupted = 130,
};

// Each subcommand lives in its own cmd_*.cpp and registers itself here. The callback it sets
// returns the process exit code through `*exit_code`.
void add_doctor(CLI::App& app, Context& ctx, int* exit_code);
void add_testbed(CLI::App& app, Context& ctx, int* exit_code);
void add_gc(CLI::App& app, Context& ctx, int* exit_code);
void add_candidates(CLI::App& app, Context& ctx, int* exit_code);
void add_capture_queue(CLI::App& app, Context& ctx, int* exit_code);
void add_run(CLI::App& app, Context& ctx, int* exit_code);
void add_bugzilla(CLI::App& app, Context& ctx, int* exit_code);
void add_prepush(CLI::App& app, Context& ctx, int* exit_code);
void add_nightly(CLI::App& app, Context& ctx, int* exit_code);
void add_hook(CLI::App& app, Context& ctx, int* exit_code);
void add_diff(CLI::App& app, Context& ctx, int* exit_code);
void add_merge(CLI::App& app, Context& ctx, int* exit_code);
void add_import_clients(CLI::App& app, Context& ctx, int* exit_code);
void add_capture_client(CLI::App& app, Context& ctx, int* exit_code);

}  // namespace harness::cli
