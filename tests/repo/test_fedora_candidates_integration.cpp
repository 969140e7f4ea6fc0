// Fedora candidates as maintainers name them, against the local Fedora world's build services
// (containers/fedora-world/serve-koji.py: a Koji hub speaking XML-RPC, its top URL, Bodhi's REST API,
// Copr's API v3 and backend) serving the world's real exim RPMs (label: integration, no containers:
// the world's warm `up` and the harness's HTTP calls only):
//   - `harness candidates koji:NVR bodhi:ALIAS copr:OWNER/PROJECT --json` prints the exact NEVRAs, the
//     hub's digests (= rpm's %{SIGMD5} of the served files), the SHA-256 of the verified copies, the
//     advisory and its rhbz#, the Copr chroot's repository and key, and that exim changed against
//     fedora:41:stable (exit 1); koji-task:ID (a scratch build) takes its RPMs from the task's output;
//   - a flipped byte in a served RPM: exit 3 naming the file and both digests, nothing kept;
//   - a hub (or Bodhi, or Copr) that accepts and never answers: exit 3 within the --service-timeout, naming the URL;
//   - an NVR the hub does not know, an alias Bodhi does not know, a project Copr does not know: exit 2 naming them.
#define BOOST_TEST_MODULE fedora_candidates_integration
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "harness/common/hash.hpp"
#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/fedora_candidates.hpp"
#include "tests/support/fedora_world.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

struct World {
  test::FedoraWorld world;
  TempDir tmp{"harness-test-fedora-candidates"};

  // `harness candidates SPECS... --json` against the world, with a cache of its own per call.
  ProcessResult candidates(const std::vector<std::string>& specs, const std::string& cache_name, int service_timeout = 30) {
    std::vector<std::string> argv{HARNESS_BIN, "--root", HARNESS_SOURCE_DIR, "--cache-dir", (tmp.path() / cache_name).string(),
                                  "--fedora-metalink", world.metalink, "--fedora-gpg-key", world.gpgkey,
                                  "--koji-hub", world.koji_hub, "--koji-topurl", world.koji_topurl, "--bodhi-url", world.bodhi_url,
                                  "--copr-url", world.copr_url, "--service-timeout", std::to_string(service_timeout), "candidates"};
    argv.insert(argv.end(), specs.begin(), specs.end());
    argv.push_back("--json");
    auto start = std::chrono::steady_clock::now();
    auto r = run_process(argv, {.timeout = 300s});
    BOOST_TEST_MESSAGE(join(argv, " ") << "\nexit " << r.exit_code << " after "
                                       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
                                       << " ms\nstderr:\n" << r.err);
    return r;
  }

  // The copy of FILE the top URL serves, and rpm's own digest of it.
  fs::path served(const std::string& nevra) {
    for (const auto& e : fs::recursive_directory_iterator(world.state() / "kojifiles" / "packages"))
      if (e.path().filename() == nevra + ".rpm") return e.path();
    BOOST_FAIL("the top URL serves no " << nevra << ".rpm");
    return {};
  }
  static std::string sigmd5(const fs::path& rpm) {
    auto r = run_process({"rpm", "-qp", "--nosignature", "--nodigest", "--qf", "%{SIGMD5}", rpm.string()}, {.timeout = 60s});
    BOOST_REQUIRE_MESSAGE(r.ok(), r.err);
    return r.out;
  }
  std::size_t rpms_in(const std::string& cache_name) {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tmp.path() / cache_name, ec); !ec && it != fs::end(it); it.increment(ec))
      if (it->path().string().find(".rpm") != std::string::npos) ++n;
    return n;
  }
};

const nlohmann::json& candidate(const nlohmann::json& j, const std::string& spec) {
  for (const auto& c : j.at("fedora_candidates"))
    if (c.at("spec") == spec) return c;
  BOOST_FAIL("no fedora_candidates entry for " << spec);
  static nlohmann::json none;
  return none;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(fedora_candidates, World)

BOOST_AUTO_TEST_CASE(koji_build_bodhi_update_and_scratch_task) {
  const std::string koji = "koji:" + world.exim_dash_h.substr(0, world.exim_dash_h.rfind('.'));  // exim-4.98.2-1.fc41
  const std::string bodhi = "bodhi:" + world.advisory;
  const std::string task = "koji-task:" + world.koji_scratch_task;
  const std::string copr = "copr:" + world.copr_project;
  // The release's stable first (the baseline): exim changed, so exit 1.
  auto r = candidates({"fedora:41:stable", koji, bodhi, task, copr}, "ok");
  BOOST_REQUIRE_MESSAGE(r.exit_code == 1, r.err);
  auto j = nlohmann::json::parse(r.out);

  fs::path dash_h = served(world.exim_dash_h), fixed = served(world.exim_fixed);
  const auto& k = candidate(j, koji);
  BOOST_TEST(k.at("base") == "fedora:41:stable");
  BOOST_REQUIRE(k.at("rpms").size() == 1u);
  const auto& rpm = k.at("rpms")[0];
  BOOST_TEST(rpm.at("nevra") == world.exim_dash_h);
  BOOST_TEST(rpm.at("payloadhash") == sigmd5(dash_h));
  BOOST_TEST(rpm.at("sha256") == sha256_file_hex(dash_h));
  BOOST_TEST(rpm.at("size") == static_cast<long long>(fs::file_size(dash_h)));
  BOOST_TEST(contains(rpm.at("url").get<std::string>(), world.koji_topurl + "packages/exim/4.98.2/1.fc41/x86_64/"));
  BOOST_TEST(k.at("advisory").is_null());
  // The trust chain: the hub's two answers and the verified file.
  std::string trust = k.at("trust").dump();
  BOOST_TEST(contains(trust, "getBuild('exim-4.98.2-1.fc41')"));
  BOOST_TEST(contains(trust, "listRPMs(buildID="));
  BOOST_TEST(contains(trust, "verified"));

  const auto& b = candidate(j, bodhi);
  BOOST_TEST(b.at("advisory").at("alias") == world.advisory);
  BOOST_TEST(b.at("advisory").at("bugs") == nlohmann::json::array({world.bug}));
  BOOST_TEST(b.at("advisory").at("release") == "Fedora 41");
  BOOST_TEST(b.at("advisory").at("status") == "testing");
  BOOST_TEST(b.at("base") == "fedora:41:stable");  // Bodhi's release.version
  BOOST_REQUIRE(b.at("rpms").size() == 1u);
  BOOST_TEST(b.at("rpms")[0].at("nevra") == world.exim_dash_h);  // updates-testing holds dash-h
  BOOST_TEST(b.at("rpms")[0].at("payloadhash") == sigmd5(dash_h));

  const auto& t = candidate(j, task);
  BOOST_REQUIRE(t.at("rpms").size() == 1u);
  BOOST_TEST(t.at("rpms")[0].at("nevra") == world.exim_fixed);  // the scratch task built the newest NVR
  BOOST_TEST(t.at("rpms")[0].at("payloadhash") == sigmd5(fixed));
  BOOST_TEST(contains(t.at("rpms")[0].at("url").get<std::string>(), "work/tasks/"));
  BOOST_TEST(contains(t.at("trust").dump(), "getRPMHeaders(taskID="));

  // Copr: the newest Fedora chroot of the project, its repository layered on the release's stable
  // (the -H build there is what libsolv picks), and the project's key in the trust chain.
  const auto& c = candidate(j, copr);
  BOOST_TEST(c.at("base") == "fedora:41:stable");
  BOOST_TEST(c.at("copr_repo") == world.copr_url.substr(0, world.copr_url.find("/copr/")) + "/copr-be/results/" +
                                      world.copr_project + "/fedora-41-x86_64/");
  BOOST_TEST(c.at("copr_key") == world.copr_key_url);
  std::string copr_trust = c.at("trust").dump();
  BOOST_TEST(contains(copr_trust, "GET /api_3/project?ownername=@exim&projectname=exim-next"));
  BOOST_TEST(contains(copr_trust, "GET " + world.copr_key_url));

  // The per-package table names the advisory and the bug for the Bodhi candidate.
  bool exim_row = false;
  for (const auto& p : j.at("packages"))
    if (p.at("name") == "exim") {
      exim_row = true;
      BOOST_TEST(p.at("changed") == true);
      BOOST_TEST(p.at("versions").at("fedora:41:stable").at("evr") == "4.96-1.fc41");
      BOOST_TEST(p.at("versions").at(koji).at("evr") == "4.98.2-1.fc41");
      BOOST_TEST(p.at("versions").at(task).at("evr") == "4.98.2-2.fc41");
      BOOST_TEST(p.at("versions").at(copr).at("evr") == "4.98.2-1.fc41");
      BOOST_TEST(p.at("versions").at(copr).at("repo") == "copr:" + world.copr_project);
      const auto& v = p.at("versions").at(bodhi);
      BOOST_TEST(v.at("evr") == "4.98.2-1.fc41");
      BOOST_TEST(v.at("advisory") == world.advisory);
      BOOST_TEST(v.at("bugs") == nlohmann::json::array({world.bug}));
    }
  BOOST_TEST(exim_row);

  // Bodhi's edit of the update (the -2 build) is what the alias names from then on.
  world.set_testing("fixed");
  auto again = candidates({bodhi}, "after-edit");
  BOOST_REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  auto ja = nlohmann::json::parse(again.out);
  BOOST_TEST(candidate(ja, bodhi).at("rpms")[0].at("nevra") == world.exim_fixed);
  world.set_testing("dash-h");
}

BOOST_AUTO_TEST_CASE(unknown_build_and_alias_are_usage_errors) {
  auto r = candidates({"koji:exim-9.99-1.fc41"}, "unknown");
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "exim-9.99-1.fc41"));
  BOOST_TEST(contains(r.err, world.koji_hub));
  auto a = candidates({"bodhi:FEDORA-2024-000000000a"}, "unknown");
  BOOST_TEST(a.exit_code == 2);
  BOOST_TEST(contains(a.err, "FEDORA-2024-000000000a"));
  BOOST_TEST(contains(a.err, "404"));
  auto c = candidates({"copr:@exim/no-such-project"}, "unknown");
  BOOST_TEST(c.exit_code == 2);
  BOOST_TEST(contains(c.err, "knows no project @exim/no-such-project"));
  auto chroot = candidates({"copr:" + world.copr_project + "@fedora-39-x86_64"}, "unknown");
  BOOST_TEST(chroot.exit_code == 2);
  BOOST_TEST(contains(chroot.err, "has no chroot fedora-39-x86_64 (it has: fedora-41-x86_64)"));
  BOOST_TEST(rpms_in("unknown") == 0u);
}

BOOST_AUTO_TEST_CASE(flipped_byte_is_refused_and_nothing_kept) {
  const std::string file = world.exim_dash_h + ".rpm";
  const std::string good = sigmd5(served(world.exim_dash_h));
  world.set_service("flip", file);
  struct Unflip {
    World& w;
    std::string f;
    ~Unflip() { w.world.set_service("flip", f); }
  } unflip{*this, file};
  auto r = candidates({"bodhi:" + world.advisory}, "flipped");
  BOOST_TEST(r.exit_code == 3);
  BOOST_TEST(contains(r.err, "digest mismatch"));
  BOOST_TEST(contains(r.err, file));
  BOOST_TEST(contains(r.err, "payloadhash " + good));  // the hub's digest
  std::string md5 = rpm_digests(served(world.exim_dash_h), "test").header_payload_md5;
  BOOST_TEST(md5 != good);
  BOOST_TEST(contains(r.err, "MD5 " + md5));  // the file's
  BOOST_TEST(r.out.empty());                  // no report of a candidate that was not verified
  BOOST_TEST(rpms_in("flipped") == 0u);       // nothing kept, no folder to install from
}

BOOST_AUTO_TEST_CASE(hung_hub_and_bodhi_are_bounded_infrastructure_errors) {
  for (const std::string service : {"hub", "bodhi", "copr", "copr-repo"}) {
    world.set_service("hang", service);
    auto start = std::chrono::steady_clock::now();
    auto r = candidates({service == "hub"     ? "koji:exim-4.98.2-1.fc41"
                         : service == "bodhi" ? "bodhi:" + world.advisory
                                              : "copr:" + world.copr_project},
                        "hung-" + service, 3);
    auto took = std::chrono::steady_clock::now() - start;
    world.set_service("answer", service);
    BOOST_TEST_INFO(service);
    BOOST_TEST(r.exit_code == 3);
    BOOST_TEST(took < 20s);
    BOOST_TEST(contains(r.err, service == "hub"     ? world.koji_hub
                               : service == "bodhi" ? world.bodhi_url + "updates/" + world.advisory
                               : service == "copr"  ? world.copr_url + "api_3/project"
                                                    : world.copr_key_url));
    BOOST_TEST(contains(r.err, "within 3 s"));
  }
}

BOOST_AUTO_TEST_SUITE_END()
