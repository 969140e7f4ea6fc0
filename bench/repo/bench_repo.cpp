// Resolving bookworm, trixie and sid (main, amd64) from a warm metadata cache, beside
// `apt-get update && apt-cache policy` for the same packages inside containers of those suites,
// measured in the same run. Target: all three resolved warm in under 1.5 s.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

#include "harness/cli/host_archives.hpp"
#include "harness/common/error.hpp"
#include "harness/repo/channels.hpp"
#include "harness/repo/resolver.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  rusage c{};
  getrusage(RUSAGE_CHILDREN, &c);  // gpgv
  auto sec = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime) + sec(c.ru_utime) + sec(c.ru_stime);
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a;
  in >> a;
  return a;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) try {
  const char* home = std::getenv("HOME");
  fs::path cache = argc > 1 ? fs::path(argv[1]) : fs::path(home ? home : "/root") / ".cache" / "harness";
  const std::vector<std::string> suites{"bookworm", "trixie", "sid"};
  const std::vector<std::string> watched{"src:exim4", "openssl"};
  ResolveOptions o;
  o.cache_dir = cache / "metadata";
  o.allow_expired_metadata = true;  // sid's Valid-Until has passed on this mirror

  // Fill the cache (downloads, verification, parsed .solv files); not timed.
  std::map<std::string, std::vector<std::string>> binaries;
  for (const auto& s : suites)
    for (const auto& p : resolve(parse_candidate_spec("debian:" + s + ":stable"), watched, o).packages.packages)
      binaries[s].push_back(p.name);

  auto resolve_all = [&](bool offline) {
    ResolveOptions ro = o;
    ro.offline = offline;
    // As `harness candidates` does: one pool per spec, resolved side by side.
    auto t0 = Clock::now();
    std::vector<std::future<Resolution>> pending;
    for (const auto& s : suites)
      pending.push_back(std::async(std::launch::async, [&, s] {
        return resolve(parse_candidate_spec("debian:" + s + ":stable"), watched, ro);
      }));
    for (auto& p : pending) p.get();
    return seconds_since(t0);
  };
  std::vector<double> online, offline, cpu;
  std::string load = loadavg();
  for (int i = 0; i < 5; ++i) {
    online.push_back(resolve_all(false));
    double c0 = cpu_seconds();
    offline.push_back(resolve_all(true));
    cpu.push_back(cpu_seconds() - c0);
  }

  Podman podman{detect_podman(cache)};
  ImageStore images{podman, {.recipes_dir = std::string(HARNESS_SOURCE_DIR) + "/containers", .cache_dir = cache, .mirrors = cli::host_mirrors()}};
  double apt_cold = 0, apt_warm = 0;
  for (const auto& s : suites) {
    bool sid = s == "sid";
    PodmanTestbed tb(podman, {.image = images.ensure_base(Family::debian, s, sid), .run_id = "bench-repo-" + std::to_string(getpid()),
                        .role = "apt-" + s,
                        .network = true});  // apt-get update reaches the archive
    std::string sources;
    for (const auto& l : debian_apt_sources(parse_candidate_spec("debian:" + s + ":stable"), cli::host_mirrors())) sources += l + "\n";
    tb.write_file("/etc/apt/sources.list", sources);
    tb.sh("rm -f /etc/apt/sources.list.d/*");
    std::string script = std::string("apt-get update -qq --error-on=any") + (sid ? " -o Acquire::Check-Valid-Until=false" : "") +
                         " >/dev/null && apt-cache policy";
    for (const auto& b : binaries[s]) script += " " + b;
    script += " >/dev/null";
    for (double* slot : {&apt_cold, &apt_warm}) {
      auto t0 = Clock::now();
      auto r = tb.sh(script, "", 600s);
      *slot += seconds_since(t0);
      if (r.exit_code != 0) throw InfraError("apt in " + s + " container failed: " + r.err);
    }
  }

  double on = median(online), off = median(offline);
  std::printf("resolve bookworm+trixie+sid (main amd64, src:exim4,openssl), warm cache, median of 5 "
              "(1-min load average before: %s, %ld cores):\n", load.c_str(), sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("  harness resolve, revalidating InRelease (conditional GET)  %7.3f s\n", on);
  std::printf("  harness resolve, --offline (cache only, still verified)   %7.3f s  (CPU %.3f s incl. gpgv)\n", off,
              median(cpu));
  std::printf("  apt-get update && apt-cache policy in containers, cold    %7.3f s   ratio %.1fx\n", apt_cold, apt_cold / on);
  std::printf("  apt-get update && apt-cache policy in containers, warm    %7.3f s   ratio %.1fx\n", apt_warm, apt_warm / on);
  std::printf("  target: < 1.5 s warm -> %s\n", on < 1.5 ? "met" : "NOT met");
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_repo: " << e.what() << "\n";
  return 3;
}
