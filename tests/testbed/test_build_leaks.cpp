// A real image build of a local candidate (a .deb made here, so every run really builds) that ends
// normally, is interrupted (SIGINT) or is killed (SIGKILL) leaves no buildah working container, no
// build alias and no unverified tag behind, at the latest once `harness gc` ran; killed mid-RUN,
// no runtime container, bundle (/var/tmp/buildah*), mount or process of the step either
// (label: integration).
#define BOOST_TEST_MODULE build_leaks
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "harness/cli/host_archives.hpp"
#include "harness/common/error.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"
#include "harness/testbed/build_steps.hpp"
#include "harness/testbed/image.hpp"
#include "tests/support/cache_dir.hpp"
#include "tests/support/wait_exit.hpp"

using namespace harness;
using namespace std::chrono_literals;

namespace {
using harness::test::cache_dir;

// True once `pid` is gone or a zombie, polled until `limit`.
bool process_ends_within(pid_t pid, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return true;
    auto paren = stat.rfind(')');  // the state follows "(comm)", which may hold spaces
    if (paren != std::string::npos && paren + 2 < stat.size() && (stat[paren + 2] == 'Z' || stat[paren + 2] == 'X')) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}
using harness::test::wait_exit;

struct Fixture {
  Podman podman{detect_podman(cache_dir())};
  TempDir dir{"harness-test-build-leaks"};

  ImageStoreOptions store_options() {
    return {.recipes_dir = std::string(HARNESS_SOURCE_DIR) + "/containers", .cache_dir = cache_dir(),
            .mirrors = cli::host_mirrors()};
  }

  // A package of our own, with a version unique to this call: its hash is part of the image tag.
  ImageRequest request(const std::string& flavour) {
    auto root = dir.path() / flavour;
    std::filesystem::create_directories(root / "DEBIAN");
    std::filesystem::create_directories(root / "usr/share/harness-leak-probe");
    write_file(root / "usr/share/harness-leak-probe" / flavour, flavour + "\n");
    write_file(root / "DEBIAN/control", "Package: harness-leak-probe\nVersion: 1." + std::to_string(getpid()) + "." +
                                            flavour + "\nArchitecture: all\nMaintainer: harness tests <root@localhost>\n"
                                            "Description: a package the build-leak test installs\n");
    auto deb = dir.path() / (flavour + ".deb");
    auto r = run_process({"dpkg-deb", "--root-owner-group", "--build", root.string(), deb.string()}, {.timeout = 60s});
    BOOST_REQUIRE_MESSAGE(r.ok(), r.err);
    auto spec = parse_candidate_spec("debian:trixie:stable");
    return {.family = Family::debian, .release = "trixie", .sources = debian_apt_sources(spec, cli::host_mirrors()),
            .packages = {"harness-leak-probe"}, .local_packages = {deb}};
  }

  // Everything podman holds that a build of process `owner` made: working containers, tags.
  std::vector<std::string> leftovers(pid_t owner) {
    std::vector<std::string> out;
    const std::string prefix = "build-" + std::to_string(owner) + "-";
    auto ps = podman.check({"ps", "-a", "--external", "--filter", "name=^" + prefix, "--format", "{{.Names}}"}, 60s, "ps");
    auto images = podman.check({"images", "--format", "{{.Repository}}:{{.Tag}}"}, 60s, "images");
    for (const auto* text : {&ps.out, &images.out}) {
      std::istringstream lines(*text);
      std::string line;
      while (std::getline(lines, line))
        if (line.find(prefix) != std::string::npos) out.push_back(line);
    }
    return out;
  }
  bool has_working_container(pid_t owner) {
    for (const auto& l : leftovers(owner))
      if (l.find("-working-container") != std::string::npos) return true;
    return false;
  }

  // ensure() in a child process (the owner of the build's names), as a harness run would.
  pid_t build_in_child(const ImageRequest& req) {
    pid_t pid = fork();
    if (pid == 0) {
      install_interrupt_handlers();
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      try {
        ImageStore images(podman, store_options());
        images.ensure(req);
        _exit(0);
      } catch (const Interrupted&) {
        _exit(130);
      } catch (...) {
        _exit(3);
      }
    }
    return pid;
  }

  // The RUN steps of process `owner`'s build: bundles whose run/.containerenv names its working container.
  std::vector<std::filesystem::path> step_bundles(pid_t owner) {
    std::vector<std::filesystem::path> out;
    const std::string name = "name=\"build-" + std::to_string(owner) + "-";
    for (const auto& dir : build_step_temp_dirs()) {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        if (e.path().filename().string().rfind("buildah", 0) != 0) continue;
        std::error_code fe;
        auto env = e.path() / "run/.containerenv";
        if (std::filesystem::is_regular_file(env, fe) && read_file(env).find(name) != std::string::npos) out.push_back(e.path());
      }
    }
    return out;
  }
  // The runtime (runc) containers whose bundle is one of `bundles`.
  std::vector<RuntimeContainer> step_containers(const std::vector<std::filesystem::path>& bundles) {
    std::vector<RuntimeContainer> out;
    auto r = run_process({"runc", "list", "--format", "json"}, {.timeout = 30s});
    for (const auto& c : parse_runtime_list(r.out))
      for (const auto& b : bundles)
        if (c.bundle.lexically_normal() == b.lexically_normal()) out.push_back(c);
    return out;
  }

  // Waits until the child's podman build has a working container (it is mid-way), then a little more.
  void wait_until_building(pid_t pid) {
    for (int i = 0; i < 6000 && !has_working_container(pid); ++i) {
      int status = 0;
      BOOST_REQUIRE_MESSAGE(waitpid(pid, &status, WNOHANG) == 0, "the build ended before it was interrupted");
      std::this_thread::sleep_for(100ms);
    }
    BOOST_REQUIRE_MESSAGE(has_working_container(pid), "no build started within 10 minutes");
    std::this_thread::sleep_for(1500ms);
  }

};

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + " ";
  return s;
}
}  // namespace

BOOST_FIXTURE_TEST_SUITE(build_leaks, Fixture)

BOOST_AUTO_TEST_CASE(a_finished_build_leaves_only_its_image) {
  ImageStore images(podman, store_options());
  auto image = images.ensure(request("finished"));
  BOOST_TEST(image.built);
  BOOST_TEST(image.requested.count("harness-leak-probe") == 1);
  auto left = leftovers(getpid());
  BOOST_TEST(left.empty(), "left: " << joined(left));
  // The build label does not reach the final image: it names no live build.
  auto r = podman.check({"image", "inspect", "--format", "{{index .Labels \"io.harness.build\"}}", image.tag}, 60s, "inspect");
  BOOST_TEST(r.out == "\n");
  podman.run({"rmi", image.tag}, 60s);
}

BOOST_AUTO_TEST_CASE(sigint_mid_build_leaves_nothing) {
  pid_t pid = build_in_child(request("sigint"));
  wait_until_building(pid);
  ::kill(pid, SIGINT);
  BOOST_TEST(wait_exit(pid, 120s) == 130);
  // No gc: the interrupted process removed what its build made.
  auto left = leftovers(pid);
  BOOST_TEST(left.empty(), "left: " << joined(left));
}

BOOST_AUTO_TEST_CASE(sigkill_mid_run_step_is_swept_by_gc) {
  pid_t pid = build_in_child(request("sigkill"));
  wait_until_building(pid);
  // Mid-RUN: the step's runtime container runs the install (podman build's only RUN).
  std::vector<RuntimeContainer> steps;
  for (int i = 0; i < 600 && steps.empty(); ++i) {
    steps = step_containers(step_bundles(pid));
    if (steps.empty()) std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE_MESSAGE(!steps.empty(), "the build's RUN step did not start within a minute");
  auto bundles = step_bundles(pid);
  // The step's own file system: its overlay layer, as the step's process sees its root.
  std::string layer;
  if (steps[0].pid > 0) {
    std::ifstream in("/proc/" + std::to_string(steps[0].pid) + "/mountinfo");
    std::string line;
    while (std::getline(in, line) && layer.empty()) {
      auto at = line.find("upperdir=");
      if (at != std::string::npos) layer = line.substr(at + 9, line.find("/diff", at) - at - 9);
    }
  }
  ::kill(pid, SIGKILL);
  wait_exit(pid, 30s);
  // Nothing could clean up: the working container, the step's runtime container and its bundle
  // are there; the step's process may even go on installing ...
  BOOST_TEST(has_working_container(pid));
  BOOST_TEST(!step_containers(bundles).empty());
  auto gc = run_process({HARNESS_BIN, "gc"}, {.timeout = 300s});
  BOOST_TEST(gc.exit_code == 0, gc.err);
  BOOST_TEST(gc.out.find("left by a killed image build") != std::string::npos, gc.out);
  BOOST_TEST(gc.out.find("runtime container " + steps[0].id) != std::string::npos, gc.out);
  // ... until gc, which finds them by the dead owner in their names and in the bundles' .containerenv.
  auto left = leftovers(pid);
  BOOST_TEST(left.empty(), "left: " << joined(left));
  BOOST_TEST(step_containers(bundles).empty());
  for (const auto& b : bundles) BOOST_TEST(!std::filesystem::exists(b), b << " is left");
  BOOST_TEST(step_bundles(pid).empty());
  auto mounts = read_file("/proc/self/mountinfo");
  for (const auto& b : bundles) BOOST_TEST(mounts.find(b.string()) == std::string::npos, b << " is still mounted");
  if (!layer.empty()) BOOST_TEST(mounts.find(layer + "/") == std::string::npos, layer << " is still mounted");
  // SIGKILL is delivered, but a process in uninterruptible I/O (dpkg syncing) ends only when that
  // returns, and its parent (init, once buildah died) reaps it when it gets to it: a zombie has ended.
  if (steps[0].pid > 0)
    BOOST_TEST(process_ends_within(steps[0].pid, 60s), "the step's process " << steps[0].pid << " still runs a minute after gc");
}

BOOST_AUTO_TEST_SUITE_END()
