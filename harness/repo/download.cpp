#include "harness/repo/download.hpp"

#include <curl/curl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/log.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"

namespace fs = std::filesystem;

namespace harness {
namespace {

// The cache's folders; a --cache-dir that cannot hold them is the user's to fix.
void make_cache_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw UsageError("cannot create the metadata cache folder " + dir.string() + ": " + ec.message() +
                     "; give a writable --cache-dir");
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// "http://mirror.example/debian/dists/sid/InRelease" -> "index/mirror.example/debian/dists/sid/InRelease"
fs::path url_cache_path(const fs::path& root, const std::string& url) {
  std::string rest = url;
  if (auto p = rest.find("://"); p != std::string::npos) rest = rest.substr(p + 3);
  if (auto q = rest.find_first_of("?#"); q != std::string::npos) {
    // Query strings (metalinks) become part of the file name.
    std::string tail = rest.substr(q + 1);
    for (char& c : tail)
      if (c == '/' || c == '&' || c == '=') c = '_';
    rest = rest.substr(0, q) + "_" + tail;
  }
  fs::path out = root / "index";
  std::size_t start = 0;
  while (start <= rest.size()) {
    auto slash = rest.find('/', start);
    std::string part = rest.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty() && part != "." && part != "..") out /= part;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string basename_of(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

size_t write_cb(char* data, size_t size, size_t n, void* user) {
  return std::fwrite(data, size, n, static_cast<std::FILE*>(user)) * size;
}

struct Headers {
  std::string etag, last_modified;
};
size_t header_cb(char* data, size_t size, size_t n, void* user) {
  auto* h = static_cast<Headers*>(user);
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    if (name == "etag") h->etag = value;
    if (name == "last-modified") h->last_modified = value;
  }
  return size * n;
}

int progress_cb(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return pending_interrupt() ? 1 : 0; }

struct Response {
  long status = 0;
  Headers headers;
};

// One GET into `dest` (truncated first), retried on transient failures. Throws InfraError.
Response http_get(const std::string& url, const fs::path& dest, const DownloadOptions& o, const Headers& conditional) {
  global_init();
  std::string last_error;
  for (int attempt = 1; attempt <= std::max(1, o.attempts); ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(std::chrono::milliseconds(500 * (1 << (attempt - 2))));
    throw_if_interrupted();
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) throw InfraError("libcurl could not create a handle");
    std::unique_ptr<std::FILE, FileCloser> out(std::fopen(dest.c_str(), "wb"));
    if (!out) {
      int e = errno;
      if (e == EACCES || e == EROFS || e == EPERM || e == ENOTDIR)
        throw UsageError("cannot write in the metadata cache " + dest.parent_path().string() + ": " + std::strerror(e) +
                         "; give a writable --cache-dir");
      throw InfraError("cannot write " + dest.string() + ": " + std::strerror(e));
    }
    std::unique_ptr<curl_slist, SlistDeleter> hdrs;
    auto add = [&](const std::string& h) { hdrs.reset(curl_slist_append(hdrs.release(), h.c_str())); };
    if (!conditional.etag.empty()) add("If-None-Match: " + conditional.etag);
    if (!conditional.last_modified.empty()) add("If-Modified-Since: " + conditional.last_modified);
    Response r;
    char errbuf[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(o.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_limit);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time.count()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out.get());
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "harness-repo/0.1");
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
    if (hdrs) curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs.get());
    CURLcode rc = curl_easy_perform(c);
    out.reset();
    throw_if_interrupted();
    if (rc == CURLE_FILE_COULDNT_READ_FILE || rc == CURLE_REMOTE_FILE_NOT_FOUND) {
      r.status = 404;  // file:// and ftp:// say "missing" this way
      return r;
    }
    if (rc != CURLE_OK) {
      last_error = std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : "");
      if (rc == CURLE_OPERATION_TIMEDOUT)
        last_error = std::string(errbuf).find("too slow") != std::string::npos
                         ? "the mirror stalled (less than " + std::to_string(o.low_speed_limit) + " bytes/s for " +
                               std::to_string(o.low_speed_time.count()) + " s): " + last_error
                         : "no connection within " + std::to_string(o.connect_timeout.count()) + " s: " + last_error;
      // A URL that is not one is the input's fault, not the mirror's.
      if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
        throw UsageError("'" + escape_for_message(url) + "' is not a URL the harness can fetch (" + last_error +
                         "); check the mirror flags (--debian-mirror, --fedora-baseurl, ...) or the apt sources");
      // Name resolution failures do not heal in a second.
      bool last = rc == CURLE_COULDNT_RESOLVE_HOST || attempt >= o.attempts;
      // Visible at once: a silent wait on a mute mirror looks like a hang.
      log::warn("GET " + url + " (attempt " + std::to_string(attempt) + " of " + std::to_string(std::max(1, o.attempts)) +
                "): " + last_error + (last ? "" : "; retrying"));
      if (last) break;
      continue;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    if (r.status >= 500) {
      last_error = "HTTP " + std::to_string(r.status);
      continue;
    }
    return r;
  }
  const int tries = std::max(1, o.attempts);
  throw InfraError("download of " + url + " failed" + (tries > 1 ? " after " + std::to_string(tries) + " attempts" : "") + ": " + last_error +
                   " (check the mirror URL and the network, or use --offline with a filled cache)");
}

}  // namespace

void verify_file(const fs::path& file, const std::string& url, const std::string& sha256, long long size) {
  std::error_code ec;
  auto actual_size = fs::file_size(file, ec);
  if (ec) throw InfraError("cannot read " + file.string() + " (from " + url + "): " + ec.message());
  std::string actual = sha256_file_hex(file);
  if (actual != sha256 || (size >= 0 && static_cast<long long>(actual_size) != size))
    throw InfraError("checksum mismatch for " + url + " (cached as " + file.string() + "): the verified metadata that lists it says sha256 " +
                     sha256 + (size >= 0 ? " size " + std::to_string(size) : "") + ", the file has sha256 " + actual +
                     " size " + std::to_string(actual_size) +
                     "; refusing to use it.");
}

Downloader::Downloader(DownloadOptions options) : options_(std::move(options)) {
  // A SIGKILLed run's half-downloaded files: its PartFile destructors never ran.
  remove_stale_part_files(options_.cache_dir);
}

fs::path Downloader::fetch_index(const std::string& url, bool missing_ok, const IndexCheck& check) {
  fs::path path = url_cache_path(options_.cache_dir, url);
  fs::path meta = path;
  meta += ".http.json";
  fs::path missing = path;
  missing += ".404";
  std::error_code ec;
  if (options_.offline) {
    if (fs::exists(path, ec)) {
      if (check) {
        try {
          check(path);
        } catch (const InfraError& e) {
          throw InfraError(std::string(e.what()) + " (cached as " + path.string() +
                           "; run without --offline to fetch it again)");
        }
      }
      return path;
    }
    if (missing_ok && fs::exists(missing, ec)) return {};
    throw InfraError("offline: " + url + " is not in the cache (" + path.string() + "); run once without --offline");
  }
  make_cache_dir(path.parent_path());
  // Up to two rounds: conditional, then unconditional when the cached copy the server called current fails.
  for (bool conditional_allowed = true;; conditional_allowed = false) {
    Headers conditional;
    if (conditional_allowed && fs::exists(path, ec) && fs::exists(meta, ec)) {
      try {
        auto j = nlohmann::json::parse(read_file(meta));
        conditional.etag = j.value("etag", "");
        conditional.last_modified = j.value("last_modified", "");
      } catch (const std::exception&) {
      }
    }
    PartFile part(path);
    Response r = http_get(url, part.path(), options_, conditional);
    if (r.status == 304) {
      log::verbose("not modified: " + url);
      if (!check) return path;
      try {
        check(path);
        return path;
      } catch (const InfraError& e) {
        log::warn("the cached copy of " + url + " (" + path.string() + ") fails verification: " + e.what() +
                  "; dropped it, fetching it again");
        fs::remove(meta, ec);
        fs::remove(path, ec);
        continue;
      }
    }
    if (r.status == 404 || r.status == 410) {
      if (missing_ok) {
        write_file(missing, "");
        return {};
      }
      throw InfraError(url + " does not exist (HTTP " + std::to_string(r.status) + ")");
    }
    if (r.status != 200 && r.status != 0)
      throw InfraError("download of " + url + " failed: HTTP " + std::to_string(r.status));
    // Checked before it is stored: a tampered copy never becomes the cached one (the part file goes).
    if (check) check(part.path());
    part.commit();
    fs::remove(missing, ec);
    write_file(meta, nlohmann::json{{"url", url}, {"etag", r.headers.etag}, {"last_modified", r.headers.last_modified}}.dump());
    log::verbose("fetched " + url);
    return path;
  }
}

fs::path Downloader::fetch_verified(const std::string& url, const std::string& sha256, long long size,
                                    const std::string& name) {
  if (sha256.size() != 64) throw InfraError("no SHA-256 known for " + url + "; refusing an unverified download");
  fs::path dir = options_.cache_dir / "by-hash";
  std::string file_name = name.empty() ? basename_of(url) : name;
  // rpm-md names already start with the hash ("<sha256>-primary.xml.zst").
  fs::path path = dir / (file_name.rfind(sha256 + "-", 0) == 0 ? file_name : sha256 + "-" + file_name);
  std::error_code ec;
  if (fs::exists(path, ec)) {
    try {
      verify_file(path, url, sha256, size);
      return path;
    } catch (const InfraError& e) {
      if (options_.offline)
        throw InfraError(std::string(e.what()) + " Run without --offline to download it again.");
      log::warn(std::string(e.what()) + " Dropped it, downloading it again.");
      fs::remove(path, ec);
    }
  }
  if (options_.offline)
    throw InfraError("offline: " + url + " (sha256 " + sha256 + ") is not in the cache; run once without --offline");
  make_cache_dir(dir);
  PartFile part(path);
  Response r = http_get(url, part.path(), options_, {});
  if (r.status != 200 && r.status != 0)
    throw InfraError("download of " + url + " failed: HTTP " + std::to_string(r.status));
  try {
    verify_file(part.path(), url, sha256, size);
  } catch (const InfraError& e) {
    throw InfraError(std::string(e.what()) + " That is what the mirror served; nothing was stored.");
  }
  part.commit();
  return path;
}

}  // namespace harness
