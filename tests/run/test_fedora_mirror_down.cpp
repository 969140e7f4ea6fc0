// `fedora:41:testing` while the mirror's updates-testing is down (label: integration): against the
// local Fedora world with `fedora-world mirror STATEDIR down updates-testing` (503 for that repository,
// the others answer), `harness run --baseline fedora:41:stable --candidate fedora:41:testing` is an
// infrastructure error (exit 3): every candidate case is ERROR (JUnit <error>, never an empty
// testsuite), the message names the repomd.xml that failed, no candidate image is built (never the
// baseline's packages under the candidate's name), and the summary says the stream's versions were not
// resolved. A repository that is gone (404) is the same ERROR. Through the metalink instead (every
// mirror it lists), mirror 1 down is no ERROR: resolved from mirror 2 with a warning naming mirror 1,
// the testbeds' dnf also fetching from mirror 2, and the -H build's REGRESSION found (exit 1).
#define BOOST_TEST_MODULE fedora_mirror_down
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "tests/support/fedora_world.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

struct Run {
  ProcessResult result;
  fs::path dir;  // the run's report folder
};

struct World {
  test::FedoraWorld world;
  test::ImageSweeper sweeper;
  TempDir out{"harness-test-mirror-down"};

  // through: "baseurl" (one mirror, --fedora-baseurl) or "metalink" (every mirror the world's
  // metalink lists, --fedora-metalink), for the resolution and the testbeds' dnf alike.
  Run run(const std::string& name, const std::string& through = "baseurl") {
    std::string image = world.image.substr(0, world.image.rfind(':'));
    fs::path reports = out.path() / name;
    std::vector<std::string> argv{HARNESS_BIN, "--root", HARNESS_SOURCE_DIR,
                                  through == "baseurl" ? "--fedora-baseurl" : "--fedora-metalink",
                                  through == "baseurl" ? world.baseurl : world.metalink,
                                  "--fedora-image", image, "--fedora-gpg-key", world.gpgkey,
                                  "run", "--baseline", "fedora:41:stable", "--candidate", "fedora:41:testing",
                                  "--suite", "exiqgrep", "--package", "exim", "--reruns", "0", "--no-blame",
                                  "--out", reports.string()};
    auto r = run_process(argv, {.timeout = 1200s, .env = {world.registries_env()}});
    BOOST_TEST_MESSAGE(join(argv, " ") << "\nexit " << r.exit_code << "\nstderr:\n" << r.err);
    Run out{std::move(r), {}};
    for (const auto& e : fs::directory_iterator(reports))
      if (e.is_directory() && !e.is_symlink()) out.dir = e.path();
    BOOST_REQUIRE_MESSAGE(!out.dir.empty(), "no report folder under " << reports);
    return out;
  }
};

const std::string kTestingRepomd = "pub/fedora/linux/updates/testing/41/Everything/x86_64/repodata/repomd.xml";

// Every <testsuite> of the candidate has tests > 0 and as many <error> as tests; none of the baseline's
// cases is an error. Returns the candidate's number of cases.
std::size_t check_junit(const std::string& junit) {
  static const std::regex suite_re(R"re(<testsuite name="([^"]+)"[^>]*tests="(\d+)"[^>]*errors="(\d+)")re");
  std::size_t candidate_cases = 0;
  bool seen_candidate = false;
  for (std::sregex_iterator it(junit.begin(), junit.end(), suite_re), end; it != end; ++it) {
    std::string name = (*it)[1];
    auto tests = std::stoul((*it)[2]), errors = std::stoul((*it)[3]);
    BOOST_TEST_MESSAGE("testsuite " << name << ": tests=" << tests << " errors=" << errors);
    BOOST_CHECK_MESSAGE(tests > 0, "testsuite " << name << " has no cases");
    if (contains(name, "candidate")) {
      seen_candidate = true;
      BOOST_CHECK_EQUAL(errors, tests);
      candidate_cases += tests;
    }
  }
  BOOST_CHECK_MESSAGE(seen_candidate, "no candidate testsuite in junit.xml:\n" << junit.substr(0, 3000));
  return candidate_cases;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(fedora_mirror, World)

BOOST_AUTO_TEST_CASE(testing_with_updates_testing_down_is_error_never_the_baselines_image) {
  world.set_mirror("down", "updates-testing");
  auto down = run("down");
  BOOST_CHECK_EQUAL(down.result.exit_code, 3);

  auto summary = read_file(down.dir / "summary.txt");
  BOOST_TEST_MESSAGE("summary.txt:\n" << summary);
  BOOST_CHECK(contains(summary, "infrastructure errors"));
  // The failing repository, by the URL the resolver fetched, and the answer it got.
  BOOST_CHECK_MESSAGE(contains(summary, world.baseurl.substr(0, world.baseurl.find("/pub/")) + "/" + kTestingRepomd),
                      "the summary does not name the failing repomd.xml");
  BOOST_CHECK(contains(summary, "503"));
  BOOST_CHECK(contains(summary, "no versions were resolved for fedora:41:testing"));
  BOOST_CHECK(!contains(summary, "no package version differs from the baseline's"));

  auto junit = read_file(down.dir / "junit.xml");
  auto candidate_cases = check_junit(junit);
  BOOST_CHECK_GT(candidate_cases, 0u);
  BOOST_CHECK(!contains(junit, "tests=\"0\""));
  BOOST_CHECK(contains(junit, kTestingRepomd));  // the <error> message names it too

  // The candidate built and started nothing: no image in its record, and nothing of updates-testing
  // was downloaded (only its repomd.xml was asked for, and refused).
  auto manifest = nlohmann::json::parse(read_file(down.dir / "manifest.json"));
  bool seen = false;
  for (const auto& s : manifest["streams"]) {
    if (s.value("baseline", false)) continue;
    seen = true;
    BOOST_CHECK_MESSAGE(!s.contains("images") || s["images"].empty(), "the candidate has images: " << s.dump(2));
    BOOST_CHECK_MESSAGE(!s.contains("packages") || s["packages"].dump().find("4.98") == std::string::npos, s.dump(2));
  }
  BOOST_CHECK(seen);
  auto requests = read_file(world.http_log);
  for (const auto& line : split_lines(requests))
    if (contains(line, "/updates/testing/")) BOOST_CHECK_MESSAGE(contains(line, " 503 "), "served while down: " << line);
  BOOST_CHECK(contains(requests, "/" + kTestingRepomd + " 503"));
  for (const auto& img : test::fedora_layer_images())
    if (!sweeper.before.count(img)) {
      auto r = run_process({"podman", "image", "inspect", "--format", "{{json .Labels}}", img}, {.timeout = 60s});
      BOOST_CHECK_MESSAGE(!contains(r.out, "4.98"), "a new image holds the testing build: " << img << " " << r.out);
    }

  // Gone (404) is the same ERROR, named as such.
  world.set_mirror("gone", "updates-testing");
  auto gone = run("gone");
  BOOST_CHECK_EQUAL(gone.result.exit_code, 3);
  auto gone_summary = read_file(gone.dir / "summary.txt");
  BOOST_CHECK_MESSAGE(contains(gone_summary, kTestingRepomd) && contains(gone_summary, "404"), gone_summary);
}

// Through the metalink, the first mirror down is no ERROR: the resolution goes on from mirror 2 (a
// warning names mirror 1) and the testbeds' dnf, given the same metalink, goes through the mirrors
// too: the -H build in updates-testing is the REGRESSION it is with every mirror up.
BOOST_AUTO_TEST_CASE(through_the_metalink_the_first_mirror_down_is_skipped) {
  world.set_mirror("down", "", "1");
  auto before = fs::exists(world.http_log) ? read_file(world.http_log).size() : 0;  // no request yet: no log
  auto r = run("metalink-mirror1-down", "metalink");
  BOOST_CHECK_EQUAL(r.result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(r.result.err, world.metalink.substr(0, world.metalink.rfind("/metalink")) + "/pub/fedora/linux/updates/testing/41/") &&
                          contains(r.result.err, "trying the next mirror"),
                      "no warning naming mirror 1");
  auto summary = read_file(r.dir / "summary.txt");
  BOOST_TEST_MESSAGE("summary.txt:\n" << summary);
  BOOST_CHECK(contains(summary, "REGRESSION"));
  BOOST_CHECK(!contains(summary, "infrastructure errors"));
  auto requests = read_file(world.http_log).substr(before);
  BOOST_CHECK(contains(requests, "/mirror2/pub/fedora/linux/updates/testing/41/Everything/x86_64/Packages/"));  // dnf's download
  world.set_mirror("up");
}

BOOST_AUTO_TEST_SUITE_END()
