#include "harness/repo/http_call.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "harness/common/error.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/log.hpp"
#include "harness/common/strings.hpp"

namespace harness {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

size_t to_string_cb(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}
size_t to_file_cb(char* data, size_t size, size_t n, void* user) {
  return std::fwrite(data, size, n, static_cast<std::FILE*>(user)) * size;
}
int progress_cb(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return pending_interrupt() ? 1 : 0; }

// One exchange, retried once on connection failures and 5xx. `file` set: the body goes there
// (downloads, bounded by the low-speed limit); else into reply.body (API calls, total deadline).
HttpReply exchange(const std::string& method, const std::string& url, const std::string& body,
                   const std::vector<std::string>& headers, const HttpCallOptions& o, const std::filesystem::path* file) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::string last_error;
  for (int attempt = 1; attempt <= std::max(1, o.attempts); ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    throw_if_interrupted();
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) throw InfraError("libcurl could not create a handle");
    CURL* c = curl.get();
    HttpReply reply;
    std::unique_ptr<std::FILE, FileCloser> out;
    if (file) {
      out.reset(std::fopen(file->c_str(), "wb"));
      if (!out) throw InfraError("cannot write " + file->string());
      curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_file_cb);
      curl_easy_setopt(c, CURLOPT_WRITEDATA, out.get());
      curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_limit);
      curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time.count()));
    } else {
      curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_string_cb);
      curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
      curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(o.total_timeout.count()));
    }
    std::unique_ptr<curl_slist, SlistDeleter> hdrs;
    for (const auto& h : headers) hdrs.reset(curl_slist_append(hdrs.release(), h.c_str()));
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(o.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "harness-fedora/0.1");
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (method == "POST") {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    if (hdrs) curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs.get());
    CURLcode rc = curl_easy_perform(c);
    out.reset();
    throw_if_interrupted();
    if (rc != CURLE_OK) {
      last_error = std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : "");
      if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
        throw UsageError("'" + escape_for_message(url) + "' is not a URL the harness can call (" + last_error +
                         "); check --koji-hub, --koji-topurl, --bodhi-url and --copr-url");
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        // A server that took the connection and did not answer in time will not answer on a retry either.
        std::string why = file ? "the server stalled (less than " + std::to_string(o.low_speed_limit) + " bytes/s for " +
                                     std::to_string(o.low_speed_time.count()) + " s)"
                               : "no complete answer within " + std::to_string(o.total_timeout.count()) + " s";
        throw InfraError(method + " " + url + ": " + why + " (" + last_error + ")");
      }
      bool last = rc == CURLE_COULDNT_RESOLVE_HOST || attempt >= o.attempts;
      log::warn(method + " " + url + " (attempt " + std::to_string(attempt) + "): " + last_error +
                (last ? "" : "; retrying"));
      if (last) break;
      continue;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
    char* ct = nullptr;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    if (ct) reply.content_type = ct;
    if (reply.status >= 500 && attempt < o.attempts) {
      last_error = "HTTP " + std::to_string(reply.status);
      continue;
    }
    return reply;
  }
  throw InfraError(method + " " + url + " failed: " + last_error);
}

}  // namespace

HttpReply http_call(const std::string& method, const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers, const HttpCallOptions& options) {
  return exchange(method, url, body, headers, options, nullptr);
}

void http_download(const std::string& url, const std::filesystem::path& dest, const HttpCallOptions& options) {
  HttpReply r = exchange("GET", url, "", {}, options, &dest);
  if (r.status != 200) throw InfraError("download of " + url + " failed: HTTP " + std::to_string(r.status));
}

}  // namespace harness
