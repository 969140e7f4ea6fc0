// Warm testbed cycle (start, first exec, removal) against a bare `podman run --rm IMAGE true`,
// both measured here in the same run on the same image. Prints per-cycle times and the ratio.
// Usage: bench_testbed [CYCLES]   (targets: < 1.5 s per cycle, ratio < 2)
#include <cstdio>
#include <cstdlib>

#include "harness/common/error.hpp"
#include "harness/repo/channels.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"

using namespace harness;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int cycles = argc > 1 ? std::atoi(argv[1]) : 10;
  const char* home = std::getenv("HOME");
  auto cache = std::filesystem::path(home ? home : "/root") / ".cache" / "harness";
  Podman podman(detect_podman(cache));
  ImageStore images(podman, {.recipes_dir = std::string(HARNESS_SOURCE_DIR) + "/containers", .cache_dir = cache});
  auto spec = parse_candidate_spec("debian:trixie:stable");
  auto image = images.ensure({.family = Family::debian, .release = "trixie",
                              .sources = debian_apt_sources(spec, Mirrors{}), .packages = {"exim4-daemon-light"}});

  // Warm-up of both paths (page cache, podman's storage).
  { Testbed t(podman, {.image = image.tag, .run_id = "bench", .role = "bench"}); t.exec({"true"}); }
  std::vector<std::string> bare{"run", "--rm", "--network", "none"};
  auto extra = podman.container_args();
  bare.insert(bare.end(), extra.begin(), extra.end());
  bare.insert(bare.end(), {image.tag, "true"});
  podman.check(bare, 60s, "run the baseline container");

  double bare_total = 0, cycle_total = 0, exec_total = 0;
  for (int i = 0; i < cycles; ++i) {
    auto t0 = Clock::now();
    podman.check(bare, 60s, "run the baseline container");
    auto t1 = Clock::now();
    {
      Testbed t(podman, {.image = image.tag, .run_id = "bench", .role = "bench"});
      auto e0 = Clock::now();
      auto r = t.exec({"true"});
      exec_total += std::chrono::duration<double>(Clock::now() - e0).count();
      if (r.exit_code != 0) throw InfraError("exec failed in the benchmark");
    }
    auto t2 = Clock::now();
    bare_total += std::chrono::duration<double>(t1 - t0).count();
    cycle_total += std::chrono::duration<double>(t2 - t1).count();
  }
  double bare_avg = bare_total / cycles, cycle_avg = cycle_total / cycles;
  std::printf("image: %s\n", image.tag.c_str());
  std::printf("cycles: %d\n", cycles);
  std::printf("baseline  podman run --rm IMAGE true : %.3f s per run\n", bare_avg);
  std::printf("testbed   start + first exec + remove : %.3f s per cycle (exec %.3f s)\n", cycle_avg, exec_total / cycles);
  std::printf("ratio testbed/baseline: %.2f   (targets: cycle < 1.5 s, ratio < 2)\n", cycle_avg / bare_avg);
  return 0;
}
