// Where the harness fetches Fedora from (no network, no containers): MirrorManager metalinks parsed
// into every http(s) mirror by preference, rawhide's repository and paths, and the architecture
// (the host's, or --arch) in mirror paths, metalink queries, Copr chroots and the default plan.
#define BOOST_TEST_MODULE fedora_mirrors
#include <boost/test/unit_test.hpp>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/plan/plan_file.hpp"
#include "harness/repo/channels.hpp"
#include "harness/repo/rpmmd.hpp"

using namespace harness;

namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

template <typename F>
std::string usage_error(F f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

// Shaped like mirrors.fedoraproject.org's answer to ?repo=updates-testing-f41&arch=x86_64: the
// mirrors it picked, each as https, http and rsync entries of the same preference, best first; md5
// to sha512 hashes of the current repomd.xml and alternates for the previous ones.
const char* kMirrorManager = R"(<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" pubdate="Sat, 05 Dec 2026 09:12:03 GMT" generator="mirrormanager" xmlns:mm0="http://fedorahosted.org/mirrormanager">
 <files>
  <file name="repomd.xml">
   <mm0:timestamp>1764925923</mm0:timestamp>
   <size>7283</size>
   <verification>
    <hash type="md5">0f5d4c2a7e1b3a9d8c6e2f1a0b9c8d7e</hash>
    <hash type="sha1">1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d</hash>
    <hash type="sha256">3333333333333333333333333333333333333333333333333333333333333333</hash>
    <hash type="sha512">44444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444</hash>
   </verification>
   <mm0:alternates>
    <mm0:alternate>
     <mm0:timestamp>1764882721</mm0:timestamp>
     <size>7281</size>
     <verification>
      <hash type="md5">9f5d4c2a7e1b3a9d8c6e2f1a0b9c8d7e</hash>
      <hash type="sha256">2222222222222222222222222222222222222222222222222222222222222222</hash>
     </verification>
    </mm0:alternate>
   </mm0:alternates>
   <resources maxconnections="1">
    <url protocol="rsync" type="rsync" location="DE" preference="100">rsync://near.example/fedora/linux/updates/testing/41/Everything/x86_64/repodata/repomd.xml</url>
    <url protocol="https" type="https" location="DE" preference="100">https://near.example/fedora/linux/updates/testing/41/Everything/x86_64/repodata/repomd.xml</url>
    <url protocol="http" type="http" location="DE" preference="100">http://near.example/fedora/linux/updates/testing/41/Everything/x86_64/repodata/repomd.xml</url>
    <url protocol="ftp" type="ftp" location="AT" preference="99">ftp://ftp.example/pub/fedora/linux/updates/testing/41/Everything/x86_64/repodata/repomd.xml</url>
    <url protocol="https" type="https" location="FR" preference="97">https://far.example/pub/linux/fedora/updates/testing/41/Everything/x86_64/repodata/repomd.xml</url>
    <url protocol="https" type="https" location="AT" preference="99">https://mid.example/pub/fedora/linux/updates/testing/41/Everything/x86_64/repodata/repomd.xml</url>
    <url protocol="https" type="https" location="US" preference="250">https://odd.example/fedora/updates/testing/41/Everything/x86_64/repodata/repomd.xml</url>
    <url protocol="https" type="https" location="SE" preference="98">https://other.example/fedora/updates/testing/41/Everything/x86_64/repodata/listing.txt</url>
    <url protocol="http" type="http" location="SE" preference="96">https://liar.example/fedora/updates/testing/41/Everything/x86_64/repodata/repomd.xml</url>
   </resources>
  </file>
 </files>
</metalink>
)";

}  // namespace

BOOST_AUTO_TEST_CASE(a_mirrormanager_metalink_gives_every_http_mirror_best_preference_first) {
  Metalink m = parse_metalink(kMirrorManager, "metalink");
  std::vector<std::string> urls, locations;
  std::vector<int> prefs;
  for (const auto& u : m.urls) {
    urls.push_back(u.url);
    prefs.push_back(u.preference);
    locations.push_back(u.location);
  }
  BOOST_TEST_MESSAGE(join(urls, "\n"));
  const std::string tail = "updates/testing/41/Everything/x86_64/repodata/repomd.xml";
  // rsync and ftp are dropped; a URL whose scheme is not its protocol's and one that is not repomd.xml too.
  BOOST_REQUIRE_EQUAL(urls.size(), 5u);
  BOOST_CHECK_EQUAL(urls[0], "https://near.example/fedora/linux/" + tail);  // 100, MirrorManager's order kept in a tie
  BOOST_CHECK_EQUAL(urls[1], "http://near.example/fedora/linux/" + tail);   // 100
  BOOST_CHECK_EQUAL(urls[2], "https://mid.example/pub/fedora/linux/" + tail);  // 99, listed after the 97
  BOOST_CHECK_EQUAL(urls[3], "https://far.example/pub/linux/fedora/" + tail);  // 97
  BOOST_CHECK_EQUAL(urls[4], "https://odd.example/fedora/" + tail);  // 250 is outside 0..100: counts as 0
  BOOST_CHECK((prefs == std::vector<int>{100, 100, 99, 97, 0}));
  BOOST_CHECK_EQUAL(locations[2], "AT");
  for (const auto& u : m.urls) BOOST_CHECK(u.protocol == "http" || u.protocol == "https");
  // The current hash and the alternate's, sha256 only.
  BOOST_CHECK((m.sha256 == std::vector<std::string>{std::string(64, '3'), std::string(64, '2')}));
  BOOST_CHECK_EQUAL(m.size, 7283);
  BOOST_CHECK_NO_THROW(check_repomd_against_metalink(m, std::string(64, '2'), "u", "ml"));
  BOOST_CHECK_THROW(check_repomd_against_metalink(m, std::string(64, '5'), "u", "ml"), InfraError);
}

BOOST_AUTO_TEST_CASE(a_metalink_with_only_rsync_mirrors_is_an_infra_error_naming_it) {
  std::string kept;
  for (const auto& line : split_lines(kMirrorManager))
    if (!has(line, "<url ") || has(line, "protocol=\"rsync\"")) kept += line + "\n";
  try {
    parse_metalink(kept, "http://127.0.0.1:9/metalink?repo=fedora-41&arch=x86_64");
    BOOST_FAIL("accepted a metalink without an http(s) mirror");
  } catch (const InfraError& e) {
    BOOST_CHECK(has(e.what(), "no http(s) mirror"));
    BOOST_CHECK(has(e.what(), "repo=fedora-41"));
  }
}

BOOST_AUTO_TEST_CASE(the_architecture_is_the_hosts_or_the_flags) {
  BOOST_CHECK_EQUAL(fedora_arch_of_machine("x86_64"), "x86_64");
  BOOST_CHECK_EQUAL(fedora_arch_of_machine("aarch64"), "aarch64");
  BOOST_CHECK_EQUAL(fedora_arch_of_machine("arm64"), "aarch64");
  BOOST_CHECK_EQUAL(fedora_arch_of_machine("ppc64le"), "");
  BOOST_CHECK_EQUAL(fedora_arch_of_machine("i686"), "");
  Mirrors m;
  // Here: whatever uname says (the test runs where the harness runs).
  BOOST_CHECK_EQUAL(fedora_arch(m), host_fedora_arch());
  m.fedora_arch = "aarch64";
  BOOST_CHECK_EQUAL(fedora_arch(m), "aarch64");
  m.fedora_arch = "s390x";
  auto e = usage_error([&] { fedora_arch(m); });
  BOOST_CHECK(has(e, "--arch 's390x'") && has(e, "x86_64 or aarch64"));
}

BOOST_AUTO_TEST_CASE(aarch64_paths_and_metalink_queries) {
  Mirrors m;
  m.fedora_arch = "aarch64";
  m.fedora_metalink = "http://127.0.0.1:9/metalink";
  BOOST_CHECK_EQUAL(fedora_repo_location("41", "fedora", m).metalink, "http://127.0.0.1:9/metalink?repo=fedora-41&arch=aarch64");
  BOOST_CHECK_EQUAL(fedora_repo_location("41", "updates-testing", m).metalink,
                    "http://127.0.0.1:9/metalink?repo=updates-testing-f41&arch=aarch64");
  m.fedora_baseurl = "http://127.0.0.1:9/pub/fedora/linux";
  BOOST_CHECK_EQUAL(fedora_repo_location("41", "fedora", m).baseurl,
                    "http://127.0.0.1:9/pub/fedora/linux/releases/41/Everything/aarch64/os/");
  BOOST_CHECK_EQUAL(fedora_repo_location("41", "updates", m).baseurl,
                    "http://127.0.0.1:9/pub/fedora/linux/updates/41/Everything/aarch64/");
  BOOST_CHECK_EQUAL(fedora_repo_location("41", "updates-testing", m).baseurl,
                    "http://127.0.0.1:9/pub/fedora/linux/updates/testing/41/Everything/aarch64/");
  auto lines = join(fedora_repo_lines(parse_candidate_spec("fedora:41:testing"), m, 1), "\n");
  BOOST_CHECK(!has(lines, "x86_64"));
  m.fedora_arch = "x86_64";
  BOOST_CHECK_EQUAL(fedora_repo_location("41", "updates", m).baseurl,
                    "http://127.0.0.1:9/pub/fedora/linux/updates/41/Everything/x86_64/");
}

BOOST_AUTO_TEST_CASE(copr_chroots_of_either_architecture_parse) {
  auto s = parse_candidate_spec("copr:@exim/exim-next@fedora-41-aarch64");
  BOOST_CHECK_EQUAL(s.copr_chroot, "fedora-41-aarch64");
  BOOST_CHECK_EQUAL(s.release, "41");
  auto e = usage_error([] { parse_candidate_spec("copr:@exim/exim-next@fedora-41-ppc64le"); });
  BOOST_CHECK(has(e, "unknown chroot 'fedora-41-ppc64le'") && has(e, "fedora-N-aarch64"));
}

BOOST_AUTO_TEST_CASE(rawhide_is_one_repository_at_fedoras_rawhide_paths) {
  Mirrors m;
  m.fedora_arch = "x86_64";
  m.fedora_metalink = "http://127.0.0.1:9/metalink";
  auto spec = parse_candidate_spec("fedora:rawhide:stable");
  auto repos = channel_repos(spec, m);
  BOOST_REQUIRE_EQUAL(repos.size(), 1u);
  BOOST_CHECK_EQUAL(repos[0].id, "rawhide");
  BOOST_CHECK_EQUAL(fedora_repo_location("rawhide", "rawhide", m).metalink, "http://127.0.0.1:9/metalink?repo=rawhide&arch=x86_64");
  auto lines = join(fedora_repo_lines(spec, m, 1), "\n");
  BOOST_TEST_MESSAGE(lines);
  BOOST_CHECK(has(lines, "[rawhide]\n"));
  BOOST_CHECK(has(lines, "metalink=http://127.0.0.1:9/metalink?repo=rawhide&arch=x86_64\n"));
  BOOST_CHECK(!has(lines, "updates"));
  m.fedora_baseurl = "http://127.0.0.1:9/pub/fedora/linux/";
  m.fedora_arch = "aarch64";
  BOOST_CHECK_EQUAL(fedora_repo_location("rawhide", "rawhide", m).baseurl,
                    "http://127.0.0.1:9/pub/fedora/linux/development/rawhide/Everything/aarch64/os/");
  // A local build on rawhide: the base is rawhide's one repository.
  TempDir dir("harness-test-rawhide");
  BOOST_CHECK_EQUAL(channel_repos(parse_candidate_spec("local:" + dir.path().string() + "@fedora:rawhide:stable"), m).size(), 1u);
}

BOOST_AUTO_TEST_CASE(rawhide_testing_is_refused_with_what_to_use_instead) {
  auto e = usage_error([] { parse_candidate_spec("fedora:rawhide:testing"); });
  BOOST_TEST_MESSAGE(e);
  BOOST_CHECK(has(e, "'fedora:rawhide:testing'"));
  BOOST_CHECK(has(e, "no testing channel"));
  BOOST_CHECK(has(e, "fedora:rawhide:stable"));
  BOOST_CHECK(has(e, "koji:NVR"));
  BOOST_CHECK_NO_THROW(parse_candidate_spec("fedora:rawhide:stable"));
}

BOOST_AUTO_TEST_CASE(a_rawhide_host_has_no_default_comparison_but_says_what_to_give) {
  auto host = parse_os_release("NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=43\nVARIANT_ID=rawhide\n"
                               "REDHAT_SUPPORT_PRODUCT_VERSION=rawhide\n");
  BOOST_CHECK_EQUAL(host.release, "rawhide");
  auto e = usage_error([&] { default_plan_for(host, Plan{}); });
  BOOST_TEST_MESSAGE(e);
  BOOST_CHECK(has(e, "rawhide"));
  BOOST_CHECK(has(e, "--baseline fedora:rawhide:stable --candidate"));
  BOOST_CHECK(has(e, "prepush"));
  // A released Fedora keeps its stable-vs-testing default.
  auto f41 = default_plan_for(parse_os_release("ID=fedora\nVERSION_ID=41\n"), Plan{});
  BOOST_CHECK_EQUAL(f41.baseline->text, "fedora:41:stable");
  BOOST_CHECK_EQUAL(f41.candidates.at(0).text, "fedora:41:testing");
}
