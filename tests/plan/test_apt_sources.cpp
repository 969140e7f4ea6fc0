// The host's apt sources, as apt reads them: deb822 and one-line entries, and the Debian archives
// picked from them. The URLs are made-up names under .example (RFC 2606), never a real archive.
#define BOOST_TEST_MODULE apt_sources
#include <boost/test/unit_test.hpp>

#include "harness/cli/host_archives.hpp"
#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/plan/apt_sources.hpp"
#include "harness/repo/channels.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {
bool has(const std::vector<std::string>& v, const std::string& part) {
  for (const auto& s : v)
    if (s.find(part) != std::string::npos) return true;
  return false;
}
}  // namespace

// The shape of a Debian 12 host's /etc/apt/sources.list.d/debian.sources, comments between fields.
const char* kDebianSources = R"(Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
)";

BOOST_AUTO_TEST_CASE(deb822_stanzas_with_comments_between_fields) {
  auto p = parse_deb822_sources(kDebianSources, "debian.sources");
  BOOST_TEST(p.problems.empty());
  BOOST_REQUIRE_EQUAL(p.sources.size(), 2u);
  BOOST_CHECK_EQUAL(p.sources[0].origin, "debian.sources:1");
  BOOST_CHECK_EQUAL(p.sources[1].origin, "debian.sources:8");
  BOOST_CHECK(p.sources[0].suites == (std::vector<std::string>{"bookworm", "bookworm-updates"}));
  BOOST_CHECK_EQUAL(p.sources[0].signed_by, "/usr/share/keyrings/debian-archive-keyring.gpg");
  auto a = debian_archives_from(p.sources, "test");
  BOOST_CHECK_EQUAL(a.debian, "http://mirror.example/debian");  // trailing slash dropped
  BOOST_CHECK_EQUAL(a.debian_origin, "apt sources debian.sources:1");
  BOOST_CHECK_EQUAL(a.debian_security, "http://mirror.example/debian-security");
  BOOST_CHECK_EQUAL(a.debian_security_origin, "apt sources debian.sources:8");
}

BOOST_AUTO_TEST_CASE(deb822_disabled_source_only_types_multiple_uris_and_inline_keys) {
  const char* text = R"(# a file comment

Types: deb
URIs: http://old.example/debian
Suites: trixie
Components: main
Enabled: no

Types: deb-src
URIs: http://src.example/debian
Suites: trixie

types: deb deb-src
uris: cdrom:[Debian GNU/Linux 13]/ file:/srv/mirror/debian https://near.example/debian http://far.example/debian
suites: trixie trixie-updates trixie-security
components: main contrib
signed-by:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGPL0BUBEADmW5NdOOHwPIJlgPu6JDcKw/NZJPR8lsD9K7UgrWrdD5xL6xOL
 -----END PGP PUBLIC KEY BLOCK-----
)";
  auto p = parse_deb822_sources(text, "x.sources");
  BOOST_TEST(p.problems.empty());
  BOOST_REQUIRE_EQUAL(p.sources.size(), 3u);
  BOOST_CHECK(!p.sources[0].enabled);
  BOOST_CHECK_EQUAL(p.sources[2].uris.size(), 4u);
  BOOST_CHECK(p.sources[2].signed_by.find("BEGIN PGP PUBLIC KEY BLOCK") != std::string::npos);
  BOOST_CHECK(p.sources[2].signed_by.find("END PGP PUBLIC KEY BLOCK") != std::string::npos);
  auto a = debian_archives_from(p.sources, "test");
  // Not the disabled one, not the deb-src one, not the disc or the host path: the first http(s) URI.
  BOOST_CHECK_EQUAL(a.debian, "https://near.example/debian");
  BOOST_CHECK_EQUAL(a.debian_origin, "apt sources x.sources:13");
  // One stanza may carry the security suite under the same root (a site mirror that merges them).
  BOOST_CHECK_EQUAL(a.debian_security, "https://near.example/debian");
  BOOST_TEST(has(a.notes, "x.sources:3: skipped, Enabled: no"));
  BOOST_TEST(has(a.notes, "cdrom:[Debian GNU/Linux 13]/ (a disc"));
  BOOST_TEST(has(a.notes, "file:/srv/mirror/debian (a host path"));
}

BOOST_AUTO_TEST_CASE(deb822_broken_stanzas_are_named_and_skipped) {
  const char* text = "Types: deb\nURIs http://a.example/debian\nSuites: bookworm\n\n"
                     "Types: deb\nSuites: bookworm\n\n"
                     "Types: deb\nURIs: http://b.example/debian\nSuites: bookworm\n";
  auto p = parse_deb822_sources(text, "b.sources");
  BOOST_REQUIRE_EQUAL(p.sources.size(), 1u);
  BOOST_CHECK_EQUAL(p.sources[0].uris[0], "http://b.example/debian");
  BOOST_TEST(has(p.problems, "b.sources:2: not a 'Field: value' line"));
  BOOST_TEST(has(p.problems, "b.sources:5: stanza without uris"));
}

BOOST_AUTO_TEST_CASE(one_line_entries_with_options_and_comments) {
  const char* text = R"(# deb http://commented.example/debian bookworm main
deb-src http://mirror.example/debian bookworm main
deb [arch=amd64 signed-by=/etc/apt/keyrings/site.gpg] http://mirror.example/debian bookworm main contrib # site mirror
deb [ arch+=i386 ] http://mirror.example/debian bookworm-updates main
deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64 DVD Binary-1]/ bookworm contrib main
deb http://security.mirror.example/debian-security bookworm-security main
deb http://old.example/debian-security buster/updates main
deb https://vendor.example/apt cloud-sdk-bookworm main
deb http://ports.example/ubuntu noble-security main
foo http://x.example/debian bookworm
deb [arch=amd64 http://x.example/debian bookworm
deb http://x.example/debian
)";
  auto p = parse_one_line_sources(text, "sources.list");
  BOOST_REQUIRE_EQUAL(p.sources.size(), 8u);
  BOOST_CHECK(p.sources[0].types == std::vector<std::string>{"deb-src"});
  BOOST_CHECK_EQUAL(p.sources[1].signed_by, "/etc/apt/keyrings/site.gpg");
  BOOST_CHECK(p.sources[1].components == (std::vector<std::string>{"main", "contrib"}));  // the comment is gone
  BOOST_CHECK_EQUAL(p.sources[2].suites[0], "bookworm-updates");
  BOOST_CHECK_EQUAL(p.sources[3].uris[0], "cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64 DVD Binary-1]/");
  BOOST_CHECK_EQUAL(p.sources[3].suites[0], "bookworm");
  BOOST_TEST(has(p.problems, "sources.list:10: unknown type 'foo'"));
  BOOST_TEST(has(p.problems, "sources.list:11: '[' opens options that no ']' closes"));
  BOOST_TEST(has(p.problems, "sources.list:12: needs a URI and a suite"));
  auto a = debian_archives_from(p.sources, "test");
  BOOST_CHECK_EQUAL(a.debian, "http://mirror.example/debian");
  BOOST_CHECK_EQUAL(a.debian_origin, "apt sources sources.list:3");
  BOOST_CHECK_EQUAL(a.debian_security, "http://security.mirror.example/debian-security");
  BOOST_CHECK_EQUAL(a.debian_security_origin, "apt sources sources.list:6");
}

BOOST_AUTO_TEST_CASE(old_security_suite_form_and_non_debian_hosts) {
  auto p = parse_one_line_sources("deb http://old.example/debian-security bullseye/updates main\n", "s.list");
  BOOST_CHECK_EQUAL(debian_archives_from(p.sources, "t").debian_security, "http://old.example/debian-security");
  BOOST_CHECK(debian_archives_from(p.sources, "t").debian.empty());

  // An Ubuntu host and a vendor repository: no Debian archive, and the origin says what was searched.
  p = parse_one_line_sources("deb http://ports.example/ubuntu noble main\n"
                             "deb http://ports.example/ubuntu noble-security main\n"
                             "deb https://vendor.example/apt cloud-sdk-bookworm main\n", "s.list");
  auto a = debian_archives_from(p.sources, "/nowhere/sources.list");
  BOOST_CHECK(a.debian.empty());
  BOOST_CHECK(a.debian_security.empty());
  BOOST_TEST(has({a.debian_origin}, "no Debian archive among the apt sources in /nowhere/sources.list"));
}

BOOST_AUTO_TEST_CASE(a_debian_spec_without_archives_is_a_usage_error_naming_the_flags) {
  Mirrors m;
  m.debian_origin = "no Debian archive among the apt sources in /x";
  try {
    channel_repos(parse_candidate_spec("debian:bookworm:stable"), m);
    BOOST_FAIL("expected a UsageError");
  } catch (const UsageError& e) {
    std::string msg = e.what();
    BOOST_TEST(msg.find("debian:bookworm:stable") != std::string::npos);
    BOOST_TEST(msg.find("--debian-mirror") != std::string::npos);
    BOOST_TEST(msg.find("/x") != std::string::npos);
  }
  m.debian = "http://mirror.example/debian";
  BOOST_CHECK_THROW(channel_repos(parse_candidate_spec("debian:trixie:stable"), m), UsageError);  // no security
  BOOST_CHECK_EQUAL(channel_repos(parse_candidate_spec("debian:sid:stable"), m).size(), 1u);     // sid needs none
  m.debian_security = "http://mirror.example/debian-security";
  auto lines = debian_apt_sources(parse_candidate_spec("debian:bookworm:proposed-updates"), m);
  BOOST_CHECK(lines == (std::vector<std::string>{
                           "deb http://mirror.example/debian bookworm main",
                           "deb http://mirror.example/debian bookworm-updates main",
                           "deb http://mirror.example/debian-security bookworm-security main",
                           "deb http://mirror.example/debian bookworm-proposed-updates main"}));
}

BOOST_AUTO_TEST_CASE(an_apt_etc_folder_is_read_in_apt_order_and_flags_win) {
  TempDir etc("harness-test-apt-etc");
  fs::create_directories(etc.path() / "sources.list.d");
  write_file(etc.path() / "sources.list", "# nothing here\n");
  write_file(etc.path() / "sources.list.d" / "b-debian.sources",
             "Types: deb\nURIs: http://b.example/debian\nSuites: trixie trixie-updates\nComponents: main\n\n"
             "Types: deb\nURIs: http://b.example/debian-security\nSuites: trixie-security\nComponents: main\n");
  write_file(etc.path() / "sources.list.d" / "a-site.list", "deb http://a.example/debian trixie main\n");
  // apt ignores other extensions and names with other characters.
  write_file(etc.path() / "sources.list.d" / "0.list.disabled-by-admin", "deb http://z.example/debian trixie main\n");
  write_file(etc.path() / "sources.list.d" / "0~backup.list", "deb http://z.example/debian trixie main\n");

  Mirrors m;
  auto notes = cli::fill_debian_mirrors(m, etc.path());
  BOOST_CHECK_EQUAL(m.debian, "http://a.example/debian");
  BOOST_CHECK_EQUAL(m.debian_origin, "apt sources " + (etc.path() / "sources.list.d" / "a-site.list").string() + ":1");
  BOOST_CHECK_EQUAL(m.debian_security, "http://b.example/debian-security");

  Mirrors flags;
  flags.debian = "http://flag.example/debian";
  cli::fill_debian_mirrors(flags, etc.path());
  BOOST_CHECK_EQUAL(flags.debian_origin, "--debian-mirror");
  BOOST_CHECK_EQUAL(flags.debian_security, "http://b.example/debian-security");

  TempDir empty("harness-test-apt-empty");
  Mirrors none;
  cli::fill_debian_mirrors(none, empty.path());
  BOOST_CHECK(none.debian.empty());
  BOOST_TEST(none.debian_origin.find(empty.path().string()) != std::string::npos);
}
