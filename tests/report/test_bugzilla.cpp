// `bugzilla attach` against a Bugzilla REST endpoint served on 127.0.0.1 by this test.
#define BOOST_TEST_MODULE bugzilla
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/report/bugzilla.hpp"
#include "tests/report/fake_bugzilla.hpp"

using namespace harness;
using harness::testing::FakeBugzilla;

namespace {

const std::string kKey = "k3yS3CRET0123456789abcdefghijklmnopqrstuv";

Attachment sample() {
  Attachment a;
  a.bug = 2258027;
  a.summary = "harness run 20261128-020000-abcd: junit.xml";
  a.comment = "harness run 20261128-020000-abcd: REGRESSION found\n  - exiqgrep/new-format on candidate\n";
  a.data = "<?xml version=\"1.0\"?>\n<testsuites>\x01</testsuites>\n";
  return a;
}

}  // namespace

BOOST_AUTO_TEST_CASE(attach_sends_the_right_json_and_the_key_only_in_the_header) {
  FakeBugzilla bz;
  auto server = bz.serve_one(201, R"({"ids":["2797"]})");
  BugzillaOptions o{.url = bz.url() + "/", .api_key = kKey, .timeout = std::chrono::seconds(20)};
  auto ids = post_attachment(o, sample());
  server.join();
  BOOST_REQUIRE_EQUAL(ids.size(), 1u);
  BOOST_CHECK_EQUAL(ids[0], "2797");
  const auto& r = bz.last;
  BOOST_CHECK_EQUAL(r.method, "POST");
  BOOST_CHECK_EQUAL(r.path, "/rest/bug/2258027/attachment");  // no query string: no credentials in the URL
  BOOST_CHECK_EQUAL(r.headers.at("authorization"), "Bearer " + kKey);
  BOOST_CHECK_EQUAL(r.headers.at("content-type"), "application/json");
  BOOST_CHECK_EQUAL(r.headers.at("accept"), "application/json");
  BOOST_CHECK(!r.headers.count("x-bugzilla-api-key"));
  // The key appears exactly once in the whole request: in the Authorization header.
  std::string all = r.raw_head + r.body;
  BOOST_CHECK_EQUAL(all.find(kKey), all.rfind(kKey));
  BOOST_CHECK(r.body.find(kKey) == std::string::npos);

  auto j = nlohmann::json::parse(r.body);
  BOOST_CHECK_EQUAL(j["ids"], nlohmann::json::array({2258027}));
  BOOST_CHECK_EQUAL(j["file_name"], "junit.xml");
  BOOST_CHECK_EQUAL(j["content_type"], "application/xml");
  BOOST_CHECK_EQUAL(j["summary"], sample().summary);
  BOOST_CHECK_EQUAL(j["comment"], sample().comment);
  BOOST_CHECK_EQUAL(j["is_patch"], false);
  BOOST_CHECK_EQUAL(j["is_private"], false);
  // data is the file, base64: decode it with the system's base64 to check independently.
  TempDir d("harness-test-b64");
  write_file(d.path() / "data", j["data"].get<std::string>());
  auto dec = run_process({"base64", "-d", (d.path() / "data").string()});
  BOOST_CHECK(dec.ok());
  BOOST_CHECK_EQUAL(dec.out, sample().data);
}

BOOST_AUTO_TEST_CASE(bugzilla_errors_are_reported_with_code_and_hint) {
  FakeBugzilla bz;
  struct Case {
    int status;
    std::string reply;
    std::string expect;
    bool usage;
  } cases[] = {
      {400, R"({"error":true,"code":600,"message":"The file you are trying to attach is 5000 KB in size"})", "error 600 (the attachment is larger", true},
      {400, R"({"error":true,"code":114,"message":"Comment too long"})", "error 114 (the comment is longer than 65,535", true},
      {404, R"({"error":true,"code":101,"message":"Bug #2258027 does not exist."})", "error 101 (the bug does not exist)", true},
      {401, R"({"error":true,"code":410,"message":"You must log in"})", "error 410", true},
      {400, R"({"error":true,"code":606,"message":"empty"})", "error 606 (the attachment data is empty)", true},
      {500, "<html>Internal Server Error</html>", "answered HTTP 500", false},
      {502, R"({"error":true,"code":32610,"message":"backend down"})", "error 32610", false},
  };
  for (const auto& c : cases) {
    auto server = bz.serve_one(c.status, c.reply);
    BugzillaOptions o{.url = bz.url(), .api_key = kKey, .timeout = std::chrono::seconds(20)};
    std::string what;
    bool usage = false;
    try {
      post_attachment(o, sample());
    } catch (const UsageError& e) {
      what = e.what();
      usage = true;
    } catch (const InfraError& e) {
      what = e.what();
    }
    server.join();
    BOOST_CHECK_MESSAGE(what.find(c.expect) != std::string::npos, what);
    BOOST_CHECK_EQUAL(usage, c.usage);
    BOOST_CHECK(what.find(kKey) == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(http_failures_and_timeouts) {
  // Nothing listens on this port any more.
  int port;
  {
    FakeBugzilla gone;
    port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
  }
  BugzillaOptions o{.url = "http://127.0.0.1:" + std::to_string(port), .api_key = kKey,
                    .timeout = std::chrono::seconds(5), .connect_timeout = std::chrono::seconds(2)};
  BOOST_CHECK_THROW(post_attachment(o, sample()), InfraError);
  // A server that accepts and never answers: the timeout ends it.
  FakeBugzilla silent;
  o.url = silent.url();
  o.timeout = std::chrono::seconds(1);
  auto t0 = std::chrono::steady_clock::now();
  BOOST_CHECK_THROW(post_attachment(o, sample()), InfraError);
  BOOST_CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  // No key: a usage error that says where to put it.
  o.api_key.clear();
  try {
    post_attachment(o, sample());
    BOOST_FAIL("no error without a key");
  } catch (const UsageError& e) {
    BOOST_CHECK(std::string(e.what()).find("bugzillarc") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(dry_run_masks_the_key) {
  BugzillaOptions o{.url = "https://bugzilla.redhat.com", .api_key = kKey};
  auto text = describe_attachment_request(o, sample());
  BOOST_CHECK(text.find(kKey) == std::string::npos);
  BOOST_CHECK(text.find("POST https://bugzilla.redhat.com/rest/bug/2258027/attachment") != std::string::npos);
  BOOST_CHECK(text.find("Authorization: Bearer ********") != std::string::npos);
  BOOST_CHECK(text.find("\"file_name\": \"junit.xml\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bugzillarc_sections) {
  std::string rc =
      "[bugzilla.example.org]\napi_key = other\n\n"
      "# python-bugzilla config\n[bugzilla.redhat.com]\nuser = someone\napi_key=  rhkey  \n"
      "[https://partner.example.com/bugzilla]\napi_key: partner\n";
  BOOST_CHECK_EQUAL(bugzillarc_api_key(rc, "https://bugzilla.redhat.com").value_or(""), "rhkey");
  BOOST_CHECK_EQUAL(bugzillarc_api_key(rc, "https://bugzilla.redhat.com/").value_or(""), "rhkey");
  BOOST_CHECK_EQUAL(bugzillarc_api_key(rc, "http://bugzilla.example.org").value_or(""), "other");
  BOOST_CHECK_EQUAL(bugzillarc_api_key(rc, "https://partner.example.com/bugzilla").value_or(""), "partner");
  BOOST_CHECK(!bugzillarc_api_key(rc, "https://bugs.kde.org"));
}
