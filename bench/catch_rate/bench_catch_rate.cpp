// Catch-rate benchmark: how many injected faults (real trixie packages, each broken in one known way,
// see bench/catch_rate/faults/*.yaml and docs/catch-rate.md) the harness reports as REGRESSION in the
// suite and cases that must see them, and how many REGRESSION it reports elsewhere (false alarms).
//   bench_catch_rate [--faults DIR] [--harness BIN] [--out DIR] [--only NAME]...
// Without --faults it runs bench/catch_rate/make-faults.sh (cached by content). --only NAME runs that
// fault and always the unchanged repack (the time baseline). Each fault is one
// `harness run --baseline debian:trixie:stable --candidate local:DIR@debian:trixie:stable`; the
// unchanged repack's run is the time baseline measured in the same run.
#include <iomanip>
#include <iostream>

#include "bench/catch_rate/catch_rate.hpp"
#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"

using namespace harness;
using namespace harness::catch_rate;
namespace fs = std::filesystem;

namespace {
void print_list(const char* what, const std::vector<std::string>& items) {
  std::size_t n = 0;
  for (const auto& i : items) {
    if (++n > 5) {
      std::cout << "      ... " << items.size() - 5 << " more\n";
      break;
    }
    std::cout << "      " << what << ": " << (i.size() > 220 ? i.substr(0, 220) + "..." : i) << "\n";
  }
}
}  // namespace

int main(int argc, char** argv) try {
  fs::path faults_dir, harness_bin = fs::path(HARNESS_BINARY_DIR) / "bin" / "harness", out;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(a + " needs a value");
      return argv[++i];
    };
    if (a == "--faults") faults_dir = value();
    else if (a == "--harness") harness_bin = value();
    else if (a == "--out") out = value();
    else if (a == "--only") only.push_back(value());
    else throw UsageError("unknown argument '" + a + "' (usage: bench_catch_rate [--faults DIR] [--harness BIN] [--out DIR] [--only NAME]...)");
  }
  std::optional<TempDir> tmp;
  if (out.empty()) {
    tmp.emplace("harness-bench-catch-rate");
    out = tmp->path();
  }
  if (faults_dir.empty()) faults_dir = make_faults(HARNESS_SOURCE_DIR, harness_bin, std::chrono::hours(2));
  auto faults = load_faults(faults_dir);
  std::cout << "faults: " << faults_dir.string() << "\n";
  std::vector<Judgement> results;
  for (const auto& f : faults) {
    if (!only.empty() && std::find(only.begin(), only.end(), f.name) == only.end() && f.name != "unchanged") continue;
    std::cout << "== " << f.name << " (" << f.package << "; suites";
    for (const auto& s : f.suites) std::cout << " " << s;
    std::cout << ")\n" << std::flush;
    auto j = run_fault(f, faults_dir, harness_bin, out / f.name, std::chrono::minutes(45));
    const char* status = f.name == "unchanged" ? (j.false_alarms.empty() && j.errors.empty() && j.flaky.empty() ? "clean" : "NOT CLEAN")
                         : j.caught ? "caught" : "MISSED";
    std::cout << "   " << status << ": " << j.caught_cases.size() << " expected verdicts, " << j.false_alarms.size()
              << " false alarms, " << j.errors.size() << " errors, " << j.flaky.size() << " flaky, " << std::fixed
              << std::setprecision(1) << j.seconds << " s";
    if (!j.blame_seen.empty()) std::cout << ", caused by " << j.blame_seen;
    std::cout << "\n";
    print_list("missed", j.missed);
    print_list("false alarm", j.false_alarms);
    print_list("error", j.errors);
    print_list("flaky", j.flaky);
    if (!j.report_dir.empty()) std::cout << "      report: " << j.report_dir << "\n";
    results.push_back(std::move(j));
  }
  std::cout << "\n" << totals_line(results) << "\n";
  double base = 0, sum = 0;
  std::size_t n = 0;
  for (const auto& j : results)
    if (j.fault == "unchanged") base = j.seconds;
    else sum += j.seconds, ++n;
  if (base > 0 && n > 0)
    std::cout << std::fixed << std::setprecision(1) << "time: " << sum / n << " s per fault run (" << n
              << " runs, " << sum << " s) vs the unchanged repack's run " << base << " s (ratio "
              << std::setprecision(2) << (sum / n) / base << "x)\n";
  return 0;
} catch (const UsageError& e) {
  std::cerr << "bench_catch_rate: " << e.what() << "\n";
  return 2;
} catch (const std::exception& e) {
  std::cerr << "bench_catch_rate: " << e.what() << "\n";
  return 3;
}
