// A suite driver: loads its cases from scenarios/<suite>/ (data, no rebuild to add a case),
// then runs them against one stream (baseline or candidate) and reports one CaseResult per case.
#pragma once
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"
#include "harness/repo/package_set.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"

namespace harness {

enum class Outcome { pass, fail, error, skip };
std::string to_string(Outcome o);

struct CaseResult {
  std::string suite;
  std::string id;        // unique within the suite, stable across runs and streams
  std::string group;     // a row/column key for reports (listing name, server/cert set, ...)
  std::string summary;   // why the expectation holds
  std::vector<std::string> refs;  // rhbz#..., upstream bug, URL
  Outcome outcome = Outcome::error;
  std::string message;     // one line: what went wrong (or what passed)
  std::string transcript;  // commands, outputs, diffs (trimmed by the reports)
  double seconds = 0;
  std::map<std::string, std::string> properties;  // e.g. protocol, cipher, exiqgrep version
};

// What a suite gets for one stream.
struct SuiteContext {
  std::string stream;         // "baseline" | "candidate"
  CandidateSpec spec;
  PackageSet pins;            // exact versions resolved for this stream (may be empty: apt picks)
  std::vector<std::filesystem::path> local_packages;  // local:DIR candidates
  std::vector<std::string> sources;                   // apt sources / repo baseurls of the channel
  bool allow_expired_metadata = false;
  ImageSource* images = nullptr;
  const TestbedStarter* testbeds = nullptr;
  std::string run_id;
  std::filesystem::path work_dir;  // scratch + logs for this suite and stream
  std::map<std::string, std::string> options;  // suite options from the CLI/plan (e.g. "queues")
  // In the candidate's context: what the baseline stream's images are made of, so a suite can run
  // the baseline's build too (exiqgrep: the baseline's exim writes the spool the candidate's exim
  // then lists, as on an upgraded host). Empty in the baseline's own context.
  struct StreamInputs {
    CandidateSpec spec;
    PackageSet pins;
    std::vector<std::filesystem::path> local_packages;
    std::vector<std::string> sources;
  };
  std::optional<StreamInputs> baseline;
  // Every image start() started a testbed from (the reports record their ids and versions).
  mutable std::vector<Image> images_used;
  // Called as each case finishes, for a progress display; may be empty, and may be called from
  // several threads at once. A batched suite may call it for none: the run counts its cases at the end.
  std::function<void()> case_done;

  // An image request for these package names: pinned where `pins` has the name, local files
  // whose package name is asked for replace the archive's.
  ImageRequest image_for(const std::vector<std::string>& package_names) const;
  // Starts a testbed for an image (removed when the handle dies).
  std::unique_ptr<Testbed> start(const Image& image, const std::string& role, std::vector<int> ports = {}) const;
  // Runs one command in a new, isolated container from an image (removed when it ends).
  ExecResult run_once(const Image& image, const std::string& role, const std::vector<std::string>& argv,
                      const std::string& stdin_data, std::chrono::milliseconds timeout) const;

 private:
  TestbedOptions testbed_options(const Image& image, const std::string& role) const;
};

class Suite {
 public:
  virtual ~Suite() = default;
  virtual std::string name() const = 0;
  // Reads and checks every case file under `scenarios_dir`; a bad file throws UsageError
  // ("file:line: ...") before any container starts.
  virtual void load(const std::filesystem::path& scenarios_dir, const std::map<std::string, std::string>& options) = 0;
  // Throws UsageError when the suite (with the options load() read) cannot serve this
  // distribution family; the run calls it right after load(), before any image is built.
  virtual void check_family(Family family) const { (void)family; }
  virtual std::size_t case_count() const = 0;
  // Every case run() reports, with id, group, summary and refs and no outcome yet: what a stream
  // reports for the cases it could not run (no metadata, a package that does not install), so no
  // case vanishes from the reports.
  virtual std::vector<CaseResult> planned_cases() const = 0;
  // Runs every case against one stream. Infrastructure trouble for a single case is that case's
  // Outcome::error; trouble that stops the whole stream throws InfraError.
  virtual std::vector<CaseResult> run(SuiteContext& ctx) = 0;
};

std::vector<std::string> suite_names();
// Throws UsageError for an unknown name, listing the known ones.
std::unique_ptr<Suite> make_suite(const std::string& name);

}  // namespace harness
