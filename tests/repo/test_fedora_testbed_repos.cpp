// What a Fedora testbed installs from: the repositories the resolution used (baseurl or metalink),
// updates-testing only for testing, packages checked against the configured keys (never
// gpgcheck=0; a Copr chroot against its project's pubkey.gpg), a repository that does not answer
// failing the build (skip_if_unavailable=False).
#define BOOST_TEST_MODULE fedora_testbed_repos
#include <boost/test/unit_test.hpp>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/channels.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {
std::string text(const std::vector<std::string>& lines) { return join(lines, "\n") + "\n"; }
std::size_t count(const std::string& s, const std::string& part) {
  std::size_t n = 0;
  for (auto at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_baseurl_gives_the_mirror_tree_paths_and_testing_adds_updates_testing) {
  Mirrors m;
  m.fedora_arch = "x86_64";  // not the host's: the same paths on an aarch64 host
  m.fedora_baseurl = "http://127.0.0.1:8080/pub/fedora/linux";
  auto testing = text(fedora_repo_lines(parse_candidate_spec("fedora:41:testing"), m, 1));
  BOOST_TEST_MESSAGE(testing);
  BOOST_CHECK(testing.find("[fedora]\n") != std::string::npos);
  BOOST_CHECK(testing.find("baseurl=http://127.0.0.1:8080/pub/fedora/linux/releases/41/Everything/x86_64/os/\n") != std::string::npos);
  BOOST_CHECK(testing.find("baseurl=http://127.0.0.1:8080/pub/fedora/linux/updates/41/Everything/x86_64/\n") != std::string::npos);
  BOOST_CHECK(testing.find("[updates-testing]\n") != std::string::npos);
  BOOST_CHECK(testing.find("baseurl=http://127.0.0.1:8080/pub/fedora/linux/updates/testing/41/Everything/x86_64/\n") != std::string::npos);
  BOOST_CHECK_EQUAL(count(testing, "gpgcheck=1\n"), 3u);
  BOOST_CHECK_EQUAL(count(testing, "skip_if_unavailable=False\n"), 3u);
  BOOST_CHECK_EQUAL(count(testing, "gpgkey=file:///etc/pki/rpm-gpg/" + fedora_testbed_key_name(0) + "\n"), 3u);
  BOOST_CHECK(testing.find("gpgcheck=0") == std::string::npos);
  BOOST_CHECK(testing.find("metalink=") == std::string::npos);

  auto stable = text(fedora_repo_lines(parse_candidate_spec("fedora:41:stable"), m, 2));
  BOOST_CHECK(stable.find("updates-testing") == std::string::npos);
  BOOST_CHECK(stable.find("/testing/") == std::string::npos);
  BOOST_CHECK_EQUAL(count(stable, "gpgkey=file:///etc/pki/rpm-gpg/" + fedora_testbed_key_name(0) +
                                      " file:///etc/pki/rpm-gpg/" + fedora_testbed_key_name(1) + "\n"), 2u);
}

BOOST_AUTO_TEST_CASE(without_a_baseurl_the_testbed_uses_the_metalink_the_resolution_used) {
  Mirrors m;
  m.fedora_arch = "x86_64";
  m.fedora_metalink = "http://127.0.0.1:9/metalink";
  auto t = text(fedora_repo_lines(parse_candidate_spec("fedora:41:testing"), m, 1));
  BOOST_CHECK(t.find("metalink=http://127.0.0.1:9/metalink?repo=fedora-41&arch=x86_64\n") != std::string::npos);
  BOOST_CHECK(t.find("metalink=http://127.0.0.1:9/metalink?repo=updates-released-f41&arch=x86_64\n") != std::string::npos);
  BOOST_CHECK(t.find("metalink=http://127.0.0.1:9/metalink?repo=updates-testing-f41&arch=x86_64\n") != std::string::npos);
  BOOST_CHECK(t.find("baseurl=") == std::string::npos);
  BOOST_CHECK_THROW(fedora_repo_lines(parse_candidate_spec("fedora:41:testing"), m, 0), UsageError);
}

BOOST_AUTO_TEST_CASE(a_copr_chroot_is_layered_on_stable_and_checked_against_the_projects_key) {
  Mirrors m;
  m.fedora_arch = "x86_64";
  m.fedora_baseurl = "http://127.0.0.1:8080/pub/fedora/linux";
  auto spec = parse_candidate_spec("copr:@exim/exim-next");
  // Before the Copr API named the chroot's repository there is no key to name.
  BOOST_CHECK_THROW(copr_project_key_url(spec), UsageError);
  spec.release = "41";
  spec.copr_chroot = "fedora-41-x86_64";
  spec.copr_baseurl = "http://127.0.0.1:9090/results/@exim/exim-next/fedora-41-x86_64/";
  BOOST_CHECK_EQUAL(copr_project_key_url(spec), "http://127.0.0.1:9090/results/@exim/exim-next/pubkey.gpg");
  auto t = text(fedora_repo_lines(spec, m, 1));
  BOOST_TEST_MESSAGE(t);
  BOOST_CHECK(t.find("[fedora]\n") != std::string::npos);
  BOOST_CHECK(t.find("[updates]\n") != std::string::npos);
  BOOST_CHECK(t.find("[updates-testing]") == std::string::npos);  // the project is layered on stable
  BOOST_CHECK(t.find("[copr-exim-exim-next]\nname=Copr @exim/exim-next fedora-41-x86_64 (harness)\n"
                     "baseurl=http://127.0.0.1:9090/results/@exim/exim-next/fedora-41-x86_64/\nenabled=1\ngpgcheck=1\n"
                     "gpgkey=http://127.0.0.1:9090/results/@exim/exim-next/pubkey.gpg\nskip_if_unavailable=False\n") !=
              std::string::npos);
  BOOST_CHECK_EQUAL(count(t, "gpgcheck=1\n"), 3u);
  BOOST_CHECK(t.find("gpgcheck=0") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(keys_come_from_the_flag_else_distribution_gpg_keys_else_a_clear_error) {
  TempDir d("harness-test");
  Mirrors m;
  auto keys_dir = d.path() / "distribution-gpg-keys" / "fedora";
  try {
    fedora_gpg_keys("41", m, keys_dir);
    BOOST_ERROR("no key must not pass");
  } catch (const UsageError& e) {
    std::string w = e.what();
    BOOST_CHECK(w.find("distribution-gpg-keys") != std::string::npos);
    BOOST_CHECK(w.find("--fedora-gpg-key") != std::string::npos);
  }
  fs::create_directories(keys_dir);
  write_file(keys_dir / "RPM-GPG-KEY-fedora-41-primary", "key\n");
  auto found = fedora_gpg_keys("41", m, keys_dir);
  BOOST_REQUIRE_EQUAL(found.size(), 1u);
  BOOST_CHECK_EQUAL(found[0], keys_dir / "RPM-GPG-KEY-fedora-41-primary");
  BOOST_CHECK_THROW(fedora_gpg_keys("42", m, keys_dir), UsageError);

  write_file(d.path() / "world.asc", "key\n");
  m.fedora_gpg_keys = {(d.path() / "world.asc").string()};
  found = fedora_gpg_keys("41", m, keys_dir);
  BOOST_REQUIRE_EQUAL(found.size(), 1u);
  BOOST_CHECK_EQUAL(found[0], d.path() / "world.asc");
  m.fedora_gpg_keys = {(d.path() / "missing.asc").string()};
  try {
    fedora_gpg_keys("41", m, keys_dir);
    BOOST_ERROR("a missing key file must not pass");
  } catch (const UsageError& e) {
    BOOST_CHECK(std::string(e.what()).find("missing.asc: no such file") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(the_fedora_recipe_never_turns_signature_checks_off) {
  auto recipe = read_file(HARNESS_SOURCE_DIR "/containers/fedora/Containerfile");
  BOOST_CHECK(recipe.find("gpgcheck=0") == std::string::npos);
  BOOST_CHECK(recipe.find("--nogpgcheck") == std::string::npos);
  BOOST_CHECK(recipe.find("install_weak_deps=False") != std::string::npos);
  BOOST_CHECK(recipe.find("COPY keys/ /etc/pki/rpm-gpg/") != std::string::npos);
}
