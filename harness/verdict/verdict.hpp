// Baseline vs candidate classification, britney/autopkgtest style, and the record of one run
// (streams, package sets, images, case results, verdicts) that the reports are written from.
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"
#include "harness/repo/package_set.hpp"
#include "harness/suites/suite.hpp"

namespace harness {

// flaky: baseline and candidate differed once, but a rerun on one side gave another outcome, so the
// difference is not the candidate's doing (counted and listed; it does not fail a run).
enum class Verdict { pass, fail, regression, fixed, always_fail, error, skip, flaky };
std::string to_string(Verdict v);
inline constexpr Verdict kAllVerdicts[] = {Verdict::regression, Verdict::error, Verdict::fixed, Verdict::flaky, Verdict::fail,
                                           Verdict::always_fail, Verdict::pass, Verdict::skip};

// baseline may be absent (a case new in the candidate run).
Verdict classify(const std::optional<Outcome>& baseline, Outcome candidate);

// One changed source package of a candidate and whether it explains the candidate's regressions:
// the suites rerun with that change put back to the baseline's versions.
struct BlameEntry {
  std::string source;                      // source package ("exim4")
  std::vector<std::string> changes;        // "exim4-base 4.98.2-1 -> 4.98.2-1+x1"
  std::string finding;                     // "causes" | "not involved" | "partly" | "unknown"
  std::string detail;                      // one line: how many regressions went away
};

// An image a stream's suite started testbeds from.
struct ImageRecord {
  std::string suite;
  std::string tag;
  std::string id;
  std::map<std::string, std::string> requested;  // package -> version installed
};

// One side of the comparison: the baseline or one candidate.
struct StreamRecord {
  std::string name;  // "baseline", "candidate", "candidate-2" (unique in the run)
  bool baseline = false;
  CandidateSpec spec;
  PackageSet packages;                    // resolved exact versions (empty when not resolved)
  std::vector<std::string> transaction;  // what installing them changes (resolver)
  std::vector<std::string> local_packages;  // local:DIR files
  std::vector<ImageRecord> images;
  std::vector<std::string> errors;  // infrastructure trouble that stopped a whole suite
  // A candidate whose resolved package set equals the baseline's is not run (nothing to compare).
  bool identical_to_baseline = false;
  // The candidate's changed packages ("name version") and those of them no image of any suite held:
  // a change no case exercised is said loudly, never counted as tested.
  std::vector<std::string> changed;
  std::vector<std::string> not_exercised;
  std::vector<BlameEntry> blame;  // when a candidate with several changes has regressions
  double seconds = 0;
  std::string label() const { return name + " " + spec.text; }
};

struct SuiteRecord {
  std::string name;
  std::string package;  // the package the suite tests (JUnit classname = name.package)
  std::map<std::string, std::string> options;
  std::vector<std::vector<CaseResult>> results;  // per stream, same order as RunRecord::streams
  // Per stream: the outcomes of reruns of cases that differed between baseline and candidate.
  std::vector<std::map<std::string, std::vector<Outcome>>> reruns;
  std::vector<double> seconds;  // per stream: wall time of the suite's first run (shard balancing)
};

struct CaseVerdict {
  std::size_t suite = 0;   // index into RunRecord::suites
  std::size_t stream = 0;  // the candidate stream (index into RunRecord::streams)
  std::string id;
  Verdict verdict = Verdict::error;
  const CaseResult* baseline = nullptr;   // points into RunRecord::suites[suite].results
  const CaseResult* candidate = nullptr;  // null when the candidate stream lost the case
  std::string reason;                     // one line: why this verdict
};

// An archive the run fetched from, and where that choice came from (a flag, the host's apt sources).
struct ArchiveRecord {
  std::string name;    // "debian", "debian-security"
  std::string url;
  std::string origin;  // "--debian-mirror", "apt sources /etc/apt/sources.list.d/debian.sources:1"
};

// `run --shard K/N`: which part of the plan's suites this run is (a suite is the unit: its cases on a
// stream share its testbeds). assignment names every suite of the plan with its shard (1..count).
struct ShardRecord {
  unsigned index = 0, count = 0;  // count 0: not a shard
  std::string basis;              // "case counts" | "timings from PATH"
  std::vector<std::pair<std::string, unsigned>> assignment;  // plan order
};

struct RunRecord {
  std::string run_id;
  std::string plan_name;
  std::string plan_path;
  std::string plan_summary;
  std::string command;   // the command line that reproduces the run
  std::string started;   // ISO 8601 UTC
  std::string hostname;
  double seconds = 0;
  std::vector<std::pair<std::string, double>> timings;  // phase -> seconds, in order
  std::vector<ArchiveRecord> archives;
  std::vector<StreamRecord> streams;  // [0] is the baseline
  std::vector<SuiteRecord> suites;
  ShardRecord shard;
  // `harness merge`: the shard runs this record was joined from ("1/3 RUN-ID on HOST").
  std::vector<std::string> merged_from;
  std::vector<CaseVerdict> verdicts;  // filled by classify_run (candidate streams x suites x cases)
  // A single-stream run (`run --candidate SPEC` without a baseline): streams[0] is a candidate, every
  // stream is judged on its own (PASS, FAIL, ERROR, SKIP, FLAKY), never REGRESSION or FIXED.
  bool single_stream() const { return !streams.empty() && !streams[0].baseline; }
};

// Pairs every candidate stream's cases with the baseline's by id and classifies them. In a
// single-stream run each case is classified alone (classify(nullopt, outcome)); a FAIL whose reruns
// passed is FLAKY.
// A case missing from one side (its stream failed) is ERROR, never PASS or FAIL. A REGRESSION or
// FIXED case whose reruns (SuiteRecord::reruns) gave another outcome on either side is FLAKY.
// Streams identical to the baseline have no cases and get no verdicts.
// The record must not be modified afterwards (verdicts point into it).
void classify_run(RunRecord& run);

// fail: a single-stream run with a FAIL case (autopkgtest: the test failed; there is no baseline
// to call it a regression).
enum class RunStatus { ok, regression, fail, error };
// regression when any verdict is REGRESSION (even if other cases errored); in a single-stream run
// fail when any verdict is FAIL; error when any is ERROR or a stream failed; ok otherwise (in a
// comparison FAIL, ALWAYS-FAIL, FIXED, FLAKY and SKIP do not fail a run).
RunStatus run_status(const RunRecord& run);
std::map<Verdict, std::size_t> count_verdicts(const RunRecord& run);

}  // namespace harness
