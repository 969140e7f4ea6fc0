#include "harness/repo/channels.hpp"

#include "harness/common/error.hpp"

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
  } else if (spec.release == "rawhide") {
    // Rawhide is one repository (Fedora's own rawhide.repo calls it [rawhide]): builds land in it as
    // they pass their gates; there is no updates or updates-testing (parse_candidate_spec refuses
    // fedora:rawhide:testing).
    repos.push_back({"rawhide", m.fedora_baseurl, "rawhide", ""});
  } else {
    repos.push_back({"fedora", m.fedora_baseurl, "fedora", ""});
    repos.push_back({"updates", m.fedora_baseurl, "updates", ""});
    if (spec.channel == "testing") repos.push_back({"updates-testing", m.fedora_baseurl, "updates-testing", ""});
    // A Copr project's chroot repository, layered on the release's (its URL comes from the Copr API).
    if (spec.origin == Origin::copr && !spec.copr_baseurl.empty())
      repos.push_back({"copr:" + spec.copr_owner + "/" + spec.copr_project, spec.copr_baseurl, "copr", ""});
  }
  return repos;
}

FedoraRepoLocation fedora_repo_location(const std::string& rel, const std::string& repo_id, const Mirrors& m) {
  const std::string arch = fedora_arch(m);
  FedoraRepoLocation loc;
  if (repo_id != "fedora" && repo_id != "updates" && repo_id != "updates-testing" && repo_id != "rawhide")
    throw UsageError("no Fedora repository '" + repo_id + "' (fedora, updates, updates-testing, rawhide)");
  if (!m.fedora_baseurl.empty()) {
    // The layout of the Fedora mirror tree (pub/fedora/linux/ on dl.fedoraproject.org).
    std::string path = repo_id == "rawhide"   ? "development/rawhide/Everything/" + arch + "/os/"
                       : repo_id == "fedora"  ? "releases/" + rel + "/Everything/" + arch + "/os/"
                       : repo_id == "updates" ? "updates/" + rel + "/Everything/" + arch + "/"
                                              : "updates/testing/" + rel + "/Everything/" + arch + "/";
    loc.baseurl = m.fedora_baseurl;
    if (loc.baseurl.back() != '/') loc.baseurl += '/';
    loc.baseurl += path;
  } else {
    // MirrorManager's repository names, as Fedora's own .repo files ask for them.
    std::string mm = repo_id == "rawhide"   ? "rawhide"
                     : repo_id == "fedora"  ? "fedora-" + rel
                     : repo_id == "updates" ? "updates-released-f" + rel
                                            : "updates-testing-f" + rel;
    loc.metalink = m.fedora_metalink + "?repo=" + mm + "&arch=" + arch;
  }
  return loc;
}

std::vector<std::filesystem::path> fedora_gpg_keys(const std::string& release, const Mirrors& m,
                                                   const std::filesystem::path& keys_dir) {
  std::vector<std::filesystem::path> keys;
  std::error_code ec;
  for (const auto& k : m.fedora_gpg_keys) {
    if (!std::filesystem::is_regular_file(k, ec))
      throw UsageError("--fedora-gpg-key " + k + ": no such file (give the public key that signs the repositories' packages)");
    keys.push_back(std::filesystem::absolute(k));
  }
  if (!keys.empty()) return keys;
  auto own = keys_dir / ("RPM-GPG-KEY-fedora-" + release + "-primary");
  if (std::filesystem::is_regular_file(own, ec)) return {own};
  throw UsageError("no key to check Fedora " + release + "'s packages against: " + own.string() +
                   " is missing. Install Debian's distribution-gpg-keys package (it ships Fedora's keys), or give "
                   "the repositories' signing key with --fedora-gpg-key FILE");
}

std::string fedora_testbed_key_name(std::size_t index) { return "RPM-GPG-KEY-harness-" + std::to_string(index + 1); }

std::vector<std::string> fedora_repo_lines(const CandidateSpec& spec, const Mirrors& m, std::size_t key_count) {
  std::string keys;
  for (std::size_t i = 0; i < key_count; ++i)
    keys += (i ? " " : "") + std::string("file:///etc/pki/rpm-gpg/") + fedora_testbed_key_name(i);
  if (keys.empty()) throw UsageError("a Fedora testbed needs at least one key to check packages against");
  std::vector<std::string> lines;
  for (const auto& r : channel_repos(spec, m)) {
    // The release's repositories are checked against its keys; a Copr chroot against the project's
    // own key, which dnf fetches from the URL the Copr API led to (as `dnf copr enable` sets it up).
    std::string id = r.id, name = r.id + " " + spec.release, source, gpgkey = keys;
    if (r.suite == "copr") {
      id = "copr-" + spec.copr_owner.substr(spec.copr_owner.starts_with("@") ? 1 : 0) + "-" + spec.copr_project;
      name = "Copr " + spec.copr_owner + "/" + spec.copr_project + " " + spec.copr_chroot;
      source = "baseurl=" + r.base_url;
      gpgkey = copr_project_key_url(spec);
    } else {
      auto loc = fedora_repo_location(spec.release, r.id, m);
      source = loc.baseurl.empty() ? "metalink=" + loc.metalink : "baseurl=" + loc.baseurl;
    }
    if (!lines.empty()) lines.push_back("");
    lines.insert(lines.end(), {"[" + id + "]", "name=" + name + " (harness)", source, "enabled=1", "gpgcheck=1",
                               "gpgkey=" + gpgkey, "skip_if_unavailable=False"});
  }
  return lines;
}

std::string copr_project_key_url(const CandidateSpec& spec) {
  std::string base = spec.copr_baseurl;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto slash = base.rfind('/');
  if (spec.origin != Origin::copr || slash == std::string::npos)
    throw UsageError("candidate spec '" + spec.text + "': no Copr chroot repository known yet (ask the Copr API first)");
  return base.substr(0, slash + 1) + "pubkey.gpg";
}

std::vector<std::string> testbed_sources(const CandidateSpec& spec, const Mirrors& m) {
  if (spec.family == Family::debian) return debian_apt_sources(spec, m);
  return fedora_repo_lines(spec, m, fedora_gpg_keys(spec.release, m).size());
}

std::vector<std::string> debian_apt_sources(const CandidateSpec& spec, const Mirrors& mirrors) {
  std::vector<std::string> lines;
  for (const auto& r : channel_repos(spec, mirrors))
    lines.push_back("deb " + r.base_url + " " + r.suite + " " + r.component);
  return lines;
}

}  // namespace harness
