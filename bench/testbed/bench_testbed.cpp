// Warm testbed cycle (start, first exec, removal) and run_once() against a bare `podman run --rm IMAGE true`,
// both measured here in the same run on the same image, interleaved so that load on the machine
// hits both alike. Prints medians per cycle and the ratio.
// Usage: bench_testbed [CYCLES]   (targets: < 1.5 s per cycle, ratio < 2)
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "harness/cli/host_archives.hpp"
#include "harness/common/error.hpp"
#include "harness/repo/channels.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"

using namespace harness;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

template <class F>
double seconds(F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  int cycles = argc > 1 ? std::atoi(argv[1]) : 10;
  const char* home = std::getenv("HOME");
  auto cache = std::filesystem::path(home ? home : "/root") / ".cache" / "harness";
  Podman podman(detect_podman(cache));
  ImageStore images(podman, {.recipes_dir = std::string(HARNESS_SOURCE_DIR) + "/containers", .cache_dir = cache, .mirrors = cli::host_mirrors()});
  auto spec = parse_candidate_spec("debian:trixie:stable");
  auto image = images.ensure({.family = Family::debian, .release = "trixie",
                              .sources = debian_apt_sources(spec, cli::host_mirrors()), .packages = {"exim4-daemon-light"}});

  // The baseline as a user would type it (plus this host's runtime/ulimit adjustments).
  std::vector<std::string> bare{"run", "--rm"};
  auto extra = podman.container_args();
  bare.insert(bare.end(), extra.begin(), extra.end());
  bare.insert(bare.end(), {image.tag, "true"});

  auto cycle = [&](std::vector<int> ports) {
    PodmanTestbed t(podman, {.image = image.tag, .run_id = "bench", .role = "bench", .ports = std::move(ports)});
    if (t.exec({"true"}).exit_code != 0) throw InfraError("exec failed in the benchmark");
  };
  cycle({});  // warm-up of both paths
  podman.check(bare, 60s, "run the baseline container");

  auto once = [&] {
    if (run_once(podman, {.image = image.tag, .run_id = "bench", .role = "bench"}, {"true"}).exit_code != 0)
      throw InfraError("run_once failed in the benchmark");
  };

  std::vector<double> base, plain, port, one;
  for (int i = 0; i < cycles; ++i) {
    base.push_back(seconds([&] { podman.check(bare, 60s, "run the baseline container"); }));
    plain.push_back(seconds([&] { cycle({}); }));
    port.push_back(seconds([&] { cycle({25}); }));
    one.push_back(seconds(once));
  }
  double b = median(base), c = median(plain), p = median(port), o = median(one);
  std::printf("image: %s, %d interleaved cycles, medians\n", image.tag.c_str(), cycles);
  std::printf("baseline  podman run --rm IMAGE true            : %.3f s\n", b);
  std::printf("testbed   start + first exec + remove (no port) : %.3f s   ratio %.2f\n", c, c / b);
  std::printf("testbed   same with a published port (SMTP)     : %.3f s   ratio %.2f\n", p, p / b);
  std::printf("run_once  one command, podman run --rm          : %.3f s   ratio %.2f\n", o, o / b);
  std::printf("targets: cycle < 1.5 s, ratio < 2\n");
  return 0;
}
