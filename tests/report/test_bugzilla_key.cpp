// The Bugzilla API key travels only where it may (https, or http to loopback for tests), no child
// process inherits it from the environment, and what the server answers is printed escaped.
#define BOOST_TEST_MODULE bugzilla_key
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>

#include "fake_bugzilla.hpp"
#include "harness/cli/bugzilla_key.hpp"
#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/report/bugzilla.hpp"

using namespace harness;
using harness::testing::FakeBugzilla;

namespace {
const std::string kKey = "k3y-that-must-stay-home";

Attachment sample() {
  Attachment a;
  a.bug = 2258027;
  a.data = "<testsuites/>";
  a.comment = "summary";
  return a;
}
}  // namespace

BOOST_AUTO_TEST_CASE(plain_http_to_another_host_is_refused_before_any_connection) {
  // 192.0.2.1 (TEST-NET-1) never answers: trying to connect would take the whole connect timeout and
  // end as an InfraError; the refusal is a UsageError at once.
  for (std::string url : {"http://192.0.2.1", "http://bugzilla.example.org/", "ftp://192.0.2.1/"}) {
    BugzillaOptions o{.url = url, .api_key = kKey, .connect_timeout = std::chrono::seconds(20)};
    auto start = std::chrono::steady_clock::now();
    BOOST_CHECK_EXCEPTION(post_attachment(o, sample()), UsageError, [&](const UsageError& e) {
      return std::string(e.what()).find(url) != std::string::npos &&
             std::string(e.what()).find("https") != std::string::npos &&
             std::string(e.what()).find(kKey) == std::string::npos;
    });
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(10)));
  }
  BOOST_CHECK_NO_THROW(check_api_key_transport("https://bugzilla.redhat.com"));
  BOOST_CHECK_NO_THROW(check_api_key_transport("http://127.0.0.1:8080"));
  BOOST_CHECK_NO_THROW(check_api_key_transport("http://[::1]:8080/"));
  BOOST_CHECK_NO_THROW(check_api_key_transport("http://localhost"));
  BOOST_CHECK_THROW(check_api_key_transport("http://127.0.0.1.example.org"), UsageError);
}

BOOST_AUTO_TEST_CASE(child_processes_do_not_inherit_the_key) {
  ::setenv("BUGZILLA_API_KEY", kKey.c_str(), 1);
  BOOST_TEST(cli::take_bugzilla_api_key_from_environment() == kKey);
  BOOST_TEST(std::getenv("BUGZILLA_API_KEY") == nullptr);
  auto r = run_process({"sh", "-c", "printf %s \"${BUGZILLA_API_KEY-unset}\""}, {.timeout = std::chrono::seconds(10)});
  BOOST_TEST(r.out == "unset");
  BOOST_TEST(cli::take_bugzilla_api_key_from_environment() == kKey);  // still known to this process
}

BOOST_AUTO_TEST_CASE(server_text_is_escaped_in_errors) {
  FakeBugzilla bz;
  // An OSC title sequence, a screen clear and a bare CR in the server's message.
  auto server = bz.serve_one(400, "{\"error\":true,\"code\":101,\"message\":\"\\u001b]0;pwned\\u0007\\u001b[2Jgone\\r\"}");
  std::string what;
  try {
    post_attachment({.url = bz.url(), .api_key = kKey}, sample());
  } catch (const UsageError& e) {
    what = e.what();
  }
  server.join();
  BOOST_TEST(what.find('\x1b') == std::string::npos, what);
  BOOST_TEST(what.find('\r') == std::string::npos, what);
  BOOST_TEST(what.find("\\x1b]0;pwned\\x07\\x1b[2Jgone\\r") != std::string::npos, what);
}

BOOST_AUTO_TEST_CASE(cli_refuses_plain_http_to_another_host_with_exit_2) {
  TempDir run("harness-bz-run");
  write_file(run.path() / "junit.xml", "<testsuites/>");
  auto r = run_process({HARNESS_BIN, "bugzilla", "attach", "2258027", "--run", run.path().string(), "--url",
                        "http://192.0.2.1"},
                       {.timeout = std::chrono::seconds(60), .env = {"BUGZILLA_API_KEY=" + kKey}});
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(r.err.find("http://192.0.2.1") != std::string::npos, r.err);
  BOOST_TEST(r.err.find(kKey) == std::string::npos);
  BOOST_TEST(r.out.find(kKey) == std::string::npos);
}
