// results.yaml: tmt's custom results file (a tmt test with `result: custom` leaves it in
// ${TMT_TEST_DATA}; Testing Farm and Bodhi then show every harness case, not one pass/fail).
// One result per verdict (suite/case on a candidate stream) plus `name: /` for the run itself.
// Outcome mapping (tmt: fail and error fail a test; info is a soft pass):
//   REGRESSION -> fail, FIXED and PASS -> pass, ERROR -> error, SKIP -> skip,
//   ALWAYS-FAIL, FLAKY, FAIL in a comparison -> info (they do not fail a harness run either),
//   FAIL in a single-stream run -> fail.
// Logs are relative to the results file: logs/cases/<suite>.<stream>.<case>.log (the case on both
// sides, untrimmed), then logs/<suite>.<stream>.log.
#pragma once
#include <filesystem>
#include <string>

#include "harness/verdict/verdict.hpp"

namespace harness {

// "pass" | "fail" | "error" | "skip" | "info"
std::string tmt_outcome(Verdict v, bool single_stream);
// Writes dir/results.yaml and the per-case logs it names (dir/logs must exist).
void write_tmt_results(const RunRecord& run, const std::filesystem::path& dir);

}  // namespace harness
