// What rootless podman needs from a host, and what this one lacks: a subordinate uid and gid range
// for the user (/etc/subuid, /etc/subgid; 65536 ids so an image's users map) and the setuid helpers
// newuidmap/newgidmap (Debian's `uidmap`, Fedora's `shadow-utils`). `harness doctor` prints the fixes.
#pragma once
#include <filesystem>
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
};

// The calling user's view of the host (etc_dir: /etc, a temporary folder in tests).
RootlessHost read_rootless_host(const std::filesystem::path& etc_dir = "/etc");

// One line per thing the host lacks, each naming the fix; empty for root or a ready host.
// dnf_host: name Fedora's package (shadow-utils) instead of Debian's (uidmap).
std::vector<std::string> rootless_problems(const RootlessHost& host, bool dnf_host);

}  // namespace harness
