// rpm-md: repomd.xml (which data files, with which checksums) and MirrorManager metalinks.
#pragma once
#include <string>
#include <vector>

namespace harness {

struct RepomdData {
  std::string type;      // primary, updateinfo, filelists, ...
  std::string location;  // href relative to the repository base ("repodata/<hash>-primary.xml.zst")
  std::string sha256;
  long long size = -1;
};

// Throws InfraError naming `origin` on malformed XML or a data entry without a sha256 checksum.
std::vector<RepomdData> parse_repomd(const std::string& xml, const std::string& origin);
const RepomdData* find_repomd(const std::vector<RepomdData>& data, const std::string& type);

// One mirror of a metalink's <resources>: MirrorManager lists the mirrors it picked for the client,
// each as <url protocol="https" type="https" location="DE" preference="100">.../repodata/repomd.xml</url>.
struct MetalinkUrl {
  std::string url;       // of repomd.xml on that mirror
  std::string protocol;  // http or https (others are dropped)
  std::string location;  // country code, for messages
  int preference = 0;    // 0..100, higher first (librepo's range; outside it counts as 0)
};

struct Metalink {
  std::vector<std::string> sha256;  // the current repomd.xml hash and the alternates
  long long size = -1;
  std::vector<MetalinkUrl> urls;    // http(s) mirrors of repomd.xml, highest preference first; ties keep
                                    // MirrorManager's order (it already puts the better mirrors first)
};
// rsync://, ftp:// and other protocols are ignored (the harness fetches over http(s) only). Throws
// InfraError naming `origin` for malformed XML, no sha256 or no http(s) mirror.
Metalink parse_metalink(const std::string& xml, const std::string& origin);

// Throws InfraError naming the URLs and the hashes unless `repomd_sha256` is one the metalink lists.
void check_repomd_against_metalink(const Metalink& m, const std::string& repomd_sha256, const std::string& repomd_url,
                                   const std::string& metalink_url);

}  // namespace harness
