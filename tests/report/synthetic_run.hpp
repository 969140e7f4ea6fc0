// A synthetic run record for report tests and the report benchmark: one baseline, one candidate,
// `cases` cases per stream spread over two suites, with every verdict class present.
#pragma once
#include <string>
#include <vector>

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

namespace harness::testing {

// A run shaped like `harness run` on bookworm: baseline debian:bookworm:stable, candidate-1
// proposed-updates (one newer exim), candidate-2 trixie. exiqgrep: 20 listings with 4.97+ ids x 6
// queries FIXED on trixie with the same cause (ids, ages and hosts differ per listing), 4 Munin cases
// and one packaging case FIXED for two other causes, an incident listing ALWAYS-FAIL, two
// REGRESSIONS of one cause, modern listings PASS. starttls: servers exim/openssl x cert sets
// rsa/ec/dual x 4 client profiles, with the seed's incident cell (ec x proofpoint-2015: the expected
// handshake failure, alert 40) and one cell whose negotiated suite changes on trixie.
inline RunRecord synthetic_upgrade_run() {
  RunRecord run;
  run.run_id = "20261204-175547-244c";
  run.plan_name = "default";
  run.plan_summary = "The mail stack checked against real queue listings and real MTA TLS clients.";
  run.command = "harness --debian-mirror http://archive.invalid/debian run --baseline debian:bookworm:stable "
                "--candidate debian:bookworm:proposed-updates --candidate debian:trixie:stable";
  run.started = "2026-12-04T17:55:47Z";
  run.hostname = "testhost";
  run.seconds = 61;
  auto pkg = [](std::string name, std::string version, std::string repo, std::string advisory = {}, std::vector<std::string> bugs = {}) {
    return Package{.name = std::move(name), .version = std::move(version), .arch = "amd64", .source = "exim4", .repo = std::move(repo),
                   .advisory = std::move(advisory), .bugs = std::move(bugs)};
  };
  StreamRecord base{.name = "baseline", .baseline = true, .spec = parse_candidate_spec("debian:bookworm:stable")};
  base.packages.packages = {pkg("exim4-base", "4.96-15+deb12u11", "bookworm-security"), pkg("exim4-daemon-light", "4.96-15+deb12u11", "bookworm-security"),
                            pkg("openssl", "3.0.22-1~deb12u2", "bookworm"), pkg("perl", "5.36.0-7+deb12u4", "bookworm")};
  StreamRecord pu{.name = "candidate-1", .spec = parse_candidate_spec("debian:bookworm:proposed-updates")};
  pu.packages.packages = base.packages.packages;
  pu.packages.packages[0].version = pu.packages.packages[1].version = "4.96-15+deb12u12";
  pu.packages.packages[0].advisory = "DSA-9999-1";
  pu.packages.packages[0].bugs = {"rhbz#2258027"};
  StreamRecord tx{.name = "candidate-2", .spec = parse_candidate_spec("debian:trixie:stable")};
  tx.packages.packages = {pkg("exim4-base", "4.98.2-1+deb13u6", "trixie-security"), pkg("exim4-daemon-light", "4.98.2-1+deb13u6", "trixie-security"),
                          pkg("openssl", "3.5.9-1~deb13u1", "trixie"), pkg("perl", "5.40.1-6+deb13u1", "trixie")};
  run.streams = {base, pu, tx};

  SuiteRecord exi{.name = "exiqgrep", .package = "exim4-base", .results = {{}, {}, {}}};
  auto add = [](SuiteRecord& s, CaseResult c, Outcome b, const std::string& bmsg, Outcome t, const std::string& tmsg) {
    for (std::size_t st = 0; st < 3; ++st) {
      CaseResult r = c;
      r.outcome = st == 2 ? t : b;
      r.message = st == 2 ? tmsg : bmsg;
      r.transcript = "$ exiqgrep ...\n" + r.message + "\n";
      s.results[st].push_back(std::move(r));
    }
  };
  const char* queries[] = {"count", "count-frozen", "count-unfrozen", "ids-frozen", "brief-recipients", "all-recipients-long"};
  const char* hosts[] = {"4b976aa62e58", "f5ea4d5761f0", "2d4219312b3d", "9c1e0b7a3f21"};
  for (int l = 0; l < 20; ++l) {
    std::string listing = (l % 2 ? "sid-4.100.1-" : "trixie-4.98.2-") + std::string(l % 4 < 2 ? "bp" : "named-bp") + "-" + std::to_string(l);
    std::string id = "1xX8" + std::to_string(l) + "Y-00000000000" + std::to_string(l % 10) + "W-" + std::to_string(l % 3) + "aOo";
    std::string line = "Line mismatch: " + std::to_string(l * 3) + "m   " + std::to_string(340 + l) + " " + id + " <root@" + hosts[l % 4] + ">";
    for (const char* q : queries) {
      CaseResult c{.suite = "exiqgrep", .id = std::string("counts/") + listing + "/" + q, .group = "counts"};
      c.summary = "exiqgrep must count every message of a real listing; the 4.96 exiqgrep stops at a 4.97+ id";
      c.refs = {"rhbz#2258027", "exim Bug 3050"};
      c.properties = {{"listing", listing}};
      add(exi, c, Outcome::fail, "exiqgrep exited 1 (the model: 0): " + line, Outcome::pass, "ok");
    }
    if (l < 4) {
      CaseResult c{.suite = "exiqgrep", .id = "munin/" + listing + "/count-frozen", .group = "munin"};
      c.properties = {{"listing", listing}};
      add(exi, c, Outcome::fail, "Munin exim_mailqueue reports U (no numbers): exiqgrep -cz printed no count; stderr: " + line,
          Outcome::pass, "ok");
    }
  }
  {
    CaseResult c{.suite = "exiqgrep", .id = "packaging/minimal-install-count", .group = "packaging"};
    add(exi, c, Outcome::fail,
        "exiqgrep cannot load the Perl module Getopt::Std (exit 2): Can't locate Getopt/Std.pm in @INC (@INC contains: "
        "/etc/perl /usr/local/lib/x86_64-linux-gnu/perl/5.36.0)",
        Outcome::pass, "ok");
  }
  for (int q = 0; q < 14; ++q) {
    CaseResult c{.suite = "exiqgrep", .id = "selection/incident-4.97.1-H-bpu/query-" + std::to_string(q), .group = "selection"};
    c.properties = {{"listing", "incident-4.97.1-H-bpu"}};
    std::string m = "exiqgrep exited 1 (the model: 0): Line mismatch:  9h  2.2K 1rO3sE-005JbF-1D-H <> *** frozen ***";
    add(exi, c, Outcome::fail, m, Outcome::fail, m);
  }
  for (int q = 0; q < 6; ++q) {
    CaseResult c{.suite = "exiqgrep", .id = std::string("selection/modern-4.98-bp/") + queries[q], .group = "selection"};
    c.properties = {{"listing", "modern-4.98-bp"}};
    c.summary = "the listing every version reads";
    c.refs = {"exim 46a36afae"};
    if (q < 2)
      add(exi, c, Outcome::pass, "ok", Outcome::fail,
          "unexpected stderr: Use of uninitialized value $id in pattern match at /usr/sbin/exiqgrep line " + std::to_string(118 + q));
    else
      add(exi, c, Outcome::pass, "ok", Outcome::pass, "ok");
  }

  SuiteRecord tls{.name = "starttls", .package = "exim4-daemon-light", .results = {{}, {}, {}}};
  const char* servers[] = {"exim", "openssl"};
  const char* certsets[] = {"rsa", "ec", "dual"};
  const char* clients[] = {"proofpoint-2015", "openssl-default", "postfix-3.7", "gmail-2024"};
  for (const char* server : servers)
    for (const char* cs : certsets)
      for (const char* cl : clients)
        for (std::size_t st = 0; st < 3; ++st) {
          CaseResult c{.suite = "starttls", .id = std::string(server) + "/" + cs + "/" + cl, .group = server};
          c.summary = "what a real MTA client negotiates with this server and certificate";
          c.refs = {"RFC 3207"};
          c.properties = {{"server", server}, {"certset", cs}, {"client", cl}, {"direction", "inbound"}, {"stage", "done"}};
          bool legacy = std::string(cl) == "proofpoint-2015";
          if (legacy && std::string(cs) == "ec") {
            // The seed's incident: a 2015 client offers no ECDSA suite, so an EC-only server has none to pick.
            c.properties["handshake"] = "failed";
            c.properties["stage"] = "handshake";
            c.properties["alerts"] = "received fatal handshake failure (40)";
            c.properties["failure"] = "handshake failed: sslv3 alert handshake failure";
            c.properties["expected"] = "fail (handshake failure)";
            c.outcome = Outcome::pass;
            c.message = "handshake failed as expected: handshake failed: sslv3 alert handshake failure";
          } else if (legacy) {
            bool changed = st == 2 && std::string(cs) == "dual" && std::string(server) == "exim";
            c.properties["handshake"] = "ok";
            c.properties["protocol"] = "TLSv1.2";
            c.properties["kx"] = "ECDHE";
            c.properties["auth"] = changed ? "ECDSA" : "RSA";
            c.properties["cipher"] = changed ? "ECDHE-ECDSA-AES256-GCM-SHA384" : "ECDHE-RSA-AES256-GCM-SHA384";
            c.properties["expected"] = "ok TLSv1.2";
            c.outcome = Outcome::pass;
            c.message = "TLSv1.2 " + c.properties["cipher"];
          } else {
            c.properties["handshake"] = "ok";
            c.properties["protocol"] = "TLSv1.3";
            c.properties["kx"] = "any";
            c.properties["auth"] = "any";
            c.properties["cipher"] = "TLS_AES_256_GCM_SHA384";
            c.properties["expected"] = "ok TLSv1.3";
            c.outcome = Outcome::pass;
            c.message = "TLSv1.3 TLS_AES_256_GCM_SHA384";
          }
          c.transcript = "client " + std::string(cl) + " -> " + server + " cert set " + cs + "\n" + c.message + "\n";
          tls.results[st].push_back(std::move(c));
        }
  run.suites = {exi, tls};
  classify_run(run);
  return run;
}

}  // namespace harness::testing
