// Which repositories a channel consists of.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"
#include "harness/plan/config.hpp"

namespace harness {

struct RepoRef {
  std::string id;         // "bookworm-updates", "updates-testing"
  std::string base_url;   // archive root (Debian) or baseurl (Fedora, may be empty with a metalink)
  std::string suite;      // Debian suite / Fedora repo name
  std::string component;  // "main" (Debian)
};

// stable: the release + -updates + -security; proposed-updates adds <release>-proposed-updates.
// sid has no -updates/-security. Fedora: fedora + updates (+ updates-testing for testing); rawhide
// is the one repository `rawhide`.
std::vector<RepoRef> channel_repos(const CandidateSpec& spec, const Mirrors& mirrors);

// Where dnf finds one Fedora repository (fedora, updates, updates-testing, rawhide) for the
// architecture fedora_arch(mirrors) names: a baseurl under --fedora-baseurl laid out like the mirror
// tree (releases/N/Everything/ARCH/os/, updates/N/Everything/ARCH/, updates/testing/N/Everything/ARCH/,
// development/rawhide/Everything/ARCH/os/), else the metalink (repo=fedora-N, updates-released-fN,
// updates-testing-fN, rawhide; arch=ARCH).
struct FedoraRepoLocation {
  std::string baseurl;   // ends in '/'
  std::string metalink;  // when baseurl is empty
};
FedoraRepoLocation fedora_repo_location(const std::string& release, const std::string& repo_id, const Mirrors& mirrors);

// The keys a Fedora testbed checks packages against: --fedora-gpg-key files, else Fedora's own key
// for the release as Debian's distribution-gpg-keys ships it (under `keys_dir`). Throws UsageError
// naming both when there is none: a testbed never installs unchecked packages.
std::vector<std::filesystem::path> fedora_gpg_keys(
    const std::string& release, const Mirrors& mirrors,
    const std::filesystem::path& keys_dir = "/usr/share/distribution-gpg-keys/fedora");
// The name each key has inside a testbed (/etc/pki/rpm-gpg/NAME), by position.
std::string fedora_testbed_key_name(std::size_t index);

// The .repo file (as lines) a Fedora testbed of this channel installs from: the repositories the
// resolution used, updates-testing only for testing, gpgcheck=1 against `key_count` keys,
// skip_if_unavailable=False (a repository that does not answer fails the build, never falls back).
std::vector<std::string> fedora_repo_lines(const CandidateSpec& spec, const Mirrors& mirrors, std::size_t key_count);

// A Copr project's signing key, beside its chroots: {repo_url}/pubkey.gpg, where the chroot's
// repository (spec.copr_baseurl) is {repo_url}/{chroot}/.
std::string copr_project_key_url(const CandidateSpec& spec);

// What ImageRequest::sources holds for a testbed of this channel: Debian's sources.list lines, or
// Fedora's .repo lines (with the keys fedora_gpg_keys finds).
std::vector<std::string> testbed_sources(const CandidateSpec& spec, const Mirrors& mirrors);

// sources.list lines for an apt inside a Debian testbed of this channel.
std::vector<std::string> debian_apt_sources(const CandidateSpec& spec, const Mirrors& mirrors);

}  // namespace harness
