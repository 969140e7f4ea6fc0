#include "harness/report/bugzilla.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/strings.hpp"

namespace harness {
namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string host_of(const std::string& url) {
  std::string h = url;
  if (auto p = h.find("://"); p != std::string::npos) h = h.substr(p + 3);
  if (auto p = h.find('/'); p != std::string::npos) h = h.substr(0, p);
  return h;
}

std::string hint_for(long code) {
  switch (code) {
    case 100: return "the bug id is invalid";
    case 101: return "the bug does not exist";
    case 102: return "the bug is not accessible to this account";
    case 109: return "this account may not edit the bug";
    case 113: return "this account may not add private comments";
    case 114: return "the comment is longer than 65,535 characters";
    case 129: case 130: case 131: case 132: case 133: case 134: return "a flag is invalid";
    case 410: return "the API key is not accepted (log in / check the key)";
    case 600: return "the attachment is larger than the server allows";
    case 601: return "the MIME type is invalid";
    case 603: return "the file name is missing";
    case 604: return "the attachment summary is missing";
    case 605: return "the URL attachment is invalid";
    case 606: return "the attachment data is empty";
    case 32000: return "authentication failed (check the API key)";
    default: return "";
  }
}

size_t collect(char* ptr, size_t size, size_t n, void* userdata) {
  auto* s = static_cast<std::string*>(userdata);
  if (s->size() > (8u << 20)) return 0;  // a runaway response
  s->append(ptr, size * n);
  return size * n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

std::string attachment_url(const std::string& base_url, long bug) {
  std::string u = base_url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  if (u.size() < 5 || u.substr(u.size() - 5) != "/rest") u += "/rest";
  return u + "/bug/" + std::to_string(bug) + "/attachment";
}

std::string attachment_body(const Attachment& a) {
  nlohmann::json j = {{"ids", {a.bug}},
                      {"data", base64_encode(a.data)},
                      {"file_name", a.file_name},
                      {"summary", a.summary},
                      {"content_type", a.content_type},
                      {"comment", a.comment},
                      {"is_patch", false},
                      {"is_private", a.is_private}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // invalid UTF-8 in a summary: U+FFFD
}

std::string describe_attachment_request(const BugzillaOptions& o, const Attachment& a) {
  std::ostringstream s;
  s << "POST " << attachment_url(o.url, a.bug) << "\n";
  s << "Content-Type: application/json\nAccept: application/json\n";
  s << "Authorization: " << (o.api_key.empty() ? "(no API key found)" : "Bearer ********") << "\n\n";
  nlohmann::json j = nlohmann::json::parse(attachment_body(a));
  j["data"] = "<base64 of " + a.file_name + ": " + std::to_string(a.data.size()) + " bytes, sha256 " +
              sha256_hex(a.data) + ">";
  s << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return s.str();
}

void check_api_key_transport(const std::string& url) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURLU, void (*)(CURLU*)> u(curl_url(), curl_url_cleanup);
  char* scheme = nullptr;
  char* host = nullptr;
  bool parsed = u && curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
                curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
                curl_url_get(u.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK;
  std::string s = scheme ? scheme : "", h = host ? host : "";
  curl_free(scheme);
  curl_free(host);
  if (!parsed) throw UsageError("Bugzilla URL '" + escape_for_message(url) + "' is not a URL (give https://HOST)");
  if (s == "https") return;
  if (s == "http" && (h == "127.0.0.1" || h == "[::1]" || h == "::1" || h == "localhost")) return;
  throw UsageError("refusing to send the Bugzilla API key to " + escape_for_message(url) +
                   ": only https carries it (plain http only to 127.0.0.1, ::1 or localhost); give an https:// URL");
}

namespace {
struct BugzillaReply {
  long status = 0;
  std::string body;
  nlohmann::json json;  // discarded when the body is not JSON
};

// One REST request: a POST of `post_body` (JSON) or a GET when it is null. The key goes in a header
// (never the URL), redirects are not followed (the header must not travel to another host), every
// call is bounded. Bugzilla's own error object ({"error": true, "code": N}) is thrown here: `doing`
// says what was refused ("the attachment for bug 7"); 5xx is infrastructure, the rest bad input.
BugzillaReply bugzilla_request(const BugzillaOptions& o, const std::string& url, const std::string* post_body,
                               const std::string& doing) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw InfraError("libcurl could not start a request");
  BugzillaReply reply;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* raw = curl_slist_append(nullptr, "Accept: application/json");
  if (post_body) raw = curl_slist_append(raw, "Content-Type: application/json");
  if (!o.api_key.empty()) raw = curl_slist_append(raw, ("Authorization: Bearer " + o.api_key).c_str());
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (post_body) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(o.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "harness-bugzilla/0.1");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    throw InfraError("Bugzilla request to " + url + " failed: " +
                     escape_for_message(errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  reply.json = nlohmann::json::parse(reply.body, nullptr, false);
  const auto& j = reply.json;
  if (!j.is_discarded() && j.is_object() && j.value("error", false)) {
    long code = j.value("code", 0L);
    std::string hint = hint_for(code);
    std::string text = "Bugzilla refused " + doing + ": error " + std::to_string(code) +
                       (hint.empty() ? "" : " (" + hint + ")") + ": " +
                       escape_for_message(j.value("message", std::string("(no message)")), 300) + " [HTTP " +
                       std::to_string(reply.status) + "]";
    if (reply.status >= 500) throw InfraError(text);
    throw UsageError(text);
  }
  return reply;
}
}  // namespace

std::vector<std::string> post_attachment(const BugzillaOptions& o, const Attachment& a) {
  check_api_key_transport(o.url);
  if (o.api_key.empty())
    throw UsageError("no Bugzilla API key: put it in ~/.config/python-bugzilla/bugzillarc as [" + host_of(o.url) +
                     "] api_key = KEY, or set BUGZILLA_API_KEY");
  if (a.comment.size() > 65535) throw UsageError("the comment is longer than 65,535 characters (Bugzilla error 114)");
  if (a.data.empty()) throw UsageError(a.file_name + " is empty; nothing to attach");

  const std::string url = attachment_url(o.url, a.bug);
  const std::string body = attachment_body(a);
  auto reply = bugzilla_request(o, url, &body, "the attachment for bug " + std::to_string(a.bug));
  const auto& j = reply.json;
  if (reply.status < 200 || reply.status >= 300) {
    std::string text = "Bugzilla at " + url + " answered HTTP " + std::to_string(reply.status) + ": " +
                       escape_for_message(reply.body, 300);
    if (reply.status == 401 || reply.status == 403 || reply.status == 404) throw UsageError(text);
    throw InfraError(text);
  }
  if (j.is_discarded() || !j.is_object() || !j.contains("ids"))
    throw InfraError("Bugzilla at " + url + " answered HTTP " + std::to_string(reply.status) +
                     " without attachment ids: " + escape_for_message(reply.body, 300));
  std::vector<std::string> ids;
  const auto& jids = j["ids"];
  if (jids.is_array()) {
    for (const auto& id : jids) ids.push_back(id.is_string() ? id.get<std::string>() : id.dump());
  } else if (jids.is_object()) {
    // Some versions answer {"ids": {"<attachment id>": {...}}}.
    for (const auto& [k, v] : jids.items()) ids.push_back(k);
  }
  return ids;
}

std::vector<ExistingAttachment> list_attachments(const BugzillaOptions& o, long bug) {
  if (!o.api_key.empty()) check_api_key_transport(o.url);
  // The data is left out: only the fields the marker check reads.
  const std::string url = attachment_url(o.url, bug) + "?include_fields=id,summary,file_name,is_obsolete";
  auto reply = bugzilla_request(o, url, nullptr, "to list the attachments of bug " + std::to_string(bug));
  const auto& j = reply.json;
  const auto& response = reply.body;
  if (reply.status < 200 || reply.status >= 300)
    throw InfraError("Bugzilla at " + url + " answered HTTP " + std::to_string(reply.status) + ": " +
                     escape_for_message(response, 300));
  // {"bugs": {"<bug id>": [ {"id": 1, "summary": ..., "file_name": ..., "is_obsolete": 0}, ... ]}, "attachments": {}}
  const std::string key = std::to_string(bug);
  if (j.is_discarded() || !j.is_object() || !j.contains("bugs") || !j["bugs"].is_object())
    throw InfraError("Bugzilla at " + url + " answered without a 'bugs' object: " + escape_for_message(response.substr(0, 300)));
  std::vector<ExistingAttachment> out;
  if (!j["bugs"].contains(key)) return out;
  for (const auto& a : j["bugs"][key]) {
    if (!a.is_object()) continue;
    ExistingAttachment e;
    if (a.contains("id")) e.id = a["id"].is_string() ? a["id"].get<std::string>() : a["id"].dump();
    e.summary = a.value("summary", a.value("description", std::string()));
    e.file_name = a.value("file_name", std::string());
    if (a.contains("is_obsolete")) e.is_obsolete = a["is_obsolete"].is_boolean() ? a["is_obsolete"].get<bool>() : a["is_obsolete"] != 0;
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<std::string> bugzillarc_api_key(const std::string& rc_text, const std::string& url) {
  const std::string host = host_of(url);
  std::istringstream in(rc_text);
  std::string line, section;
  std::optional<std::string> found;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    auto eq = line.find_first_of("=:");
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq));
    if (key != "api_key") continue;
    if (section == host || host_of(section) == host) found = trim(line.substr(eq + 1));
  }
  return found;
}

}  // namespace harness
