// Whole runs with real suites in real podman testbeds from real Debian packages (label: integration).
//  - bookworm (baseline) vs trixie (candidate), suite exiqgrep: new-format listings FIXED, the 4.97.1
//    "-H" listing ALWAYS-FAIL, no regression, exit code 0.
//  - a local candidate: trixie's exim4-base rebuilt with bookworm's exiqgrep (made here with
//    apt-get download in testbeds and dpkg-deb on the host) against trixie: REGRESSION, exit 1,
//    and the summary names the case and the local version.
#define BOOST_TEST_MODULE run_integration
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "harness/cli/host_archives.hpp"
#include "harness/cli/pipeline.hpp"
#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"
#include "harness/testbed/image.hpp"
#include "harness/testbed/testbed.hpp"
#include "tests/support/cache_dir.hpp"

using namespace harness;
using namespace harness::cli;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
using harness::test::cache_dir;

struct Fixture {
  Podman podman{detect_podman(cache_dir())};
  ImageStore images{podman, {.recipes_dir = fs::path(HARNESS_SOURCE_DIR) / "containers", .cache_dir = cache_dir(), .mirrors = cli::host_mirrors()}};
  PodmanTestbedStarter starter{podman};
  TempDir dir{"harness-test-run"};

  Services services() {
    Services sv;
    sv.make_suite = [](const std::string& name) { return make_suite(name); };
    sv.testbeds = [this] { return std::pair<ImageSource*, const TestbedStarter*>{&images, &starter}; };
    sv.mirrors = cli::host_mirrors();  // the host's apt sources, as `harness run` takes them
    ResolveOptions ro{.cache_dir = cache_dir() / "metadata", .mirrors = sv.mirrors};
    sv.resolve = [ro](const CandidateSpec& spec, const std::vector<std::string>& packages) {
      return resolve(spec, packages, ro);
    };
    return sv;
  }
  RunRequest request(const std::string& baseline, const std::string& candidate) {
    RunRequest rq;
    rq.plan = load_plan_file(fs::path(HARNESS_SOURCE_DIR) / "scenarios" / "plans" / "bookworm-vs-trixie.yaml");
    rq.plan.baseline = parse_candidate_spec(baseline);
    rq.plan.candidates = {parse_candidate_spec(candidate)};
    rq.only_suites = {"exiqgrep"};
    rq.scenarios_dir = fs::path(HARNESS_SOURCE_DIR) / "scenarios";
    rq.reports_dir = dir.path() / "reports";
    rq.command = "harness run --baseline " + baseline + " --candidate " + candidate + " --suite exiqgrep";
    return rq;
  }
  // `apt-get download PACKAGE` in a testbed of `spec`'s channel; returns the .deb on the host.
  fs::path download(const std::string& spec_text, const std::string& package, const fs::path& to) {
    auto spec = parse_candidate_spec(spec_text);
    auto base = images.ensure_base(Family::debian, spec.release);
    PodmanTestbed t(podman, {.image = base, .run_id = "test-run-integration", .role = "download", .network = true});
    std::string sources;
    for (const auto& l : debian_apt_sources(spec, cli::host_mirrors())) sources += l + "\n";
    t.write_file("/etc/apt/sources.list", sources);
    auto r = t.sh("rm -f /etc/apt/sources.list.d/*; apt-get update -qq -o APT::Update::Error-Mode=any >/dev/null && mkdir -p /dl && cd /dl && "
                  "apt-get download -qq " + package + " >/dev/null && ls /dl/*.deb", "", 600s);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err + r.out);
    std::string in_container = r.out.substr(0, r.out.find('\n'));
    fs::create_directories(to);
    auto host = to / fs::path(in_container).filename();
    t.copy_out(in_container, host);
    return host;
  }
};

std::string prop(const CaseResult* c, const std::string& key) {
  if (!c) return {};
  auto it = c->properties.find(key);
  return it == c->properties.end() ? std::string() : it->second;
}

void check_run(bool ok, const std::string& what) { BOOST_REQUIRE_MESSAGE(ok, what); }

// An unpacked .deb's version with `suffix` added, as a maintainer's rebuild bumps it; returns the new one.
std::string bump_version(const fs::path& tree, const std::string& suffix) {
  auto control = read_file(tree / "DEBIAN/control");
  auto vpos = control.find("\nVersion: ") + 10;
  auto vend = control.find('\n', vpos);
  std::string version = control.substr(vpos, vend - vpos) + suffix;
  control.replace(vpos, vend - vpos, version);
  write_file(tree / "DEBIAN/control", control);
  return version;
}

void run(const std::vector<std::string>& argv) {
  auto r = run_process(argv, {.timeout = 120s});
  check_run(r.ok(), shell_quote(argv) + ": " + r.err);
}
}  // namespace

BOOST_FIXTURE_TEST_CASE(bookworm_vs_trixie_fixed_and_always_fail, Fixture) {
  auto out = run_plan(request("debian:bookworm:stable", "debian:trixie:stable"), services());
  const auto& rec = out.record;
  BOOST_TEST_MESSAGE(read_file(out.report_dir / "summary.txt"));
  for (const auto& s : rec.streams) BOOST_CHECK_MESSAGE(s.errors.empty(), s.name + ": " + (s.errors.empty() ? "" : s.errors[0]));
  std::size_t fixed_new = 0, dash_h = 0;
  for (const auto& v : rec.verdicts) {
    const CaseResult* c = v.candidate ? v.candidate : v.baseline;
    BOOST_CHECK_MESSAGE(v.verdict != Verdict::regression && v.verdict != Verdict::error,
                        v.id + ": " + to_string(v.verdict) + " " + v.reason);
    bool from_4971 = prop(c, "listing_producer").find("4.97.1") != std::string::npos;
    if (from_4971) {
      // No upstream exiqgrep accepts the 4.97.1 "-H" line: it fails on both sides.
      BOOST_CHECK_MESSAGE(v.verdict == Verdict::always_fail, v.id + " is " + to_string(v.verdict));
      ++dash_h;
    } else if (prop(c, "kind") == "fake-exim" && prop(c, "listing_id_formats") == "new" && v.id.rfind("usage/", 0) != 0) {
      // New-format ids (queries that read the listing; usage/ cases only print help): bookworm's
      // exiqgrep says "Line mismatch", trixie's parses them.
      BOOST_CHECK_MESSAGE(v.verdict == Verdict::fixed, v.id + " is " + to_string(v.verdict) + ": " + v.reason);
      if (v.verdict == Verdict::fixed) {
        ++fixed_new;
        BOOST_CHECK_MESSAGE(v.baseline->message.find("Line mismatch") != std::string::npos, v.id + ": " + v.baseline->message);
      }
    }
  }
  BOOST_CHECK_GT(fixed_new, 0u);
  BOOST_CHECK_GT(dash_h, 0u);
  BOOST_CHECK(out.status == RunStatus::ok);
  BOOST_CHECK_EQUAL(exit_code_for(out.status), 0);
  // The reports hold the exact versions of both sides.
  auto junit = read_file(out.report_dir / "junit.xml");
  BOOST_CHECK(junit.find("name=\"package:exim4-base\" value=\"4.96-") != std::string::npos);
  BOOST_CHECK(junit.find("name=\"package:exim4-base\" value=\"4.98.2-") != std::string::npos);
  auto xsd = fs::path(HARNESS_SOURCE_DIR) / "tests" / "report" / "junit.xsd";
  auto lint = run_process({"xmllint", "--noout", "--schema", xsd.string(), (out.report_dir / "junit.xml").string()});
  BOOST_CHECK_MESSAGE(lint.ok(), lint.err);
}

BOOST_FIXTURE_TEST_CASE(local_candidate_with_an_old_exiqgrep_is_a_regression, Fixture) {
  // trixie's exim4-base with bookworm's exiqgrep in it, version bumped like a maintainer's rebuild.
  auto debs = dir.path() / "downloads";
  auto trixie_deb = download("debian:trixie:stable", "exim4-base", debs / "trixie");
  auto bookworm_deb = download("debian:bookworm:stable", "exim4-base", debs / "bookworm");
  auto tree = dir.path() / "tree", old = dir.path() / "old";
  run({"dpkg-deb", "-R", trixie_deb.string(), tree.string()});
  run({"dpkg-deb", "-x", bookworm_deb.string(), old.string()});
  fs::copy_file(old / "usr/sbin/exiqgrep", tree / "usr/sbin/exiqgrep", fs::copy_options::overwrite_existing);
  std::string version = bump_version(tree, "+harness1");
  std::string base_version = version.substr(0, version.rfind("+harness1"));
  fs::remove(tree / "DEBIAN/md5sums");  // stale for exiqgrep; optional in a .deb
  auto results = dir.path() / "results";
  fs::create_directories(results);
  // Reproducible (mtimes clamped): the same .deb in every run, so its images are built once per
  // machine, not once per test run.
  run({"env", "SOURCE_DATE_EPOCH=1700000000", "dpkg-deb", "--root-owner-group", "-b", tree.string(),
       (results / ("exim4-base_" + version + "_amd64.deb")).string()});

  auto out = run_plan(request("debian:trixie:stable", "local:" + results.string() + "@debian:trixie:stable"), services());
  const auto& rec = out.record;
  auto summary = read_file(out.report_dir / "summary.txt");
  BOOST_TEST_MESSAGE(summary);
  std::size_t regressions = 0;
  std::string first;
  for (const auto& v : rec.verdicts)
    if (v.verdict == Verdict::regression) {
      ++regressions;
      if (first.empty()) first = v.id;
      BOOST_CHECK_MESSAGE(v.candidate && v.candidate->outcome == Outcome::fail, v.id);
    }
  BOOST_CHECK_GT(regressions, 0u);
  BOOST_CHECK(out.status == RunStatus::regression);
  BOOST_CHECK_EQUAL(exit_code_for(out.status), 1);
  BOOST_CHECK(summary.rfind("harness run " + rec.run_id + ": REGRESSION found", 0) == 0);
  // summary.txt groups cases by cause; summary-full.txt names every case and every installed version.
  auto full = read_file(out.report_dir / "summary-full.txt");
  BOOST_CHECK(full.find("exiqgrep/" + first + " on candidate (local:" + results.string()) != std::string::npos);
  BOOST_CHECK(full.find("exim4-base " + version) != std::string::npos);
  BOOST_CHECK(summary.find("exim4-base " + base_version + " -> " + version) != std::string::npos);
  BOOST_CHECK(summary.find("local package exim4-base_" + version + "_amd64.deb") != std::string::npos);
  // The candidate's image really holds the local build.
  bool local_installed = false;
  for (const auto& img : rec.streams[1].images)
    for (const auto& [name, ver] : img.requested) local_installed = local_installed || (name == "exim4-base" && ver == version);
  BOOST_CHECK(local_installed);
}

BOOST_FIXTURE_TEST_CASE(a_candidate_package_pulled_in_as_a_dependency_is_the_candidates, Fixture) {
  // trixie's exim4-config, unchanged but for its version: no suite names it, exim4-base pulls it in.
  auto deb = download("debian:trixie:stable", "exim4-config", dir.path() / "downloads");
  auto tree = dir.path() / "tree";
  run({"dpkg-deb", "-R", deb.string(), tree.string()});
  std::string version = bump_version(tree, "+harness1");
  auto results = dir.path() / "results";
  fs::create_directories(results);
  run({"env", "SOURCE_DATE_EPOCH=1700000000", "dpkg-deb", "--root-owner-group", "-b", tree.string(),
       (results / ("exim4-config_" + version + "_all.deb")).string()});

  auto out = run_plan(request("debian:trixie:stable", "local:" + results.string() + "@debian:trixie:stable"), services());
  const auto& cand = out.record.streams[1];
  BOOST_TEST_MESSAGE(read_file(out.report_dir / "summary.txt"));
  BOOST_REQUIRE_EQUAL(cand.changed.size(), 1u);
  BOOST_CHECK_EQUAL(cand.changed[0], "exim4-config " + version);
  BOOST_CHECK_MESSAGE(cand.not_exercised.empty(), "the candidate's exim4-config was not installed");
  BOOST_CHECK_MESSAGE(cand.errors.empty(), (cand.errors.empty() ? std::string() : cand.errors[0]));
  BOOST_CHECK(out.status == RunStatus::ok);
}
