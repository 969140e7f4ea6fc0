// The replay's decoder of the server's first answer (ServerHello, HelloRetryRequest, alert) on
// bytes laid out as RFC 8446 4.1.3 and RFC 5246 7.4.1.3 define them, split and cut at every place,
// and the rule that says whether the emulation and the replay agree.
#define BOOST_TEST_MODULE hello_replay
#include <boost/test/unit_test.hpp>

#include "harness/tls/client_hello.hpp"
#include "harness/tls/hello_replay.hpp"

using namespace harness;
using Bytes = std::vector<std::uint8_t>;

namespace {
void put16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v & 0xff));
}

// A ServerHello message (handshake header included) with these extensions.
Bytes server_hello(unsigned version, unsigned suite, const Bytes& random, const Bytes& extensions) {
  Bytes body;
  put16(body, version);
  body.insert(body.end(), random.begin(), random.end());
  body.push_back(32);
  body.insert(body.end(), 32, 0xab);  // legacy_session_id_echo
  put16(body, suite);
  body.push_back(0);
  if (!extensions.empty()) {
    put16(body, static_cast<unsigned>(extensions.size()));
    body.insert(body.end(), extensions.begin(), extensions.end());
  }
  Bytes msg(4 + body.size());
  msg[0] = 2;  // ServerHello, then a 24-bit length
  msg[2] = static_cast<std::uint8_t>(body.size() >> 8);
  msg[3] = static_cast<std::uint8_t>(body.size() & 0xff);
  std::copy(body.begin(), body.end(), msg.begin() + 4);
  return msg;
}

// The message in records of at most `fragment` bytes.
Bytes records(const Bytes& msg, std::size_t fragment = 1 << 14, std::uint8_t type = 22) {
  Bytes out;
  for (std::size_t at = 0; at < msg.size(); at += fragment) {
    std::size_t n = std::min(fragment, msg.size() - at);
    out.push_back(type);
    put16(out, 0x0303);
    put16(out, static_cast<unsigned>(n));
    out.insert(out.end(), msg.begin() + static_cast<std::ptrdiff_t>(at), msg.begin() + static_cast<std::ptrdiff_t>(at + n));
  }
  return out;
}

Bytes tls13_extensions(unsigned group) {
  Bytes e;
  put16(e, 43);  // supported_versions: TLS 1.3
  put16(e, 2);
  put16(e, 0x0304);
  put16(e, 51);  // key_share: group and a 32-byte share
  put16(e, 36);
  put16(e, group);
  put16(e, 32);
  e.insert(e.end(), 32, 0x11);
  return e;
}

const Bytes kRandom(32, 0x42);
const Bytes kHrrRandom = from_hex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
}  // namespace

BOOST_AUTO_TEST_CASE(tls13_server_hello_in_one_record_and_split_over_many) {
  auto msg = server_hello(0x0303, 0x1302, kRandom, tls13_extensions(0x001d));
  for (std::size_t fragment : {std::size_t(1 << 14), std::size_t(7), std::size_t(1)}) {
    auto a = parse_server_first_answer(records(msg, fragment));
    BOOST_REQUIRE(a.has_value());
    BOOST_TEST((a->kind == ServerFirstAnswer::Kind::server_hello));
    BOOST_TEST(a->protocol == "TLSv1.3");  // from supported_versions, not legacy_version
    BOOST_TEST(a->cipher == 0x1302);
    BOOST_TEST(a->cipher_name == "TLS_AES_256_GCM_SHA384");
    BOOST_TEST(a->group == "X25519");
    BOOST_TEST(a->text() == "ServerHello TLSv1.3 TLS_AES_256_GCM_SHA384 X25519");
  }
  // Every cut before the end asks for more; the server's following records do not matter.
  auto bytes = records(msg, 40);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut)
    BOOST_TEST(!parse_server_first_answer(Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut))).has_value(), cut);
  bytes.insert(bytes.end(), {0x17, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4, 5});
  BOOST_TEST(parse_server_first_answer(bytes).has_value());
}

BOOST_AUTO_TEST_CASE(hello_retry_request_names_the_group_asked_for) {
  Bytes e;
  put16(e, 43);
  put16(e, 2);
  put16(e, 0x0304);
  put16(e, 51);  // an HRR's key_share holds only the selected group
  put16(e, 2);
  put16(e, 0x0017);
  auto a = parse_server_first_answer(records(server_hello(0x0303, 0x1301, kHrrRandom, e)));
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST((a->kind == ServerFirstAnswer::Kind::hello_retry_request));
  BOOST_TEST(a->group == "P-256");
  BOOST_TEST(a->text() == "HelloRetryRequest TLSv1.3 TLS_AES_128_GCM_SHA256 asking for P-256");
}

BOOST_AUTO_TEST_CASE(tls12_server_hello_with_alpn_and_without_extensions) {
  Bytes e;
  put16(e, 16);  // ALPN: list of one name
  put16(e, 7);
  put16(e, 5);
  e.push_back(4);
  for (char c : std::string("smtp")) e.push_back(static_cast<std::uint8_t>(c));
  auto a = parse_server_first_answer(records(server_hello(0x0303, 0xc030, kRandom, e)));
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(a->protocol == "TLSv1.2");
  BOOST_TEST(a->cipher_name == "ECDHE-RSA-AES256-GCM-SHA384");
  BOOST_TEST(a->alpn == "smtp");
  auto bare = parse_server_first_answer(records(server_hello(0x0301, 0x002f, kRandom, {})));
  BOOST_REQUIRE(bare.has_value());
  BOOST_TEST(bare->text() == "ServerHello TLSv1 AES128-SHA");
}

BOOST_AUTO_TEST_CASE(an_alert_is_the_answer) {
  auto a = parse_server_first_answer({0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28});
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST((a->kind == ServerFirstAnswer::Kind::alert));
  BOOST_REQUIRE(a->alert.has_value());
  BOOST_TEST(a->alert->code == 40);
  BOOST_TEST(a->text() == "alert fatal handshake failure (40)");
  auto alpn = parse_server_first_answer({0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 120});
  BOOST_TEST(alpn->text() == "alert fatal no application protocol (120)");
}

BOOST_AUTO_TEST_CASE(bytes_that_are_no_tls_answer_are_named) {
  auto error_of = [](const Bytes& b) {
    try {
      parse_server_first_answer(b);
    } catch (const HelloError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string text = "454 4.7.0 TLS currently unavailable\r\n";
  BOOST_TEST(error_of(Bytes(text.begin(), text.end())).find("answered with text, not TLS: '454 4.7.0 TLS") != std::string::npos);
  BOOST_TEST(error_of({0x17, 0x03, 0x03, 0x00, 0x01, 0}).find("content type 23") != std::string::npos);
  BOOST_TEST(error_of({0x16, 0x03, 0x03, 0x00, 0x00}).find("record length of 0") != std::string::npos);
  BOOST_TEST(error_of(records({11, 0, 0, 1, 0})).find("type 11, not ServerHello") != std::string::npos);
  auto msg = server_hello(0x0303, 0x1302, kRandom, tls13_extensions(0x001d));
  msg[msg.size() - 38] = 0xff;  // key_share's length now runs past the message
  BOOST_TEST(error_of(records(msg)).find("ServerHello ends inside its extension data") != std::string::npos, error_of(records(msg)));
  Bytes short_body = server_hello(0x0303, 0x1302, kRandom, {});
  short_body.resize(20);
  short_body[3] = 16;  // a 16-byte body: the random is cut
  BOOST_TEST(error_of(records(short_body)).find("ServerHello ends inside its random") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(agreement_between_emulation_and_replay) {
  ProbeResult ok;
  ok.handshake_ok = true;
  ok.protocol = "TLSv1.3";
  ok.cipher = "TLS_AES_256_GCM_SHA384";
  auto hello = *parse_server_first_answer(records(server_hello(0x0303, 0x1302, kRandom, tls13_extensions(0x001d))));
  auto other_suite = *parse_server_first_answer(records(server_hello(0x0303, 0x1301, kRandom, tls13_extensions(0x001d))));
  auto tls12 = *parse_server_first_answer(records(server_hello(0x0303, 0xc030, kRandom, {})));
  auto alert = *parse_server_first_answer({0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 120});
  BOOST_TEST(replay_agrees(ok, hello).first);
  BOOST_TEST(!replay_agrees(ok, other_suite).first);
  BOOST_TEST(!replay_agrees(ok, tls12).first);
  // The ALPN case of the issue: the emulation completed, the recorded bytes were refused.
  auto [agree, why] = replay_agrees(ok, alert);
  BOOST_TEST(!agree);
  BOOST_TEST(why == "the emulation completed TLSv1.3 TLS_AES_256_GCM_SHA384; the recorded hello got alert fatal no application protocol (120)");
  ProbeResult refused;
  refused.failure = "handshake failed: sslv3 alert handshake failure";
  BOOST_TEST(replay_agrees(refused, alert).first);
  BOOST_TEST(replay_agrees(refused, ServerFirstAnswer{}).first);  // closed without an answer
  BOOST_TEST(!replay_agrees(refused, tls12).first);
}
