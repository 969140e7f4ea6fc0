#define BOOST_TEST_MODULE verdict
#include <boost/test/unit_test.hpp>

#include "harness/verdict/verdict.hpp"

using namespace harness;

BOOST_AUTO_TEST_CASE(britney_classes) {
  BOOST_CHECK(classify(Outcome::pass, Outcome::pass) == Verdict::pass);
  BOOST_CHECK(classify(Outcome::pass, Outcome::fail) == Verdict::regression);
  BOOST_CHECK(classify(Outcome::fail, Outcome::pass) == Verdict::fixed);
  BOOST_CHECK(classify(Outcome::fail, Outcome::fail) == Verdict::always_fail);
  BOOST_CHECK(classify(std::nullopt, Outcome::fail) == Verdict::fail);
  BOOST_CHECK(classify(std::nullopt, Outcome::pass) == Verdict::pass);
  BOOST_CHECK(classify(Outcome::skip, Outcome::fail) == Verdict::fail);
  BOOST_CHECK(classify(Outcome::pass, Outcome::skip) == Verdict::skip);
  // Infrastructure trouble on either side is never a test verdict.
  BOOST_CHECK(classify(Outcome::error, Outcome::fail) == Verdict::error);
  BOOST_CHECK(classify(Outcome::pass, Outcome::error) == Verdict::error);
  BOOST_CHECK(classify(Outcome::error, Outcome::pass) == Verdict::error);
  BOOST_CHECK_EQUAL(to_string(Verdict::always_fail), "ALWAYS-FAIL");
}

namespace {
CaseResult result(const std::string& id, Outcome o, const std::string& msg = "") {
  CaseResult c;
  c.suite = "s";
  c.id = id;
  c.outcome = o;
  c.message = msg;
  return c;
}

RunRecord two_streams() {
  RunRecord run;
  run.streams.push_back({.name = "baseline", .baseline = true, .spec = parse_candidate_spec("debian:bookworm:stable")});
  run.streams.push_back({.name = "candidate", .spec = parse_candidate_spec("debian:trixie:stable")});
  return run;
}

const CaseVerdict& find(const RunRecord& run, const std::string& id) {
  for (const auto& v : run.verdicts)
    if (v.id == id) return v;
  BOOST_FAIL("no verdict for " + id);
  throw 0;
}
}  // namespace

BOOST_AUTO_TEST_CASE(run_pairs_cases_by_id) {
  auto run = two_streams();
  run.suites.push_back({.name = "s", .package = "p",
                        .results = {{result("a", Outcome::pass), result("b", Outcome::fail, "old fails"),
                                     result("c", Outcome::pass), result("gone", Outcome::pass)},
                                    {result("c", Outcome::fail, "Line mismatch"), result("a", Outcome::pass),
                                     result("b", Outcome::pass), result("new", Outcome::fail, "new case fails")}}});
  classify_run(run);
  BOOST_REQUIRE_EQUAL(run.verdicts.size(), 5u);
  BOOST_CHECK(find(run, "a").verdict == Verdict::pass);
  BOOST_CHECK(find(run, "b").verdict == Verdict::fixed);
  BOOST_CHECK(find(run, "c").verdict == Verdict::regression);
  BOOST_CHECK(find(run, "c").reason.find("Line mismatch") != std::string::npos);
  BOOST_CHECK(find(run, "new").verdict == Verdict::fail);
  // A case the candidate did not report is an error, never silently dropped or passed.
  BOOST_CHECK(find(run, "gone").verdict == Verdict::error);
  BOOST_CHECK(find(run, "gone").candidate == nullptr);
  BOOST_CHECK(run_status(run) == RunStatus::regression);
  auto n = count_verdicts(run);
  BOOST_CHECK_EQUAL(n[Verdict::regression], 1u);
  BOOST_CHECK_EQUAL(n[Verdict::error], 1u);
}

BOOST_AUTO_TEST_CASE(failed_baseline_stream_makes_errors_not_verdicts) {
  auto run = two_streams();
  run.streams[0].errors.push_back("podman: image build failed");
  run.suites.push_back({.name = "s", .package = "p", .results = {{}, {result("x", Outcome::fail), result("y", Outcome::pass)}}});
  classify_run(run);
  BOOST_REQUIRE_EQUAL(run.verdicts.size(), 2u);
  for (const auto& v : run.verdicts) {
    BOOST_CHECK(v.verdict == Verdict::error);
    BOOST_CHECK(v.reason.find("image build failed") != std::string::npos);
  }
  BOOST_CHECK(run_status(run) == RunStatus::error);
}

BOOST_AUTO_TEST_CASE(status_ok_with_known_failures) {
  auto run = two_streams();
  run.suites.push_back({.name = "s", .package = "p",
                        .results = {{result("h", Outcome::fail), result("f", Outcome::fail), result("k", Outcome::pass)},
                                    {result("h", Outcome::fail), result("f", Outcome::pass), result("k", Outcome::skip)}}});
  classify_run(run);
  BOOST_CHECK(find(run, "h").verdict == Verdict::always_fail);
  BOOST_CHECK(run_status(run) == RunStatus::ok);
  // An infrastructure error in a stream alone makes the run incomplete.
  run.streams[1].errors.push_back("timeout");
  BOOST_CHECK(run_status(run) == RunStatus::error);
}

BOOST_AUTO_TEST_CASE(several_candidates_each_against_the_baseline) {
  RunRecord run = two_streams();
  run.streams.push_back({.name = "candidate-2", .spec = parse_candidate_spec("debian:bookworm:proposed-updates")});
  run.suites.push_back({.name = "s", .package = "p",
                        .results = {{result("a", Outcome::pass)}, {result("a", Outcome::fail)}, {result("a", Outcome::pass)}}});
  classify_run(run);
  BOOST_REQUIRE_EQUAL(run.verdicts.size(), 2u);
  BOOST_CHECK(run.verdicts[0].stream == 1 && run.verdicts[0].verdict == Verdict::regression);
  BOOST_CHECK(run.verdicts[1].stream == 2 && run.verdicts[1].verdict == Verdict::pass);
}

BOOST_AUTO_TEST_CASE(a_difference_whose_reruns_move_is_flaky) {
  auto run = two_streams();
  run.suites.push_back({.name = "s", .package = "p",
                        .results = {{result("steady", Outcome::pass), result("wobbly", Outcome::pass), result("base-wobbly", Outcome::fail)},
                                    {result("steady", Outcome::fail), result("wobbly", Outcome::fail), result("base-wobbly", Outcome::pass)}}});
  run.suites[0].reruns.resize(2);
  run.suites[0].reruns[0] = {{"steady", {Outcome::pass, Outcome::pass}}, {"wobbly", {Outcome::pass, Outcome::pass}},
                             {"base-wobbly", {Outcome::pass, Outcome::fail}}};
  run.suites[0].reruns[1] = {{"steady", {Outcome::fail, Outcome::fail}}, {"wobbly", {Outcome::pass, Outcome::fail}},
                             {"base-wobbly", {Outcome::pass, Outcome::pass}}};
  classify_run(run);
  BOOST_CHECK(find(run, "steady").verdict == Verdict::regression);
  BOOST_CHECK(find(run, "wobbly").verdict == Verdict::flaky);
  BOOST_CHECK(find(run, "wobbly").reason.find("candidate fail,pass,fail") != std::string::npos);
  // A FIXED that the baseline does not reproduce is flaky too.
  BOOST_CHECK(find(run, "base-wobbly").verdict == Verdict::flaky);
  BOOST_CHECK_EQUAL(to_string(Verdict::flaky), "FLAKY");
  // FLAKY does not fail a run; the steady REGRESSION does.
  BOOST_CHECK(run_status(run) == RunStatus::regression);
}

BOOST_AUTO_TEST_CASE(an_identical_candidate_gets_no_verdicts) {
  auto run = two_streams();
  run.streams[1].identical_to_baseline = true;
  run.suites.push_back({.name = "s", .package = "p", .results = {{result("a", Outcome::pass)}, {}}});
  classify_run(run);
  BOOST_CHECK(run.verdicts.empty());
  BOOST_CHECK(run_status(run) == RunStatus::ok);
}
