// The Fedora path under rootless podman (label: integration; runs as root, which it needs to make the
// user): a throwaway normal user (containers/rootless-user) runs the harness against the local Fedora
// world. Without subordinate ids `harness doctor` fails naming the usermod fix; with them doctor names
// nothing the host does not lack; a Fedora testing testbed comes up in the user's own podman storage
// with the exact NEVRA, its root mapped to the user, and its exim queues a message exiqgrep lists.
// The user, its storage and processes are gone afterwards.
#define BOOST_TEST_MODULE rootless_integration
#include <boost/test/unit_test.hpp>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <sstream>

#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "tests/support/fedora_world.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }
std::string helper() { return std::string(HARNESS_SOURCE_DIR) + "/containers/rootless-user"; }

// A user made by containers/rootless-user for this test, removed (with its podman storage) at the end.
class ThrowawayUser {
 public:
  ThrowawayUser(const std::string& name, bool subids) : name_(name) {
    std::vector<std::string> argv{helper(), "up", name};
    if (!subids) argv.push_back("--no-subids");
    auto r = run_process(argv, {.timeout = 120s});
    BOOST_TEST_MESSAGE(r.out << r.err);
    if (!r.ok()) throw InfraError("rootless-user up " + name + " failed: " + r.err);
    const passwd* pw = ::getpwnam(name.c_str());
    if (!pw) throw InfraError("rootless-user up made no user " + name);
    uid_ = pw->pw_uid;
    home_ = pw->pw_dir;
  }
  ~ThrowawayUser() {
    auto r = run_process({helper(), "down", name_}, {.timeout = 600s, .ignore_interrupt = true});
    if (!r.ok()) BOOST_TEST_MESSAGE("rootless-user down " << name_ << ": " << r.err);
  }
  ThrowawayUser(const ThrowawayUser&) = delete;
  ThrowawayUser& operator=(const ThrowawayUser&) = delete;

  // ARGV as the user, with ENV (VAR=VALUE) on top of its login environment.
  ProcessResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                    std::chrono::seconds timeout = 900s) {
    std::vector<std::string> full{helper(), "run", name_};
    full.insert(full.end(), env.begin(), env.end());
    full.push_back("--");
    full.insert(full.end(), argv.begin(), argv.end());
    auto r = run_process(full, {.timeout = timeout});
    BOOST_TEST_MESSAGE("as " << name_ << ": " << join(argv, " ") << "\nexit " << r.exit_code << "\nstdout:\n" << r.out
                             << "\nstderr:\n" << r.err);
    return r;
  }
  // A file in the user's home, owned by the user.
  fs::path give(const std::string& name, const std::string& text) {
    auto p = home_ / name;
    fs::create_directories(p.parent_path());
    write_file(p, text);
    for (auto q = p; q != home_; q = q.parent_path())
      if (::chown(q.c_str(), uid_, uid_) != 0) throw InfraError("cannot chown " + q.string());
    return p;
  }
  // The harness as this user can run it: the checkout under test may sit in a folder only root can
  // enter (CI clones into a 0700 mktemp folder), so the binary and the data it reads (scenarios/,
  // containers/) are copied into the user's home, as an installed harness would be.
  std::vector<std::string> harness() {
    auto dir = home_ / "harness";
    fs::create_directories(dir / "bin");
    fs::copy_file(HARNESS_BIN, dir / "bin" / "harness", fs::copy_options::overwrite_existing);
    for (const char* d : {"scenarios", "containers"})
      fs::copy(fs::path(HARNESS_SOURCE_DIR) / d, dir / d, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    auto r = run_process({"chown", "-R", std::to_string(uid_) + ":" + std::to_string(uid_), dir.string()}, {.timeout = 60s});
    if (!r.ok()) throw InfraError("cannot chown " + dir.string() + ": " + r.err);
    return {(dir / "bin" / "harness").string(), "--root", dir.string()};
  }
  const std::string& name() const { return name_; }
  unsigned uid() const { return uid_; }
  const fs::path& home() const { return home_; }

 private:
  std::string name_;
  unsigned uid_ = 0;
  fs::path home_;
};

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

// What doctor must name on this host besides the id ranges: a tun device only root can open.
bool tun_open_to_others() {
  struct stat st {};
  return ::stat("/dev/net/tun", &st) == 0 && (st.st_mode & S_IROTH) && (st.st_mode & S_IWOTH);
}

const std::string kName = "hrl" + std::to_string(::getpid() % 100000);

}  // namespace

BOOST_AUTO_TEST_CASE(without_id_ranges_doctor_names_the_usermod_fix) {
  BOOST_REQUIRE_MESSAGE(::getuid() == 0, "this test makes a throwaway user: run it as root");
  ThrowawayUser user(kName + "n", false);
  auto argv = user.harness();
  argv.push_back("doctor");
  auto r = user.run(argv);
  BOOST_CHECK_EQUAL(r.exit_code, 3);
  BOOST_CHECK(contains(r.out, "/etc/subuid gives " + user.name() + " no range"));
  BOOST_CHECK(contains(r.out, "/etc/subgid gives " + user.name() + " no range"));
  BOOST_CHECK(contains(r.out, "usermod --add-subuids 100000-165535 " + user.name()));
}

BOOST_AUTO_TEST_CASE(the_fedora_path_runs_as_a_normal_user) {
  BOOST_REQUIRE_MESSAGE(::getuid() == 0, "this test makes a throwaway user: run it as root");
  test::FedoraWorld world;
  ThrowawayUser user(kName, true);
  // What the user is given: the world's registry settings and key (the world's folder is root's), and
  // the storage driver doctor recommends where the kernel has rootless overlay (>= 5.13).
  auto registries = user.give("registries.conf", read_file(world.registries_conf));
  auto key = user.give("RPM-GPG-KEY-fedora-world", read_file(world.gpgkey));
  user.give(".config/containers/storage.conf", "[storage]\ndriver = \"overlay\"\n");
  std::vector<std::string> env{"CONTAINERS_REGISTRIES_CONF=" + registries.string()};
  const auto harness = user.harness();
  std::vector<std::string> global = harness;
  global.insert(global.end(), {"--fedora-baseurl", world.baseurl,
                                  "--fedora-image", world.image.substr(0, world.image.rfind(':')), "--fedora-gpg-key",
                                  key.string()});
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), global.begin(), global.end());
    return args;
  };

  // Doctor: nothing missing but what this host really lacks, each with its fix.
  auto doctor_argv = harness;
  doctor_argv.push_back("doctor");
  auto doctor = user.run(doctor_argv, env);
  std::size_t expected = tun_open_to_others() ? 0 : 1;
  BOOST_CHECK_EQUAL(count_of(doctor.out, "MISSING "), expected);
  BOOST_CHECK_EQUAL(doctor.exit_code, expected ? 3 : 0);
  if (expected) BOOST_CHECK(contains(doctor.out, "chmod 0666 /dev/net/tun"));
  if (!expected) BOOST_CHECK(contains(doctor.out, "ok       rootless podman: subordinate uid/gid ranges"));
  BOOST_CHECK(!contains(doctor.out, "/etc/subuid"));
  BOOST_CHECK(contains(doctor.out, "ok       rootless storage driver: overlay"));

  // A Fedora testing testbed in the user's own storage: the exact build, root inside mapped to the
  // user; exim (its own uid 93, a subordinate id outside) queues a message and exiqgrep lists it.
  std::string nvr = world.exim_dash_h.substr(0, world.exim_dash_h.rfind('.'));
  auto tb = user.run(with({"testbed", "run", "--distro", "fedora", "--release", "41", "--channel", "testing",
                           "--packages", nvr, "--", "sh", "-c",
                           "rpm -q exim; cat /proc/self/uid_map; printf 'Subject: t\\n\\nbody\\n' | exim -odq root@localhost; "
                           "echo QUEUED=$(exiqgrep -i -r root)"}),
                     env, 1200s);
  BOOST_REQUIRE_EQUAL(tb.exit_code, 0);
  BOOST_CHECK(contains(tb.out, world.exim_dash_h));
  auto lines = split_lines(tb.out);
  BOOST_REQUIRE_GE(lines.size(), 3u);
  auto map = words(lines[1]);
  BOOST_REQUIRE_EQUAL(map.size(), 3u);
  BOOST_CHECK_EQUAL(map[0], "0");
  BOOST_CHECK_EQUAL(map[1], std::to_string(user.uid()));  // the container's root is the user, not root
  // A new-format id (4.97+: 6-11-4 characters), listed by the build's own exiqgrep.
  BOOST_CHECK_MESSAGE(std::regex_search(tb.out, std::regex("QUEUED=[0-9A-Za-z]{6}-[0-9A-Za-z]{11}-[0-9A-Za-z]{4}")), tb.out);
  auto images = user.run({"podman", "images", "--format", "{{.Repository}}:{{.Tag}}"});
  BOOST_CHECK(contains(images.out, "localhost/harness/fedora"));
}

BOOST_AUTO_TEST_CASE(the_throwaway_users_are_gone) {
  for (const auto& n : {kName, kName + "n"}) {
    BOOST_CHECK_MESSAGE(::getpwnam(n.c_str()) == nullptr, "user " << n << " is still there");
    BOOST_CHECK(!fs::exists("/var/tmp/rootless-" + n));
    auto ps = run_process({"ps", "-u", n, "-o", "pid="}, {.timeout = 30s});
    BOOST_CHECK(words(ps.out).empty());
  }
  for (const auto& f : {"/etc/subuid", "/etc/subgid"}) BOOST_CHECK(!contains(read_file(f), kName + ":"));
}
