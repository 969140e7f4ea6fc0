// Candidate resolution: real repository metadata, verified, resolved with libsolv.
// spec + watched packages -> exact versions per package (PackageSet) + the install transaction.
#pragma once
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/plan/candidate_spec.hpp"
#include "harness/plan/config.hpp"
#include "harness/repo/package_set.hpp"

namespace harness {

struct ResolveOptions {
  std::filesystem::path cache_dir;          // metadata cache (the CLI passes $XDG_CACHE_HOME/harness/metadata)
  Mirrors mirrors;                          // harness/plan/config.hpp
  bool offline = false;                     // use only the cache; a miss is an error naming the URL
  bool allow_expired_metadata = false;      // accept Valid-Until in the past (refused by default, clear message)
  std::chrono::seconds timeout{60};         // per gpgv run (downloads end by a low-speed limit, download.hpp)
  // Keys that sign Debian's InRelease files (gpgv --keyring).
  std::filesystem::path debian_keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
};

struct Resolution {
  CandidateSpec spec;
  PackageSet packages;                      // one entry per watched binary (src:NAME expands to its binaries), with
                                            // exact version, repo it came from, advisory and bug refs where known
  std::vector<std::string> transaction;     // libsolv transaction for installing them into the base:
                                            // "install libssl3 3.0.15-1~deb12u1", ...
};

// packages: binary names or src:NAME. Throws UsageError (unknown package: names it and the spec),
// InfraError (mirror down, bad signature, checksum mismatch naming the URL and both hashes).
Resolution resolve(const CandidateSpec& spec, const std::vector<std::string>& packages, const ResolveOptions& options);

// Version order of the family (dpkg for Debian, rpmvercmp for Fedora): <0, 0, >0.
int compare_evr(Family family, const std::string& a, const std::string& b);

}  // namespace harness
