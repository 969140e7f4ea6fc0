// What `harness doctor` tells a normal user that rootless podman lacks: subordinate id ranges,
// privileged newuidmap/newgidmap, user namespaces (sysctls), a user-mode network, each with its fix;
// notes for vfs storage and cgroup v1; nothing for root or a ready host. The host is read from
// folders the tests fill (/etc, /proc/sys, /sys/fs/cgroup).
#define BOOST_TEST_MODULE rootless
#include <boost/test/unit_test.hpp>

#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/testbed/rootless.hpp"

using namespace harness;
namespace fs = std::filesystem;

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
  h.unprivileged_userns_clone = 1;
  h.max_user_namespaces = 63704;
  h.slirp4netns = "/usr/bin/slirp4netns";
  h.storage_driver = "overlay";
  return h;
}
std::string all(const std::vector<std::string>& v) { return join(v, "\n"); }
}  // namespace

BOOST_AUTO_TEST_CASE(a_ready_host_and_root_have_no_problems) {
  BOOST_CHECK(rootless_problems(ready(), false).empty());
  BOOST_REQUIRE_EQUAL(rootless_notes(ready()).size(), 1u);  // debootstrap needs root, always said
  BOOST_CHECK(rootless_notes(ready())[0].find("sudo podman save localhost/harness/debian-base:RELEASE | podman load") !=
              std::string::npos);
  RootlessHost root;
  root.cgroup_v2 = false;
  root.storage_driver = "vfs";
  BOOST_CHECK(rootless_problems(root, false).empty());
  BOOST_CHECK(rootless_notes(root).empty());
  // A mainline kernel has no unprivileged_userns_clone switch; pasta serves as well as slirp4netns.
  auto h = ready();
  h.unprivileged_userns_clone.reset();
  h.slirp4netns.clear();
  h.pasta = "/usr/bin/pasta";
  BOOST_CHECK(rootless_problems(h, false).empty());
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

BOOST_AUTO_TEST_CASE(user_namespaces_the_kernel_refuses_are_named_with_the_sysctl) {
  auto h = ready();
  h.unprivileged_userns_clone = 0;
  h.max_user_namespaces = 0;
  auto p = rootless_problems(h, false);
  BOOST_TEST_MESSAGE(all(p));
  BOOST_REQUIRE_EQUAL(p.size(), 2u);
  BOOST_CHECK(p[0].find("kernel.unprivileged_userns_clone is 0") != std::string::npos);
  BOOST_CHECK(p[0].find("sysctl -w kernel.unprivileged_userns_clone=1") != std::string::npos);
  BOOST_CHECK(p[1].find("user.max_user_namespaces is 0") != std::string::npos);
  BOOST_CHECK(p[1].find("sysctl -w user.max_user_namespaces=15000") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_user_mode_network_names_the_package_of_the_host) {
  auto h = ready();
  h.slirp4netns.clear();
  auto deb = rootless_problems(h, false);
  BOOST_REQUIRE_EQUAL(deb.size(), 1u);
  BOOST_CHECK(deb[0].find("neither slirp4netns nor pasta") != std::string::npos);
  BOOST_CHECK(deb[0].find("apt-get install slirp4netns") != std::string::npos);
  BOOST_CHECK(rootless_problems(h, true)[0].find("dnf install slirp4netns") != std::string::npos);
  // Installed, but the tun device is root's alone (a host without udev).
  h = ready();
  h.tun_usable = false;
  auto tun = rootless_problems(h, false);
  BOOST_REQUIRE_EQUAL(tun.size(), 1u);
  BOOST_CHECK(tun[0].find("/dev/net/tun does not open for alice, so slirp4netns cannot") != std::string::npos);
  BOOST_CHECK(tun[0].find("chmod 0666 /dev/net/tun") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(vfs_storage_and_cgroup_v1_are_notes_with_what_to_do) {
  auto h = ready();
  h.storage_driver = "vfs";
  h.cgroup_v2 = false;
  BOOST_CHECK(rootless_problems(h, false).empty());  // slow or unbounded, but testbeds run
  auto n = rootless_notes(h);
  BOOST_TEST_MESSAGE(all(n));
  BOOST_REQUIRE_EQUAL(n.size(), 3u);
  BOOST_CHECK(n[0].find("vfs driver") != std::string::npos);
  BOOST_CHECK(n[0].find("driver = \"overlay\"") != std::string::npos);
  BOOST_CHECK(n[0].find("~/.config/containers/storage.conf") != std::string::npos);
  BOOST_CHECK(n[1].find("cgroup v1") != std::string::npos);
  BOOST_CHECK(n[1].find("systemd.unified_cgroup_hierarchy=1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_host_is_read_from_the_folders_given) {
  TempDir d("harness-test");
  fs::create_directories(d.path() / "etc");
  fs::create_directories(d.path() / "sys" / "kernel");
  fs::create_directories(d.path() / "sys" / "user");
  fs::create_directories(d.path() / "cgroup" / "memory");  // v1: a tmpfs of controllers
  write_file(d.path() / "etc" / "subuid", "x:1:2\n");
  write_file(d.path() / "sys" / "kernel" / "unprivileged_userns_clone", "0\n");
  write_file(d.path() / "sys" / "user" / "max_user_namespaces", "96367\n");
  auto h = read_rootless_host({.etc = d.path() / "etc", .proc_sys = d.path() / "sys", .cgroup = d.path() / "cgroup",
                              .tun = d.path() / "tun"});
  BOOST_CHECK_EQUAL(h.subuid_text, "x:1:2\n");
  BOOST_CHECK(h.subgid_text.empty());  // no file: no ranges
  BOOST_CHECK(h.unprivileged_userns_clone == 0L);
  BOOST_CHECK(h.max_user_namespaces == 96367L);
  BOOST_CHECK(!h.cgroup_v2);
  BOOST_CHECK(h.storage_driver.empty());  // only doctor asks podman
  BOOST_CHECK(!h.tun_usable);               // no such device in the folder
  // A mainline kernel: no Debian switch. cgroup v2: cgroup.controllers at the root.
  fs::remove(d.path() / "sys" / "kernel" / "unprivileged_userns_clone");
  write_file(d.path() / "cgroup" / "cgroup.controllers", "cpu memory pids\n");
  write_file(d.path() / "tun", "");
  h = read_rootless_host({.etc = d.path() / "etc", .proc_sys = d.path() / "sys", .cgroup = d.path() / "cgroup",
                          .tun = d.path() / "tun"});
  BOOST_CHECK(h.tun_usable);
  BOOST_CHECK(!h.unprivileged_userns_clone);
  BOOST_CHECK(h.cgroup_v2);
}
