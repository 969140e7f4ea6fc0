// Where distributions are fetched from. The Debian archives have no built-in default: cli/ takes
// them from the host's apt sources (see apt_sources.hpp) unless a flag names them.
#pragma once
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"

namespace harness {

// Fedora's build and update services (repo/fedora_candidates.hpp); defaults are the public instances.
struct FedoraServices {
  std::string koji_hub = "https://koji.fedoraproject.org/kojihub";    // XML-RPC
  std::string koji_topurl = "https://kojipkgs.fedoraproject.org/";      // packages/, work/
  std::string bodhi_url = "https://bodhi.fedoraproject.org/";           // REST, JSON
  std::string copr_url = "https://copr.fedorainfracloud.org/";          // frontend, API v3
  int timeout_seconds = 60;  // every API call ends within this; downloads end when they stall
};

struct Mirrors {
  std::string debian;                  // archive root, e.g. what `URIs:` says in the host's debian.sources
  std::string debian_security;         // the security archive root
  std::string debian_origin;           // where `debian` came from ("--debian-mirror", "apt sources FILE:LINE"),
  std::string debian_security_origin;  //   or, when it is empty, what was searched
  // Fedora: a metalink (preferred, verifies repomd.xml) or a baseurl; and the base image.
  std::string fedora_metalink = "https://mirrors.fedoraproject.org/metalink";
  std::string fedora_baseurl;  // e.g. https://dl.fedoraproject.org/pub/fedora/linux
  std::string fedora_image = "registry.fedoraproject.org/fedora";
  // Public keys (files on this host) that sign the Fedora repositories' packages; testbeds check
  // every package against them. Empty: Fedora's own key for the release from Debian's
  // distribution-gpg-keys package (repo/channels.hpp: fedora_gpg_keys).
  std::vector<std::string> fedora_gpg_keys;
  FedoraServices fedora_services;
  // The architecture Fedora packages are chosen for (mirror paths, metalink arch=, libsolv's pool,
  // Koji RPMs, Copr chroots): --arch, empty for the host's (fedora_arch() below).
  std::string fedora_arch;
};

// Fedora's name for the architecture of uname's machine field: x86_64, aarch64 ("arm64" as some
// kernels and macOS say); "" for one the harness does not run Fedora on.
std::string fedora_arch_of_machine(const std::string& machine);
// The host's (uname(2)) as fedora_arch_of_machine maps it; "" when unknown.
std::string host_fedora_arch();
// mirrors.fedora_arch, else the host's. Throws UsageError naming the value and --arch when it is not
// x86_64 or aarch64.
std::string fedora_arch(const Mirrors& mirrors);

// Throws UsageError, naming --debian-mirror / --debian-security-mirror and what was searched, when
// `what` (a spec or a release) needs an archive the host's configuration does not name.
void require_debian_archives(const Mirrors& mirrors, const std::string& what, bool needs_security);
// The same for a spec (a local one: its base); Fedora specs need none of them.
void require_debian_archives(const Mirrors& mirrors, const CandidateSpec& spec);

}  // namespace harness
