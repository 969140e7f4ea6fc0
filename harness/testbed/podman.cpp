#include "harness/testbed/podman.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/resource.h>

#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/log.hpp"
#include "harness/common/tempdir.hpp"

namespace harness {
namespace {
using namespace std::chrono_literals;

constexpr const char* kProbeImage = "localhost/harness/probe:1";

// A minimal image from the host's own /usr/bin/true: probing needs no archive or registry.
void ensure_probe_image(const Podman& podman) {
  if (podman.image_exists(kProbeImage)) return;
  TempDir dir("harness-probe");
  auto root = dir.path() / "root";
  std::filesystem::create_directories(root / "usr/bin");
  std::filesystem::copy_file("/usr/bin/true", root / "usr/bin/true");
  auto ldd = run_process({"ldd", "/usr/bin/true"}, {.timeout = 10s});
  std::istringstream lines(ldd.out);
  std::string line;
  while (std::getline(lines, line)) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    auto path = line.substr(slash, line.find(' ', slash) - slash);
    auto target = root / path.substr(1);
    std::filesystem::create_directories(target.parent_path());
    std::filesystem::copy_file(std::filesystem::canonical(path), target,
                               std::filesystem::copy_options::overwrite_existing);
  }
  auto tar = dir.path() / "probe.tar";
  auto t = run_process({"tar", "-C", root.string(), "-cf", tar.string(), "."}, {.timeout = 30s});
  if (!t.ok()) throw InfraError("cannot pack the podman probe image: " + t.err);
  podman.check({"import", "--quiet", tar.string(), kProbeImage}, 60s, "import the probe image");
}

std::string limits_key() {
  rlimit nofile{}, nproc{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  getrlimit(RLIMIT_NPROC, &nproc);
  return std::to_string(nofile.rlim_max) + "/" + std::to_string(nproc.rlim_max);
}

rlim_t hard_limit(int resource, rlim_t cap) {
  rlimit r{};
  getrlimit(resource, &r);
  return r.rlim_max == RLIM_INFINITY ? cap : std::min(r.rlim_max, cap);
}

rlim_t pid_max() {
  std::ifstream in("/proc/sys/kernel/pid_max");
  rlim_t v = 0;
  return (in >> v) && v > 0 ? v : 4194304;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }
}  // namespace

ProcessResult Podman::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                          const std::string& stdin_data, bool ignore_interrupt, bool stream_stderr,
                          const std::string& progress) const {
  std::vector<std::string> argv{settings_.program};
  argv.insert(argv.end(), args.begin(), args.end());
  log::verbose("+ " + shell_quote(argv));
  return run_process(argv, {.stdin_data = stdin_data,
                            .timeout = timeout,
                            .ignore_interrupt = ignore_interrupt,
                            .stream_stderr = stream_stderr,
                            .progress = progress});
}

ProcessResult Podman::check(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                            const std::string& what) const {
  auto r = run(args, timeout);
  if (r.timed_out)
    throw InfraError("podman timed out after " + std::to_string(timeout.count() / 1000) + " s trying to " + what +
                     " (podman " + shell_quote(args) + ")");
  if (r.exit_code != 0)
    throw InfraError("podman failed to " + what + " (exit " + std::to_string(r.exit_code) + "): " + r.err);
  return r;
}

std::vector<std::string> Podman::container_args() const {
  std::vector<std::string> a;
  if (!settings_.runtime.empty()) a.insert(a.end(), {"--runtime", settings_.runtime});
  for (const auto& u : settings_.ulimits) a.insert(a.end(), {"--ulimit", u});
  return a;
}

bool Podman::image_exists(const std::string& ref) const {
  return run({"image", "exists", ref}, 30s).exit_code == 0;
}

PodmanSettings detect_podman(const std::filesystem::path& cache_dir, bool use_cache) {
  PodmanSettings s;
  if (find_program(s.program).empty())
    throw InfraError("podman is not installed; install it (apt-get install podman runc) and run 'harness doctor'");
  auto ver = run_process({s.program, "--version"}, {.timeout = 30s});
  if (!ver.ok()) throw InfraError("'podman --version' failed: " + ver.err);
  s.version = ver.out.substr(0, ver.out.find('\n'));
  std::string key = sha256_hex(s.version + "|" + limits_key() + "|" + find_program("runc") + "|" + find_program("crun"));
  auto cache_file = cache_dir / "podman-settings.json";
  if (use_cache) {
    std::error_code ec;
    if (std::filesystem::exists(cache_file, ec)) {
      try {
        auto j = nlohmann::json::parse(read_file(cache_file));
        if (j.value("key", "") == key) {
          s.runtime = j.value("runtime", "");
          s.ulimits = j.value("ulimits", std::vector<std::string>{});
          s.adjustments = j.value("adjustments", std::vector<std::string>{});
          return s;
        }
      } catch (const std::exception&) {
        // A damaged cache is re-probed.
      }
    }
  }
  Podman podman(s);
  ensure_probe_image(podman);
  std::string rlimit_error;
  std::string last_err;
  rlim_t nofile = 0, nproc = 0;
  for (int attempt = 0; attempt < 12; ++attempt) {
    Podman p(s);
    std::vector<std::string> args{"run", "--rm", "--network", "none"};
    auto extra = p.container_args();
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {kProbeImage, "/usr/bin/true"});
    auto r = p.run(args, 60s);
    if (r.ok()) {
      if (!s.ulimits.empty())
        s.adjustments.push_back("ulimits: --ulimit " + s.ulimits[0] + " --ulimit " + s.ulimits[1] +
                                " (podman's defaults exceed what this host allows: " + first_line(rlimit_error) + ")");
      std::filesystem::create_directories(cache_dir);
      nlohmann::json j{{"key", key}, {"runtime", s.runtime}, {"ulimits", s.ulimits}, {"adjustments", s.adjustments}};
      write_file(cache_file, j.dump(2) + "\n");
      return s;
    }
    last_err = r.err;
    bool changed = false;
    if (s.runtime.empty() && (r.err.find("cgroups in hybrid mode") != std::string::npos ||
                              r.err.find("crun") != std::string::npos) && !find_program("runc").empty()) {
      s.runtime = "runc";
      s.adjustments.push_back("runtime: --runtime runc (the default runtime failed: " + first_line(r.err) + ")");
      changed = true;
    }
    if (r.err.find("rlimit") != std::string::npos || r.err.find("RLIMIT") != std::string::npos) {
      if (rlimit_error.empty()) rlimit_error = r.err;
      // Start at the hard limits (nproc also at pid_max); halve whichever one is still refused.
      if (nofile == 0) {
        nofile = hard_limit(RLIMIT_NOFILE, 1048576);
        nproc = std::min(hard_limit(RLIMIT_NPROC, 4194304), pid_max());
        changed = true;
      } else if (r.err.find("rlimit type 6") != std::string::npos && nproc > 256) {
        nproc /= 2;
        changed = true;
      } else if (r.err.find("rlimit type 7") != std::string::npos && nofile > 256) {
        nofile /= 2;
        changed = true;
      }
      s.ulimits = {"nofile=" + std::to_string(nofile) + ":" + std::to_string(nofile),
                   "nproc=" + std::to_string(nproc) + ":" + std::to_string(nproc)};
    }
    if (!changed) break;
  }
  throw InfraError("podman cannot start a container on this host, even after adjustments [" +
                   [&] { std::string a; for (auto& x : s.adjustments) a += x + "; "; return a; }() +
                   "]: " + last_err);
}

}  // namespace harness
