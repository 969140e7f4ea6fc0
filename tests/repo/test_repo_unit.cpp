// Unit tests of the repo stage on small fixtures: no network, no containers. Debian archives are
// built in a temp dir, signed with a throwaway key and served through file:// URLs.
#define BOOST_TEST_MODULE repo_unit
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "fixture_server.hpp"
#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/repo/debian_release.hpp"
#include "harness/repo/download.hpp"
#include "harness/repo/resolver.hpp"
#include "harness/repo/rpmmd.hpp"

using namespace harness;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bool message_has(const std::exception& e, const std::string& part) {
  return std::string(e.what()).find(part) != std::string::npos;
}

void flip_byte(const fs::path& p) {
  std::string data = read_file(p);
  data[data.size() / 2] ^= 0x01;
  std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
}

const char* kRelease =
    "Origin: Debian\n"
    "Suite: stable\n"
    "Codename: bookworm\n"
    "Date: Sat, 11 Jul 2026 10:16:37 UTC\n"
    "Valid-Until: Sat, 18 Jul 2026 10:16:37 UTC\n"
    "Acquire-By-Hash: yes\n"
    "SHA256:\n"
    " 28476c952cd0732e0ba28e3c14fbb9a8beb412eb2b3cb96bf9d067d54caacf1b 10824484 main/binary-amd64/Packages.xz\n"
    " db5df6f8c6ff9c8e2e90907c9c7bd55512715433e978d3b94600842e74c3d31b 64988655 main/binary-amd64/Packages\n";

}  // namespace

BOOST_AUTO_TEST_CASE(release_file_fields_and_sha256_entries) {
  ReleaseFile r = parse_release(kRelease, "fixture");
  BOOST_TEST(r.fields.at("Codename") == "bookworm");
  BOOST_TEST(r.acquire_by_hash);
  BOOST_TEST(r.sha256.size() == 2u);
  BOOST_TEST(r.sha256.at("main/binary-amd64/Packages.xz").size == 10824484);
  BOOST_TEST(r.sha256.at("main/binary-amd64/Packages.xz").sha256 ==
             "28476c952cd0732e0ba28e3c14fbb9a8beb412eb2b3cb96bf9d067d54caacf1b");
  BOOST_REQUIRE(r.valid_until.has_value());
  BOOST_TEST(std::chrono::system_clock::to_time_t(*r.valid_until) == 1784369797);  // date -d '...' +%s
}

BOOST_AUTO_TEST_CASE(malformed_release_names_the_line) {
  std::string bad = std::string(kRelease) + " nothex 12 main/x\n";
  try {
    parse_release(bad, "InRelease-fixture");
    BOOST_FAIL("accepted a malformed SHA256 entry");
  } catch (const InfraError& e) {
    BOOST_TEST(message_has(e, "InRelease-fixture:10"));
  }
}

BOOST_AUTO_TEST_CASE(valid_until_in_the_past_is_refused_unless_overridden) {
  ReleaseFile r = parse_release(kRelease, "fixture");
  auto before = *r.valid_until - 1h, after = *r.valid_until + 1h;
  BOOST_CHECK_NO_THROW(check_valid_until(r, "http://mirror/dists/bookworm/InRelease", before, false));
  try {
    check_valid_until(r, "http://mirror/dists/bookworm/InRelease", after, false);
    BOOST_FAIL("expired metadata accepted");
  } catch (const InfraError& e) {
    BOOST_TEST(message_has(e, "http://mirror/dists/bookworm/InRelease expired"));
    BOOST_TEST(message_has(e, "--allow-expired-metadata"));
  }
  BOOST_CHECK_NO_THROW(check_valid_until(r, "u", after, true));
  ReleaseFile no_expiry = parse_release("Codename: trixie\nSHA256:\n " + std::string(64, 'a') + " 1 main/x\n", "f");
  BOOST_CHECK_NO_THROW(check_valid_until(no_expiry, "u", after + 24h * 365, false));
}

BOOST_AUTO_TEST_CASE(evr_compare_follows_each_family) {
  // Shared ground: tilde sorts before the release, numeric segments compare as numbers.
  for (Family f : {Family::debian, Family::fedora}) {
    BOOST_TEST(compare_evr(f, "1.0~rc1-1", "1.0-1") < 0);
    BOOST_TEST(compare_evr(f, "4.96-15", "4.96-9") > 0);
    BOOST_TEST(compare_evr(f, "1:1.0-1", "2.0-1") > 0);
    BOOST_TEST(compare_evr(f, "4.97.1-1.fc40", "4.97.1-1.fc40") == 0);
  }
  // Where they differ: dpkg sorts letters before other characters ("1.0a" < "1.0+"),
  // rpmvercmp drops separators and a trailing extra segment wins ("1.0a" > "1.0+").
  BOOST_TEST(compare_evr(Family::debian, "1.0a", "1.0+") < 0);
  BOOST_TEST(compare_evr(Family::fedora, "1.0a", "1.0+") > 0);
  BOOST_TEST(compare_evr(Family::debian, "4.96-15+deb12u7", "4.96-15+deb12u10") < 0);
  BOOST_TEST(compare_evr(Family::fedora, "3.2.2-1.fc40", "3.2.1-2.fc40") > 0);
}

BOOST_AUTO_TEST_CASE(checksum_mismatch_names_url_and_both_hashes) {
  TempDir dir("harness-repo-test");
  fs::path f = dir.path() / "Packages.xz";
  write_file(f, "hello");
  std::string good = sha256_hex("hello");
  BOOST_CHECK_NO_THROW(verify_file(f, "http://m/Packages.xz", good, 5));
  flip_byte(f);
  try {
    verify_file(f, "http://m/Packages.xz", good, 5);
    BOOST_FAIL("flipped byte accepted");
  } catch (const InfraError& e) {
    BOOST_TEST(message_has(e, "checksum mismatch for http://m/Packages.xz"));
    BOOST_TEST(message_has(e, good));
    BOOST_TEST(message_has(e, sha256_file_hex(f)));
  }
}

BOOST_AUTO_TEST_CASE(cached_data_is_reverified_and_offline_misses_name_the_url) {
  TempDir dir("harness-repo-test");
  std::string data = "Package: x\n";
  std::string sum = sha256_hex(data);
  Downloader d({.cache_dir = dir.path(), .offline = true});
  try {
    d.fetch_verified("http://m/dists/x/Packages.xz", sum, -1, "Packages.xz");
    BOOST_FAIL("offline miss not reported");
  } catch (const InfraError& e) {
    BOOST_TEST(message_has(e, "offline: http://m/dists/x/Packages.xz"));
  }
  fs::create_directories(dir.path() / "by-hash");
  fs::path cached = dir.path() / "by-hash" / (sum + "-Packages.xz");
  write_file(cached, data);
  BOOST_TEST(d.fetch_verified("http://m/dists/x/Packages.xz", sum, -1, "Packages.xz") == cached);
  flip_byte(cached);
  BOOST_CHECK_EXCEPTION(d.fetch_verified("http://m/dists/x/Packages.xz", sum, -1, "Packages.xz"), InfraError,
                        [](const InfraError& e) { return message_has(e, "checksum mismatch"); });
}

BOOST_AUTO_TEST_CASE(repomd_and_metalink) {
  const char* repomd = R"(<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision>
  <data type="primary"><checksum type="sha256">aa</checksum><location href="repodata/aa-primary.xml.zst"/><size>12</size></data>
  <data type="updateinfo"><checksum type="sha256">bb</checksum><location href="repodata/bb-updateinfo.xml.xz"/></data>
</repomd>)";
  auto data = parse_repomd(repomd, "repomd.xml");
  BOOST_REQUIRE(find_repomd(data, "primary"));
  BOOST_TEST(find_repomd(data, "primary")->location == "repodata/aa-primary.xml.zst");
  BOOST_TEST(find_repomd(data, "primary")->size == 12);
  BOOST_TEST(find_repomd(data, "updateinfo")->sha256 == "bb");
  BOOST_TEST(!find_repomd(data, "filelists"));
  BOOST_CHECK_THROW(parse_repomd("<repomd><data type=\"primary\"><checksum type=\"md5\">x</checksum>"
                                 "<location href=\"p\"/></data></repomd>", "r"), InfraError);

  const char* metalink = R"(<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" xmlns:mm0="http://fedorahosted.org/mirrormanager">
 <files><file name="repomd.xml"><size>3</size>
  <verification><hash type="md5">m</hash><hash type="sha256">cur</hash></verification>
  <mm0:alternates><mm0:alternate><verification><hash type="sha256">old</hash></verification></mm0:alternate></mm0:alternates>
  <resources>
   <url protocol="rsync" preference="100">rsync://x/repodata/repomd.xml</url>
   <url protocol="https" preference="50">https://b/repodata/repomd.xml</url>
   <url protocol="http" preference="90">http://a/repodata/repomd.xml</url>
  </resources></file></files></metalink>)";
  Metalink m = parse_metalink(metalink, "metalink");
  BOOST_TEST(m.urls.size() == 2u);
  BOOST_TEST(m.urls.front().url == "http://a/repodata/repomd.xml");
  BOOST_TEST(m.urls.front().preference == 90);
  BOOST_CHECK_NO_THROW(check_repomd_against_metalink(m, "cur", "u", "ml"));
  BOOST_CHECK_NO_THROW(check_repomd_against_metalink(m, "old", "u", "ml"));
  BOOST_CHECK_EXCEPTION(check_repomd_against_metalink(m, "evil", "http://a/repodata/repomd.xml", "ml"), InfraError,
                        [](const InfraError& e) { return message_has(e, "evil") && message_has(e, "cur"); });
}

// A signed Debian-shaped archive in a temp dir: bookworm, bookworm-updates, bookworm-security.
struct SignedArchive {
  TempDir dir{"harness-repo-archive"};
  fs::path gnupg = dir.path() / "gnupg";
  fs::path keyring = dir.path() / "keyring.gpg";
  fs::path root = dir.path() / "debian";
  fs::path cache = dir.path() / "cache";

  SignedArchive() {
    fs::create_directories(gnupg);
    fs::permissions(gnupg, fs::perms::owner_all);
    gpg({"--quick-gen-key", "harness test archive <archive@test.invalid>", "ed25519", "sign", "never"});
    gpg({"--export", "--output", keyring.string()});
  }
  ~SignedArchive() {  // the agent gpg started for this homedir
    run_process({"gpgconf", "--homedir", gnupg.string(), "--kill", "gpg-agent"}, {.timeout = 10s});
  }
  ProcessResult gpg(std::vector<std::string> args) {
    std::vector<std::string> argv{"gpg", "--homedir", gnupg.string(), "--batch", "--quiet", "--passphrase", "",
                                  "--pinentry-mode", "loopback"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_process(argv, {.timeout = 60s});
    BOOST_REQUIRE_MESSAGE(r.ok(), "gpg failed: " + r.err);
    return r;
  }
  // Writes dists/SUITE/{InRelease, main/binary-amd64/Packages.xz}.
  void suite(const std::string& name, const std::string& packages, const std::string& extra_fields = "") {
    fs::path d = root / "dists" / name;
    fs::create_directories(d / "main/binary-amd64");
    write_file(d / "main/binary-amd64/Packages", packages);
    auto xz = run_process({"xz", "-kf", (d / "main/binary-amd64/Packages").string()}, {.timeout = 60s});
    BOOST_REQUIRE(xz.ok());
    std::string xzdata = read_file(d / "main/binary-amd64/Packages.xz");
    std::string release = "Origin: Debian\nSuite: " + name + "\nCodename: " + name +
                          "\nDate: Sat, 21 Nov 2026 09:15:44 UTC\n" + extra_fields + "SHA256:\n " +
                          sha256_hex(xzdata) + " " + std::to_string(xzdata.size()) + " main/binary-amd64/Packages.xz\n";
    write_file(d / "Release", release);
    fs::remove(d / "InRelease");
    gpg({"--clearsign", "--output", (d / "InRelease").string(), (d / "Release").string()});
  }
  ResolveOptions options() const {
    ResolveOptions o;
    o.cache_dir = cache;
    o.mirrors.debian = "file://" + root.string();
    o.mirrors.debian_security = "file://" + root.string();
    o.debian_keyring = keyring;
    o.timeout = 30s;
    return o;
  }
};

std::string stanza(const std::string& name, const std::string& version, const std::string& source,
                   const std::string& depends = "") {
  std::string s = "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n";
  if (!source.empty()) s += "Source: " + source + "\n";
  if (!depends.empty()) s += "Depends: " + depends + "\n";
  return s + "Description: test\n\n";
}

BOOST_AUTO_TEST_CASE(debian_channel_resolves_highest_version_and_refuses_tampering) {
  SignedArchive a;
  a.suite("bookworm", stanza("exim4-base", "4.96-15+deb12u7", "exim4", "libc6") +
                          stanza("exim4-daemon-light", "4.96-15+deb12u7", "exim4", "exim4-base (>= 4.96)") +
                          stanza("openssl", "3.0.15-1~deb12u1", "", "libssl3") + stanza("libssl3", "3.0.15-1~deb12u1", "openssl") +
                          stanza("libc6", "2.36-9+deb12u9", "glibc"));
  a.suite("bookworm-updates", stanza("libc6", "2.36-9+deb12u10", "glibc"));
  a.suite("bookworm-security", stanza("exim4-base", "4.96-15+deb12u10", "exim4", "libc6") +
                                   stanza("openssl", "3.0.17-1~deb12u2", "", "libssl3"));
  auto spec = parse_candidate_spec("debian:bookworm:stable");
  Resolution r = resolve(spec, {"src:exim4", "openssl"}, a.options());
  BOOST_REQUIRE(r.packages.find("exim4-base"));
  BOOST_TEST(r.packages.find("exim4-base")->evr() == "4.96-15+deb12u10");
  BOOST_TEST(r.packages.find("exim4-base")->repo == "bookworm-security");
  BOOST_TEST(r.packages.find("exim4-daemon-light")->evr() == "4.96-15+deb12u7");
  BOOST_TEST(r.packages.find("openssl")->evr() == "3.0.17-1~deb12u2");
  BOOST_TEST(r.packages.find("openssl")->source == "openssl");
  BOOST_TEST(!r.packages.find("libssl3"));  // not watched
  // The transaction pulls in the dependencies at their candidate versions.
  auto has = [&](const std::string& step) {
    return std::find(r.transaction.begin(), r.transaction.end(), step) != r.transaction.end();
  };
  BOOST_TEST(has("install libc6 2.36-9+deb12u10"));
  BOOST_TEST(has("install libssl3 3.0.15-1~deb12u1"));
  BOOST_TEST(has("install exim4-base 4.96-15+deb12u10"));

  BOOST_CHECK_EXCEPTION(resolve(spec, {"exim5"}, a.options()), UsageError,
                        [](const UsageError& e) { return message_has(e, "exim5") && message_has(e, "debian:bookworm:stable"); });

  // Offline works from the verified cache.
  auto offline = a.options();
  offline.offline = true;
  BOOST_TEST(resolve(spec, {"openssl"}, offline).packages.find("openssl")->evr() == "3.0.17-1~deb12u2");

  // One flipped byte in a cached Packages.xz: refused, even though a parsed copy of it exists.
  fs::path cached;
  for (const auto& e : fs::directory_iterator(a.cache / "by-hash"))
    if (read_file(e.path()) == read_file(a.root / "dists/bookworm-security/main/binary-amd64/Packages.xz")) cached = e.path();
  BOOST_REQUIRE(!cached.empty());
  flip_byte(cached);
  BOOST_CHECK_EXCEPTION(resolve(spec, {"openssl"}, offline), InfraError,
                        [](const InfraError& e) { return message_has(e, "checksum mismatch") && message_has(e, "bookworm-security"); });
}

BOOST_AUTO_TEST_CASE(debian_signature_and_expiry_are_enforced) {
  SignedArchive a;
  a.suite("bookworm", stanza("openssl", "3.0.15-1~deb12u1", ""));
  a.suite("bookworm-updates", stanza("openssl", "3.0.15-1~deb12u1", ""));
  a.suite("bookworm-security", stanza("openssl", "3.0.15-1~deb12u1", ""),
          "Valid-Until: Fri, 06 Nov 2026 08:08:01 UTC\n");
  auto spec = parse_candidate_spec("debian:bookworm:stable");
  auto o = a.options();
  BOOST_CHECK_EXCEPTION(resolve(spec, {"openssl"}, o), InfraError, [](const InfraError& e) {
    return message_has(e, "bookworm-security/InRelease expired") && message_has(e, "--allow-expired-metadata");
  });
  o.allow_expired_metadata = true;
  BOOST_TEST(resolve(spec, {"openssl"}, o).packages.packages.size() == 1u);

  // A changed line inside the signed text breaks the signature.
  fs::path inrelease = a.root / "dists/bookworm/InRelease";
  std::string text = read_file(inrelease);
  auto pos = text.find("Codename: bookworm");
  text.replace(pos, 18, "Codename: bookwarm");
  write_file(inrelease, text);
  BOOST_CHECK_EXCEPTION(resolve(spec, {"openssl"}, o), InfraError,
                        [](const InfraError& e) { return message_has(e, "bad or missing signature"); });

  // The real archive keyring does not vouch for the throwaway key.
  a.suite("bookworm", stanza("openssl", "3.0.15-1~deb12u1", ""));
  o.debian_keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
  BOOST_CHECK_EXCEPTION(resolve(spec, {"openssl"}, o), InfraError,
                        [](const InfraError& e) { return message_has(e, "bad or missing signature"); });
}

BOOST_AUTO_TEST_CASE(missing_suite_is_reported_clearly) {
  SignedArchive a;
  a.suite("trixie", stanza("openssl", "3.5.1-1", ""));
  a.suite("trixie-updates", stanza("openssl", "3.5.1-1", ""));
  a.suite("trixie-security", stanza("openssl", "3.5.1-1", ""));
  BOOST_CHECK_EXCEPTION(resolve(parse_candidate_spec("debian:trixie:proposed-updates"), {"openssl"}, a.options()),
                        InfraError, [](const InfraError& e) {
                          return message_has(e, "trixie-proposed-updates is not available") && message_has(e, "404");
                        });
}

BOOST_AUTO_TEST_CASE(local_folder_packages_come_from_the_files) {
  SignedArchive a;
  a.suite("bookworm", stanza("exim4-base", "4.96-15+deb12u7", "exim4") +
                          stanza("exim4-daemon-light", "4.96-15+deb12u7", "exim4", "exim4-base (>= 4.96)") +
                          stanza("openssl", "3.0.15-1~deb12u1", ""));
  a.suite("bookworm-updates", "");
  a.suite("bookworm-security", stanza("exim4-base", "4.96-15+deb12u10", "exim4"));
  // A maintainer's local build: older-looking version, still the candidate because it is local.
  TempDir build("harness-repo-deb");
  fs::path root = build.path() / "root";
  fs::create_directories(root / "DEBIAN");
  write_file(root / "DEBIAN/control",
             "Package: exim4-base\nVersion: 4.96-15+deb12u8~local1\nArchitecture: amd64\nSource: exim4\n"
             "Maintainer: Test <t@test.invalid>\nDescription: local build\n");
  fs::path folder = build.path() / "out";
  fs::create_directories(folder);
  auto deb = run_process({"dpkg-deb", "--root-owner-group", "--build", root.string(),
                          (folder / "exim4-base_4.96-15+deb12u8~local1_amd64.deb").string()},
                         {.timeout = 60s});
  BOOST_REQUIRE_MESSAGE(deb.ok(), deb.err);

  auto spec = parse_candidate_spec("local:" + folder.string() + "@debian:bookworm:stable");
  Resolution r = resolve(spec, {"src:exim4", "openssl"}, a.options());
  const Package* base = r.packages.find("exim4-base");
  BOOST_REQUIRE(base);
  BOOST_TEST(base->evr() == "4.96-15+deb12u8~local1");
  BOOST_TEST(base->repo == "local");
  BOOST_TEST(base->file == (folder / "exim4-base_4.96-15+deb12u8~local1_amd64.deb").string());
  BOOST_TEST(r.packages.find("exim4-daemon-light")->repo == "bookworm");  // not in the folder: from the base
  BOOST_TEST(r.packages.find("openssl")->evr() == "3.0.15-1~deb12u1");
  BOOST_TEST(r.packages.find("openssl")->file.empty());

  // An rpm in a folder layered on a Debian base is a usage error.
  write_file(folder / "exim-4.97.1-1.fc40.x86_64.rpm", "not really");
  BOOST_CHECK_THROW(resolve(spec, {"openssl"}, a.options()), UsageError);
}

namespace {
// Files of the metadata cache whose name contains `part` (InRelease, ".part.").
std::vector<fs::path> cache_files(const fs::path& cache, const std::string& part) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(cache, ec); it != fs::recursive_directory_iterator(); ++it)
    if (it->path().filename().string().find(part) != std::string::npos) out.push_back(it->path());
  return out;
}
}  // namespace

// A mirror that served a tampered InRelease once and was then repaired (rsync restores the old file
// with its old mtime, so a conditional GET would answer 304): the next run must succeed.
BOOST_AUTO_TEST_CASE(tampered_inrelease_is_not_cached_and_the_cache_heals) {
  SignedArchive a;
  a.suite("bookworm", stanza("openssl", "3.0.15-1~deb12u1", ""));
  a.suite("bookworm-updates", "");
  a.suite("bookworm-security", stanza("openssl", "3.0.17-1~deb12u2", ""));
  repo_test::FixtureServer server(a.root);
  auto o = a.options();
  o.mirrors.debian = o.mirrors.debian_security = server.base();
  auto spec = parse_candidate_spec("debian:bookworm:stable");

  fs::path inrelease = a.root / "dists/bookworm/InRelease";
  std::string good = read_file(inrelease);
  auto good_mtime = fs::last_write_time(inrelease);
  std::string bad = good;
  bad.replace(bad.find("Codename: bookworm"), 18, "Codename: bookwarm");
  write_file(inrelease, bad);
  fs::last_write_time(inrelease, good_mtime + 1h);  // the tampered copy is newer
  BOOST_CHECK_EXCEPTION(resolve(spec, {"openssl"}, o), InfraError, [&](const InfraError& e) {
    return message_has(e, "bad or missing signature on " + server.base() + "/dists/bookworm/InRelease");
  });
  for (const auto& f : cache_files(a.cache, "InRelease"))
    BOOST_TEST(f.string().find("/dists/bookworm/") == std::string::npos, f << " cached although it failed");
  BOOST_TEST(cache_files(a.cache, ".part.").empty());

  write_file(inrelease, good);
  fs::last_write_time(inrelease, good_mtime);
  BOOST_TEST(resolve(spec, {"openssl"}, o).packages.find("openssl")->evr() == "3.0.17-1~deb12u2");

  // A cached InRelease damaged on disk while the server says 304: dropped and fetched again.
  fs::path cached;
  for (const auto& f : cache_files(a.cache, "InRelease"))
    if (f.string().ends_with("/dists/bookworm/InRelease")) cached = f;
  BOOST_REQUIRE(!cached.empty());
  flip_byte(cached);
  BOOST_TEST(resolve(spec, {"openssl"}, o).packages.find("openssl")->evr() == "3.0.17-1~deb12u2");
  BOOST_TEST(read_file(cached) == good);

  // A damaged cached Packages.xz: refused offline, dropped and downloaded again online.
  fs::path xz;
  for (const auto& f : cache_files(a.cache / "by-hash", "Packages.xz"))
    if (read_file(f) == read_file(a.root / "dists/bookworm-security/main/binary-amd64/Packages.xz")) xz = f;
  BOOST_REQUIRE(!xz.empty());
  std::string xz_good = read_file(xz);
  flip_byte(xz);
  auto offline = o;
  offline.offline = true;
  BOOST_CHECK_EXCEPTION(resolve(spec, {"openssl"}, offline), InfraError, [](const InfraError& e) {
    return message_has(e, "checksum mismatch") && message_has(e, "without --offline");
  });
  BOOST_TEST(resolve(spec, {"openssl"}, o).packages.find("openssl")->evr() == "3.0.17-1~deb12u2");
  BOOST_TEST(read_file(xz) == xz_good);
  BOOST_TEST(cache_files(a.cache, ".part.").empty());
}

// A mirror that accepts connections and never answers: reported as stalled, an InfraError naming
// the URL, well before a fixed minute-long timeout would fire (the bound only catches a hang).
BOOST_AUTO_TEST_CASE(mute_mirror_fails_as_infra_error_instead_of_hanging) {
  SignedArchive a;
  auto mute = repo_test::FixtureServer::mute();
  auto o = a.options();
  o.mirrors.debian = o.mirrors.debian_security = mute.base();
  auto start = std::chrono::steady_clock::now();
  BOOST_CHECK_EXCEPTION(resolve(parse_candidate_spec("debian:bookworm:stable"), {"openssl"}, o), InfraError,
                        [&](const InfraError& e) {
                          BOOST_TEST_MESSAGE(e.what());
                          return message_has(e, mute.base() + "/dists/bookworm") && message_has(e, "stalled");
                        });
  auto elapsed = std::chrono::steady_clock::now() - start;
  BOOST_TEST(elapsed < 60s);
  BOOST_TEST(cache_files(a.cache, ".part.").empty());
}

// Input mistakes are usage errors naming the value, not infrastructure errors.
BOOST_AUTO_TEST_CASE(malformed_mirror_url_and_unwritable_cache_are_usage_errors) {
  TempDir dir("harness-repo-test");
  auto spec = parse_candidate_spec("debian:bookworm:stable");
  ResolveOptions o;
  o.cache_dir = dir.path() / "cache";
  o.mirrors.debian = o.mirrors.debian_security = "htp:/127.0.0.1:1/debian";
  BOOST_CHECK_EXCEPTION(resolve(spec, {"openssl"}, o), UsageError,
                        [](const UsageError& e) { return message_has(e, "'htp:/127.0.0.1:1/debian/dists/"); });
  write_file(dir.path() / "a-file", "");
  o.cache_dir = dir.path() / "a-file" / "cache";  // below a regular file: cannot be created, even by root
  o.mirrors.debian = o.mirrors.debian_security = "http://127.0.0.1:1/debian";
  BOOST_CHECK_EXCEPTION(resolve(spec, {"openssl"}, o), UsageError, [&](const UsageError& e) {
    return message_has(e, (dir.path() / "a-file").string()) && message_has(e, "--cache-dir");
  });
}

// Found by fuzz_debian_release / fuzz_repomd (docs/architecture.md, Fuzzing): a date past 2262
// overflowed system_clock's nanoseconds (UB), and mirror-supplied text reached error messages raw.
BOOST_AUTO_TEST_CASE(release_dates_and_metadata_errors_survive_hostile_values) {
  auto far = parse_rfc822_date("Fri, 31 Dec 9999 23:59:59 UTC");
  BOOST_REQUIRE(far);
  BOOST_TEST((*far == std::chrono::system_clock::time_point::max()));
  BOOST_TEST(!parse_rfc822_date("Mon, 01 Jan 1900 00:00:00 UTC"));
  std::string sha = std::string(64, 'a');
  auto r = parse_release("Suite: x\nValid-Until: Fri, 31 Dec 9999 23:59:59 UTC\nSHA256:\n " + sha + " 1 main/x\n", "f");
  BOOST_CHECK_NO_THROW(check_valid_until(r, "u", std::chrono::system_clock::now(), false));
  BOOST_CHECK_EXCEPTION(parse_release("Valid-Until: \x1b]0;owned\x07\nSHA256:\n " + sha + " 1 main/x\n", "f"), InfraError,
                        [](const InfraError& e) { return message_has(e, "\\x1b]0;owned\\x07"); });
  BOOST_CHECK_EXCEPTION(parse_repomd("<repomd><data type=\"\x1b[2J\"><checksum type=\"md5\">x</checksum><location href=\"p\"/></data></repomd>", "r"),
                        InfraError, [](const InfraError& e) { return message_has(e, "\\x1b[2J"); });
  Metalink m{.sha256 = {"ab\x06\x1b]0;t"}, .urls = {{.url = "http://a/repodata/repomd.xml"}}};
  BOOST_CHECK_EXCEPTION(check_repomd_against_metalink(m, "cd", "u", "ml"), InfraError,
                        [](const InfraError& e) { return message_has(e, "ab\\x06\\x1b]0;t"); });
}
