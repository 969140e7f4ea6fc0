// Metadata downloads over libcurl with a cache: index files (InRelease, repomd.xml, metalink) are
// cached by URL and revalidated with ETag/If-Modified-Since; data files (Packages.xz, primary.xml.zst)
// are stored by their expected SHA-256 and re-verified on every use.
#pragma once
#include <chrono>
#include <filesystem>
#include <string>

namespace harness {

struct DownloadOptions {
  std::filesystem::path cache_dir;
  bool offline = false;
  std::chrono::seconds timeout{60};          // whole transfer
  std::chrono::seconds connect_timeout{15};
  int attempts = 3;                          // transient failures (connect, 5xx) are retried
};

class Downloader {
 public:
  explicit Downloader(DownloadOptions options);

  // An index file, revalidated against the server (or the cached copy when offline).
  // Throws InfraError naming the URL on failure; `missing_ok` returns "" for a 404 instead.
  std::filesystem::path fetch_index(const std::string& url, bool missing_ok = false);

  // A data file whose SHA-256 (and size, unless -1) is known from signed metadata, cached as
  // by-hash/<sha256>-<name> (`name` keeps the suffix that picks the decompressor). A cached copy that
  // does not match is refused (InfraError naming the URL, the file and both hashes), never used.
  std::filesystem::path fetch_verified(const std::string& url, const std::string& sha256, long long size,
                                       const std::string& name);

  const DownloadOptions& options() const { return options_; }

 private:
  DownloadOptions options_;
};

// Throws InfraError "checksum mismatch" naming what, the URL and both hashes unless the file matches.
void verify_file(const std::filesystem::path& file, const std::string& url, const std::string& sha256,
                 long long size);

}  // namespace harness
