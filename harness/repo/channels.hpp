// Which repositories a channel consists of.
#pragma once
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
// sid has no -updates/-security. Fedora: fedora + updates (+ updates-testing for testing).
std::vector<RepoRef> channel_repos(const CandidateSpec& spec, const Mirrors& mirrors);

// sources.list lines for an apt inside a Debian testbed of this channel.
std::vector<std::string> debian_apt_sources(const CandidateSpec& spec, const Mirrors& mirrors);

}  // namespace harness
