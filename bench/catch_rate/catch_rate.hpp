// The catch-rate benchmark's pieces: an injected fault (fault.yaml: what was broken, which suite and
// cases must turn REGRESSION), one `harness run` of it, and the judgement of that run's manifest.json
// (caught / missed, false alarms = REGRESSION outside the fault's cases, ERROR, FLAKY, blame).
#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harness::catch_rate {

struct Fault {
  std::string name;                     // the folder and file name
  std::string package;                  // the package that carries the fault
  std::string summary;
  std::vector<std::string> refs;
  std::vector<std::string> suites;      // `harness run --suite` (all of them: both suites)
  // Globs over "suite/case": each must match at least one REGRESSION ...
  std::vector<std::string> regression;
  // ... or, for a fixed build run against a faulty baseline, at least one FIXED.
  std::vector<std::string> fixed;
  // REGRESSION here is the same fault seen elsewhere, not a false alarm.
  std::vector<std::string> allowed;
  std::optional<std::string> blame;     // the run must name this package as the cause
  std::optional<std::string> baseline_fault;  // baseline is that fault's folder, not the archive
  std::filesystem::path dir;            // the folder with the .debs and fault.yaml
};

// Reads DIR/fault.yaml; bad input is a UsageError naming file:line.
Fault load_fault(const std::filesystem::path& dir);
// Every subfolder of `faults_dir` that holds a fault.yaml, "unchanged" first, then by name.
std::vector<Fault> load_faults(const std::filesystem::path& faults_dir);

struct Judgement {
  std::string fault;
  bool caught = false;                  // every regression/fixed glob matched, blame named
  std::vector<std::string> missed;      // globs nothing matched (or "blame: ...")
  std::vector<std::string> caught_cases;      // REGRESSION/FIXED cases inside the globs
  std::vector<std::string> false_alarms;      // REGRESSION outside regression + allowed
  std::vector<std::string> errors;            // ERROR cases and stream errors
  std::vector<std::string> flaky;
  std::string blame_seen;               // what the run named as the cause ("" when nothing)
  double seconds = 0;
  std::string report_dir;
};

// Judges one run. `summary` is the run's summary.txt (where blame is named).
Judgement judge(const Fault& fault, const nlohmann::json& manifest, const std::string& summary);

// The harness command for a fault (baseline debian:trixie:stable unless baseline_fault).
std::vector<std::string> run_command(const Fault& fault, const std::filesystem::path& faults_dir,
                                     const std::filesystem::path& harness, const std::filesystem::path& out);

// Runs `harness run` for the fault into `out` and judges it. A run that writes no manifest is an
// ERROR of the judgement (with the harness's stderr), never a pass.
Judgement run_fault(const Fault& fault, const std::filesystem::path& faults_dir, const std::filesystem::path& harness,
                    const std::filesystem::path& out, std::chrono::seconds timeout);

// bench/catch_rate/make-faults.sh: builds (or finds in the cache) the faults; returns their folder.
std::filesystem::path make_faults(const std::filesystem::path& source_dir, const std::filesystem::path& harness,
                                  std::chrono::seconds timeout);

// "caught N/M, false alarms K, errors E, flaky F" over all faults except "unchanged".
std::string totals_line(const std::vector<Judgement>& results);

}  // namespace harness::catch_rate
