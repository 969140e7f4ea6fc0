// One bounded HTTP exchange over libcurl for the Fedora services (Koji's XML-RPC hub, Bodhi's REST
// API, Copr's API v3) and their file downloads. Unlike repository mirrors (download.hpp), an API call
// has a total deadline: a hub that accepts the connection and never answers ends the call with an
// InfraError naming the URL after `total_timeout`.
#pragma once
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace harness {

struct HttpCallOptions {
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds total_timeout{60};  // API calls; downloads use the low-speed limit below instead
  long low_speed_limit = 1024;             // downloads: less than this many bytes/s ...
  std::chrono::seconds low_speed_time{30}; //   ... for this long is a stalled server
  int attempts = 2;                        // connection failures and 5xx are retried once; timeouts are not
};

struct HttpReply {
  long status = 0;
  std::string body;
  std::string content_type;
};

// `method` is "GET" or "POST" (with `body` and `headers`, e.g. "Content-Type: text/xml").
// Throws InfraError naming the URL for a connection failure or a timeout; any HTTP status is returned.
HttpReply http_call(const std::string& method, const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers, const HttpCallOptions& options);

// GET `url` into `dest`; throws InfraError naming the URL unless the server answers 200.
void http_download(const std::string& url, const std::filesystem::path& dest, const HttpCallOptions& options);

}  // namespace harness
