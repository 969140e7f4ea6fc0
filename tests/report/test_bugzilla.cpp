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
#include "harness/report/attach_once.hpp"
#include "harness/report/report.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "tests/report/synthetic_run.hpp"
#include <sstream>
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

namespace {
// A synthetic run whose candidate exim4-base names rhbz#2258027 (advisory FEDORA-2026-0001) and a
// second candidate whose openssl names rhbz#2300001; complete unless `with_error`.
RunRecord advisory_run(const std::string& run_id, const std::string& exim_version, bool with_error) {
  auto run = testing::synthetic_run(14);
  run.run_id = run_id;
  auto& cand = run.streams[1];
  cand.packages.packages[0].version = exim_version;
  cand.packages.packages[0].bugs = {"rhbz#2258027", "debbug#1"};
  cand.packages.packages[0].advisory = "FEDORA-2026-0001";
  StreamRecord cand2{.name = "candidate-2", .spec = parse_candidate_spec("debian:trixie:proposed-updates")};
  cand2.packages.packages.push_back({.name = "openssl", .version = "3.5.9-1", .arch = "amd64", .repo = "trixie",
                                     .advisory = "FEDORA-2026-0002", .bugs = {"rhbz#2300001"}});
  run.streams.push_back(cand2);
  for (auto& suite : run.suites) {
    for (auto& stream : suite.results)
      for (auto& c : stream)
        if (c.outcome == Outcome::error && !with_error) c.outcome = Outcome::pass;
    suite.results.push_back(suite.results[1]);
  }
  classify_run(run);
  return run;
}
}  // namespace

BOOST_AUTO_TEST_CASE(nightly_attaches_complete_runs_once_per_build_set) {
  TempDir dir("harness-test-attach-once");
  FakeBugzilla bz;
  auto server = bz.serve_rest();
  const std::string key = "SECRETKEY-attach-once-123";
  BugzillaOptions o{.url = bz.url(), .api_key = key, .timeout = std::chrono::seconds(10)};
  auto attach = [&](const RunRecord& run, bool dry_run) {
    std::ostringstream out;
    auto n = attach_once(write_reports(run, dir.path()), o, dry_run, out);
    BOOST_CHECK(out.str().find(key) == std::string::npos);
    return std::pair{n, out.str()};
  };

  // An incomplete run (ERROR cases) posts nothing and asks Bugzilla nothing.
  auto [n0, out0] = attach(advisory_run("20261201-020000-0001", "4.98.2-1", true), false);
  BOOST_CHECK_EQUAL(n0, 0u);
  BOOST_CHECK(out0.find("the run is incomplete (") != std::string::npos);
  BOOST_CHECK(out0.find("ERROR case") != std::string::npos);
  BOOST_CHECK(bz.requests.empty());

  // A complete run: one attachment per bug, each with its advisory's stream only.
  auto [n1, out1] = attach(advisory_run("20261202-020000-0002", "4.98.2-1", false), false);
  BOOST_CHECK_EQUAL(n1, 2u);
  BOOST_CHECK(out1.find("skipping debbug#1") != std::string::npos);
  BOOST_REQUIRE_EQUAL(bz.attachments["2258027"].size(), 1u);
  BOOST_REQUIRE_EQUAL(bz.attachments["2300001"].size(), 1u);
  auto junit = [](const nlohmann::json& a) {
    auto b64 = a["data"].get<std::string>();
    auto r = run_process({"base64", "-d"}, {.stdin_data = b64});
    return r.out;
  };
  auto exim_junit = junit(bz.attachments["2258027"][0]);
  BOOST_CHECK(exim_junit.find("@ candidate (") != std::string::npos);
  BOOST_CHECK(exim_junit.find("@ baseline (") != std::string::npos);
  BOOST_CHECK(exim_junit.find("@ candidate-2 (") == std::string::npos);
  BOOST_CHECK(junit(bz.attachments["2300001"][0]).find("@ candidate-2 (") != std::string::npos);
  BOOST_CHECK(bz.comments["2258027"][0].find("Builds: exim4-base-4.98.2-1.amd64") != std::string::npos);
  for (const auto& r : bz.requests) {
    BOOST_CHECK_EQUAL(r.headers.at("authorization"), "Bearer " + key);
    BOOST_CHECK(r.path.find(key) == std::string::npos && r.body.find(key) == std::string::npos);
  }

  // The next night, same builds: the marker is found in the bugs' attachments, nothing is posted.
  auto before = bz.requests.size();
  auto [n2, out2] = attach(advisory_run("20261203-020000-0003", "4.98.2-1", false), false);
  BOOST_CHECK_EQUAL(n2, 0u);
  BOOST_CHECK(out2.find("not posted again") != std::string::npos);
  BOOST_CHECK_EQUAL(bz.attachments["2258027"].size(), 1u);
  for (auto i = before; i < bz.requests.size(); ++i) BOOST_CHECK_EQUAL(bz.requests[i].method, "GET");

  // A new exim build: its bug gets the new results (the openssl bug does not: same build there).
  // A dry run says so and posts nothing.
  auto [nd, outd] = attach(advisory_run("20261204-020000-0004", "4.98.2-2", false), true);
  BOOST_CHECK_EQUAL(nd, 1u);
  BOOST_CHECK(outd.find("bug 2258027: would post") != std::string::npos);
  BOOST_CHECK(outd.find("Bearer ********") != std::string::npos);
  BOOST_CHECK_EQUAL(bz.attachments["2258027"].size(), 1u);
  auto [n3, out3] = attach(advisory_run("20261204-030000-0005", "4.98.2-2", false), false);
  BOOST_CHECK_EQUAL(n3, 1u);
  BOOST_CHECK_EQUAL(bz.attachments["2258027"].size(), 2u);
  BOOST_CHECK_EQUAL(bz.attachments["2300001"].size(), 1u);
  bz.stop();
  server.join();
}
