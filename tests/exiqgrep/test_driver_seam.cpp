// The exiqgrep driver through the Testbed seam, without podman: a scripted testbed answers each
// exec, so the failure paths are reached on purpose. A command's own exit status (125 included)
// is a result; a runner that fails, a timeout or a testbed that vanishes is infrastructure.
#define BOOST_TEST_MODULE driver_seam
#include <boost/test/unit_test.hpp>
#include <deque>
#include <functional>

#include "harness/common/error.hpp"
#include "harness/suites/exiqgrep/driver.hpp"

using namespace harness;
using namespace harness::exiqgrep;

namespace {
// Answers each exec with the next scripted reply (or throws it) and records what was asked.
class ScriptedTestbed : public Testbed {
 public:
  mutable std::vector<std::vector<std::string>> asked;
  mutable std::deque<std::function<ExecResult()>> replies;
  ExecResult exec(const std::vector<std::string>& argv, const std::string&, std::chrono::milliseconds) const override {
    asked.push_back(argv);
    BOOST_REQUIRE(!replies.empty());
    auto reply = replies.front();
    replies.pop_front();
    return reply();
  }
  void copy_in(const std::filesystem::path&, const std::string&) const override {}
  void copy_out(const std::string&, const std::filesystem::path&) const override {}
  const std::string& name() const override { return name_; }
  int published_port(int) const override { throw InfraError("scripted testbed publishes no ports"); }

 private:
  std::string name_ = "scripted";
};

ExecResult exited(int code, std::string out = "", std::string err = "") {
  return {.exit_code = code, .timed_out = code == 124, .out = std::move(out), .err = std::move(err)};
}

const Invocation kCount{.id = "count", .mode = RunMode::exiqgrep, .argv = {"-c"}};
}  // namespace

BOOST_AUTO_TEST_CASE(a_commands_own_exit_125_is_its_result) {
  ScriptedTestbed bed;
  bed.replies.push_back([] { return exited(125, "", "exiqgrep: something of its own\n"); });
  auto r = run_one_exec(bed, "/w", "/usr/sbin/exiqgrep", kCount);
  BOOST_TEST(r.exit_code == 125);
  BOOST_TEST(r.err == "exiqgrep: something of its own\n");
  // It ran as asked: in the work dir, the stream's exiqgrep with the case's arguments.
  BOOST_REQUIRE(bed.asked.size() == 1u);
  BOOST_TEST(bed.asked[0] == (std::vector<std::string>{"env", "-C", "/w", "/usr/sbin/exiqgrep", "-c"}));
}

BOOST_AUTO_TEST_CASE(a_testbed_that_vanished_is_an_infrastructure_error) {
  ScriptedTestbed bed;
  bed.replies.push_back([]() -> ExecResult { throw InfraError("testbed scripted: podman failed to exec (exit 125)"); });
  BOOST_CHECK_THROW(run_one_exec(bed, "/w", "/usr/sbin/exiqgrep", kCount), InfraError);
  bed.replies.push_back([]() -> ExecResult { throw InfraError("testbed scripted: gone"); });
  BOOST_CHECK_THROW(run_batch(bed, "/w", "/usr/sbin/exiqgrep", {}, {kCount}), InfraError);
}

BOOST_AUTO_TEST_CASE(a_timeout_is_an_infrastructure_error_never_a_result) {
  ScriptedTestbed bed;
  bed.replies.push_back([] { return exited(124); });
  try {
    run_one_exec(bed, "/w", "/usr/sbin/exiqgrep", kCount);
    BOOST_FAIL("a timeout became a result");
  } catch (const InfraError& e) {
    BOOST_TEST(std::string(e.what()).find("timed out in scripted") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(batch_results_and_a_failing_runner) {
  ScriptedTestbed bed;
  // The runner's own framing: "R <id len> <out len> <err len> <exit>" then the three fields.
  bed.replies.push_back([] { return exited(0, "R 5 2 0 125\ncount7\n", "cpu 0.25 compiled-once 1\n"); });
  auto br = run_batch(bed, "/w", "/usr/sbin/exiqgrep", {}, {kCount});
  BOOST_TEST(br.results.at("count").exit_code == 125);  // exiqgrep's own 125: a result
  BOOST_TEST(br.results.at("count").out == "7\n");
  BOOST_TEST(br.compiled_once);
  // The runner itself failing (perl missing, a crash) says so, naming the testbed.
  bed.replies.push_back([] { return exited(2, "", "Can't locate strict.pm\n"); });
  try {
    run_batch(bed, "/w", "/usr/sbin/exiqgrep", {}, {kCount});
    BOOST_FAIL("a failing runner became a result");
  } catch (const InfraError& e) {
    BOOST_TEST(std::string(e.what()).find("runner failed in scripted (exit 2)") != std::string::npos, e.what());
  }
  // Output that is not the runner's framing is shown escaped.
  bed.replies.push_back([] { return exited(0, "\x1b]0;pwned\x07\n", ""); });
  try {
    run_batch(bed, "/w", "/usr/sbin/exiqgrep", {}, {kCount});
    BOOST_FAIL("garbage was read as results");
  } catch (const InfraError& e) {
    BOOST_TEST(std::string(e.what()).find("\\x1b]0;pwned\\x07") != std::string::npos, e.what());
  }
}
