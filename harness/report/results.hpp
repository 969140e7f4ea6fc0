// results.json: every case's outcome and verdict of one run, one row per (suite, case, stream), and
// the comparison of two such files (`harness diff`, nightly's "since the previous run"). Small and
// stable on purpose: no messages or transcripts (those are in junit.xml and logs/).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/verdict/verdict.hpp"

namespace harness {

inline constexpr const char* kResultsFormat = "harness-results/1";

struct ResultRow {
  std::string suite;
  std::string id;
  std::string stream;     // "baseline", "candidate", "candidate-2"
  std::string spec;       // the stream's spec text
  bool baseline = false;  // the baseline's rows have an outcome and no verdict
  std::string outcome;    // PASS FAIL ERROR SKIP; empty when the stream lost the case
  std::string verdict;    // candidate rows: PASS FAIL REGRESSION FIXED ALWAYS-FAIL ERROR SKIP FLAKY
  // Rows of two runs are paired by this: suite/case on the spec, the baseline's marked as such.
  std::string key() const { return suite + "/" + id + " on " + spec + (baseline ? " (baseline)" : ""); }
};

struct RunResults {
  std::filesystem::path dir;
  std::string run_id;
  std::string started;
  std::string mode;  // "baseline-vs-candidate" | "single-stream"
  std::string plan_name;
  std::string plan_path;
  std::vector<ResultRow> rows;
};

std::string results_json(const RunRecord& run);
// Reads dir/results.json. UsageError naming the path when dir does not exist, is not a report
// folder (no results.json) or the file does not parse.
RunResults read_results(const std::filesystem::path& dir);

struct ResultChange {
  std::optional<ResultRow> before;  // absent: added in the second run
  std::optional<ResultRow> after;   // absent: removed
  const ResultRow& row() const { return after ? *after : *before; }
  const char* kind() const { return !before ? "added" : !after ? "removed" : "changed"; }
};

// The cases whose verdict or outcome differ, and those only one run has, sorted by key.
std::vector<ResultChange> diff_results(const RunResults& a, const RunResults& b);
// Plain text: one header line with counts, one line per change.
std::string diff_text(const RunResults& a, const RunResults& b, const std::vector<ResultChange>& changes);
std::string diff_json(const RunResults& a, const RunResults& b, const std::vector<ResultChange>& changes);

// The newest report folder in reports_root before `current` (run ids sort by time) made from the
// same plan (its path, else its name): nightly's "since the previous run". Folders without a
// readable results.json are passed over.
std::optional<std::filesystem::path> previous_run(const std::filesystem::path& reports_root, const RunResults& current);

}  // namespace harness
