// Fedora testbeds against the local Fedora world (containers/fedora-world; label: integration): the
// base pulled from the configured registry, the channel's repositories written into the image with
// signatures checked against --fedora-gpg-key, the exact NEVRA installed and verified with rpm; the
// stable channel does not see updates-testing; a wrong key and a mirror that does not answer fail
// the build (never an image with other packages).
#define BOOST_TEST_MODULE fedora_testbed_integration
#include <boost/test/unit_test.hpp>

#include <set>

#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "tests/support/fedora_world.hpp"

using namespace harness;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }
// "exim-4.98.2-1.fc41.x86_64" -> "exim-4.98.2-1.fc41": what a pin names.
std::string nvr(const std::string& nevra) { return nevra.substr(0, nevra.rfind('.')); }

struct World {
  test::FedoraWorld world;
  test::ImageSweeper sweeper;
  std::string image_name() const { return world.image.substr(0, world.image.rfind(':')); }

  ProcessResult testbed(const std::string& channel, const std::string& package, const std::string& baseurl,
                        const std::string& key, const std::string& command) {
    std::vector<std::string> argv{HARNESS_BIN, "--root", HARNESS_SOURCE_DIR, "--fedora-baseurl", baseurl,
                                  "--fedora-image", image_name(), "--fedora-gpg-key", key,
                                  "testbed", "run", "--distro", "fedora", "--release", "41", "--channel", channel,
                                  "--packages", package, "--", "sh", "-c", command};
    auto r = run_process(argv, {.timeout = 1200s, .env = {world.registries_env()}});
    BOOST_TEST_MESSAGE(join(argv, " ") << "\nexit " << r.exit_code << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
    return r;
  }
};

const char* kShow = "rpm -q exim; cat /etc/yum.repos.d/*.repo; ls /etc/pki/rpm-gpg/";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(fedora_world, World)

BOOST_AUTO_TEST_CASE(a_testing_testbed_installs_the_exact_build_from_the_signed_repositories) {
  auto r = testbed("testing", nvr(world.exim_dash_h), world.baseurl, world.gpgkey, kShow);
  BOOST_REQUIRE_EQUAL(r.exit_code, 0);
  BOOST_CHECK(contains(r.out, world.exim_dash_h));
  BOOST_CHECK(contains(r.out, "[updates-testing]\n"));
  BOOST_CHECK(contains(r.out, "baseurl=" + world.baseurl));
  BOOST_CHECK(contains(r.out, "gpgcheck=1\n"));
  BOOST_CHECK(!contains(r.out, "gpgcheck=0"));
  BOOST_CHECK(contains(r.out, "skip_if_unavailable=False\n"));
  BOOST_CHECK(contains(r.out, "RPM-GPG-KEY-harness-1"));

  // The stable channel has no updates-testing: the testing build is not there to install.
  auto s = testbed("stable", nvr(world.exim_dash_h), world.baseurl, world.gpgkey, kShow);
  BOOST_CHECK_NE(s.exit_code, 0);
  auto st = testbed("stable", "exim", world.baseurl, world.gpgkey, kShow);
  BOOST_CHECK_EQUAL(st.exit_code, 0);
  BOOST_CHECK(contains(st.out, world.exim_stable));
  BOOST_CHECK(!contains(st.out, "[updates-testing]"));
}

BOOST_AUTO_TEST_CASE(a_wrong_key_or_a_silent_mirror_fails_the_build) {
  // The Debian archive keyring: a real key, not the one that signed the world's packages.
  auto wrong = testbed("testing", "exim", world.baseurl, "/usr/share/keyrings/debian-archive-keyring.gpg", kShow);
  BOOST_CHECK_NE(wrong.exit_code, 0);
  BOOST_CHECK(!contains(wrong.out, "exim-4"));
  // Port 1 on 127.0.0.1: nothing listens; the testbed must not fall back to the image's own repos.
  auto down = testbed("testing", "exim", "http://127.0.0.1:1/pub/fedora/linux/", world.gpgkey, kShow);
  BOOST_CHECK_EQUAL(down.exit_code, 3);
  BOOST_CHECK(!contains(down.out, "exim-4"));
}

BOOST_AUTO_TEST_SUITE_END()
