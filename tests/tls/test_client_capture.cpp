// The ClientHello decoder on real recorded bytes (tests/tls/data/captured-hellos.txt: hellos that
// openssl s_client, python3's smtplib and gnutls-cli sent to `harness capture-client`), re-split
// over several records and cut; bad lengths and non-TLS bytes are errors that say what is wrong.
// The capture listener against the project's own OpenSSL client engine and against raw sockets
// that misbehave; the written profile loads as the suite loads profiles; the shipped sender recipes.
#define BOOST_TEST_MODULE client_capture
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <set>
#include <future>
#include <sstream>
#include <thread>

#include "harness/common/error.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/tls/client_capture.hpp"
#include "harness/tls/client_hello.hpp"
#include "harness/tls/profile.hpp"
#include "harness/tls/sender_recipes.hpp"
#include "harness/tls/starttls_client.hpp"

using namespace harness;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct IgnoreSigpipe {
  IgnoreSigpipe() { signal(SIGPIPE, SIG_IGN); }
};
BOOST_TEST_GLOBAL_FIXTURE(IgnoreSigpipe);

// name -> hex, from the checked-in file ("name hex" lines, # comments).
std::map<std::string, std::string> recorded() {
  std::ifstream in(HARNESS_SOURCE_DIR "/tests/tls/data/captured-hellos.txt");
  BOOST_REQUIRE(in);
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.find(' ');
    out[line.substr(0, sp)] = line.substr(sp + 1);
  }
  BOOST_REQUIRE(out.size() >= 3u);
  return out;
}

// The handshake message of a one-record hello re-framed into records of at most `chunk` bytes.
std::vector<std::uint8_t> split(const std::vector<std::uint8_t>& one_record, std::size_t chunk) {
  std::vector<std::uint8_t> msg(one_record.begin() + 5, one_record.end()), out;
  for (std::size_t at = 0; at < msg.size(); at += chunk) {
    std::size_t n = std::min(chunk, msg.size() - at);
    out.insert(out.end(), {0x16, one_record[1], one_record[2], static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n & 0xff)});
    out.insert(out.end(), msg.begin() + static_cast<long>(at), msg.begin() + static_cast<long>(at + n));
  }
  return out;
}

std::string hello_error(const std::vector<std::uint8_t>& bytes) {
  try {
    (void)parse_client_hello(bytes);
  } catch (const HelloError& e) {
    return e.what();
  }
  return "no error";
}

#define CHECK_HAS(text, part) BOOST_TEST((text).find(part) != std::string::npos, "'" << (text) << "' lacks '" << (part) << "'")

}  // namespace

BOOST_AUTO_TEST_CASE(decodes_recorded_hellos) {
  auto hellos = recorded();
  auto ossl = parse_client_hello(hellos.at("openssl-s_client-3.0"));
  BOOST_TEST(ossl.record_version == 0x0301);
  BOOST_TEST(ossl.records == 1u);
  BOOST_TEST(ossl.legacy_version == 0x0303);
  BOOST_TEST(ossl.random.size() == 32u);
  BOOST_TEST(ossl.session_id.size() == 32u);  // TLS 1.3 middlebox compatibility mode
  BOOST_TEST(ossl.compression == (std::vector<std::uint8_t>{0}));
  // bookworm's OpenSSL 3.0 lists TLS 1.0 and 1.1 too (its MinProtocol is applied after the hello is built).
  BOOST_TEST(ossl.supported_versions == (std::vector<std::uint16_t>{0x0304, 0x0303, 0x0302, 0x0301}));
  BOOST_TEST(ossl.key_share_groups == (std::vector<std::uint16_t>{29}));  // X25519 only
  BOOST_TEST(ossl.groups.front() == 29);
  BOOST_TEST(ossl.psk_modes == (std::vector<std::uint8_t>{1}));  // psk_dhe_ke
  BOOST_TEST(ossl.ciphers.front() == 0x1302);
  BOOST_TEST(ossl.has(ext::kExtendedMasterSecret));
  BOOST_TEST(ossl.has(ext::kEncryptThenMac));
  BOOST_TEST(!ossl.sni);  // s_client -connect 127.0.0.1 sends no SNI for an address
  BOOST_TEST(!ossl.sigalgs.empty());
  BOOST_TEST(sigalg_name(ossl.sigalgs.front()) == "ECDSA+SHA256");

  auto gnutls = parse_client_hello(hellos.at("gnutls-cli-3.7"));
  BOOST_TEST(gnutls.has(ext::kStatusRequest));  // GnuTLS asks for OCSP stapling by default
  BOOST_TEST(gnutls.has(ext::kRenegotiationInfo));
  BOOST_TEST(!gnutls.key_share_groups.empty());
  BOOST_TEST(gnutls.supported_versions.front() == 0x0304);

  auto py = parse_client_hello(hellos.at("python3-smtplib-3.11"));
  BOOST_TEST(py.alpn.empty());
  BOOST_TEST(stable_hello_fields(py) != stable_hello_fields(ossl));  // python sets its own cipher list
}

BOOST_AUTO_TEST_CASE(hello_split_over_records_is_reassembled) {
  for (const auto& [name, hex] : recorded()) {
    auto one = from_hex(hex);
    auto whole = parse_client_hello(one);
    for (std::size_t chunk : {1u, 7u, 100u, 512u}) {
      auto bytes = split(one, chunk);
      auto facts = parse_client_hello(bytes);
      BOOST_TEST(facts.records == (one.size() - 5 + chunk - 1) / chunk, name << " chunk " << chunk);
      auto a = stable_hello_fields(facts), b = stable_hello_fields(whole);
      // Same fields except the record count.
      a.erase(a.begin() + 1);
      b.erase(b.begin() + 1);
      BOOST_TEST(a == b, name << " chunk " << chunk);
      // Arriving a byte at a time: incomplete until the last byte, then exactly the records.
      std::vector<std::uint8_t> part;
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        part.push_back(bytes[i]);
        auto f = frame_client_hello(part);
        if (i + 1 < bytes.size()) {
          BOOST_REQUIRE_MESSAGE(!f, name << ": framed early at byte " << i);
        } else {
          BOOST_REQUIRE(f);
          BOOST_TEST(f->consumed == bytes.size());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_lengths_and_foreign_bytes_are_named) {
  auto one = from_hex(recorded().at("openssl-s_client-3.0"));
  auto rec_len = [&](std::vector<std::uint8_t> b, std::size_t len) {
    b[3] = static_cast<std::uint8_t>(len >> 8);
    b[4] = static_cast<std::uint8_t>(len & 0xff);
    return b;
  };
  CHECK_HAS(hello_error(rec_len(one, 0)), "record 1 has length 0");
  CHECK_HAS(hello_error(rec_len(one, 20000)), "record 1 has length 20000 (a handshake record holds 1..16384 bytes)");
  // A record longer than the hello: bytes after the hello inside its record.
  auto longer = rec_len(one, one.size() - 5 + 3);
  longer.insert(longer.end(), {0, 0, 0});
  CHECK_HAS(hello_error(longer), "bytes after the hello in record 1");
  // A record shorter than the hello: the rest of the hello is read as the next record's header.
  CHECK_HAS(hello_error(rec_len(one, one.size() - 5 - 10)), "record 2 (in the middle of the ClientHello)");
  auto cut = one;
  cut.resize(cut.size() - 1);
  CHECK_HAS(hello_error(cut), "the records end before the ClientHello does");
  // The hello's own length lies (larger than the bytes: the extension block is cut short).
  auto inner = one;
  inner[8] = static_cast<std::uint8_t>(inner[8] - 2);  // handshake length 2 smaller than the record
  CHECK_HAS(hello_error(inner), "ClientHello length");
  // An extension length that runs past the extensions.
  auto f = parse_client_hello(one);
  BOOST_REQUIRE(!f.extensions.empty());
  auto ext = one;
  std::size_t ext_start = 9 + 2 + 32 + 1 + f.session_id.size() + 2 + 2 * f.ciphers.size() + 1 + f.compression.size() + 2;
  ext[ext_start + 2] = 0xff;  // first extension's length high byte
  CHECK_HAS(hello_error(ext), "ends inside");
  CHECK_HAS(hello_error(std::vector<std::uint8_t>{'Q', 'U', 'I', 'T', '\r', '\n'}), "begins with text 'QUIT\\r\\n'");
  CHECK_HAS(hello_error(std::vector<std::uint8_t>{21, 3, 3, 0, 2, 2, 40}), "of type 21 (alert), not a handshake record");
  auto server_hello = one;
  server_hello[5] = 2;
  CHECK_HAS(hello_error(server_hello), "does not hold a ClientHello (handshake type 2)");
  auto v2 = split(one, 1000);
  v2[1] = 2;
  CHECK_HAS(hello_error(v2), "has version 02");
  BOOST_CHECK_THROW(frame_client_hello(one, 100), HelloError);  // larger than allowed
  // The framing check the profile loader uses accepts the split form too.
  BOOST_TEST(recorded_hello_problem(to_hex(split(one, 100))).empty());
}

namespace {

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  return fd;
}

// A raw client: reads what the server says, sends `lines` one by one (each after a reply), then `tail`.
std::string raw_client(int port, std::vector<std::string> lines, std::string tail) {
  int fd = connect_to(port);
  std::string seen;
  char buf[4096];
  auto read_some = [&] {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) seen.append(buf, static_cast<std::size_t>(n));
  };
  read_some();
  for (const auto& l : lines) {
    ::send(fd, l.data(), l.size(), MSG_NOSIGNAL);
    read_some();
  }
  ::send(fd, tail.data(), tail.size(), MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);  // nothing more comes: the listener must not wait for it
  read_some();
  ::close(fd);
  return seen;
}

std::string capture_error(const std::vector<std::string>& lines, const std::string& tail) {
  CaptureListener l("127.0.0.1", 0);
  auto client = std::async(std::launch::async, [&] { return raw_client(l.port(), lines, tail); });
  std::string err = "no error";
  try {
    (void)l.capture(std::chrono::steady_clock::now() + 10s);
  } catch (const std::exception& e) {
    err = e.what();
  }
  client.get();
  return err;
}

}  // namespace

BOOST_AUTO_TEST_CASE(listener_captures_the_engine_hello_and_the_profile_loads) {
  TempDir d("harness-test");
  write_file(d.path() / "alpn.yaml",
             "summary: s\nrefs: [x]\nalpn: [h2, http/1.1]\ngroups: [P-384, X25519]\nstatus_request: true\n"
             "tls13_suites: [TLS_AES_128_GCM_SHA256]\nsni: mx.example.org\n");
  auto sent = load_client_profile(d.path() / "alpn.yaml");
  CaptureListener l("127.0.0.1", 0);
  StarttlsClient engine(sent);
  ProbeTarget t;
  t.port = l.port();
  auto probe = std::async(std::launch::async, [&] { return engine.probe(t); });
  auto hello = l.capture(std::chrono::steady_clock::now() + 20s);
  auto result = probe.get();
  BOOST_TEST(!result.handshake_ok);  // the listener ends it with an alert
  BOOST_TEST(result.starttls_offered);
  BOOST_TEST(hello.helo == "client.harness.test");
  BOOST_TEST(hello.facts.alpn == sent.alpn);
  BOOST_TEST(hello.facts.groups == (std::vector<std::uint16_t>{24, 29}));
  BOOST_TEST(hello.facts.key_share_groups == (std::vector<std::uint16_t>{24}));
  BOOST_TEST(hello.facts.has(ext::kStatusRequest));
  BOOST_REQUIRE(hello.facts.sni);
  BOOST_TEST(*hello.facts.sni == "mx.example.org");

  CaptureProvenance p;
  p.sender = "engine";
  p.package = "harness";
  p.version = "test";
  p.command = "StarttlsClient::probe";
  auto file = d.path() / "engine.yaml";
  write_file(file, captured_profile_yaml(hello, p));
  auto back = load_client_profile(file);
  BOOST_TEST(back.alpn == sent.alpn);
  BOOST_TEST(back.groups == (std::vector<std::string>{"P-384", "X25519"}));
  BOOST_TEST(back.tls13_suites == sent.tls13_suites);
  BOOST_TEST(back.status_request);
  BOOST_TEST((back.sni == sent.sni));
  BOOST_TEST(back.captured.at("package") == "harness");
  BOOST_REQUIRE(back.recorded_hello);
  BOOST_TEST(back.recorded_hello->hex == to_hex(hello.bytes));
  StarttlsClient again(back);  // usable by the engine

  // The decoded `hello` block must say what the hex says.
  auto text = read_file(file);
  auto at = text.find("alpn: h2, http/1.1");
  BOOST_REQUIRE(at != std::string::npos);
  text.replace(at, 18, "alpn: smtp");
  write_file(file, text);
  try {
    load_client_profile(file);
    BOOST_ERROR("a hello block that contradicts the hex loaded");
  } catch (const UsageError& e) {
    CHECK_HAS(std::string(e.what()), "hello: alpn 'smtp' is not what recorded_hello says ('h2, http/1.1')");
  }
}

BOOST_AUTO_TEST_CASE(listener_errors_name_what_went_wrong) {
  CHECK_HAS(capture_error({"EHLO x\r\n", "STARTTLS\r\n"}, "GET / HTTP/1.1\r\n\r\n"),
            "after STARTTLS is no ClientHello: not a TLS handshake record (must start with 16 03): the first record begins with text 'GET / HTTP/1.1");
  CHECK_HAS(capture_error({"EHLO x\r\n", "STARTTLS\r\n"}, std::string("\x16\x03\x01\x00\x00", 5)), "record 1 has length 0");
  CHECK_HAS(capture_error({"EHLO x\r\n"}, "QUIT\r\n"), "the client quit without STARTTLS");
  CHECK_HAS(capture_error({"EHLO x\r\n", "MAIL FROM:<a@b>\r\n"}, std::string(1200, 'x')), "without a CRLF line end");
  CHECK_HAS(capture_error({}, std::string("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10)), "started TLS without STARTTLS");
  CHECK_HAS(capture_error({"EHLO x\r\n", "STARTTLS\r\n"}, std::string("\x16\x03\x01\x00\x30\x01\x00", 7)),
            "closed the connection inside its ClientHello");
  // Nobody connects: a timeout, an infrastructure error.
  CaptureListener l("127.0.0.1", 0);
  auto t0 = std::chrono::steady_clock::now();
  BOOST_CHECK_THROW(l.capture(t0 + 1s), InfraError);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 5s));
  BOOST_CHECK_THROW(CaptureListener("192.0.2.1", 0), UsageError);
}

BOOST_AUTO_TEST_CASE(shipped_sender_recipes_load) {
  auto r = load_sender_recipes(HARNESS_SOURCE_DIR "/scenarios/starttls/senders.yaml");
  BOOST_TEST(r.senders.size() >= 8u);
  std::set<std::string> packages;
  for (const auto& s : r.senders) {
    packages.insert(s.package);
    BOOST_TEST(!s.refs.empty());
    const auto& image = r.images.at(s.image);
    BOOST_TEST((std::find(image.begin(), image.end(), s.package) != image.end()), s.name << ": its package is not in its image");
  }
  BOOST_TEST(packages.size() >= 8u);
  BOOST_CHECK_THROW(r.find("sendmail-classic"), UsageError);
  TempDir d("harness-test");
  auto bad = [&](const std::string& yaml, const std::string& want) {
    write_file(d.path() / "s.yaml", yaml);
    try {
      load_sender_recipes(d.path() / "s.yaml");
      BOOST_ERROR("no error for: " << yaml);
    } catch (const UsageError& e) {
      CHECK_HAS(std::string(e.what()), want);
    }
  };
  const std::string head = "images: {a: {packages: [x]}}\nsenders:\n";
  bad(head + "  - {name: s, image: b, package: x, command: c, summary: s, refs: [r]}\n", "s.yaml:3: image 'b' is not under images:");
  bad(head + "  - {name: s, image: a, package: x, summary: s, refs: [r]}\n", "command");
  bad(head + "  - {name: s, image: a, package: x, command: c, summary: s, refs: [r], listen: 10.0.0.1}\n", "127.0.0.0/8 only");
  bad(head + "  - {name: s, image: a, package: x, command: c, summary: s, refs: [r]}\n  - {name: s, image: a, package: x, command: c, summary: s, refs: [r]}\n",
      "listed twice");
  bad(head + "  - {name: s, image: a, package: x, command: c, summary: s, refs: [r], cmd: y}\n", "unknown key 'cmd'");
}

BOOST_AUTO_TEST_CASE(bundled_captured_profiles_load_and_drive_the_engine) {
  auto dir = fs::path(HARNESS_SOURCE_DIR) / "scenarios/starttls/clients/captured";
  auto profiles = load_client_profiles(dir);
  auto recipes = load_sender_recipes(HARNESS_SOURCE_DIR "/scenarios/starttls/senders.yaml");
  std::set<std::string> senders;
  for (const auto& p : profiles) {
    BOOST_REQUIRE_MESSAGE(p.recorded_hello && !p.captured.empty(), p.name << ": not a captured profile");
    for (const char* k : {"sender", "package", "version", "distro", "command"})
      BOOST_TEST(p.captured.count(k) == 1u, p.name << " lacks captured." << k);
    BOOST_TEST(p.name == p.captured.at("sender") + "-" + p.captured.at("distro").substr(7), p.name);
    BOOST_TEST(recipes.find(p.captured.at("sender")).command == p.captured.at("command"), p.name << ": recipe changed since capture");
    senders.insert(p.captured.at("sender"));
    StarttlsClient engine(p);  // usable by the starttls suite's engine
  }
  BOOST_TEST(senders.size() >= 8u);
  BOOST_TEST(profiles.size() >= 2 * senders.size());  // bookworm and trixie each
}
