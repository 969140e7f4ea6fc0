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

struct Metalink {
  std::vector<std::string> sha256;  // the current repomd.xml hash and the alternates
  long long size = -1;
  std::vector<std::string> urls;    // http(s) URLs of repomd.xml, by preference
};
Metalink parse_metalink(const std::string& xml, const std::string& origin);

// Throws InfraError naming the URLs and the hashes unless `repomd_sha256` is one the metalink lists.
void check_repomd_against_metalink(const Metalink& m, const std::string& repomd_sha256, const std::string& repomd_url,
                                   const std::string& metalink_url);

}  // namespace harness
