#include "harness/repo/channels.hpp"

namespace harness {

std::vector<RepoRef> channel_repos(const CandidateSpec& spec, const Mirrors& m) {
  std::vector<RepoRef> repos;
  if (spec.family == Family::debian) {
    const auto& s = spec.release;
    require_debian_archives(m, spec);
    repos.push_back({s, m.debian, s, "main"});
    if (s != "sid") {
      repos.push_back({s + "-updates", m.debian, s + "-updates", "main"});
      repos.push_back({s + "-security", m.debian_security, s + "-security", "main"});
      if (spec.channel == "proposed-updates")
        repos.push_back({s + "-proposed-updates", m.debian, s + "-proposed-updates", "main"});
    }
  } else {
    repos.push_back({"fedora", m.fedora_baseurl, "fedora", ""});
    repos.push_back({"updates", m.fedora_baseurl, "updates", ""});
    if (spec.channel == "testing") repos.push_back({"updates-testing", m.fedora_baseurl, "updates-testing", ""});
  }
  return repos;
}

std::vector<std::string> debian_apt_sources(const CandidateSpec& spec, const Mirrors& mirrors) {
  std::vector<std::string> lines;
  for (const auto& r : channel_repos(spec, mirrors))
    lines.push_back("deb " + r.base_url + " " + r.suite + " " + r.component);
  return lines;
}

}  // namespace harness
