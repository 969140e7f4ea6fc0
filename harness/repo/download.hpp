// Metadata downloads over libcurl with a cache: index files (InRelease, repomd.xml, metalink) are
// cached by URL and revalidated with ETag/If-Modified-Since; data files (Packages.xz, primary.xml.zst)
// are stored by their expected SHA-256 and re-verified on every use. Nothing enters the cache before
// it verified, and a cached copy that fails verification is dropped and fetched again once, so a
// mirror that served bad data once does not poison later runs.
#pragma once
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace harness {

struct DownloadOptions {
  std::filesystem::path cache_dir;
  bool offline = false;
  std::chrono::seconds connect_timeout{10};
  // A transfer slower than low_speed_limit bytes/s for low_speed_time (waiting for the first byte
  // included) is a stalled mirror: the attempt ends, with a warning naming the URL. No total limit,
  // so a large file on a slow but moving line still arrives.
  long low_speed_limit = 1024;
  std::chrono::seconds low_speed_time{5};
  int attempts = 3;                          // transient failures (connect, stall, 5xx) are retried
};

// Checks a downloaded index file (signature, hash against a metalink, parse); throws InfraError
// when the file must not be used.
using IndexCheck = std::function<void(const std::filesystem::path& file)>;

class Downloader {
 public:
  explicit Downloader(DownloadOptions options);

  // An index file, revalidated against the server (or the cached copy when offline). `check` runs on
  // a fresh download before it is stored (a failure stores nothing) and on the cached copy when the
  // server answers 304 or offline; a cached copy that fails is dropped and fetched unconditionally
  // once. Throws InfraError naming the URL on failure; `missing_ok` returns "" for a 404 instead.
  std::filesystem::path fetch_index(const std::string& url, bool missing_ok = false, const IndexCheck& check = {});

  // A data file whose SHA-256 (and size, unless -1) is known from signed metadata, cached as
  // by-hash/<sha256>-<name> (`name` keeps the suffix that picks the decompressor). A cached copy that
  // does not match is never used: online it is dropped (with a warning) and downloaded again;
  // offline it is refused (InfraError naming the URL, the file and both hashes).
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
