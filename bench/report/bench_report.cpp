// Report writing for 10,000 synthetic cases (per stream) against writing the same data as plain
// text in the same run. Target: all reports (junit.xml, summary.txt, index.html, manifest.json,
// logs/) in under 1 s.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

#include "harness/common/tempdir.hpp"
#include "harness/report/report.hpp"
#include "tests/report/synthetic_run.hpp"

using namespace harness;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The baseline: every case of every stream as one text line plus its transcript, one file.
void write_plain(const RunRecord& run, const std::filesystem::path& file) {
  std::string text;
  for (const auto& s : run.suites)
    for (std::size_t st = 0; st < s.results.size(); ++st)
      for (const auto& c : s.results[st]) {
        text += s.name + "\t" + run.streams[st].name + "\t" + c.id + "\t" + to_string(c.outcome) + "\t" + c.message + "\n";
        text += c.transcript;
      }
  for (const auto& v : run.verdicts) text += v.id + "\t" + to_string(v.verdict) + "\t" + v.reason + "\n";
  write_file(file, text);
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t cases = argc > 1 ? std::stoul(argv[1]) : 10000;
  int rounds = 5;
  auto run = testing::synthetic_run(cases, "exim: 1rO3sE-005JbF-1D 9h 2.2K <> *** frozen ***\x01\x1b[0m\n");
  std::vector<double> ours, plain;
  std::size_t bytes = 0;
  for (int i = 0; i < rounds; ++i) {
    TempDir dir("harness-bench-report");
    auto t0 = Clock::now();
    write_plain(run, dir.path() / "plain.txt");
    plain.push_back(seconds_since(t0));
    run.run_id = "bench-" + std::to_string(i);
    t0 = Clock::now();
    auto out = write_reports(run, dir.path() / "reports");
    ours.push_back(seconds_since(t0));
    bytes = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(out))
      if (e.is_regular_file()) bytes += e.file_size();
  }
  std::sort(ours.begin(), ours.end());
  std::sort(plain.begin(), plain.end());
  double o = ours[rounds / 2], p = plain[rounds / 2];
  std::printf("report writing, %zu cases x %zu streams (%zu verdicts), median of %d:\n", cases, run.streams.size(),
              run.verdicts.size(), rounds);
  std::printf("  harness reports (junit.xml, summary.txt, index.html, manifest.json, logs/): %.3f s (%.1f MB)\n", o,
              bytes / 1e6);
  std::printf("  baseline, the same data as plain text:                                   %.3f s\n", p);
  std::printf("  ratio: %.1fx the plain-text baseline; target < 1 s: %s\n", p > 0 ? o / p : 0.0, o < 1.0 ? "met" : "MISSED");
  return 0;
}
