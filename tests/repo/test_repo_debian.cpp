// Against the real Debian archive: `harness candidates` must print the versions that
// `apt-cache policy` shows inside containers of the same suites (label: integration).
#define BOOST_TEST_MODULE repo_debian
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include "harness/cli/host_archives.hpp"
#include "harness/common/process.hpp"
#include "harness/repo/channels.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"
#include "tests/support/cache_dir.hpp"

using namespace harness;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
using harness::test::cache_dir;

// name -> Candidate: version, from `apt-cache policy` output.
std::map<std::string, std::string> parse_policy(const std::string& out) {
  std::map<std::string, std::string> m;
  std::istringstream in(out);
  std::string line, current;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line.back() == ':') current = line.substr(0, line.size() - 1);
    auto pos = line.find("Candidate: ");
    if (pos != std::string::npos && !current.empty()) m[current] = line.substr(pos + 11);
  }
  return m;
}
}  // namespace

BOOST_AUTO_TEST_CASE(candidates_match_apt_cache_policy_in_containers) {
  auto r = run_process({HARNESS_BIN, "--cache-dir", cache_dir().string(), "candidates", "debian:bookworm:stable",
                        "debian:trixie:stable", "--packages", "src:exim4,openssl", "--json"},
                       {.timeout = 600s});
  BOOST_TEST_MESSAGE(r.err);
  BOOST_REQUIRE(r.exit_code == 1 || r.exit_code == 0);
  auto out = nlohmann::json::parse(r.out);
  BOOST_TEST(out.at("changed").get<bool>() == (r.exit_code == 1));

  Podman podman{detect_podman(cache_dir())};
  ImageStore images{podman, {.recipes_dir = std::string(HARNESS_SOURCE_DIR) + "/containers", .cache_dir = cache_dir(), .mirrors = cli::host_mirrors()}};
  for (std::string suite : {"bookworm", "trixie"}) {
    std::string spec_text = "debian:" + suite + ":stable";
    std::vector<std::string> names;
    std::map<std::string, std::string> ours;
    for (const auto& row : out.at("packages")) {
      const auto& v = row.at("versions").at(spec_text);
      if (v.is_null()) continue;
      names.push_back(row.at("name"));
      ours[row.at("name")] = v.at("evr");
    }
    BOOST_REQUIRE(ours.count("exim4-base") && ours.count("exim4-daemon-light") && ours.count("openssl"));

    PodmanTestbed tb(podman, {.image = images.ensure_base(Family::debian, suite), .run_id = "test-repo-" + std::to_string(getpid()),
                        .role = "policy-" + suite,
                        .network = true});  // apt-get update reaches the archive
    std::string sources;
    for (const auto& l : debian_apt_sources(parse_candidate_spec(spec_text), cli::host_mirrors())) sources += l + "\n";
    tb.write_file("/etc/apt/sources.list", sources);
    std::string script = "rm -f /etc/apt/sources.list.d/* && apt-get update -qq --error-on=any >/dev/null && apt-cache policy";
    for (const auto& n : names) script += " " + n;
    auto policy = tb.sh(script, "", 600s);
    BOOST_REQUIRE_MESSAGE(policy.exit_code == 0, policy.err);
    auto apt = parse_policy(policy.out);
    for (const auto& [name, evr] : ours) BOOST_TEST(apt[name] == evr, suite << " " << name << ": apt says " << apt[name]);
    // Every binary apt knows for these names is listed by us too.
    BOOST_TEST(apt.size() == ours.size());
  }
}
