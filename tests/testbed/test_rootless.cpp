// What `harness doctor` tells a normal user that rootless podman lacks: subordinate id ranges and
// privileged newuidmap/newgidmap, each with its fix; nothing for root or a ready host.
#define BOOST_TEST_MODULE rootless
#include <boost/test/unit_test.hpp>

#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/testbed/rootless.hpp"

using namespace harness;

namespace {
RootlessHost ready() {
  RootlessHost h;
  h.uid = 1000;
  h.user = "alice";
  h.subuid_text = "bob:100000:65536\nalice:165536:65536\n";
  h.subgid_text = "1000:165536:65536\n";  // by uid counts too
  h.newuidmap = "/usr/bin/newuidmap";
  h.newgidmap = "/usr/bin/newgidmap";
  h.newuidmap_privileged = h.newgidmap_privileged = true;
  return h;
}
std::string all(const std::vector<std::string>& v) { return join(v, "\n"); }
}  // namespace

BOOST_AUTO_TEST_CASE(a_ready_host_and_root_have_no_problems) {
  BOOST_CHECK(rootless_problems(ready(), false).empty());
  RootlessHost root;
  BOOST_CHECK(rootless_problems(root, false).empty());
}

BOOST_AUTO_TEST_CASE(missing_ranges_are_named_with_the_usermod_fix) {
  auto h = ready();
  h.subuid_text = "bob:100000:65536\n";
  h.subgid_text = "alice:165536:1000\n";
  auto p = rootless_problems(h, false);
  BOOST_TEST_MESSAGE(all(p));
  BOOST_REQUIRE_EQUAL(p.size(), 2u);
  BOOST_CHECK(p[0].find("/etc/subuid gives alice no range") != std::string::npos);
  BOOST_CHECK(p[0].find("usermod --add-subuids 100000-165535 alice") != std::string::npos);
  BOOST_CHECK(p[1].find("/etc/subgid gives alice only 1000 ids") != std::string::npos);
  BOOST_CHECK(p[1].find("--add-subgids") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_or_unprivileged_helpers_name_the_package_of_the_host) {
  auto h = ready();
  h.newuidmap.clear();
  h.newuidmap_privileged = false;
  h.newgidmap_privileged = false;
  auto deb = rootless_problems(h, false);
  BOOST_REQUIRE_EQUAL(deb.size(), 2u);
  BOOST_CHECK(deb[0].find("newuidmap is not installed") != std::string::npos);
  BOOST_CHECK(deb[0].find("apt-get install uidmap") != std::string::npos);
  BOOST_CHECK(deb[1].find("/usr/bin/newgidmap is neither setuid root") != std::string::npos);
  auto fed = rootless_problems(h, true);
  BOOST_CHECK(fed[0].find("dnf install shadow-utils") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_host_is_read_from_the_etc_folder_given) {
  TempDir d("harness-test");
  write_file(d.path() / "subuid", "x:1:2\n");
  auto h = read_rootless_host(d.path());
  BOOST_CHECK_EQUAL(h.subuid_text, "x:1:2\n");
  BOOST_CHECK(h.subgid_text.empty());  // no file: no ranges
}
