// A synthetic run record for report tests and the report benchmark: one baseline, one candidate,
// `cases` cases per stream spread over two suites, with every verdict class present.
#pragma once
#include <string>

#include "harness/verdict/verdict.hpp"

namespace harness::testing {

inline RunRecord synthetic_run(std::size_t cases, const std::string& transcript_extra = "") {
  RunRecord run;
  run.run_id = "20261128-020000-abcd";
  run.plan_name = "synthetic";
  run.plan_summary = "synthetic cases for the report writers";
  run.command = "harness run --baseline debian:bookworm:stable --candidate debian:trixie:stable";
  run.started = "2026-11-28T02:00:00Z";
  run.hostname = "testhost";
  run.seconds = 12.5;
  run.timings = {{"load", 0.01}, {"streams", 12.4}};
  StreamRecord base{.name = "baseline", .baseline = true, .spec = parse_candidate_spec("debian:bookworm:stable")};
  base.packages.packages.push_back({.name = "exim4-base", .version = "4.96-15+deb12u7", .arch = "amd64", .source = "exim4", .repo = "bookworm-security"});
  base.images.push_back({.suite = "exiqgrep", .tag = "localhost/harness/debian:abc", .id = "0123456789abcdef", .requested = {{"exim4-base", "4.96-15+deb12u7"}}});
  StreamRecord cand{.name = "candidate", .spec = parse_candidate_spec("debian:trixie:stable")};
  cand.packages.packages.push_back({.name = "exim4-base", .version = "4.98.2-1", .arch = "amd64", .source = "exim4", .repo = "trixie",
                                    .advisory = "DSA-9999-1", .bugs = {"debbug#1"}});
  cand.images.push_back({.suite = "starttls", .tag = "localhost/harness/debian:def", .id = "fedcba9876543210", .requested = {{"exim4-base", "4.98.2-1"}}});
  run.streams = {base, cand};
  SuiteRecord exi{.name = "exiqgrep", .package = "exim4-base", .results = {{}, {}}};
  SuiteRecord tls{.name = "starttls", .package = "exim4-daemon-light", .results = {{}, {}}};
  const Outcome pattern_b[] = {Outcome::pass, Outcome::pass, Outcome::fail, Outcome::fail, Outcome::pass, Outcome::skip, Outcome::pass};
  const Outcome pattern_c[] = {Outcome::pass, Outcome::fail, Outcome::pass, Outcome::fail, Outcome::error, Outcome::skip, Outcome::pass};
  const char* certsets[] = {"rsa", "ec", "dual"};
  for (std::size_t i = 0; i < cases; ++i) {
    bool is_tls = i % 2 == 1;
    CaseResult c;
    c.suite = is_tls ? "starttls" : "exiqgrep";
    c.id = "case-" + std::to_string(i);
    c.group = is_tls ? "exim" : "listing-" + std::to_string(i % 13);
    c.summary = "why case " + std::to_string(i) + " matters";
    c.refs = {"rhbz#2258027"};
    c.seconds = 0.01;
    c.message = "message for case " + std::to_string(i);
    c.transcript = "$ exiqgrep -c\n1 matches out of 3 messages\n" + transcript_extra;
    if (!is_tls) c.properties = {{"listing", c.group + ".txt"}, {"kind", "fake-exim"}};
    if (is_tls) c.properties = {{"server", "exim"}, {"certset", certsets[i % 3]}, {"client", "client-" + std::to_string(i % 7)}};
    CaseResult b = c, d = c;
    b.outcome = pattern_b[i % 7];
    d.outcome = pattern_c[i % 7];
    if (d.outcome == Outcome::fail) d.transcript += "Line mismatch: 9h  2.2K 1rO3sE-005JbF-1D-H <> *** frozen ***\n";
    auto& suite = is_tls ? tls : exi;
    suite.results[0].push_back(std::move(b));
    suite.results[1].push_back(std::move(d));
  }
  run.suites = {exi, tls};
  classify_run(run);
  return run;
}

}  // namespace harness::testing
