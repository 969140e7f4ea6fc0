// Whole Fedora runs through the real binary against the local Fedora world (containers/fedora-world;
// label: integration): exim RPMs built by rpmbuild from exim's source, installed by dnf from signed
// rpm-md repositories found through the world's metalink, in testbeds whose base comes from its
// registry; the default plan, which names Fedora's packages on Fedora streams.
//  - `harness run` with no plan on a Fedora 41 host (HARNESS_OS_RELEASE): the default plan,
//    fedora:41:stable (exim 4.96) vs fedora:41:testing holding the -H build (the Bug 3050 fix
//    reverted), both suites with Fedora's package names: REGRESSION in the live-upgrade listing and Munin cases, exit 1; the summary names the
//    build change, the advisory and rhbz#2258027; starttls runs on the OpenSSL-built Fedora exim, where
//    the EC-only certificate against the 2015 Proofpoint sender fails and exim logs "no shared cipher";
//  - after `fedora-world testing fixed` (updates-testing holds the build with the fix back, as
//    Fedora's 4.97.1-1 -> 4.97.1-2 went), against the -H build as baseline (its RPM, downloaded from
//    the mirror before the switch, as local:DIR@fedora:41:stable): FIXED in the same cases, exit 0;
//  - `harness prepush` with no option in a checkout after `fedpkg mockbuild` (results_exim/V/R/),
//    on this Debian host: the RPMs' dist tag names fedora:41:stable, REGRESSION found.
#define BOOST_TEST_MODULE fedora_run_integration
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "tests/support/fedora_world.hpp"
#include "tests/support/run_report.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

// "exim-4.96-1.fc41.x86_64" -> "4.96-1.fc41"
std::string version_release(const std::string& nevra) {
  auto vr = nevra.substr(std::string("exim-").size());
  return vr.substr(0, vr.rfind('.'));
}

struct Run : test::RunReport {
  ProcessResult result;
};

struct World {
  test::FedoraWorld world;
  test::ImageSweeper sweeper;
  TempDir out{"harness-test-fedora-run"};

  // `harness run [extra...]` against the world, on a Fedora 41 host as far as the harness knows.
  Run run(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> command{"run", "--reruns", "0", "--no-blame"};
    command.insert(command.end(), extra.begin(), extra.end());
    write_file(out.path() / "os-release", "NAME=\"Fedora Linux\"\nVERSION=\"41 (Forty One)\"\nID=fedora\nVERSION_ID=41\n");
    return harness(name, command, {.env = {"HARNESS_OS_RELEASE=" + (out.path() / "os-release").string()}});
  }

  // The -H build's RPM, downloaded from the mirror's updates-testing into `dir`; its file name.
  std::string download_dash_h(const fs::path& dir) {
    fs::create_directories(dir);
    auto rpm = world.exim_dash_h + ".rpm";
    auto url = world.baseurl + "updates/testing/41/Everything/x86_64/Packages/e/" + rpm;
    auto got = run_process({"curl", "-fsS", "--max-time", "60", "-o", (dir / rpm).string(), url}, {.timeout = 90s});
    BOOST_REQUIRE_MESSAGE(got.ok(), url << ": " << got.err);
    return rpm;
  }

  // `harness COMMAND... --out DIR` against the world's mirror, image and key (on this host unless
  // `options` says otherwise); the run's reports are read back.
  Run harness(const std::string& name, std::vector<std::string> command, ProcessOptions options = {}) {
    std::string image = world.image.substr(0, world.image.rfind(':'));
    fs::path reports = out.path() / name;
    std::vector<std::string> argv{HARNESS_BIN, "--root", HARNESS_SOURCE_DIR, "--fedora-metalink", world.metalink,
                                  "--fedora-image", image, "--fedora-gpg-key", world.gpgkey};
    argv.insert(argv.end(), command.begin(), command.end());
    argv.insert(argv.end(), {"--out", reports.string()});
    options.timeout = 2400s;
    options.env.push_back(world.registries_env());
    auto r = run_process(argv, options);
    BOOST_TEST_MESSAGE(join(argv, " ") << "\nexit " << r.exit_code << "\nstderr:\n" << r.err);
    Run run{test::RunReport::read(reports), std::move(r)};
    BOOST_TEST_MESSAGE("summary.txt:\n" << run.summary);
    return run;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(fedora_run, World)

BOOST_AUTO_TEST_CASE(dash_h_build_in_updates_testing_is_a_regression_and_the_fix_passes) {
  // 1. updates-testing holds the -H build; the default plan for a Fedora 41 host, both suites.
  BOOST_REQUIRE_EQUAL(world.testing, "dash-h");
  auto a = run("dash-h");
  BOOST_CHECK(contains(a.summary, "fedora:41:stable"));
  BOOST_CHECK(contains(a.summary, "fedora:41:testing"));
  BOOST_CHECK_EQUAL(a.result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(a.summary, "exim " + version_release(world.exim_stable) + " -> " +
                                              version_release(world.exim_dash_h)),
                      "the summary does not name the build change");
  BOOST_CHECK(contains(a.summary, world.advisory));
  BOOST_CHECK(contains(a.summary, "rhbz#2258027"));
  BOOST_CHECK_EQUAL(a.candidate("exiqgrep", "live-upgrade/listing-conformance"), "REGRESSION/FAIL");
  BOOST_CHECK_EQUAL(a.candidate("exiqgrep", "live-upgrade/munin-exim_mailqueue"), "REGRESSION/FAIL");
  BOOST_CHECK_EQUAL(a.count("ERROR"), 0u);
  BOOST_CHECK_GT(a.count("REGRESSION"), 0u);

  // starttls on Fedora's exim: every certificate set started (no case failed on both for it), RSA
  // and dual serve the 2015 sender, EC-only refuses it and exim says why in its own words.
  for (const auto& c : a.results["cases"])
    if (c.value("suite", "") == "starttls" && !c.value("baseline", false))
      BOOST_CHECK_MESSAGE(c.value("verdict", "") == "PASS", c.value("case", "") << ": " << c.value("verdict", ""));
  BOOST_CHECK_EQUAL(a.candidate("starttls", "exim/rsa/proofpoint-2015"), "PASS/PASS");
  BOOST_CHECK_EQUAL(a.candidate("starttls", "exim/dual/proofpoint-2015"), "PASS/PASS");
  BOOST_CHECK_EQUAL(a.candidate("starttls", "exim/ec/proofpoint-2015"), "PASS/PASS");
  auto ec_log = read_file(a.dir / "logs" / "cases" / "starttls.candidate.exim_ec_proofpoint-2015.log");
  BOOST_TEST_MESSAGE(ec_log);
  BOOST_CHECK_MESSAGE(contains(ec_log, "no shared cipher"), "exim's log line is not attached");

  // 2. The fix back in updates-testing, against the -H build: the same cases are FIXED.
  auto dash_h_dir = out.path() / "dash-h-rpms";
  download_dash_h(dash_h_dir);
  world.set_testing("fixed");
  auto b = run("fixed", {"--baseline", "local:" + dash_h_dir.string() + "@fedora:41:stable", "--candidate",
                         "fedora:41:testing", "--suite", "exiqgrep"});
  BOOST_CHECK_EQUAL(b.result.exit_code, 0);
  BOOST_CHECK(contains(b.summary, "exim " + version_release(world.exim_dash_h) + " -> " + version_release(world.exim_fixed)));
  BOOST_CHECK_EQUAL(b.candidate("exiqgrep", "live-upgrade/listing-conformance"), "FIXED/PASS");
  BOOST_CHECK_EQUAL(b.candidate("exiqgrep", "live-upgrade/munin-exim_mailqueue"), "FIXED/PASS");
  BOOST_CHECK_EQUAL(b.count("REGRESSION"), 0u);
  BOOST_CHECK_EQUAL(b.count("ERROR"), 0u);
}

BOOST_AUTO_TEST_CASE(prepush_in_a_fedpkg_mockbuild_checkout_needs_no_option) {
  // A dist-git checkout after `fedpkg mockbuild`: results_exim/VERSION/RELEASE/ holds the binary
  // RPMs, the source RPM and mock's logs. The build is the -H one (the RPM from updates-testing).
  auto checkout = out.path() / "exim";
  auto results = checkout / "results_exim" / "4.98.2" / "1.fc41";
  auto rpm = download_dash_h(results);
  write_file(results / "exim-4.98.2-1.fc41.src.rpm", "not installed: a source RPM\n");
  for (const char* log : {"build.log", "root.log", "state.log"}) write_file(results / log, "mock\n");
  write_file(checkout / "exim.spec", "Name: exim\n");

  // This host is Debian: the Fedora release comes from the RPMs' dist tag (.fc41), not from the host.
  auto a = harness("prepush", {"prepush", "--suite", "exiqgrep"}, {.cwd = checkout});
  BOOST_CHECK_EQUAL(a.result.exit_code, 1);
  BOOST_CHECK_MESSAGE(contains(a.result.err, "built for fedora:41:stable (their dist tag)"), a.result.err);
  BOOST_CHECK(contains(a.summary, "exim " + version_release(world.exim_stable) + " -> " + version_release(world.exim_dash_h)));
  BOOST_CHECK_EQUAL(a.candidate("exiqgrep", "live-upgrade/listing-conformance"), "REGRESSION/FAIL");
  BOOST_CHECK_EQUAL(a.count("ERROR"), 0u);

  // RPMs of two releases in one folder: which baseline is meant is the maintainer's call.
  fs::copy_file(results / rpm, checkout / "results_exim" / "4.98.2" / "1.fc41" / "exim-4.98.2-1.fc40.x86_64.rpm");
  auto two = run_process({HARNESS_BIN, "--root", HARNESS_SOURCE_DIR, "prepush", "--suite", "exiqgrep"},
                         {.timeout = 120s, .cwd = checkout});
  BOOST_CHECK_EQUAL(two.exit_code, 2);
  BOOST_CHECK_MESSAGE(contains(two.err, "several Fedora releases") && contains(two.err, "fc40: exim-4.98.2-1.fc40.x86_64.rpm") &&
                          contains(two.err, "--base fedora:N:stable"),
                      two.err);
}

BOOST_AUTO_TEST_SUITE_END()
