// fedora:N:stable|testing over every mirror of the metalink, against the local Fedora world (label:
// integration; the world's warm `up`, no containers): serve.py's MirrorManager metalink lists the
// world's tree as three mirrors (preference 100, 99, 98, plus an rsync entry, not in preference
// order), and `fedora-world mirror ... --mirror N` breaks one of them:
//   - all answer: the resolution uses mirror 1 only;
//   - mirror 1 down (503): the resolution succeeds from mirror 2, with a warning naming mirror 1 and
//     what it answered, and nothing of updates-testing is fetched from mirror 1 but its repomd.xml;
//   - mirror 1 serving a repomd.xml the metalink does not vouch for (stale): skipped the same way;
//   - every mirror down: exit 3, the message naming each mirror and why.
#define BOOST_TEST_MODULE fedora_metalink_mirrors
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "tests/support/fedora_world.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

struct World {
  test::FedoraWorld world;
  TempDir tmp{"harness-test-metalink-mirrors"};
  std::string http = world.metalink.substr(0, world.metalink.rfind("/metalink"));  // http://127.0.0.1:PORT

  // The mirrors' base URLs for updates-testing, as the metalink lists them.
  std::string testing_base(int mirror) const {
    return http + (mirror == 1 ? "" : "/mirror" + std::to_string(mirror)) + "/pub/fedora/linux/updates/testing/41/Everything/x86_64/";
  }

  // `harness candidates fedora:41:stable fedora:41:testing --json` through the metalink, with a cache
  // of its own (nothing from an earlier call stands in for a mirror).
  ProcessResult candidates(const std::string& cache_name) {
    std::vector<std::string> argv{HARNESS_BIN, "--cache-dir", (tmp.path() / cache_name).string(), "--arch", "x86_64",
                                  "--fedora-metalink", world.metalink, "candidates", "fedora:41:stable",
                                  "fedora:41:testing", "--packages", "exim", "--json"};
    auto start = std::chrono::steady_clock::now();
    auto r = run_process(argv, {.timeout = 300s});
    BOOST_TEST_MESSAGE(join(argv, " ") << "\nexit " << r.exit_code << " after "
                                       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
                                       << " ms\nstderr:\n" << r.err);
    return r;
  }

  // The testing build the resolution names, checked against the world's own NEVRA.
  void check_testing_build(const ProcessResult& r) {
    BOOST_REQUIRE_MESSAGE(r.exit_code == 1, "expected exit 1 (exim changed), got " << r.exit_code << ": " << r.err);
    auto j = nlohmann::json::parse(r.out);
    std::string evr;
    for (const auto& p : j.at("packages"))
      if (p.at("name") == "exim") evr = p.at("versions").at("fedora:41:testing").at("evr").get<std::string>();
    BOOST_CHECK_MESSAGE(!evr.empty() && contains(world.exim_dash_h, "exim-" + evr + "."),
                        "testing resolved to '" << evr << "', the world holds " << world.exim_dash_h);
  }

  // Request-log lines since `from` (its size before the call).
  std::vector<std::string> requests_since(std::size_t from) const {
    std::string log = read_file(world.http_log);
    return split_lines(log.substr(std::min(from, log.size())));
  }
  std::size_t log_size() const { return read_file(world.http_log).size(); }
};

std::size_t count_with(const std::vector<std::string>& lines, const std::string& part, const std::string& also = "") {
  std::size_t n = 0;
  for (const auto& l : lines)
    if (contains(l, part) && contains(l, also)) ++n;
  return n;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(metalink_mirrors, World)

BOOST_AUTO_TEST_CASE(each_mirror_in_order_and_exit_3_only_when_all_fail) {
  // The metalink itself: three http mirrors and an rsync one, not in preference order.
  auto ml = run_process({"curl", "-sf", "--max-time", "30", world.metalink + "?repo=updates-testing-f41&arch=x86_64"}, {.timeout = 60s});
  BOOST_REQUIRE_MESSAGE(ml.ok(), ml.err);
  BOOST_TEST_MESSAGE(ml.out);
  BOOST_CHECK(contains(ml.out, testing_base(1) + "repodata/repomd.xml"));
  BOOST_CHECK(contains(ml.out, testing_base(2) + "repodata/repomd.xml"));
  BOOST_CHECK(contains(ml.out, testing_base(3) + "repodata/repomd.xml"));
  BOOST_CHECK(contains(ml.out, "protocol=\"rsync\""));
  BOOST_CHECK_LT(ml.out.find("preference=\"99\""), ml.out.find("preference=\"100\""));

  // All mirrors answer: mirror 1 (preference 100) serves everything.
  auto before = log_size();
  auto ok = candidates("all-up");
  check_testing_build(ok);
  auto reqs = requests_since(before);
  BOOST_CHECK_GT(count_with(reqs, "/pub/fedora/linux/updates/testing/41/"), 0u);
  BOOST_CHECK_EQUAL(count_with(reqs, "/mirror2/"), 0u);
  BOOST_CHECK_EQUAL(count_with(reqs, "/mirror3/"), 0u);
  BOOST_CHECK(!contains(ok.err, "trying the next mirror"));

  // Mirror 1 down: mirror 2 serves, the warning names mirror 1 and its 503.
  world.set_mirror("down", "", "1");
  before = log_size();
  auto down = candidates("mirror1-down");
  check_testing_build(down);
  BOOST_CHECK_MESSAGE(contains(down.err, testing_base(1)) && contains(down.err, "503") &&
                          contains(down.err, "trying the next mirror"),
                      "no warning naming mirror 1: " << down.err);
  BOOST_CHECK(contains(down.err, "using mirror " + testing_base(2)));
  reqs = requests_since(before);
  BOOST_CHECK_GT(count_with(reqs, "/mirror2/pub/fedora/linux/updates/testing/41/", "-primary.xml"), 0u);
  BOOST_CHECK_EQUAL(count_with(reqs, "/mirror3/"), 0u);
  // Of mirror 1 only the repomd.xml files were asked for (one attempt each: the next mirror is the retry).
  for (const auto& l : reqs)
    if (contains(l, " /pub/fedora/linux/")) BOOST_CHECK_MESSAGE(contains(l, "/repodata/repomd.xml 503"), l);
  BOOST_CHECK_EQUAL(count_with(reqs, " /pub/fedora/linux/updates/testing/41/Everything/x86_64/repodata/repomd.xml"), 1u);
  world.set_mirror("up");

  // Mirror 1 serves a stale repomd.xml of updates-testing: refused by the metalink's checksum, skipped.
  world.set_mirror("stale", "updates-testing", "1");
  before = log_size();
  auto stale = candidates("mirror1-stale");
  check_testing_build(stale);
  BOOST_CHECK_MESSAGE(contains(stale.err, "checksum mismatch for " + testing_base(1) + "repodata/repomd.xml"), stale.err);
  BOOST_CHECK(contains(stale.err, "using mirror " + testing_base(2)));
  reqs = requests_since(before);
  BOOST_CHECK_EQUAL(count_with(reqs, " /pub/fedora/linux/updates/testing/41/", "-primary.xml"), 0u);
  BOOST_CHECK_GT(count_with(reqs, "/mirror2/pub/fedora/linux/updates/testing/41/", "-primary.xml"), 0u);
  // fedora and updates were fine on mirror 1: taken from there.
  BOOST_CHECK_EQUAL(count_with(reqs, "/mirror2/pub/fedora/linux/releases/"), 0u);
  world.set_mirror("up");

  // Every mirror down: exit 3, each named with its answer, nothing printed as a result.
  world.set_mirror("down", "", "all");
  auto all = candidates("all-down");
  BOOST_CHECK_EQUAL(all.exit_code, 3);
  BOOST_CHECK(all.out.empty());
  BOOST_CHECK_MESSAGE(contains(all.err, "every mirror the metalink"), all.err);
  for (int m = 1; m <= 3; ++m) {
    std::string base = http + (m == 1 ? "" : "/mirror" + std::to_string(m)) + "/pub/fedora/linux/";
    BOOST_CHECK_MESSAGE(contains(all.err, "mirror " + std::to_string(m) + " of 3 " + base), "mirror " << m << " not named");
  }
  BOOST_CHECK(contains(all.err, "HTTP 503"));
  world.set_mirror("up");
}

BOOST_AUTO_TEST_SUITE_END()
