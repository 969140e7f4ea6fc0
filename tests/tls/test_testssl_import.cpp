// `harness import-clients testssl`: testssl.sh's client-simulation.txt as starttls profiles. On a
// small excerpt checked in beside this file, on bad input, and on the file the Debian package
// testssl.sh installs (containers/host-packages.txt lists it: the test requires it, never skips).
#define BOOST_TEST_MODULE testssl_import
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/tls/profile.hpp"
#include "harness/tls/starttls_client.hpp"
#include "harness/tls/testssl_import.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {

const fs::path kExcerpt = HARNESS_SOURCE_DIR "/tests/tls/data/testssl-client-simulation-excerpt.txt";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes each profile, loads it as the suite loads profiles and builds the engine's SSL_CTX from it
// (OpenSSL must accept every group, suite and ALPN name the import wrote).
std::map<std::string, ClientProfile> load_all(const TestsslImport& imported) {
  TempDir d("harness-test");
  std::map<std::string, ClientProfile> out;
  for (const auto& p : imported.profiles) {
    auto file = d.path() / (p.short_name + ".yaml");
    write_file(file, p.yaml);
    auto loaded = load_client_profile(file);
    StarttlsClient engine(loaded);
    out.emplace(p.short_name, loaded);
  }
  return out;
}

// The excerpt with `from` replaced by `to` (once), in a temp file; the import's UsageError text.
std::string import_error(const std::string& from, const std::string& to) {
  auto text = read(kExcerpt);
  auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, from);
  text.replace(at, from.size(), to);
  TempDir d("harness-test");
  auto file = d.path() / "client-simulation.txt";
  write_file(file, text);
  try {
    import_testssl_clients(file, true);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_CASE(excerpt_smtp_capable_clients_become_profiles) {
  auto imported = import_testssl_clients(kExcerpt, false);
  BOOST_TEST(imported.clients == 4u);
  BOOST_TEST(imported.smtp_capable == 3u);  // SMTP in service, or ANY
  BOOST_REQUIRE(imported.profiles.size() == 2u);
  BOOST_REQUIRE(imported.skipped.size() == 1u);
  BOOST_TEST(imported.skipped[0].find("client-simulation-excerpt.txt:71: client 'old_mailer_d'") != std::string::npos, imported.skipped[0]);
  BOOST_TEST(imported.skipped[0].find("offers SSLv3 at most") != std::string::npos, imported.skipped[0]);
  BOOST_TEST(imported.warnings.empty());

  auto profiles = load_all(imported);
  const auto& a = profiles.at("mailer_a_10");
  BOOST_TEST(a.description == "Mailer A 1.0");
  BOOST_TEST(a.min_protocol == "TLSv1.3");
  BOOST_TEST(a.max_protocol == "TLSv1.3");
  BOOST_TEST(a.tls13_suites == (std::vector<std::string>{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"}));
  BOOST_TEST(a.ciphers.empty());
  BOOST_TEST(a.alpn == (std::vector<std::string>{"h2", "http/1.1"}));
  BOOST_TEST(a.groups == (std::vector<std::string>{"X25519", "prime256v1"}));
  BOOST_REQUIRE(a.sni.has_value());
  BOOST_TEST(*a.sni == "mail.example.org");  // testssl's $SNI: the name the recorded hello carries
  BOOST_TEST(!a.session_tickets);            // recorded with -no_ticket
  BOOST_TEST(a.extended_master_secret);
  BOOST_REQUIRE(a.recorded_hello.has_value());
  BOOST_TEST(read(kExcerpt).find("handshakebytes+=(\"" + a.recorded_hello->hex + "\")") != std::string::npos);
  BOOST_TEST(a.recorded_hello->source == "testssl.sh client-simulation.txt: mailer_a_10");
  BOOST_TEST(a.summary.find("client-simulation.txt") != std::string::npos, a.summary);
  BOOST_TEST(a.summary.find("Mailer A 1.0") != std::string::npos, a.summary);
  BOOST_REQUIRE(!a.refs.empty());
  BOOST_TEST(a.refs[0].find("client-simulation.txt") != std::string::npos);
  BOOST_TEST(a.refs[0].find("mailer_a_10") != std::string::npos);

  // signature_algorithms of the recorded hello (openssl s_client 3.0's default list).
  BOOST_TEST(a.sigalgs.size() >= 9u);
  BOOST_TEST(a.sigalgs.at(0) == "ECDSA+SHA256");
  BOOST_TEST(std::count(a.sigalgs.begin(), a.sigalgs.end(), "rsa_pss_rsae_sha256") == 1);
  BOOST_TEST(a.summary.find("Signature algorithms from the recorded hello.") != std::string::npos, a.summary);

  const auto& b = profiles.at("relay_b_23");
  BOOST_TEST(b.min_protocol == "TLSv1.2");
  BOOST_TEST(b.max_protocol == "TLSv1.2");
  BOOST_TEST(b.ciphers == (std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256", "AES128-SHA"}));
  BOOST_TEST(b.tls13_suites.empty());
  BOOST_TEST(b.alpn.empty());
  BOOST_TEST(!b.sni.has_value());
  BOOST_TEST(!b.encrypt_then_mac);  // recorded with -no_etm
  BOOST_TEST(b.session_tickets);
}

BOOST_AUTO_TEST_CASE(excerpt_all_takes_every_expressible_client) {
  auto imported = import_testssl_clients(kExcerpt, true);
  BOOST_TEST(imported.profiles.size() == 3u);
  auto profiles = load_all(imported);
  const auto& c = profiles.at("browser_c_9");
  BOOST_TEST(c.min_protocol == "TLSv1");
  BOOST_TEST(*c.sni == "www.example.org");
  BOOST_TEST(c.summary.find("services: HTTP") != std::string::npos, c.summary);
}

BOOST_AUTO_TEST_CASE(bad_input_names_file_line_and_value) {
  auto expect = [](const std::string& from, const std::string& to, const std::string& fragment) {
    auto what = import_error(from, to);
    BOOST_TEST(what.find("client-simulation.txt:") != std::string::npos, what);
    BOOST_TEST(what.find(fragment) != std::string::npos, what);
  };
  expect("     current+=(true)", "     current = true", "client-simulation.txt:27: not testssl.sh's client-simulation format");
  expect("     curves+=(\"X25519:prime256v1\")\n", "",
         "client-simulation.txt:7: client 'Mailer A 1.0' has no curves+=(): the arrays are of different lengths (4 names, 3 curves)");
  expect("     sni+=(\"\")\n", "     sni+=(\"\")\n     sni+=(\"\")\n", "sni+=(\"\") given twice for client Relay B 2.3");
  expect("ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256:AES128-SHAX",
         "client-simulation.txt:31: unknown cipher 'AES128-SHAX' for client 'Relay B 2.3'");
  expect("TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384\")\n     sni", "TLS_AES_128_GCM_SHA257\")\n     sni",
         "unknown TLS 1.3 suite 'TLS_AES_128_GCM_SHA257'");
  expect("highest_protocol+=(\"0x0303\")", "highest_protocol+=(\"0x0305\")", "unknown protocol '0x0305'");
  expect("handshakebytes+=(\"1603", "handshakebytes+=(\"1703", "handshakebytes of client 'Mailer A 1.0': not a TLS handshake record");
  expect("     names+=(\"Mailer A 1.0\")", "     short+=(\"x\")\n     names+=(\"Mailer A 1.0\")", "before the first names+=()");
  expect("short+=(\"relay_b_23\")", "short+=(\"mailer_a_10\")", "short name 'mailer_a_10' given to two clients");

  TempDir d("harness-test");
  write_file(d.path() / "empty.txt", "# nothing\n");
  BOOST_CHECK_EXCEPTION(import_testssl_clients(d.path() / "empty.txt", false), UsageError, [](const UsageError& e) {
    return std::string(e.what()).find("empty.txt:1: no names+=() at all") != std::string::npos;
  });
  BOOST_CHECK_THROW(import_testssl_clients(d.path() / "missing.txt", false), UsageError);
}

// An alpn+=() that disagrees with the recorded bytes (Debian's 3.0.8 has 15 such clients): the
// bytes win, the import says so, the profile's summary too.
BOOST_AUTO_TEST_CASE(alpn_array_disagreeing_with_the_hello_is_reported) {
  auto text = read(kExcerpt);
  text.replace(text.find("alpn+=(\"h2,http/1.1\")"), 21, "alpn+=(\"smtp\")");
  TempDir d("harness-test");
  write_file(d.path() / "c.txt", text);
  auto imported = import_testssl_clients(d.path() / "c.txt", false);
  BOOST_REQUIRE(imported.warnings.size() == 1u);
  BOOST_TEST(imported.warnings[0].find("c.txt:18: client 'Mailer A 1.0'") != std::string::npos, imported.warnings[0]);
  auto a = load_all(imported).at("mailer_a_10");
  BOOST_TEST(a.alpn == (std::vector<std::string>{"h2", "http/1.1"}));
  BOOST_TEST(a.summary.find("differs from the recorded hello's ALPN") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(signature_scheme_names) {
  BOOST_TEST(sigalg_name(0x0401) == "RSA+SHA256");
  BOOST_TEST(sigalg_name(0x0203) == "ECDSA+SHA1");
  BOOST_TEST(sigalg_name(0x0101) == "RSA+MD5");
  BOOST_TEST(sigalg_name(0x0804) == "rsa_pss_rsae_sha256");
  BOOST_TEST(sigalg_name(0x0807) == "ed25519");
  BOOST_TEST(sigalg_name(0x0a0a).empty());  // GREASE
  BOOST_TEST(sigalg_name(0x081a).empty());  // brainpool TLS 1.3: no name in OpenSSL 3.0
}

BOOST_AUTO_TEST_CASE(client_hello_parser_reads_extensions) {
  auto text = read(kExcerpt);
  auto at = text.find("handshakebytes+=(\"") + 18;
  auto hello = parse_client_hello(text.substr(at, text.find('"', at) - at));
  BOOST_TEST(hello.legacy_version == 0x0303);
  BOOST_TEST(hello.alpn == (std::vector<std::string>{"h2", "http/1.1"}));
  BOOST_TEST(hello.has(43));   // supported_versions
  BOOST_TEST(!hello.has(35));  // no session ticket
  BOOST_TEST(std::count(hello.ciphers.begin(), hello.ciphers.end(), 0x1301) == 1);
  BOOST_CHECK_THROW(parse_client_hello("16030100050100000100"), std::runtime_error);  // ends inside the version
  // Every single-byte corruption of the recorded hellos is parsed or refused with runtime_error:
  // never another exception, never a read past the bytes (ASan: fuzz/sanitize-check.sh builds this test too).
  for (std::size_t from = text.find("handshakebytes+=(\""); from != std::string::npos;
       from = text.find("handshakebytes+=(\"", from + 1)) {
    auto start = from + 18;
    auto hex = text.substr(start, text.find('"', start) - start);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      for (const char* flip : {"00", "ff", "7f"}) {
        auto bad = hex;
        bad.replace(i, 2, flip);
        try {
          (void)parse_client_hello(bad);
        } catch (const std::runtime_error&) {
        } catch (const std::exception& e) {
          BOOST_ERROR("byte " << i / 2 << " = " << flip << ": " << e.what());
        }
      }
    }
  }
}

// The file Debian's testssl.sh installs: every SMTP-capable client (and with --all every client)
// is imported or skipped with a reason, and what is imported loads and configures the engine.
BOOST_AUTO_TEST_CASE(debian_testssl_client_simulation_file) {
  const fs::path real = "/etc/testssl/client-simulation.txt";
  BOOST_REQUIRE_MESSAGE(fs::exists(real), real.string() + " is missing: install the Debian package testssl.sh "
                                                          "(containers/setup-host does, from containers/host-packages.txt)");
  auto smtp = import_testssl_clients(real, false);
  auto all = import_testssl_clients(real, true);
  BOOST_TEST_MESSAGE(real.string() << ": " << all.clients << " clients, " << smtp.smtp_capable << " SMTP-capable; profiles: "
                                   << smtp.profiles.size() << " SMTP-capable (" << smtp.skipped.size() << " skipped), "
                                   << all.profiles.size() << " with --all (" << all.skipped.size() << " skipped)");
  for (const auto& s : all.skipped) BOOST_TEST_MESSAGE("skipped " << s);
  BOOST_TEST(smtp.smtp_capable > 0u);
  BOOST_TEST(smtp.profiles.size() + smtp.skipped.size() == smtp.smtp_capable);
  BOOST_TEST(all.profiles.size() + all.skipped.size() == all.clients);
  BOOST_TEST(all.profiles.size() > smtp.profiles.size());
  auto profiles = load_all(all);
  BOOST_TEST(profiles.size() == all.profiles.size());
  std::size_t with_h2 = 0, with_hello = 0;
  for (const auto& p : smtp.profiles) {
    const auto& loaded = profiles.at(p.short_name);
    with_h2 += std::count(loaded.alpn.begin(), loaded.alpn.end(), "h2");
    with_hello += loaded.recorded_hello.has_value();
  }
  BOOST_TEST_MESSAGE("SMTP-capable profiles offering ALPN h2: " << with_h2 << ", with a recorded hello: " << with_hello);
  BOOST_TEST(with_h2 > 0u);  // Android 9/10, go 1.17: the clients exim refuses with alert 120
  BOOST_TEST(with_hello == smtp.profiles.size());
  // Signature algorithms decoded for the TLS 1.2+ clients: Android 9 lists PSS, ECDSA and PKCS#1.
  const auto& android9 = profiles.at("android_90");
  BOOST_TEST(std::count(android9.sigalgs.begin(), android9.sigalgs.end(), "ECDSA+SHA256") == 1);
  BOOST_TEST(std::count(android9.sigalgs.begin(), android9.sigalgs.end(), "rsa_pss_rsae_sha256") == 1);
}
