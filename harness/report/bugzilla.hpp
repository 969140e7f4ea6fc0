// Bugzilla REST: attach a run's junit.xml to a bug with the summary as the comment
// (POST /rest/bug/{id}/attachment). The API key travels only in `Authorization: Bearer`
// (what bugzilla.redhat.com requires); it never appears in messages or --dry-run output.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace harness {

struct Attachment {
  long bug = 0;
  std::string file_name = "junit.xml";
  std::string content_type = "application/xml";
  std::string summary;  // the attachment's description
  std::string comment;  // posted with it (at most 65,535 characters)
  std::string data;     // raw bytes; base64-encoded in the request
  bool is_private = false;
};

struct BugzillaOptions {
  std::string url;  // https://bugzilla.redhat.com (the REST root is url + "/rest")
  std::string api_key;
  std::chrono::seconds timeout{120};
  std::chrono::seconds connect_timeout{20};
};

std::string base64_encode(std::string_view data);
// The request body (JSON) for an attachment.
std::string attachment_body(const Attachment& a);
// The endpoint: url/rest/bug/{id}/attachment.
std::string attachment_url(const std::string& base_url, long bug);
// What --dry-run prints: method, URL, headers (key masked), body (data shown by size + hash).
std::string describe_attachment_request(const BugzillaOptions& o, const Attachment& a);

// Posts the attachment; returns the new attachment ids. Throws UsageError for what Bugzilla
// refused (its code and message, with a hint for the known codes: 100-101 bug, 114 comment too
// long, 600-606 attachment, 410/32000 auth) and InfraError for HTTP/network failures.
std::vector<std::string> post_attachment(const BugzillaOptions& o, const Attachment& a);

// An attachment a bug has already (GET /rest/bug/{id}/attachment, without its data).
struct ExistingAttachment {
  std::string id;
  std::string summary;  // the attachment's description
  std::string file_name;
  bool is_obsolete = false;
};
// The bug's attachments; the API key (when there is one) goes in `Authorization: Bearer` as for posts
// (private bugs). Errors as post_attachment.
std::vector<ExistingAttachment> list_attachments(const BugzillaOptions& o, long bug);
// Throws UsageError naming the URL unless the API key may travel to it: https, or plain http only
// to loopback (127.0.0.1, ::1, localhost; the tests' local server). Checked before any connection.
void check_api_key_transport(const std::string& url);

// api_key for `host` from a python-bugzilla bugzillarc (INI: [host] api_key = ...). The section
// may be the bare host or the full URL, as python-bugzilla accepts both.
std::optional<std::string> bugzillarc_api_key(const std::string& rc_text, const std::string& url);

}  // namespace harness
