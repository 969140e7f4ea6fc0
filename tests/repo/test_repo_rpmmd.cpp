// Fedora rpm-md path end to end: real RPMs (rpmbuild), real repositories (createrepo_c, modifyrepo_c
// with a Bodhi-shaped updateinfo, zstd), served on 127.0.0.1, resolved by `harness candidates`.
#define BOOST_TEST_MODULE repo_rpmmd
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fixture_server.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

using namespace harness;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  TempDir dir{"harness-rpmmd"};
  fs::path tree = repo_test::build_rpmmd_fixture(dir.path() / "tree");
  repo_test::FixtureServer server{tree};

  ProcessResult harness(std::vector<std::string> args, const fs::path& cache) {
    std::vector<std::string> argv{HARNESS_BIN, "--cache-dir", cache.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {.timeout = 120s});
  }
  ProcessResult candidates(const std::vector<std::string>& extra, const fs::path& cache) {
    std::vector<std::string> args{"--fedora-baseurl", server.base(), "candidates", "fedora:40:stable",
                                  "fedora:40:testing", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return harness(args, cache);
  }
};

const nlohmann::json& row(const nlohmann::json& out, const std::string& name) {
  for (const auto& p : out.at("packages"))
    if (p.at("name") == name) return p;
  throw std::runtime_error("no row for " + name);
}

fs::path cached(const fs::path& cache, const std::string& suffix) {
  for (const auto& e : fs::recursive_directory_iterator(cache))
    if (e.path().filename().string().ends_with(suffix)) return e.path();
  return {};
}

void flip_byte(const fs::path& p) {
  std::string data = read_file(p);
  data[data.size() / 2] ^= 0x01;
  std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(testing_shows_the_update_with_its_advisory, Fixture) {
  fs::path cache = dir.path() / "cache";
  auto r = candidates({}, cache);
  BOOST_TEST_MESSAGE(r.out << r.err);
  BOOST_TEST(r.exit_code == 1);  // something changed
  auto out = nlohmann::json::parse(r.out);
  BOOST_TEST(out.at("changed").get<bool>());
  // The documented keys (harness.1, JSON OUTPUT): the baseline and one entry per spec.
  BOOST_TEST(out.at("baseline").get<std::string>() == "fedora:40:stable");
  BOOST_REQUIRE(out.at("specs").size() == 2u);
  for (const auto& s : out.at("specs")) {
    BOOST_TEST(!s.at("spec").get<std::string>().empty());
    BOOST_TEST(s.at("package_set_hash").get<std::string>().size() >= 16u);
    BOOST_TEST(s.at("transaction").is_array());
  }
  const auto& exim = row(out, "exim");
  BOOST_TEST(exim.at("changed").get<bool>());
  const auto& stable = exim.at("versions").at("fedora:40:stable");
  const auto& testing = exim.at("versions").at("fedora:40:testing");
  BOOST_TEST(stable.at("evr").get<std::string>() == "4.96-1.fc40");
  BOOST_TEST(stable.at("repo").get<std::string>() == "fedora");
  BOOST_TEST(stable.at("advisory").get<std::string>() == "");
  BOOST_TEST(testing.at("evr").get<std::string>() == "4.97.1-1.fc40");
  BOOST_TEST(testing.at("repo").get<std::string>() == "updates-testing");
  BOOST_TEST(testing.at("install").get<std::string>() == "exim-4.97.1-1.fc40");
  BOOST_TEST(testing.at("advisory").get<std::string>() == "FEDORA-2024-0b5e4ad2c0");
  BOOST_TEST(testing.at("advisory_type").get<std::string>() == "security");
  BOOST_TEST(testing.at("severity").get<std::string>() == "Moderate");
  BOOST_TEST(testing.at("bugs").dump() == R"(["rhbz#2258027"])");
  // openssl: the same stable update in both specs, so unchanged.
  const auto& openssl = row(out, "openssl");
  BOOST_TEST(!openssl.at("changed").get<bool>());
  BOOST_TEST(openssl.at("versions").at("fedora:40:testing").at("advisory").get<std::string>() == "FEDORA-2024-5d2e8c1a7b");

  // Only unchanged packages watched: exit 0.
  auto same = candidates({"--packages", "openssl"}, cache);
  BOOST_TEST(same.exit_code == 0);
  BOOST_TEST(!nlohmann::json::parse(same.out).at("changed").get<bool>());

  // Text output carries the same facts.
  auto text = harness({"--fedora-baseurl", server.base(), "candidates", "fedora:40:stable", "fedora:40:testing"}, cache);
  BOOST_TEST(text.exit_code == 1);
  BOOST_TEST(text.out.find("4.97.1-1.fc40 (updates-testing)") != std::string::npos);
  BOOST_TEST(text.out.find("rhbz#2258027") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(flipped_byte_in_cached_primary_is_refused_offline_and_healed_online, Fixture) {
  fs::path cache = dir.path() / "cache";
  BOOST_REQUIRE(candidates({}, cache).exit_code == 1);
  fs::path primary = cached(cache, "-primary.xml.zst");
  BOOST_REQUIRE(!primary.empty());
  std::string good = read_file(primary);
  flip_byte(primary);
  auto r = candidates({"--offline"}, cache);
  BOOST_TEST(r.exit_code == 3);
  BOOST_TEST(r.out.empty());  // nothing printed from it
  BOOST_TEST(r.err.find("checksum mismatch") != std::string::npos, r.err);
  BOOST_TEST(r.err.find(primary.string()) != std::string::npos);
  // Online the damaged copy is dropped (with a warning naming it) and downloaded again.
  auto healed = candidates({}, cache);
  BOOST_TEST(healed.exit_code == 1, healed.err);
  BOOST_TEST(healed.err.find("checksum mismatch") != std::string::npos, healed.err);
  BOOST_TEST(healed.err.find("downloading it again") != std::string::npos, healed.err);
  BOOST_TEST(read_file(primary) == good);
}

BOOST_FIXTURE_TEST_CASE(metalink_verifies_repomd, Fixture) {
  auto via_metalink = [&](const fs::path& cache) {
    return harness({"--fedora-metalink", server.base() + "/metalink", "candidates", "fedora:40:stable",
                    "fedora:40:testing", "--json", "--packages", "exim"},
                   cache);
  };
  auto r = via_metalink(dir.path() / "cache1");
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(row(nlohmann::json::parse(r.out), "exim").at("versions").at("fedora:40:testing").at("evr").get<std::string>() ==
             "4.97.1-1.fc40");

  // A metalink that vouches for another repomd.xml (stale or tampered mirror): refused.
  fs::path ml = tree / "metalink-updates-testing-f40.xml";
  std::string text = read_file(ml);
  auto pos = text.find("<hash type=\"sha256\">") + 20;
  text.replace(pos, 64, std::string(64, '0'));
  write_file(ml, text);
  auto bad = via_metalink(dir.path() / "cache2");
  BOOST_TEST(bad.exit_code == 3);
  BOOST_TEST(bad.err.find("checksum mismatch") != std::string::npos, bad.err);
  BOOST_TEST(bad.err.find(std::string(64, '0')) != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(unreachable_fedora_mirror_is_a_clear_infra_error, Fixture) {
  // A loopback port nobody listens on stands in for mirrors.fedoraproject.org (unreachable here).
  auto r = harness({"--fedora-metalink", "http://127.0.0.1:9/metalink", "candidates", "fedora:41:testing"},
                   dir.path() / "cache");
  BOOST_TEST(r.exit_code == 3);
  BOOST_TEST(r.err.find("http://127.0.0.1:9/metalink?repo=fedora-41") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("--fedora-baseurl") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(local_rpms_layered_on_stable, Fixture) {
  // `fedpkg local` output: the candidate exim in a folder, the rest from fedora:40:stable.
  fs::path folder = dir.path() / "fedpkg-local";
  fs::create_directories(folder);
  fs::copy_file(tree / "updates/testing/40/Everything/x86_64/Packages/e/exim-4.97.1-1.fc40.x86_64.rpm",
                folder / "exim-4.97.1-1.fc40.x86_64.rpm");
  auto r = harness({"--fedora-baseurl", server.base(), "candidates", "fedora:40:stable",
                    "local:" + folder.string() + "@fedora:40:stable", "--json"},
                   dir.path() / "cache");
  BOOST_TEST(r.exit_code == 1, r.err);
  auto out = nlohmann::json::parse(r.out);
  std::string local_spec = "local:" + folder.string() + "@fedora:40:stable";
  const auto& exim = row(out, "exim").at("versions").at(local_spec);
  BOOST_TEST(exim.at("evr").get<std::string>() == "4.97.1-1.fc40");
  BOOST_TEST(exim.at("repo").get<std::string>() == "local");
  BOOST_TEST(exim.at("file").get<std::string>() == (folder / "exim-4.97.1-1.fc40.x86_64.rpm").string());
  BOOST_TEST(row(out, "openssl").at("versions").at(local_spec).at("repo").get<std::string>() == "updates");
  BOOST_TEST(!row(out, "openssl").at("changed").get<bool>());
}
