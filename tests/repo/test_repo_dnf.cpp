// The dnf install-and-verify path for real: Debian's dnf in a trixie container installs the pinned
// NEVRA that `harness candidates` resolved from the rpm-md fixture, and rpm confirms it (integration).
#define BOOST_TEST_MODULE repo_dnf
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "fixture_server.hpp"
#include "harness/cli/host_archives.hpp"
#include "harness/common/process.hpp"
#include "harness/repo/channels.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"
#include "tests/support/cache_dir.hpp"

using namespace harness;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
using harness::test::cache_dir;
}  // namespace

BOOST_AUTO_TEST_CASE(dnf_installs_the_resolved_nevra) {
  TempDir dir("harness-dnf");
  fs::path tree = repo_test::build_rpmmd_fixture(dir.path() / "tree");
  std::map<std::string, std::string> install;  // spec -> "exim-4.97.1-1.fc40"
  {
    repo_test::FixtureServer server(tree);
    auto r = run_process({HARNESS_BIN, "--cache-dir", (dir.path() / "cache").string(), "--fedora-baseurl", server.base(),
                          "candidates", "fedora:40:stable", "fedora:40:testing", "--packages", "exim", "--json"},
                         {.timeout = 120s});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 1, r.err);
    auto out = nlohmann::json::parse(r.out);
    for (const auto& [spec, v] : out.at("packages").at(0).at("versions").items()) install[spec] = v.at("install");
  }
  BOOST_REQUIRE(install.at("fedora:40:testing") == "exim-4.97.1-1.fc40");

  Podman podman{detect_podman(cache_dir())};
  ImageStore images{podman, {.recipes_dir = std::string(HARNESS_SOURCE_DIR) + "/containers", .cache_dir = cache_dir(), .mirrors = cli::host_mirrors()}};
  Image image = images.ensure({.family = Family::debian, .release = "trixie",
                               .sources = debian_apt_sources(parse_candidate_spec("debian:trixie:stable"), cli::host_mirrors()),
                               .packages = {"dnf", "rpm"}});
  PodmanTestbed tb(podman, {.image = image.tag, .run_id = "test-repo-dnf-" + std::to_string(getpid()), .role = "dnf"});
  tb.copy_in(tree, "/repo");
  for (const auto& [spec, nevr] : install) {
    std::string root = "/tmp/root-" + std::string(spec.ends_with("testing") ? "testing" : "stable");
    std::string repos = "--repofrompath=fedora,file:///repo/releases/40/Everything/x86_64/os "
                        "--repofrompath=updates,file:///repo/updates/40/Everything/x86_64 ";
    if (spec.ends_with("testing")) repos += "--repofrompath=updates-testing,file:///repo/updates/testing/40/Everything/x86_64 ";
    auto r = tb.sh("dnf -y -q --installroot=" + root + " --releasever=40 --disablerepo='*' " + repos +
                       "--nogpgcheck --setopt=install_weak_deps=False install " + nevr +
                       " >/tmp/dnf.log 2>&1 || { cat /tmp/dnf.log; exit 1; }; rpm --root " + root +
                       " -q --qf '%{NAME}-%{VERSION}-%{RELEASE}\\n' exim && cat " + root + "/usr/share/exim/VERSION",
                   "", 600s);
    BOOST_TEST_MESSAGE(spec << ": " << r.out << r.err);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(r.out.find(nevr + "\n") == 0u);                    // rpm's database says what we asked for
    BOOST_TEST(r.out.find(nevr.substr(5)) != std::string::npos);   // and the payload is that build's
  }
}
