#include "harness/testbed/rootless.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

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
}  // namespace

RootlessHost read_rootless_host(const std::filesystem::path& etc_dir) {
  RootlessHost h;
  h.uid = ::getuid();
  if (const passwd* pw = ::getpwuid(h.uid)) h.user = pw->pw_name;
  h.subuid_text = read_or_empty(etc_dir / "subuid");
  h.subgid_text = read_or_empty(etc_dir / "subgid");
  h.newuidmap = find_program("newuidmap");
  h.newgidmap = find_program("newgidmap");
  h.newuidmap_privileged = privileged(h.newuidmap);
  h.newgidmap_privileged = privileged(h.newgidmap);
  return h;
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
  return out;
}

}  // namespace harness
