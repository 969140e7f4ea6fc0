// Suite starttls data: the shipped scenario files load; bad files fail with file:line before
// anything starts; expectation matching; the s_client command line and output reading.
#define BOOST_TEST_MODULE starttls_scenarios
#include <boost/test/unit_test.hpp>
#include <algorithm>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/suites/starttls/s_client.hpp"
#include "harness/suites/starttls/starttls_scenarios.hpp"
#include "harness/suites/starttls/starttls_suite.hpp"
#include "harness/suites/starttls/tls_servers.hpp"
#include "harness/common/process.hpp"

#include <algorithm>

using namespace harness;
namespace fs = std::filesystem;

namespace {
const fs::path kShipped = HARNESS_SOURCE_DIR "/scenarios/starttls";

// A copy of the shipped scenarios with one file replaced.
struct ScenarioCopy {
  TempDir dir{"harness-test"};
  ScenarioCopy() { fs::copy(kShipped, dir.path(), fs::copy_options::recursive); }
  void put(const std::string& rel, const std::string& text) { write_file(dir.path() / rel, text); }
};

std::string load_error(const fs::path& dir) {
  try {
    load_starttls_scenarios(dir);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(shipped_scenarios_cover_the_matrix) {
  auto s = load_starttls_scenarios(kShipped);
  BOOST_TEST(s.certsets.size() == 3u);
  BOOST_TEST(s.clients.size() >= 7u);
  BOOST_TEST(!s.receivers.empty());
  for (const char* c : {"proofpoint-2015", "proofpoint-2023", "exchange-online", "postfix-defaults", "modern-tls13",
                        "ecdsa-only-tls12", "openssl-defaults"})
    BOOST_TEST(std::any_of(s.clients.begin(), s.clients.end(), [&](const ClientProfile& p) { return p.name == c; }), c);
  auto* e = s.expectation("exim", "ec", "proofpoint-2015", "gnutls");
  BOOST_REQUIRE(e);
  BOOST_TEST(!e->handshake_ok);
  BOOST_TEST(*e->alert == "handshake failure");
  BOOST_TEST(!e->summary.empty());
  BOOST_TEST(!e->refs.empty());
  BOOST_TEST(s.expectation("openssl", "dual", "proofpoint-2015", "openssl")->auth.value_or("") == "RSA");
  // exim's stock configuration differs by TLS library: GnuTLS gives ECDHE-RSA, OpenSSL (its
  // configure.default's tls_require_ciphers) RSA key transport; EC-only fails on both.
  BOOST_TEST(s.expectation("exim", "rsa", "proofpoint-2015", "gnutls")->kx.value_or("") == "ECDHE");
  BOOST_TEST(s.expectation("exim", "rsa", "proofpoint-2015", "openssl")->kx.value_or("") == "RSA");
  BOOST_TEST(s.expectation("openssl", "rsa", "proofpoint-2015", "openssl")->kx.value_or("") == "ECDHE");
  BOOST_TEST(!s.expectation("exim", "ec", "proofpoint-2015", "openssl")->handshake_ok);
  BOOST_TEST(server_tls_library(Family::debian, "exim") == "gnutls");
  BOOST_TEST(server_tls_library(Family::fedora, "exim") == "openssl");
  BOOST_TEST(server_tls_library(Family::debian, "openssl") == "openssl");

  auto suite = make_starttls_suite();
  suite->load(kShipped, {});
  // Each receiver is reached by s_client and, where exim is a server, by the stream's exim too.
  BOOST_TEST(suite->case_count() == 2 * 3 * s.clients.size() + 2 * s.receivers.size());
  BOOST_TEST(suite->planned_cases().size() == suite->case_count());
  suite->load(kShipped, {{"servers", "openssl"}});
  BOOST_TEST(suite->case_count() == 3 * s.clients.size() + s.receivers.size());
  BOOST_CHECK_THROW(suite->load(kShipped, {{"servers", "postfix"}}), UsageError);
}

BOOST_AUTO_TEST_CASE(bad_files_name_file_and_line) {
  {
    ScenarioCopy c;
    c.put("expectations.yaml", "expectations:\n  - clients: [proofpoint-2015]\n    handshake: ok\n    summary: s\n    refs: [r]\n");
    auto err = load_error(c.dir.path());
    BOOST_TEST(err.find("expectations.yaml:2: no rule covers server exim") != std::string::npos, err);
  }
  {
    ScenarioCopy c;
    c.put("expectations.yaml", "expectations:\n  - clients: [proofpoint-2051]\n    handshake: ok\n    summary: s\n    refs: [r]\n");
    auto err = load_error(c.dir.path());
    BOOST_TEST(err.find("expectations.yaml:2: clients: unknown name 'proofpoint-2051'") != std::string::npos, err);
  }
  {
    ScenarioCopy c;
    c.put("expectations.yaml", "expectations:\n  - tls_library: [wolfssl]\n    handshake: ok\n    summary: s\n    refs: [r]\n");
    auto err = load_error(c.dir.path());
    BOOST_TEST(err.find("expectations.yaml:2: tls_library: unknown name 'wolfssl' (known: gnutls, openssl)") != std::string::npos, err);
  }
  {
    // A rule for one TLS library leaves the other uncovered: named, with the library.
    ScenarioCopy c;
    c.put("expectations.yaml", "expectations:\n  - tls_library: [gnutls]\n    handshake: ok\n    summary: s\n    refs: [r]\n");
    auto err = load_error(c.dir.path());
    BOOST_TEST(err.find("(TLS library openssl); add one") != std::string::npos, err);
  }
  {
    ScenarioCopy c;
    c.put("expectations.yaml", "expectations:\n  - handshake: fail\n    protocol: TLSv1.2\n    summary: s\n    refs: [r]\n");
    auto err = load_error(c.dir.path());
    BOOST_TEST(err.find("expectations.yaml:2:") != std::string::npos, err);
  }
  {
    ScenarioCopy c;
    c.put("expectations.yaml", "expectations:\n  - handshake: maybe\n    summary: s\n    refs: [r]\n");
    BOOST_TEST(load_error(c.dir.path()).find("handshake must be 'ok' or 'fail'") != std::string::npos);
  }
  {
    ScenarioCopy c;
    c.put("certsets.yaml", "certsets:\n  rsa:\n    keys: [rsa1024]\n    summary: s\n");
    auto err = load_error(c.dir.path());
    BOOST_TEST(err.find("certsets.yaml:3: unknown key type 'rsa1024'") != std::string::npos, err);
  }
  {
    ScenarioCopy c;
    c.put("clients/broken.yaml", "summary: s\nrefs: [r]\nsigalgs: [RSA+MD7]\n");
    auto err = load_error(c.dir.path());
    BOOST_TEST(err.find("broken.yaml:3: unknown signature algorithm") != std::string::npos, err);
  }
}

BOOST_AUTO_TEST_CASE(control_bytes_in_a_scenario_value_are_shown_escaped) {
  // An OSC title sequence and a screen clear as a YAML value ("\e" and "\a" in a double-quoted
  // string): the error quotes them as text, never as terminal commands.
  ScenarioCopy c;
  c.put("expectations.yaml", "expectations:\n  - handshake: \"ok\\e]0;pwned\\a\\e[2J\\r\\n\"\n    summary: s\n    refs: [r]\n");
  auto err = load_error(c.dir.path());
  BOOST_TEST(err.find("expectations.yaml:2: handshake must be 'ok' or 'fail', not 'ok\\x1b]0;pwned\\x07\\x1b[2J\\r\\n'") !=
                 std::string::npos,
             err);
  BOOST_TEST(std::none_of(err.begin(), err.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; }));
}

BOOST_AUTO_TEST_CASE(meets_checks_every_given_field) {
  TlsExpectation e;
  e.handshake_ok = true;
  e.protocol = "TLSv1.2";
  e.kx = "ECDHE";
  e.auth = "RSA";
  ProbeResult r;
  r.handshake_ok = true;
  r.protocol = "TLSv1.2";
  r.cipher = "ECDHE-RSA-AES256-GCM-SHA384";
  r.kx = "ECDHE";
  r.auth = "RSA";
  BOOST_TEST(meets(e, r).first);
  r.auth = "ECDSA";
  BOOST_TEST(!meets(e, r).first);
  BOOST_TEST(meets(e, r).second.find("expected ok TLSv1.2 ECDHE/RSA") != std::string::npos, meets(e, r).second);
  r.handshake_ok = false;
  r.failure = "handshake failed: sslv3 alert handshake failure";
  BOOST_TEST(!meets(e, r).first);

  TlsExpectation f;
  f.handshake_ok = false;
  f.alert = "handshake failure";
  BOOST_TEST(!meets(f, r).first);  // the alert was not recorded
  r.alerts.push_back({false, "fatal", "handshake failure", 40});
  BOOST_TEST(meets(f, r).first);  // An alert may be named by OpenSSL's text or by its RFC 8446 name.
  f.alert = "no_application_protocol";
  BOOST_TEST(!meets(f, r).first);
  r.alerts.push_back({false, "fatal", "no application protocol", 120});
  BOOST_TEST(meets(f, r).first);
  f.alert = "no application protocol";
  BOOST_TEST(meets(f, r).first);
}

BOOST_AUTO_TEST_CASE(s_client_command_line_and_output) {
  auto s = load_starttls_scenarios(kShipped);
  auto pp = *std::find_if(s.clients.begin(), s.clients.end(), [](const ClientProfile& p) { return p.name == "proofpoint-2015"; });
  std::string help = " -starttls val\n -name val\n -min_protocol val\n -max_protocol val\n -cipher val\n -ciphersuites val\n"
                     " -groups val\n -sigalgs val\n -no_ems \n -no_etm \n -no_ticket \n -servername val\n -noservername \n";
  std::string why;
  auto argv = s_client_argv(pp, 2501, true, "x.test", help, why);
  BOOST_REQUIRE(argv.has_value());
  auto has = [&](const std::string& a) { return std::find(argv->begin(), argv->end(), a) != argv->end(); };
  BOOST_TEST(has("-no_ems"));
  BOOST_TEST(has("smtp"));
  BOOST_TEST(!std::any_of(argv->begin(), argv->end(), [](const std::string& a) { return a.find("RC4") != std::string::npos; }));
  BOOST_TEST(has("ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:"
                 "ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-SHA256:AES128-SHA256:"
                 "AES256-SHA:AES128-SHA:@SECLEVEL=0"));
  std::string old_help = help;
  old_help.erase(old_help.find(" -no_ems"), 10);
  BOOST_TEST(!s_client_argv(pp, 2501, true, "x.test", old_help, why).has_value());
  BOOST_TEST(why == "this s_client has no -no_ems");
  // ALPN travels as s_client's comma list; an s_client without -alpn cannot express the profile.
  auto with_alpn = pp;
  with_alpn.alpn = {"h2", "http/1.1"};
  auto alpn_argv = s_client_argv(with_alpn, 2501, true, "x.test", help + " -alpn val\n", why);
  BOOST_REQUIRE(alpn_argv.has_value());
  BOOST_TEST((std::find(alpn_argv->begin(), alpn_argv->end(), "-alpn") + 1 != alpn_argv->end() &&
              *(std::find(alpn_argv->begin(), alpn_argv->end(), "-alpn") + 1) == "h2,http/1.1"));
  BOOST_TEST(!s_client_argv(with_alpn, 2501, true, "x.test", help, why).has_value());
  BOOST_TEST(why == "this s_client has no -alpn");

  auto ok = parse_s_client_brief("CONNECTION ESTABLISHED\nProtocol version: TLSv1.2\nCiphersuite: ECDHE-RSA-AES256-GCM-SHA384\n");
  BOOST_TEST(ok.handshake_ok);
  BOOST_TEST(ok.protocol == "TLSv1.2");
  BOOST_TEST(ok.cipher == "ECDHE-RSA-AES256-GCM-SHA384");
  auto bad = parse_s_client_brief("80BB:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:x:1601:SSL alert number 40\n");
  BOOST_TEST(!bad.handshake_ok);
  BOOST_TEST(bad.failure.find("0A000410") != std::string::npos);
}

// Fedora's exim: the TLS settings go into /etc/exim/exim.conf (no generator), user exim, one
// port per certificate set; Debian's keeps its generator and Debian-exim.
BOOST_AUTO_TEST_CASE(exim_is_configured_the_way_each_family_ships_it) {
  std::vector<CertSetDef> sets{{"rsa", {KeySpec::parse("rsa2048")}},
                               {"dual", {KeySpec::parse("rsa2048"), KeySpec::parse("ec-p256")}}};
  BOOST_CHECK((server_packages(Family::fedora, {"exim", "openssl"}) == std::vector<std::string>{"openssl", "exim"}));
  BOOST_CHECK((server_packages(Family::debian, {"exim"}) == std::vector<std::string>{"openssl", "exim4-daemon-light"}));

  auto deb = exim_server_setup(Family::debian, sets);
  BOOST_CHECK(deb.script.find("update-exim4.conf\n") != std::string::npos);
  BOOST_CHECK(deb.script.find("chgrp Debian-exim ") != std::string::npos);
  BOOST_CHECK_EQUAL(deb.mainlog, "/var/log/exim4/mainlog");

  auto fed = exim_server_setup(Family::fedora, sets);
  BOOST_TEST_MESSAGE(fed.script);
  BOOST_CHECK((fed.ports == std::vector<int>{2501, 2502}));
  BOOST_CHECK_EQUAL(fed.mainlog, "/var/log/exim/main.log");
  BOOST_CHECK(fed.script.find("chgrp exim ") != std::string::npos);
  BOOST_CHECK(fed.script.find("/usr/sbin/exim -bd -oX 2501:2502 ") != std::string::npos);
  BOOST_CHECK(fed.script.find("exim4") == std::string::npos);
  BOOST_CHECK(fed.script.find("Debian-exim") == std::string::npos);

  // The edit itself, run on a stand-in for the packaged file: the file's own TLS/port/lookup lines
  // go, the harness's come first (the main section), the rest of the file stays as it was.
  TempDir d("harness-test");
  auto conf = d.path() / "exim.conf";
  write_file(conf, "primary_hostname = mx\ntls_advertise_hosts = *\ntls_certificate = /etc/pki/tls/certs/exim.pem\n"
                   "  tls_privatekey = /etc/pki/tls/private/exim.pem\ndaemon_smtp_ports = 25 : 465 : 587\n"
                   "tls_on_connect_ports = 465\nhost_lookup = *\n"
                   // exim's configure.default (4.96 to 4.98, which Fedora's exim.conf keeps) continues it:
                   "log_selector = +smtp_protocol_error +smtp_syntax_error \\\n        +tls_certificate_verified\n"
                   "\nbegin acl\nacl_check_rcpt:\n  accept\n");
  auto start = fed.script.find("C=/etc/exim/exim.conf\n");
  auto end = fed.script.find("mv $C.harness $C\n");
  BOOST_REQUIRE(start != std::string::npos && end != std::string::npos);
  std::string edit = fed.script.substr(start, end + 17 - start);
  edit.replace(0, std::string("C=/etc/exim/exim.conf").size(), "C=" + conf.string());
  auto r = run_process({"sh", "-ec", edit});
  BOOST_REQUIRE_MESSAGE(r.ok(), r.err);
  auto out = read_file(conf);
  BOOST_TEST_MESSAGE(out);
  BOOST_CHECK(out.find("/etc/pki/tls") == std::string::npos);
  BOOST_CHECK(out.find("tls_on_connect_ports") == std::string::npos);
  BOOST_CHECK(out.find("daemon_smtp_ports") == std::string::npos);
  BOOST_CHECK(out.find("host_lookup = *") == std::string::npos);
  BOOST_CHECK(out.find("+tls_certificate_verified") == std::string::npos);  // exim refuses a stray continuation
  BOOST_CHECK(out.find("tls_certificate = ${if eq{$received_port}{2501}{/etc/harness-tls/rsa2048.crt}") != std::string::npos);
  BOOST_CHECK(out.find("{2502}{/etc/harness-tls/rsa2048.crt:/etc/harness-tls/ec-p256.crt}") != std::string::npos);
  BOOST_CHECK(out.find("tls_privatekey = ${if eq{$received_port}{2501}{/etc/harness-tls/rsa2048.key}") != std::string::npos);
  BOOST_CHECK(out.find("log_file_path = /var/log/exim/%s.log\n") < out.find("primary_hostname = mx\n"));
  BOOST_CHECK(out.find("primary_hostname = mx\n") < out.find("begin acl\nacl_check_rcpt:\n  accept\n"));
  BOOST_CHECK_EQUAL(std::count(out.begin(), out.end(), '\n'), 12);  // the harness's 7 lines + the 5 kept
}

BOOST_AUTO_TEST_CASE(client_sets_choose_bundled_captured_or_all) {
  auto bundled = load_starttls_scenarios(kShipped);
  auto captured = load_starttls_scenarios(kShipped, "captured");
  auto all = load_starttls_scenarios(kShipped, "all");
  BOOST_TEST(bundled.clients.size() == 7u);
  BOOST_TEST(captured.clients.size() == 20u);  // 10 senders x bookworm, trixie
  BOOST_TEST(all.clients.size() == bundled.clients.size() + captured.clients.size());
  for (const auto& c : captured.clients) {
    BOOST_TEST(c.recorded_hello.has_value(), c.name << " has no recorded hello");
    // The rule for the captured senders: TLS 1.3 on every set, EC-only included.
    const auto* e = captured.expectation("exim", "ec", c.name, "gnutls");
    BOOST_REQUIRE(e);
    BOOST_TEST(e->protocol.value_or("") == "TLSv1.3");
  }
  try {
    load_starttls_scenarios(kShipped, "recorded");
    BOOST_FAIL("an unknown client set was taken");
  } catch (const UsageError& e) {
    BOOST_TEST(std::string(e.what()).find("clients=recorded: unknown client set (bundled, captured, all)") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(captured_clients_need_rules_only_when_run) {
  ScenarioCopy copy;
  // A captured profile no rule names: the bundled set still loads, the captured set says what is missing.
  fs::copy_file(copy.dir.path() / "clients/captured/curl-bookworm.yaml", copy.dir.path() / "clients/captured/curl-sid.yaml");
  BOOST_TEST(load_error(copy.dir.path()).empty());
  try {
    load_starttls_scenarios(copy.dir.path(), "captured");
    BOOST_FAIL("a captured client without a rule was taken");
  } catch (const UsageError& e) {
    BOOST_TEST(std::string(e.what()).find("client curl-sid") != std::string::npos, e.what());
  }
}
