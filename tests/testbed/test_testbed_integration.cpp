// Real podman containers from real Debian packages (label: integration).
#define BOOST_TEST_MODULE testbed
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <random>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "harness/cli/host_archives.hpp"
#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"
#include "tests/support/cache_dir.hpp"
#include "tests/support/wait_exit.hpp"

using namespace harness;
using namespace std::chrono_literals;

namespace {
using harness::test::cache_dir;
using harness::test::wait_exit;

struct Fixture {
  Podman podman{detect_podman(cache_dir())};
  ImageStore images{podman, {.recipes_dir = std::string(HARNESS_SOURCE_DIR) + "/containers", .cache_dir = cache_dir(), .mirrors = cli::host_mirrors()}};

  ImageRequest trixie(std::vector<std::string> packages) {
    auto spec = parse_candidate_spec("debian:trixie:stable");
    return {.family = Family::debian, .release = "trixie", .sources = debian_apt_sources(spec, cli::host_mirrors()),
            .packages = std::move(packages)};
  }
  bool exists(const std::string& name) { return podman.run({"container", "exists", name}, 30s).exit_code == 0; }
  int count_run(const std::string& run_id) {
    auto r = podman.run({"ps", "-a", "-q", "--filter", "label=io.harness.run=" + run_id}, 30s);
    return static_cast<int>(std::count(r.out.begin(), r.out.end(), '\n'));
  }
};

pid_t spawn(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(a[0], a.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(testbed, Fixture)

BOOST_AUTO_TEST_CASE(image_holds_the_real_exim_and_records_its_version) {
  auto image = images.ensure(trixie({"exim4-daemon-light"}));
  BOOST_TEST(image.requested.count("exim4-daemon-light") == 1u);
  BOOST_TEST(image.requested["exim4-daemon-light"].rfind("4.98", 0) == 0);
  // The label survives: a second ensure() reuses the image and reads the same versions.
  auto again = images.ensure(trixie({"exim4-daemon-light"}));
  BOOST_TEST(!again.built);
  BOOST_TEST(again.id == image.id);
  BOOST_TEST(again.requested == image.requested);

  PodmanTestbed t(podman, {.image = image.tag, .run_id = "test-testbed", .role = "exim"});
  auto r = t.exec({"exim", "-bV"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("Exim version 4.98") != std::string::npos);
  // The version the image label claims is the one dpkg has inside the container.
  auto q = t.exec({"dpkg-query", "-W", "-f", "${Version}", "exim4-daemon-light"});
  BOOST_TEST(q.out == image.requested["exim4-daemon-light"]);
}

BOOST_AUTO_TEST_CASE(a_pinned_version_that_does_not_exist_fails_loudly) {
  try {
    images.ensure(trixie({"exim4-base=0.0-no-such-version"}));
    BOOST_FAIL("expected the build to fail");
  } catch (const InfraError& e) {
    std::string m = e.what();
    BOOST_TEST(m.find("exim4-base=0.0-no-such-version") != std::string::npos);
    BOOST_TEST(m.find("was not found") != std::string::npos);  // apt's own words reach the user
  }
}

BOOST_AUTO_TEST_CASE(exec_separates_test_failures_from_testbed_failures) {
  auto image = images.ensure(trixie({"exim4-daemon-light"}));
  std::string name;
  {
    PodmanTestbed t(podman, {.image = image.tag, .run_id = "test-testbed", .role = "exec"});
    name = t.name();
    auto fail = t.sh("echo out; echo err >&2; exit 7");
    BOOST_TEST(fail.exit_code == 7);  // the command's failure is a result, not an exception
    BOOST_TEST(fail.out == "out\n");
    BOOST_TEST(fail.err == "err\n");
    // A command's own 125, 126, 127 and 124 are its results: podman's own 125 is told apart by the
    // status line only the in-container wrapper writes, not by the number.
    for (int own : {124, 125, 126, 127}) {
      auto r = t.sh("echo Error: not podman >&2; exit " + std::to_string(own));
      BOOST_TEST(r.exit_code == own);
      BOOST_TEST(!r.timed_out);
      BOOST_TEST(r.err == "Error: not podman\n");  // the status line is not part of the command's stderr
    }
    BOOST_TEST(t.exec({"no-such-program-here"}).exit_code == 127);
    auto slow = t.exec({"sleep", "30"}, "", 1s);
    BOOST_TEST(slow.timed_out);
    BOOST_TEST(slow.exit_code == 124);
    // The timed-out command does not linger in the container.
    auto ps = t.sh("for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done | grep -c '^sleep 30 $'");
    BOOST_TEST(std::stoi(ps.out) == 0);
    auto echo = t.exec({"cat"}, "stdin reaches the command");
    BOOST_TEST(echo.out == "stdin reaches the command");
    t.write_file("/tmp/f", "content\n");
    TempDir host;
    t.copy_out("/tmp/f", host.path() / "f");
    BOOST_TEST(read_file(host.path() / "f") == "content\n");
    write_file(host.path() / "g", "in\n");
    t.copy_in(host.path() / "g", "/tmp/g");
    BOOST_TEST(t.exec({"cat", "/tmp/g"}).out == "in\n");
    BOOST_TEST(exists(name));
  }
  BOOST_TEST(!exists(name));  // the destructor removed it
  // A testbed that is gone is an infrastructure error, not a failed test.
  PodmanTestbed t(podman, {.image = image.tag, .run_id = "test-testbed", .role = "gone"});
  podman.run({"rm", "-f", "-t", "0", t.name()}, 30s);
  BOOST_CHECK_THROW(t.exec({"true"}), InfraError);
}

BOOST_AUTO_TEST_CASE(published_port_reaches_a_real_smtp_banner) {
  auto image = images.ensure(trixie({"exim4-daemon-light"}));
  PodmanTestbed t(podman, {.image = image.tag, .run_id = "test-testbed", .role = "port", .ports = {25}});
  auto d = t.exec({"exim", "-bd", "-oX", "0.0.0.0.25"});
  BOOST_TEST(d.exit_code == 0);
  int port = t.published_port(25);
  BOOST_TEST(port > 0);
  // Read the 220 banner through the published loopback port.
  std::string banner;
  for (int i = 0; i < 50 && banner.find("220 ") == std::string::npos; ++i) {
    auto r = run_process({"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) +
                                            "; timeout 3 head -1 <&3"}, {.timeout = 5s});
    banner = r.out;
    if (banner.find("220 ") == std::string::npos) std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(banner.find("220 ") != std::string::npos);
  BOOST_TEST(banner.find("ESMTP Exim 4.98") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(cli_testbed_up_exec_with_a_piped_script_list_and_down) {
  images.ensure(trixie({"exim4-daemon-light"}));  // warm: the same image `testbed up` asks for
  auto harness = [](const std::vector<std::string>& args, const std::string& in = "") {
    std::vector<std::string> argv{HARNESS_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {.stdin_data = in, .timeout = 600s});
  };
  const std::vector<std::string> up{"testbed", "up", "--release", "trixie", "--packages", "exim4-daemon-light", "--port", "25"};
  std::vector<std::string> names;
  struct Down {  // `testbed up` keeps its containers: remove them however the test ends
    std::vector<std::string>& names;
    ~Down() {
      for (const auto& n : names) run_process({HARNESS_BIN, "testbed", "down", n}, {.timeout = 120s});
    }
  } down{names};

  // --json for scripts: the name, the image and where each port is published.
  auto args = up;
  args.push_back("--json");
  auto r = harness(args);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto j = nlohmann::json::parse(r.out);
  const std::string name = j["name"];
  names.push_back(name);
  BOOST_TEST(exists(name));
  BOOST_TEST(j["image"].get<std::string>().rfind("localhost/harness/debian:trixie-", 0) == 0);
  BOOST_TEST(j["packages"]["exim4-daemon-light"].get<std::string>().rfind("4.98", 0) == 0);
  BOOST_TEST(j["ports"]["25"]["host"] == "127.0.0.1");
  const int port = j["ports"]["25"]["port"];
  BOOST_TEST(port > 0);

  // A script piped into harness is the command's stdin; the command's exit status is harness's.
  r = harness({"testbed", "exec", name, "--", "sh", "-s"}, "echo hello; exit 7\n");
  BOOST_TEST(r.out == "hello\n");
  BOOST_TEST(r.exit_code == 7);
  r = harness({"testbed", "exec", name, "--", "sh", "-s"});  // nothing piped: sh reads an empty script
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.empty());

  // list --json names it, kept, with its port.
  r = harness({"testbed", "list", "--json"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  bool listed = false;
  for (const auto& t : nlohmann::json::parse(r.out))
    if (t["name"] == name) {
      listed = true;
      BOOST_TEST(t["kept"] == true);
      BOOST_TEST(t["run_id"] == "manual");
      BOOST_TEST(t["state"] == "running");
      BOOST_TEST(t["ports"]["25"]["port"] == port);
    }
  BOOST_TEST(listed);

  // The human line: the name, then each port and where it is published.
  r = harness(up);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string second = r.out.substr(0, r.out.find(' '));
  names.push_back(second);
  BOOST_TEST(exists(second));
  BOOST_TEST(r.out.find(" 25->127.0.0.1:") != std::string::npos);
  BOOST_TEST(r.out.back() == '\n');

  r = harness({"testbed", "down", name, second});
  BOOST_TEST(r.exit_code == 0);
  names.clear();
  BOOST_TEST(!exists(name));
  BOOST_TEST(!exists(second));
}

BOOST_AUTO_TEST_CASE(sigint_at_random_moments_leaves_no_container) {
  images.ensure(trixie({"exim4-daemon-light"}));  // warm: the runs below measure start/exec/removal
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_ms(0, 1500);
  const std::string run_id = "test-sigint-" + std::to_string(getpid());
  int interrupted = 0;
  for (int i = 0; i < 20; ++i) {
    pid_t pid = spawn({HARNESS_BIN, "testbed", "run", "--release", "trixie", "--packages", "exim4-daemon-light",
                       "--run-id", run_id, "--", "sleep", "10"});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(pid, SIGINT);
    int rc = wait_exit(pid, 60s);
    BOOST_TEST_MESSAGE("run " << i << ": exit " << rc);
    BOOST_TEST(rc != -1);  // it ended by itself, promptly
    if (rc == 130) ++interrupted;
    BOOST_TEST(count_run(run_id) == 0);
  }
  BOOST_TEST(interrupted >= 15);  // the signal mostly landed mid-run, not before start or after the end
}

BOOST_AUTO_TEST_CASE(gc_removes_what_a_killed_run_left) {
  images.ensure(trixie({"exim4-daemon-light"}));
  const std::string run_id = "test-sigkill-" + std::to_string(getpid());
  pid_t pid = spawn({HARNESS_BIN, "testbed", "run", "--release", "trixie", "--packages", "exim4-daemon-light",
                     "--run-id", run_id, "--", "sleep", "30"});
  for (int i = 0; i < 300 && count_run(run_id) == 0; ++i) std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(500ms);
  ::kill(pid, SIGKILL);
  wait_exit(pid, 10s);
  BOOST_TEST(count_run(run_id) == 1);  // SIGKILL: nothing could clean up
  auto gc = run_process({HARNESS_BIN, "gc"}, {.timeout = 120s});
  BOOST_TEST(gc.exit_code == 0);
  BOOST_TEST(count_run(run_id) == 0);
}

BOOST_AUTO_TEST_CASE(gc_leaves_containers_of_live_processes_alone) {
  auto image = images.ensure(trixie({"exim4-daemon-light"}));
  PodmanTestbed t(podman, {.image = image.tag, .run_id = "test-testbed", .role = "live"});
  auto gc = run_process({HARNESS_BIN, "gc"}, {.timeout = 120s});
  BOOST_TEST(gc.exit_code == 0);
  BOOST_TEST(exists(t.name()));
}

BOOST_AUTO_TEST_CASE(gc_images_removes_layer_images_no_container_uses) {
  // Two tiny images labelled like the harness's layers (a real layer is ~300 MB and the other
  // tests reuse them): one free, one held by a created container.
  TempDir dir("harness-test-gc-images");
  const std::string tag = "localhost/harness-test/gc-images:" + std::to_string(getpid());
  const std::string free_img = tag + "-free", held_img = tag + "-held";
  for (const auto& name : {free_img, held_img}) {
    auto root = dir.path() / name.substr(name.rfind('-') + 1);
    std::filesystem::create_directories(root);
    write_file(root / "marker", name + "\n");  // different content: two images, not one with two tags
    auto tar = root.string() + ".tar";
    BOOST_REQUIRE(run_process({"tar", "-C", root.string(), "-cf", tar, "."}).ok());
    podman.check({"import", "--quiet", "--change", "LABEL io.harness.installed=marker", tar, name}, 60s, "import");
  }
  const std::string holder = "harness-test-gc-images-" + std::to_string(getpid());
  podman.check({"create", "--name", holder, held_img, "/marker"}, 60s, "create");

  auto listed = layer_images(podman);
  BOOST_CHECK(std::count(listed.begin(), listed.end(), free_img) == 1);
  BOOST_CHECK(std::count(listed.begin(), listed.end(), held_img) == 1);
  auto rep = remove_unused_images(podman, {free_img, held_img});
  BOOST_CHECK(rep.removed == std::vector<std::string>{free_img});
  BOOST_CHECK(rep.kept == std::vector<std::string>{held_img});
  BOOST_CHECK(podman.run({"image", "exists", free_img}, 30s).exit_code != 0);
  BOOST_CHECK(podman.run({"image", "exists", held_img}, 30s).exit_code == 0);
  // Bases are not layers: gc --images never lists them.
  for (const auto& n : listed) BOOST_CHECK_MESSAGE(n.find("debian-base") == std::string::npos, n);

  podman.run({"rm", "-f", holder}, 60s);
  podman.run({"rmi", "-f", held_img}, 60s);
}

BOOST_AUTO_TEST_CASE(fedora_without_a_registry_says_what_to_configure) {
  // A registry on a loopback port where nothing listens: the pull fails at once, like here without network.
  Mirrors m;
  m.fedora_image = "127.0.0.1:1/fedora";
  ImageStore fedora(podman, {.recipes_dir = std::string(HARNESS_SOURCE_DIR) + "/containers",
                             .cache_dir = cache_dir(), .mirrors = m, .build_timeout = 120s});
  try {
    fedora.ensure_base(Family::fedora, "41");
    BOOST_FAIL("expected the pull to fail");
  } catch (const InfraError& e) {
    std::string msg = e.what();
    BOOST_TEST(msg.find("127.0.0.1:1/fedora:41") != std::string::npos);
    BOOST_TEST(msg.find("--fedora-image") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
