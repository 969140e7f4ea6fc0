// `harness run --baseline fedora:41:stable --candidate bodhi:ALIAS --suite exiqgrep` against the local
// Fedora world (label: integration): the update's build comes from the world's Bodhi and Koji hub
// (containers/fedora-world/serve-koji.py), is downloaded from Koji's top URL and verified against the
// hub's payloadhash, and is installed as files on top of the release's stable, the baseline. The
// update holds the -H build (the Bug 3050 fix reverted): REGRESSION in the live-upgrade listing case,
// exit 1, and the summary names the build change, the advisory and rhbz#2258027, which come from
// Bodhi here (not from updateinfo: the candidate is no repository). `nightly --attach` with the same
// update in its watchlist attaches the results to the advisory's bug (rhbz#2258027) on a local
// Bugzilla REST endpoint, once: the second night, with the same build, posts nothing. A Copr
// project holding the same -H build (copr:@exim/exim-next): its chroot's repository is layered on
// the release's stable, dnf installs the build with its signature checked against the project's
// pubkey.gpg, and the same REGRESSION is found.
#define BOOST_TEST_MODULE bodhi_run_integration
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "tests/report/fake_bugzilla.hpp"
#include "tests/support/fedora_world.hpp"
#include "tests/support/run_report.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

struct World {
  test::FedoraWorld world;
  test::ImageSweeper sweeper;
  TempDir out{"harness-test-bodhi-run"};

  // The global flags that point the harness at the world's mirror, image, key and services.
  std::vector<std::string> world_flags() const {
    std::string image = world.image.substr(0, world.image.rfind(':'));
    return {HARNESS_BIN, "--root", HARNESS_SOURCE_DIR, "--fedora-metalink", world.metalink, "--fedora-image", image,
            "--fedora-gpg-key", world.gpgkey, "--koji-hub", world.koji_hub, "--koji-topurl", world.koji_topurl,
            "--bodhi-url", world.bodhi_url, "--copr-url", world.copr_url, "--cache-dir", (out.path() / "cache").string()};
  }

  struct Report : test::RunReport {
    ProcessResult result;
  };
  // `harness run` of the exiqgrep suite, the release's stable against `candidate`, into out/NAME.
  Report run_exiqgrep(const std::string& candidate, const std::string& name) {
    fs::path reports = out.path() / name;
    auto argv = world_flags();
    argv.insert(argv.end(), {"run", "--baseline", "fedora:41:stable", "--candidate", candidate, "--suite", "exiqgrep",
                             "--reruns", "0", "--no-blame", "--out", reports.string()});
    auto r = run_process(argv, {.timeout = 2400s, .env = {world.registries_env()}});
    BOOST_TEST_MESSAGE(join(argv, " ") << "\nexit " << r.exit_code << "\nstderr:\n" << r.err);
    Report rep{test::RunReport::read(reports), std::move(r)};
    BOOST_TEST_MESSAGE("summary.txt:\n" << rep.summary);
    return rep;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(bodhi_run, World)

BOOST_AUTO_TEST_CASE(bodhi_update_with_the_dash_h_build_is_a_regression_naming_the_advisory) {
  auto r = run_exiqgrep("bodhi:" + world.advisory, "reports");
  BOOST_CHECK_EQUAL(r.result.exit_code, 1);
  BOOST_CHECK(contains(r.summary, world.advisory));
  BOOST_CHECK(contains(r.summary, "rhbz#2258027"));
  BOOST_CHECK(contains(r.summary, "4.98.2-1.fc41"));
  BOOST_CHECK_EQUAL(r.candidate("exiqgrep", "live-upgrade/listing-conformance"), "REGRESSION/FAIL");
  BOOST_CHECK_GT(r.count("REGRESSION"), 0u);
  BOOST_CHECK_EQUAL(r.count("ERROR"), 0u);
  // The RPM came from Koji's top URL, not from the mirror's updates-testing.
  std::string log = read_file(world.services_log);
  BOOST_CHECK(contains(log, "GET /kojifiles/packages/exim/4.98.2/1.fc41/x86_64/exim-4.98.2-1.fc41.x86_64.rpm 200"));
  BOOST_CHECK(contains(log, "GET /bodhi/updates/" + world.advisory + " 200"));
}

BOOST_AUTO_TEST_CASE(nightly_attaches_the_update_results_to_its_bug_once) {
  fs::path reports = out.path() / "reports";
  fs::path watchlist = out.path() / "watchlist.yaml";
  write_file(watchlist,
             "name: exim-updates\n"
             "summary: the exim update in Bodhi against Fedora 41's stable\n"
             "baseline: fedora:41:stable\n"
             "candidates: [bodhi:" + world.advisory + "]\n"
             "packages: [exim]\n"
             "suites:\n  - name: exiqgrep\n    package: exim\n");
  testing::FakeBugzilla bz;
  auto server = bz.serve_rest();
  const std::string key = "SECRETKEY-bodhi-nightly-42";
  auto night = [&] {
    auto argv = world_flags();
    argv.insert(argv.end(), {"nightly", "--watchlist", watchlist.string(), "--attach", "--url", bz.url(),
                             "--out", reports.string()});
    auto r = run_process(argv, {.timeout = 2400s, .env = {world.registries_env(), "BUGZILLA_API_KEY=" + key}});
    BOOST_TEST_MESSAGE(join(argv, " ") << "\nexit " << r.exit_code << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
    BOOST_CHECK(!contains(r.out + r.err, key));
    return r;
  };
  auto first = night();
  BOOST_CHECK_EQUAL(first.exit_code, 1);  // the REGRESSION
  BOOST_REQUIRE_EQUAL(bz.attachments["2258027"].size(), 1u);
  BOOST_CHECK(contains(bz.comments["2258027"][0], world.advisory));
  BOOST_CHECK(contains(bz.comments["2258027"][0], "exim-4.98.2-1.fc41"));
  BOOST_CHECK(contains(bz.comments["2258027"][0], "REGRESSION"));
  for (const auto& rq : bz.requests) BOOST_CHECK_EQUAL(rq.headers.at("authorization"), "Bearer " + key);
  // The next night, the same build: found in the bug's attachments, not posted again.
  auto second = night();
  BOOST_CHECK(contains(second.out, "not posted again"));
  BOOST_CHECK_EQUAL(bz.attachments["2258027"].size(), 1u);
  bz.stop();
  server.join();
}

BOOST_AUTO_TEST_CASE(copr_project_with_the_dash_h_build_is_a_regression) {
  const std::string copr = "copr:" + world.copr_project;
  auto r = run_exiqgrep(copr, "copr-reports");
  BOOST_CHECK_EQUAL(r.result.exit_code, 1);
  BOOST_CHECK(contains(r.summary, copr));
  BOOST_CHECK(contains(r.summary, "4.96-1.fc41 -> 4.98.2-1.fc41"));
  BOOST_CHECK(contains(r.summary, "--copr-url " + world.copr_url));  // the reproduce line asks the same Copr
  BOOST_CHECK_EQUAL(r.candidate("exiqgrep", "live-upgrade/listing-conformance"), "REGRESSION/FAIL");
  BOOST_CHECK_EQUAL(r.count("ERROR"), 0u);
  // The build came from the Copr backend, and dnf fetched the project's key to check it.
  std::string log = read_file(world.services_log);
  BOOST_CHECK(contains(log, "GET /copr/api_3/project?ownername=%40exim&projectname=exim-next 200") ||
              contains(log, "GET /copr/api_3/project?ownername=@exim&projectname=exim-next 200"));
  BOOST_CHECK(contains(log, "/copr-be/results/@exim/exim-next/fedora-41-x86_64/01784470-exim/exim-4.98.2-1.fc41.x86_64.rpm 200") ||
              contains(log, "/copr-be/results/%40exim/exim-next/fedora-41-x86_64/01784470-exim/exim-4.98.2-1.fc41.x86_64.rpm 200"));
  BOOST_CHECK(contains(log, "exim-next/pubkey.gpg 200"));
}

BOOST_AUTO_TEST_SUITE_END()
