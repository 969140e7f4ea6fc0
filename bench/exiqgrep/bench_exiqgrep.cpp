// bench_exiqgrep [--suite-only] [SPEC...]: the whole exiqgrep suite per candidate (warm: images built; the
// median of 5 runs), cases/s,
// beside the one-`podman exec`-per-case loop measured in the same run on the same testbed image,
// and the ratio. Also checks that every batched (forked, in-process) result equals the fresh
// process's result of its own podman exec.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "harness/cli/host_archives.hpp"
#include "harness/common/log.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"
#include "harness/suites/exiqgrep/capture.hpp"
#include "harness/suites/exiqgrep/exiqgrep_suite.hpp"

using namespace harness;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

fs::path cache_dir() {
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : "/root") / ".cache" / "harness";
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> specs;
  bool suite_only = false;  // --suite-only: skip the (slow) baseline loop
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--suite-only") suite_only = true;
    else specs.push_back(argv[i]);
  }
  if (specs.empty()) specs = {"debian:bookworm:stable", "debian:trixie:stable"};
  const fs::path scenarios = fs::path(HARNESS_SOURCE_DIR) / "scenarios" / "exiqgrep";
  Podman podman{detect_podman(cache_dir())};
  ImageStore images{podman, {.recipes_dir = fs::path(HARNESS_SOURCE_DIR) / "containers", .cache_dir = cache_dir(), .mirrors = cli::host_mirrors()}};
  PodmanTestbedStarter starter{podman};
  TempDir work("harness-bench-exiqgrep");
  int rc = 0;
  for (const auto& spec_text : specs) {
    SuiteContext ctx;
    ctx.stream = "candidate";
    ctx.spec = parse_candidate_spec(spec_text);
    ctx.sources = debian_apt_sources(ctx.spec, cli::host_mirrors());
    ctx.allow_expired_metadata = ctx.spec.release == "sid";
    ctx.images = &images;
    ctx.testbeds = &starter;
    ctx.run_id = "bench-exiqgrep";
    ctx.work_dir = work.path();

    auto suite = make_suite("exiqgrep");
    suite->load(scenarios, {});
    const auto n = suite->case_count();
    suite->run(ctx);  // warm-up: builds or reuses the images
    std::vector<double> times;
    for (int i = 0; i < 5; ++i) {
      if (i == 4) log::set_level(log::Level::verbose);  // the suite's phase timings, once
      auto t = Clock::now();
      suite->run(ctx);
      times.push_back(since(t));
      log::set_level(log::Level::normal);
    }
    std::sort(times.begin(), times.end());
    double whole = times[times.size() / 2];
    std::printf("%s: whole suite %zu cases, median of %zu runs %.2f s (min %.2f, max %.2f; %.1f cases/s)\n",
                spec_text.c_str(), n, times.size(), whole, times.front(), times.back(), n / whole);
    if (suite_only) continue;

    // Baseline: the same fake-exim and Munin invocations, one podman exec each.
    exiqgrep::SuiteData data = exiqgrep::load_suite_data(scenarios, {});
    auto plan = exiqgrep::fake_exim_plan(data, "/usr/sbin/exiqgrep");
    auto image = images.ensure(ctx.image_for(exiqgrep::exim_packages(ctx.spec.family, true)));
    auto bed = ctx.start(image, "bench-baseline");
    auto batch = exiqgrep::run_batch(*bed, exiqgrep::kWorkDir, "/usr/sbin/exiqgrep", plan.files, plan.runs);
    auto t = Clock::now();
    int differ = 0;
    for (const auto& run : plan.runs) {
      auto one = exiqgrep::run_one_exec(*bed, exiqgrep::kWorkDir, "/usr/sbin/exiqgrep", run);
      const auto& b = batch.results.at(run.id);
      if (one.exit_code != b.exit_code || one.out != b.out || one.err != b.err) {
        if (++differ <= 3)
          std::cerr << "  differs: " << run.id << " (exec rc " << one.exit_code << ", batch rc " << b.exit_code << ")\n";
      }
    }
    double base = since(t);
    double base_per_case = base / plan.runs.size();
    double whole_per_case = whole / n;
    std::printf("%s: batched fake-exim+Munin invocations: %zu in %.2f s, one exec (%.1f cases/s)\n", spec_text.c_str(),
                plan.runs.size(), batch.duration.count() / 1000.0, plan.runs.size() / (batch.duration.count() / 1000.0));
    std::printf("%s: CPU used by the batch in the testbed: %.2f s (%.1f ms per invocation; the rest of the wall time is waiting for a core)\n",
                spec_text.c_str(), batch.cpu_seconds, 1000 * batch.cpu_seconds / plan.runs.size());
    std::printf("%s: baseline one podman exec per case: %zu in %.2f s (%.1f cases/s)\n", spec_text.c_str(),
                plan.runs.size(), base, plan.runs.size() / base);
    std::printf("%s: ratio (baseline s/case over whole-suite s/case): %.1fx; projected baseline for the whole suite %.1f s\n",
                spec_text.c_str(), base_per_case / whole_per_case, base_per_case * n);
    std::printf("%s: batched vs fresh-process results: %d of %zu differ\n", spec_text.c_str(), differ, plan.runs.size());
    bool met = whole < 3.0 && base_per_case / whole_per_case >= 20;
    std::printf("%s: target (whole suite under 3 s, at least 20x): %s\n", spec_text.c_str(), met ? "met" : "MISSED");
    if (differ) rc = 1;
  }
  return rc;
}
