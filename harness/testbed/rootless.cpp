#include "harness/testbed/rootless.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <tuple>

#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

namespace harness {
namespace {

constexpr unsigned long kWantedIds = 65536;  // an image's uids and gids 0..65535 must all map

// Ids the user owns in a subuid/subgid file; entries name the user or its uid ("alice:100000:65536").
unsigned long ids_for(const std::string& text, const RootlessHost& h) {
  unsigned long total = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto c1 = line.find(':'), c2 = line.find(':', c1 == std::string::npos ? c1 : c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) continue;
    auto who = line.substr(0, c1);
    if (who != h.user && who != std::to_string(h.uid)) continue;
    try {
      total += std::stoul(line.substr(c2 + 1));
    } catch (const std::exception&) {
    }
  }
  return total;
}

bool privileged(const std::filesystem::path& p) {
  struct stat st {};
  if (p.empty() || ::stat(p.c_str(), &st) != 0) return false;
  if ((st.st_mode & S_ISUID) && st.st_uid == 0) return true;
  return ::getxattr(p.c_str(), "security.capability", nullptr, 0) > 0;  // Fedora ships them with file caps
}

std::string read_or_empty(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) ? read_file(p) : std::string();
}

// A /proc/sys value ("1\n"); nullopt when the file is missing or holds no number.
std::optional<long> sysctl_value(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return std::nullopt;
  try {
    return std::stol(read_or_empty(p));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// cgroup v2 mounts one hierarchy at /sys/fs/cgroup, whose root has cgroup.controllers; v1 and hybrid
// mount a tmpfs of per-controller folders there (hybrid's v2 part is under unified/).
bool is_cgroup_v2(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / "cgroup.controllers", ec);
}
}  // namespace

RootlessHost read_rootless_host(const RootlessPaths& paths) {
  RootlessHost h;
  h.uid = ::getuid();
  if (const passwd* pw = ::getpwuid(h.uid)) h.user = pw->pw_name;
  h.subuid_text = read_or_empty(paths.etc / "subuid");
  h.subgid_text = read_or_empty(paths.etc / "subgid");
  h.newuidmap = find_program("newuidmap");
  h.newgidmap = find_program("newgidmap");
  h.newuidmap_privileged = privileged(h.newuidmap);
  h.newgidmap_privileged = privileged(h.newgidmap);
  h.unprivileged_userns_clone = sysctl_value(paths.proc_sys / "kernel" / "unprivileged_userns_clone");
  h.max_user_namespaces = sysctl_value(paths.proc_sys / "user" / "max_user_namespaces");
  h.slirp4netns = find_program("slirp4netns");
  h.pasta = find_program("pasta");
  h.tun_usable = ::access(paths.tun.c_str(), R_OK | W_OK) == 0;
  h.cgroup_v2 = is_cgroup_v2(paths.cgroup);
  return h;
}

std::string rootless_storage_driver() {
  if (find_program("podman").empty()) return {};
  auto r = run_process({"podman", "info", "--format", "{{.Store.GraphDriverName}}"}, {.timeout = std::chrono::seconds(60)});
  if (!r.ok()) return {};
  auto out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out.find('\n') == std::string::npos ? out : std::string();
}

std::vector<std::string> rootless_problems(const RootlessHost& h, bool dnf_host) {
  std::vector<std::string> out;
  if (h.uid == 0) return out;
  const std::string who = h.user.empty() ? std::to_string(h.uid) : h.user;
  const std::string pkg = dnf_host ? "dnf install shadow-utils" : "apt-get install uidmap";
  for (const auto& [file, text, flag] : {std::tuple{"/etc/subuid", &h.subuid_text, "--add-subuids"},
                                         std::tuple{"/etc/subgid", &h.subgid_text, "--add-subgids"}}) {
    auto n = ids_for(*text, h);
    if (n >= kWantedIds) continue;
    out.push_back(std::string(file) + " gives " + who + " " + (n ? "only " + std::to_string(n) + " ids" : "no range") +
                  "; rootless podman needs " + std::to_string(kWantedIds) + ": as root run `usermod " + flag +
                  " 100000-165535 " + who + "` (a range no other user has), then `podman system migrate`");
  }
  for (const auto& [name, path, priv] : {std::tuple{"newuidmap", &h.newuidmap, h.newuidmap_privileged},
                                         std::tuple{"newgidmap", &h.newgidmap, h.newgidmap_privileged}}) {
    if (path->empty())
      out.push_back(std::string(name) + " is not installed; rootless podman maps ids with it: " + pkg);
    else if (!priv)
      out.push_back(path->string() + " is neither setuid root nor has file capabilities, so it cannot map ids; "
                    "reinstall it (" + pkg + ")");
  }
  // Debian kernels gate user namespaces for normal users behind their own switch.
  if (h.unprivileged_userns_clone && *h.unprivileged_userns_clone == 0)
    out.push_back("kernel.unprivileged_userns_clone is 0, so a normal user cannot create the user namespace rootless "
                  "podman runs in: as root `sysctl -w kernel.unprivileged_userns_clone=1` (and "
                  "`echo kernel.unprivileged_userns_clone=1 > /etc/sysctl.d/90-rootless.conf` to keep it)");
  if (h.max_user_namespaces && *h.max_user_namespaces < 16)
    out.push_back("user.max_user_namespaces is " + std::to_string(*h.max_user_namespaces) +
                  ", too few for rootless podman (one namespace per user session, more while building): as root "
                  "`sysctl -w user.max_user_namespaces=15000` (and the same line in /etc/sysctl.d/90-rootless.conf)");
  if (h.slirp4netns.empty() && h.pasta.empty())
    out.push_back(std::string("neither slirp4netns nor pasta is installed, so rootless containers get no network (the "
                              "testbeds install packages and publish ports): ") +
                  (dnf_host ? "dnf install slirp4netns passt" : "apt-get install slirp4netns"));
  else if (!h.tun_usable)
    out.push_back("/dev/net/tun does not open for " + who + ", so " + (h.slirp4netns.empty() ? "pasta" : "slirp4netns") +
                  " cannot give rootless containers a network (testbeds that publish ports, like starttls's, fail to "
                  "start; exiqgrep's need none): as root `chmod 0666 /dev/net/tun`, the mode udev gives it (a host "
                  "without udev leaves 0600; a udev rule or tmpfiles.d line `z /dev/net/tun 0666 - - -` keeps it)");
  return out;
}

std::vector<std::string> rootless_notes(const RootlessHost& h) {
  std::vector<std::string> out;
  if (h.uid == 0) return out;
  if (h.storage_driver == "vfs")
    out.push_back("podman stores images with the vfs driver: every layer is a full copy (slow builds, several GB per "
                  "testbed image); with a kernel >= 5.13 write `[storage]` `driver = \"overlay\"` into "
                  "~/.config/containers/storage.conf (older kernels: install fuse-overlayfs), then `podman system reset` "
                  "(removes this user's images)");
  if (!h.cgroup_v2)
    out.push_back("cgroup v1: rootless podman can set no resource limits (memory, pids, cpu); the harness sets none, "
                  "so testbeds run, but a runaway test is bounded only by the ulimits. cgroup v2 "
                  "(systemd.unified_cgroup_hierarchy=1 on the kernel command line) lifts this");
  out.push_back("Debian base images are made by debootstrap, which needs root (device nodes; a user namespace refuses "
                "them): for Debian streams build the base once as root and copy it, `sudo podman save "
                "localhost/harness/debian-base:RELEASE | podman load`; Fedora streams pull their base");
  return out;
}

}  // namespace harness
