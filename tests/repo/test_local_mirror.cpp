// The archives come from the host's apt configuration. A real Debian archive subset (InRelease,
// Packages.xz and Translation-en.xz of bookworm, -updates, -proposed-updates and -security, copied
// once from the host's configured mirrors by debian-subset.py) is served on 127.0.0.1; an apt etc
// folder whose only Debian sources name that server is given with HARNESS_APT_ETC, and no mirror
// flag. Every fetch must then reach the local server: its request log lists them, and the metadata
// cache holds no other host. For the run, the server fills its pool/ from the host's archives on
// first use (kept in the same cache), so apt inside the testbeds gets real packages through it.
#define BOOST_TEST_MODULE local_mirror
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "fixture_server.hpp"
#include "harness/cli/host_archives.hpp"
#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "tests/support/cache_dir.hpp"

using namespace harness;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// The subset, cached beside the harness's own cache (one copy for every run of this test).
fs::path archive_subset() {
  auto m = cli::host_mirrors();
  BOOST_REQUIRE_MESSAGE(!m.debian.empty() && !m.debian_security.empty(),
                        "this test copies its archive subset from the host's Debian mirrors, and the apt sources in " +
                            cli::apt_etc_dir().string() + " name none: " + m.debian_origin);
  fs::path out = harness::test::cache_dir() / "test-mirror";
  auto r = run_process({std::string(HARNESS_SOURCE_DIR) + "/tests/repo/debian-subset.py", out.string(),
                        "debian=" + m.debian + ":bookworm,bookworm-updates,bookworm-proposed-updates",
                        "debian-security=" + m.debian_security + ":bookworm-security"},
                       {.timeout = 600s});
  BOOST_REQUIRE_MESSAGE(r.ok(), "debian-subset.py failed: " + r.err + r.out);
  return out;
}

// With FillPool, package files come from the host's configured archives on first use and stay in
// the subset's cache (a caching proxy); without it the server has indexes only.
std::string pool_upstreams(bool fill_pool) {
  if (!fill_pool) return "";
  auto m = cli::host_mirrors();
  return "debian=" + m.debian + ",debian-security=" + m.debian_security;
}

template <bool FillPool>
struct LocalMirror {
  TempDir dir{"harness-local-mirror"};
  fs::path log = dir.path() / "requests.log";
  repo_test::FixtureServer server{archive_subset(), log, pool_upstreams(FillPool)};
  fs::path etc = dir.path() / "apt";

  LocalMirror() {
    // Like a host whose site mirror is its only Debian source: deb822, as Debian 12 writes it.
    fs::create_directories(etc / "sources.list.d");
    write_file(etc / "sources.list.d" / "debian.sources",
               "Types: deb\nURIs: " + server.base() + "/debian\nSuites: bookworm bookworm-updates\n"
               "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
               "Types: deb\nURIs: " + server.base() + "/debian-security\nSuites: bookworm-security\n"
               "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
  }
  ProcessResult harness(std::vector<std::string> args, std::chrono::seconds timeout = 300s) {
    args.insert(args.begin(), {HARNESS_BIN, "--root", HARNESS_SOURCE_DIR});
    return run_process(args, {.timeout = timeout, .env = {"HARNESS_APT_ETC=" + etc.string()}});
  }
  std::vector<std::string> requests() const {
    return fs::exists(log) ? split_lines(read_file(log)) : std::vector<std::string>{};
  }
  // by_harness: the harness's own downloader (user agent harness-repo/...); otherwise apt or
  // debootstrap inside a testbed build.
  bool requested(const std::string& path, bool by_harness, const std::string& status = "200") const {
    for (const auto& l : requests())
      if (l.rfind("GET " + path + " " + status + " ", 0) == 0 && (l.find(" harness-repo/") != std::string::npos) == by_harness)
        return true;
    return false;
  }
};

}  // namespace

using IndexesOnly = LocalMirror<false>;
using WithPool = LocalMirror<true>;

BOOST_FIXTURE_TEST_CASE(candidates_resolve_only_through_the_hosts_configured_mirror, IndexesOnly) {
  fs::path cache = dir.path() / "cache";
  auto r = harness({"--cache-dir", cache.string(), "candidates", "debian:bookworm:stable", "--packages", "exim4-base", "--json"});
  BOOST_TEST_MESSAGE(r.err);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto j = nlohmann::json::parse(r.out);
  const auto& v = j.at("packages").at(0);
  BOOST_CHECK_EQUAL(v.at("name"), "exim4-base");
  std::string repo = v.at("versions").at("debian:bookworm:stable").at("repo");
  BOOST_CHECK(repo.rfind("bookworm", 0) == 0);
  BOOST_TEST_MESSAGE("exim4-base " << v.at("versions").at("debian:bookworm:stable").at("evr") << " from " << repo);

  // Each suite's InRelease and its Packages.xz came from the local server.
  for (const auto& suite : {"/debian/dists/bookworm/", "/debian/dists/bookworm-updates/", "/debian-security/dists/bookworm-security/"})
    BOOST_CHECK_MESSAGE(requested(std::string(suite) + "InRelease", true), suite << "InRelease not fetched locally");
  int indexes = 0;
  for (const auto& l : requests())
    if (l.find("/main/binary-amd64/") != std::string::npos && l.find(" 200 ") != std::string::npos) ++indexes;
  BOOST_CHECK_EQUAL(indexes, 3);
  // The metadata cache is keyed by host: the local server is the only one it ever fetched from.
  std::set<std::string> hosts;
  for (const auto& e : fs::directory_iterator(cache / "metadata" / "index")) hosts.insert(e.path().filename().string());
  BOOST_CHECK(hosts == std::set<std::string>{server.base().substr(7)});
}

BOOST_FIXTURE_TEST_CASE(run_goes_through_the_hosts_configured_mirror, WithPool) {
  // A whole run: resolution, the image builds (apt in the layer; debootstrap where a base image is
  // missing) and the suites, with no mirror flag. The local server is the only archive it sees.
  fs::path cache = dir.path() / "cache";
  fs::path out = dir.path() / "reports";
  auto r = harness({"--cache-dir", cache.string(), "run", "--baseline", "debian:bookworm:stable", "--candidate",
                    "debian:bookworm:proposed-updates", "--suite", "exiqgrep", "--out", out.string()},
                   1500s);
  BOOST_TEST_MESSAGE(r.out << r.err);
  auto m = nlohmann::json::parse(read_file(out / "latest" / "manifest.json"));
  // The images of this run name the local server in their sources (and so in their tag's hash):
  // nobody else uses them, so they go when the test ends.
  std::set<std::string> tags;
  for (const auto& st : m.at("streams"))
    for (const auto& img : st.at("images")) tags.insert(img.at("tag").get<std::string>());
  for (const auto& t : tags) run_process({"podman", "rmi", "--force", t}, {.timeout = 120s});

  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK_EQUAL(m.at("status"), "ok");
  BOOST_CHECK(!tags.empty());
  const auto& archives = m.at("archives");
  BOOST_REQUIRE_EQUAL(archives.size(), 2u);
  BOOST_CHECK_EQUAL(archives[0].at("url"), server.base() + "/debian");
  BOOST_CHECK_EQUAL(archives[0].at("from"), "apt sources " + (etc / "sources.list.d" / "debian.sources").string() + ":1");
  BOOST_CHECK_EQUAL(archives[1].at("url"), server.base() + "/debian-security");
  BOOST_CHECK_EQUAL(archives[1].at("from"), "apt sources " + (etc / "sources.list.d" / "debian.sources").string() + ":7");
  // Resolution and the image builds reached the local server, for indexes and for packages.
  BOOST_CHECK(requested("/debian/dists/bookworm-proposed-updates/InRelease", true));
  BOOST_CHECK(requested("/debian/dists/bookworm/InRelease", false));
  int debs = 0;
  for (const auto& l : requests())
    if (l.rfind("GET /debian", 0) == 0 && l.find("/pool/") != std::string::npos && l.find(" 200 ") != std::string::npos) ++debs;
  BOOST_CHECK_GT(debs, 0);
  BOOST_TEST_MESSAGE(debs << " package files served by the local mirror");
  std::set<std::string> metadata_hosts;
  for (const auto& e : fs::directory_iterator(cache / "metadata" / "index")) metadata_hosts.insert(e.path().filename().string());
  BOOST_CHECK(metadata_hosts == std::set<std::string>{server.base().substr(7)});
}
