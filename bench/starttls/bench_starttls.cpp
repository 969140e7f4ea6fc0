// Benchmark for suite starttls, per candidate spec (default: trixie and bookworm stable):
//  1. the full suite (>= 7 clients x 3 cert sets x 2 servers, plus outbound) warm, wall time,
//     beside `testssl --starttls smtp -c` against the same exim (RSA set) in the same run;
//  2. the engine's handshakes/s beside `openssl s_time -new` against the same s_server.
// Prints times and ratios. Usage: bench_starttls [SPEC...] (needs podman and testssl on the host).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>

#include <nlohmann/json.hpp>

#include "harness/common/log.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/suites/starttls/starttls_scenarios.hpp"
#include "harness/suites/starttls/starttls_suite.hpp"
#include "harness/suites/starttls/tls_servers.hpp"
#include "tests/starttls/starttls_fixture.hpp"

using namespace harness;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void bench(const std::string& spec) {
  const std::filesystem::path scen = HARNESS_SOURCE_DIR "/scenarios/starttls";
  test::StreamFixture f(spec);
  auto suite = make_starttls_suite();
  suite->load(scen, {});
  suite->run(f.ctx);  // warm: image built or verified, page cache filled

  auto t0 = Clock::now();
  auto results = suite->run(f.ctx);
  double matrix_s = since(t0);
  std::size_t inbound = 0;
  double probe_ms = 0;
  for (const auto& r : results)
    if (r.properties.count("direction") && r.properties.at("direction") == "inbound") {
      ++inbound;
      probe_ms += r.seconds * 1000;
    }
  std::printf("%s\n  harness matrix: %zu inbound cases (+%zu outbound) in %.2f s warm, start to teardown "
              "(%.0f ms/case; handshakes alone %.1f ms/case, sequential sum)\n",
              spec.c_str(), inbound, results.size() - inbound, matrix_s, 1000 * matrix_s / inbound, probe_ms / inbound);

  auto scenarios = load_starttls_scenarios(scen);
  TlsServerBed bed(f.ctx, scenarios.certsets, kStarttlsServers);
  const ServerEndpoint* exim_rsa = nullptr;
  const ServerEndpoint* sserver_rsa = nullptr;
  for (const auto& e : bed.endpoints()) {
    if (e.certset != "rsa") continue;
    (e.server == "exim" ? exim_rsa : sserver_rsa) = &e;
  }

  // testssl.sh client simulation against the same exim.
  if (find_program("testssl").empty()) {
    std::printf("  testssl: not installed (apt-get install testssl.sh); skipped\n");
  } else {
    TempDir tmp("harness-bench");
    auto json = tmp.path() / "testssl.json";
    auto t1 = Clock::now();
    auto r = run_process({"testssl", "--starttls", "smtp", "-c", "--warnings", "off", "--color", "0", "--jsonfile",
                          json.string(), "127.0.0.1:" + std::to_string(bed.host_port(*exim_rsa))},
                         {.timeout = std::chrono::seconds(600)});
    double testssl_s = since(t1);
    int clients = 0;
    try {
      auto j = nlohmann::json::parse(read_file(json));
      for (const auto& item : j)
        if (item.value("id", "").rfind("clientsimulation-", 0) == 0) ++clients;
    } catch (const std::exception& e) {
      std::printf("  testssl: could not read its JSON (%s); exit %d\n", e.what(), r.exit_code);
    }
    if (clients > 0) {
      double per_client = testssl_s / clients, per_case = matrix_s / inbound;
      std::printf("  testssl --starttls smtp -c (exim, rsa): %d clients in %.2f s (%.0f ms/client)\n", clients, testssl_s,
                  1000 * per_client);
      std::printf("  ratio per case, testssl/harness: %.1fx (whole matrix incl. testbed); %.0fx (handshakes alone)\n",
                  per_client / per_case, 1000 * per_client / (probe_ms / inbound));
    }
  }

  // Handshakes per second: the engine vs openssl s_time, same s_server (RSA set, direct TLS).
  ClientProfile defaults;
  defaults.name = "openssl-defaults";
  defaults.where = "bench";
  StarttlsClient client(defaults);
  ProbeTarget t;
  t.port = bed.host_port(*sserver_rsa);
  t.starttls = false;
  int n = 0, failed = 0;
  auto t2 = Clock::now();
  while (since(t2) < 5.0) {
    if (!client.probe(t).handshake_ok) ++failed;
    ++n;
  }
  double engine_rate = n / since(t2);
  auto st = run_process({"openssl", "s_time", "-connect", "127.0.0.1:" + std::to_string(t.port), "-new", "-time", "5"},
                        {.timeout = std::chrono::seconds(60)});
  std::smatch m;
  double stime_rate = 0;
  // "1234 connections in 5.01s; 246.31 connections/user sec" then "... in 6 real seconds"
  if (std::regex_search(st.out, m, std::regex(R"((\d+) connections in (\d+) real seconds)")))
    stime_rate = std::stod(m[1]) / std::stod(m[2]);
  std::printf("  engine: %.0f handshakes/s (%d, %d failed); openssl s_time -new: %.0f handshakes/s (wall); ratio %.2f\n",
              engine_rate, n, failed, stime_rate, stime_rate > 0 ? engine_rate / stime_rate : 0.0);
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> specs(argv + 1, argv + argc);
  log::set_level(log::Level::verbose);  // the suite's phase times
  if (specs.empty()) specs = {"debian:trixie:stable", "debian:bookworm:stable"};
  try {
    for (const auto& s : specs) bench(s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_starttls: %s\n", e.what());
    return 1;
  }
}
