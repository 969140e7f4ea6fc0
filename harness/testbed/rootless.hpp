// What rootless podman needs from a host, and what this one lacks: a subordinate uid and gid range
// for the user (/etc/subuid, /etc/subgid; 65536 ids so an image's users map), the setuid helpers
// newuidmap/newgidmap (Debian's `uidmap`, Fedora's `shadow-utils`), user namespaces the kernel lets a
// normal user create (kernel.unprivileged_userns_clone on Debian kernels, user.max_user_namespaces),
// and a user-mode network (slirp4netns or pasta, both through /dev/net/tun, which the user must be able to
// open: hosts without udev leave it 0600). Also what works but costs: the vfs storage driver
// (every layer a full copy) and cgroup v1 (no resource limits for rootless containers).
// `harness doctor` prints the fixes. Everything is read into RootlessHost first, so the judgement
// (rootless_problems, rootless_notes) is tested with made-up hosts.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace harness {

struct RootlessHost {
  unsigned uid = 0;
  std::string user;         // login name of uid (empty when unknown)
  std::string subuid_text;  // contents of /etc/subuid (empty when the file is missing)
  std::string subgid_text;
  std::filesystem::path newuidmap, newgidmap;  // empty: not found on PATH
  bool newuidmap_privileged = false;           // setuid root or file capabilities
  bool newgidmap_privileged = false;
  // The sysctls, nullopt when the kernel has no such file (mainline kernels lack the Debian switch).
  std::optional<long> unprivileged_userns_clone;  // kernel.unprivileged_userns_clone
  std::optional<long> max_user_namespaces;        // user.max_user_namespaces
  std::filesystem::path slirp4netns, pasta;       // the user-mode networks podman can use
  bool tun_usable = true;                         // /dev/net/tun opens for reading and writing
  bool cgroup_v2 = true;                          // /sys/fs/cgroup is cgroup2fs (unified)
  std::string storage_driver;                     // podman info's graph driver; empty: not asked
};

// Where read_rootless_host looks (tests point them at temporary folders).
struct RootlessPaths {
  std::filesystem::path etc = "/etc";
  std::filesystem::path proc_sys = "/proc/sys";
  std::filesystem::path cgroup = "/sys/fs/cgroup";
  std::filesystem::path tun = "/dev/net/tun";
};

// The calling user's view of the host; storage_driver is left empty (rootless_storage_driver asks).
RootlessHost read_rootless_host(const RootlessPaths& paths = {});
// The graph driver podman uses for the calling user ("overlay", "vfs"), empty when podman cannot say.
std::string rootless_storage_driver();

// One line per thing the host lacks, each naming the fix; empty for root or a ready host.
// dnf_host: name Fedora's packages (shadow-utils) instead of Debian's (uidmap).
std::vector<std::string> rootless_problems(const RootlessHost& host, bool dnf_host);
// What works but is slow or limited (vfs storage, cgroup v1) and what needs root (the Debian base's
// debootstrap), each with what to do; empty for root.
std::vector<std::string> rootless_notes(const RootlessHost& host);

}  // namespace harness
