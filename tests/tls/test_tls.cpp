// harness/tls: certificates, profiles and the STARTTLS engine against an in-process OpenSSL
// SMTP server on 127.0.0.1 (no containers).
#define BOOST_TEST_MODULE tls
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <functional>
#include <thread>

#include <openssl/pem.h>

#include "harness/common/error.hpp"
#include "harness/tls/smtp_reply.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/tls/certs.hpp"
#include "harness/tls/ossl.hpp"
#include "harness/tls/profile.hpp"
#include "harness/tls/starttls_client.hpp"

using namespace harness;
namespace fs = std::filesystem;

// As in the harness binary (install_interrupt_handlers): a peer that closes mid-write is an error
// result, not a signal. OpenSSL's socket BIO writes without MSG_NOSIGNAL.
struct IgnoreSigpipe {
  IgnoreSigpipe() { signal(SIGPIPE, SIG_IGN); }
};
BOOST_TEST_GLOBAL_FIXTURE(IgnoreSigpipe);

namespace {

ossl::X509Ptr read_cert(const fs::path& p) {
  ossl::Bio bio(BIO_new_file(p.c_str(), "r"));
  return ossl::X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// A profile written to a file and loaded the way the suite loads it.
ClientProfile profile(const std::string& yaml, const std::string& name = "p") {
  TempDir d("harness-test");
  write_file(d.path() / (name + ".yaml"), yaml);
  return load_client_profile(d.path() / (name + ".yaml"));
}

const char* kProofpoint2015 = R"(summary: test
refs: [x]
protocols: {min: TLSv1.2, max: TLSv1.2}
ciphers: [ECDHE-RSA-AES256-GCM-SHA384, ECDHE-RSA-AES128-GCM-SHA256, AES256-SHA, RC4-SHA, DES-CBC3-SHA]
groups: [P-256, P-384]
sigalgs: [RSA+SHA256, RSA+SHA1, ECDSA+SHA256]
options: {extended_master_secret: false, encrypt_then_mac: false, session_tickets: false}
security_level: 0
)";
const char* kTls13 = "summary: t\nrefs: [x]\nprotocols: {min: TLSv1.3, max: TLSv1.3}\n";

// What the in-process server does with each connection.
struct ServerBehaviour {
  std::vector<std::string> banner{"220-mx.test ESMTP", "220 second banner line"};
  bool advertise_starttls = true;
  bool silent = false;  // accept, then say nothing
  bool starttls = true;  // false: TLS right away
  // ALPN names the server accepts. With `alpn_strict` a hello whose list has none of them gets
  // alert 120, as exim's tls_alpn does; without, the server ignores ALPN, as openssl s_server does.
  std::vector<std::string> alpn;
  bool alpn_strict = true;
};

class TestServer {
 public:
  TestServer(std::vector<const IssuedCert*> certs, ServerBehaviour b) : behaviour_(std::move(b)) {
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    for (std::size_t i = 0; i < certs.size(); ++i) {
      BOOST_REQUIRE(SSL_CTX_use_certificate_chain_file(ctx_.get(), certs[i]->cert.c_str()) == 1);
      BOOST_REQUIRE(SSL_CTX_use_PrivateKey_file(ctx_.get(), certs[i]->key_file.c_str(), SSL_FILETYPE_PEM) == 1);
    }
    for (const auto& a : behaviour_.alpn) alpn_wire_ += static_cast<char>(a.size()) + a;
    if (!behaviour_.alpn.empty()) SSL_CTX_set_alpn_select_cb(ctx_.get(), select_alpn, this);
    // Called only for a hello that carries status_request: counts them.
    SSL_CTX_set_tlsext_status_cb(ctx_.get(), count_status_request);
    SSL_CTX_set_tlsext_status_arg(ctx_.get(), this);
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(listen_fd_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~TestServer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> received;  // client lines, for the no-pipelining check

 private:
  void serve() {
    while (!stop_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      handle(fd);
      ::close(fd);
    }
  }
  std::string read_line(int fd) {
    std::string line;
    char c;
    while (::recv(fd, &c, 1, 0) == 1) {
      if (c == '\n') break;
      if (c != '\r') line += c;
    }
    return line;
  }
  void say(int fd, const std::string& s) { ::send(fd, (s + "\r\n").data(), s.size() + 2, MSG_NOSIGNAL); }
  void handle(int fd) {
    if (behaviour_.silent) {
      std::this_thread::sleep_for(std::chrono::milliseconds(700));
      return;
    }
    if (behaviour_.starttls) {
      for (const auto& l : behaviour_.banner) say(fd, l);
      auto ehlo = read_line(fd);
      // A pipelining client would have sent STARTTLS in the same packet: it would be buffered already.
      char peek;
      if (::recv(fd, &peek, 1, MSG_DONTWAIT) == 1) received.push_back("PIPELINED");
      received.push_back(ehlo);
      say(fd, "250-mx.test");
      say(fd, "250-SIZE 52428800");
      if (behaviour_.advertise_starttls) say(fd, "250-STARTTLS");
      say(fd, "250 HELP");
      auto cmd = read_line(fd);
      received.push_back(cmd);
      if (cmd != "STARTTLS") return;
      say(fd, "220 TLS go ahead");
    }
    ossl::Ssl ssl(SSL_new(ctx_.get()));
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) == 1) SSL_shutdown(ssl.get());
    ossl::drain_errors();
  }

  static int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                         unsigned inlen, void* arg) {
    auto* self = static_cast<TestServer*>(arg);
    const auto* ours = reinterpret_cast<const unsigned char*>(self->alpn_wire_.data());
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(&chosen, outlen, ours, static_cast<unsigned>(self->alpn_wire_.size()), in, inlen) ==
        OPENSSL_NPN_NEGOTIATED) {
      *out = chosen;
      return SSL_TLSEXT_ERR_OK;
    }
    return self->behaviour_.alpn_strict ? SSL_TLSEXT_ERR_ALERT_FATAL : SSL_TLSEXT_ERR_NOACK;
  }

  static int count_status_request(SSL*, void* arg) {
    ++static_cast<TestServer*>(arg)->status_requests;
    return SSL_TLSEXT_ERR_NOACK;
  }

 public:
  std::atomic<int> status_requests{0};

 private:
  ServerBehaviour behaviour_;
  std::string alpn_wire_;
  ossl::SslCtx ctx_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

ProbeTarget target(const TestServer& s, bool starttls = true) {
  ProbeTarget t;
  t.port = s.port();
  t.starttls = starttls;
  t.step_timeout = std::chrono::milliseconds(2000);
  return t;
}

CertificateFactory& certs() {
  static CertificateFactory f;
  return f;
}

}  // namespace

BOOST_AUTO_TEST_CASE(certificates_have_the_asked_key_and_private_keys_are_0600) {
  fs::path dir;
  {
    CertificateFactory f;
    dir = f.dir();
    struct Want {
      const char* spec;
      int type;
      int bits;
    };
    for (Want w : {Want{"rsa2048", EVP_PKEY_RSA, 2048}, Want{"ec-p256", EVP_PKEY_EC, 256}, Want{"ec-p384", EVP_PKEY_EC, 384}}) {
      const auto& c = f.issue(KeySpec::parse(w.spec));
      auto cert = read_cert(c.cert);
      BOOST_REQUIRE(cert);
      EVP_PKEY* pk = X509_get0_pubkey(cert.get());
      BOOST_TEST(EVP_PKEY_get_base_id(pk) == w.type, w.spec);
      BOOST_TEST(EVP_PKEY_get_bits(pk) == w.bits, w.spec);
      struct stat st{};
      BOOST_REQUIRE(::stat(c.key_file.c_str(), &st) == 0);
      BOOST_TEST((st.st_mode & 0777) == 0600u, w.spec);
      // Signed by the throwaway CA.
      auto ca = read_cert(f.ca_cert());
      BOOST_TEST(X509_verify(cert.get(), X509_get0_pubkey(ca.get())) == 1);
    }
    BOOST_TEST(&f.issue(KeySpec::parse("rsa2048")) == &f.issue(KeySpec::parse("rsa2048")));
    BOOST_TEST(!fs::exists(dir / "ca.key"));
  }
  BOOST_TEST(!fs::exists(dir));  // keys leave with the factory
  BOOST_CHECK_THROW(KeySpec::parse("dsa1024"), UsageError);
}

BOOST_AUTO_TEST_CASE(rsa4096_key) {
  CertificateFactory f;
  auto cert = read_cert(f.issue(KeySpec::parse("rsa4096")).cert);
  BOOST_TEST(EVP_PKEY_get_bits(X509_get0_pubkey(cert.get())) == 4096);
}

BOOST_AUTO_TEST_CASE(profile_errors_name_file_and_line) {
  auto expect_error = [](const std::string& yaml, const std::string& fragment) {
    try {
      profile(yaml);
      BOOST_ERROR("no error for: " << yaml);
    } catch (const UsageError& e) {
      std::string what = e.what();
      BOOST_TEST(what.find("p.yaml:") != std::string::npos, what);
      BOOST_TEST(what.find(fragment) != std::string::npos, what);
    }
  };
  expect_error("summary: s\nrefs: [x]\nciphrs: [AES128-SHA]\n", "unknown key 'ciphrs'");
  expect_error("summary: s\nrefs: [x]\nciphers: [AES128-SHAA]\n", "p.yaml:3: unknown cipher 'AES128-SHAA'");
  expect_error("summary: s\nrefs: [x]\nprotocols: {min: TLSv1.4}\n", "unknown protocol");
  expect_error("summary: s\nrefs: [x]\ngroups: [P-999]\n", "unknown group");
  expect_error("refs: [x]\n", "summary");
  expect_error("summary: s\nrefs: [x]\nciphers: [RC4-SHA]\n", "none of the ciphers can be offered");
  expect_error("summary: s\nrefs: [x]\nalpn: []\n", "p.yaml:3: alpn: an empty list");
  expect_error("summary: s\nrefs: [x]\nalpn:\n  - h2\n  - ''\n", "p.yaml:5: alpn: protocol name '' must be 1..255 bytes");
  expect_error("summary: s\nrefs: [x]\nalpn: [h2, " + std::string(256, 'x') + "]\n", "p.yaml:3: alpn: protocol name");
  expect_error("summary: s\nrefs: [x]\nalpn: [h2, h2]\n", "alpn: 'h2' is listed twice");
  expect_error("summary: s\nrefs: [x]\nstatus_request: maybe\n", "p.yaml:3: 'status_request' must be true or false");
  expect_error("summary: s\nrefs: [x]\nrecorded_hello: {hex: '16030100', source: t}\n", "not a TLS handshake record");
  expect_error("summary: s\nrefs: [x]\nrecorded_hello: {hex: '1603010005zz', source: t}\n", "not a hex digit: 'z'");
  expect_error("summary: s\nrefs: [x]\nrecorded_hello: {hex: '160301000901000005030300000000', source: t}\n",
               "record length 9 does not match the 10 bytes");
  expect_error("summary: s\nrefs: [x]\nrecorded_hello: {hex: '16030100050200000100', source: t}\n",
               "does not hold a ClientHello (handshake type 2)");
  expect_error("summary: s\nrefs: [x]\nrecorded_hello: {hex: '16030100050100000100'}\n", "source");
  expect_error("summary: s\nrefs: [x]\nrecorded_hello: {hex: '16030100050100000100', source: t, bytes: 1}\n",
               "unknown key 'bytes'");
}

BOOST_AUTO_TEST_CASE(signature_algorithms_cert_is_reported_not_emulated) {
  auto p = profile("summary: s\nrefs: [x]\nsignature_algorithms_cert: [ECDSA+SHA256, rsa_pss_rsae_sha256]\n");
  BOOST_TEST(p.sigalgs_cert.size() == 2u);
  BOOST_TEST(check_emulation(p).not_emulated == (std::vector<std::string>{"signature_algorithms_cert"}));
  BOOST_TEST(check_emulation(profile(kProofpoint2015)).not_emulated == (std::vector<std::string>{"RC4-SHA", "DES-CBC3-SHA"}));
  try {
    profile("summary: s\nrefs: [x]\nsignature_algorithms_cert: [ECDSA+SHA999]\n");
    BOOST_ERROR("no error for an unknown signature algorithm");
  } catch (const UsageError& e) {
    BOOST_TEST(std::string(e.what()).find("p.yaml:3: unknown signature algorithm in 'ECDSA+SHA999'") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(profile_alpn_status_request_and_recorded_hello_load) {
  auto p = profile("summary: s\nrefs: [x]\nalpn: [h2, http/1.1]\nstatus_request: true\n"
                   "recorded_hello: {hex: '16030100050100000100', source: 'testssl.sh client-simulation.txt: x'}\n");
  BOOST_TEST(p.alpn == (std::vector<std::string>{"h2", "http/1.1"}));
  BOOST_TEST(p.status_request);
  BOOST_REQUIRE(p.recorded_hello);
  BOOST_TEST(p.recorded_hello->hex == "16030100050100000100");
  BOOST_TEST(recorded_hello_problem("16030100050100000100").empty());
  auto none = profile("summary: s\nrefs: [x]\n");
  BOOST_TEST(none.alpn.empty());
  BOOST_TEST(!none.status_request);
  BOOST_TEST(!none.recorded_hello);
}

BOOST_AUTO_TEST_CASE(weak_ciphers_are_reported_not_dropped) {
  auto p = profile(kProofpoint2015);
  auto e = check_emulation(p);
  BOOST_TEST(e.offered.size() == 3u);
  BOOST_TEST(e.not_emulated == (std::vector<std::string>{"RC4-SHA", "DES-CBC3-SHA"}));
  BOOST_TEST(!p.extended_master_secret);
  BOOST_TEST(*p.security_level == 0);
}

BOOST_AUTO_TEST_CASE(ec_only_server_refuses_rsa_only_sender_with_alert_40) {
  TestServer s({&certs().issue(KeySpec::parse("ec-p256"))}, {});
  StarttlsClient c(profile(kProofpoint2015));
  auto r = c.probe(target(s));
  BOOST_TEST(r.starttls_offered);
  BOOST_TEST(!r.handshake_ok);
  BOOST_TEST(r.stage == "handshake");
  BOOST_REQUIRE(r.alerts.size() >= 1u);
  BOOST_TEST(r.alerts[0].text() == "received fatal handshake failure (40)");
  BOOST_TEST(r.error_reason == "sslv3 alert handshake failure");
  BOOST_TEST(r.error.find("0A000410") != std::string::npos, r.error);
  BOOST_TEST(r.transcript.find("S: 220 second banner line") != std::string::npos);  // whole multi-line banner read
  BOOST_TEST(s.received.at(0) == "EHLO client.harness.test");
  BOOST_TEST(s.received.at(1) == "STARTTLS");  // not pipelined with EHLO
}

BOOST_AUTO_TEST_CASE(dual_server_gives_rsa_sender_ecdhe_rsa) {
  TestServer s({&certs().issue(KeySpec::parse("rsa2048")), &certs().issue(KeySpec::parse("ec-p256"))}, {});
  auto r = StarttlsClient(profile(kProofpoint2015)).probe(target(s));
  BOOST_REQUIRE(r.handshake_ok);
  BOOST_TEST(r.protocol == "TLSv1.2");
  BOOST_TEST(r.cipher == "ECDHE-RSA-AES256-GCM-SHA384");
  BOOST_TEST(r.cipher_iana == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  BOOST_TEST(r.kx == "ECDHE");
  BOOST_TEST(r.auth == "RSA");
  BOOST_TEST(r.cert_key_type == "RSA");
  BOOST_TEST(r.cert_bits == 2048);
  BOOST_TEST(r.peer_signature_type == "RSA");  // no PSS in this profile's sigalgs
  BOOST_TEST(r.peer_signature_digest == "SHA256");
  BOOST_TEST(!r.group.empty());
  BOOST_TEST(r.alerts.empty());
}

BOOST_AUTO_TEST_CASE(tls13_sender_on_ec_certificate_direct_tls) {
  TestServer s({&certs().issue(KeySpec::parse("ec-p384"))}, {.starttls = false});
  auto r = StarttlsClient(profile(kTls13)).probe(target(s, false));
  BOOST_REQUIRE(r.handshake_ok);
  BOOST_TEST(r.protocol == "TLSv1.3");
  BOOST_TEST(r.kx == "any");
  BOOST_TEST(r.cert_key_type == "EC");
  BOOST_TEST(r.cert_curve == "secp384r1");
  BOOST_TEST(r.peer_signature_type == "ECDSA");
}

BOOST_AUTO_TEST_CASE(missing_starttls_and_timeouts_are_reported) {
  {
    TestServer s({&certs().issue(KeySpec::parse("rsa2048"))}, {.advertise_starttls = false});
    auto r = StarttlsClient(profile(kTls13)).probe(target(s));
    BOOST_TEST(!r.handshake_ok);
    BOOST_TEST(!r.starttls_offered);
    BOOST_TEST(r.failure == "server does not advertise STARTTLS");
  }
  {
    TestServer s({&certs().issue(KeySpec::parse("rsa2048"))}, {.silent = true});
    auto t = target(s);
    t.step_timeout = std::chrono::milliseconds(200);
    auto r = StarttlsClient(profile(kTls13)).probe(t);
    BOOST_TEST(r.stage == "banner");
    BOOST_TEST(r.failure.find("timed out") != std::string::npos, r.failure);
    BOOST_TEST(r.ms < 650);
  }
  {
    ProbeTarget t;
    t.port = 1;  // nothing listens on tcp/1 here
    auto r = StarttlsClient(profile(kTls13)).probe(t);
    BOOST_TEST(r.stage == "connect");
    BOOST_TEST(r.failure.find("Connection refused") != std::string::npos, r.failure);
  }
}

// SMTP reply framing (harness/tls/smtp_reply, the seam fuzz_smtp_reply drives). Before it, an EHLO
// reply whose last line is a bare "250" made the engine throw std::out_of_range (substr(4) of a
// 3-byte line) out of probe(), which promises never to throw for what the server does, and a reply
// of endless continuation lines grew without bound.
BOOST_AUTO_TEST_CASE(smtp_reply_framing_takes_what_a_server_may_send) {
  using namespace harness::smtp;
  std::string buffer = "250-mx Hello\r\n250-starttls\r\n250\r\n", transcript, why;
  std::vector<std::string> lines;
  BOOST_TEST((take_reply(buffer, lines, transcript, why) == Take::reply));
  BOOST_TEST(lines.size() == 3u);
  BOOST_TEST(ehlo_offers(lines, "STARTTLS"));
  BOOST_TEST(!ehlo_offers({"250-mx", "250"}, "STARTTLS"));
  BOOST_TEST(!ehlo_offers({"250-mx", "250 STARTTLSX"}, "STARTTLS"));
  BOOST_TEST(ehlo_offers({"250-mx", "250 STARTTLS now"}, "STARTTLS"));
  // A reply split over reads, then one that never ends is refused, not grown without bound.
  buffer = "220 mx ES";
  lines.clear();
  BOOST_TEST((take_reply(buffer, lines, transcript, why) == Take::need_more));
  buffer += "MTP\r\n";
  BOOST_TEST((take_reply(buffer, lines, transcript, why) == Take::reply));
  lines.clear();
  buffer.clear();
  for (std::size_t i = 0; i <= kMaxReplyLines; ++i) buffer += "250-x\r\n";
  BOOST_TEST((take_reply(buffer, lines, transcript, why) == Take::malformed));
  BOOST_TEST(why.find("more than") != std::string::npos);
  buffer = "2\r\n";
  lines.clear();
  BOOST_TEST((take_reply(buffer, lines, transcript, why) == Take::malformed));
}

// exim (tls_alpn = smtp : esmtp) refuses a hello whose ALPN list lacks smtp with alert 120;
// the engine must send the profile's ALPN, and record the refusal or the server's choice.
BOOST_AUTO_TEST_CASE(alpn_h2_against_an_smtp_only_server_gets_alert_120) {
  TestServer s({&certs().issue(KeySpec::parse("rsa2048"))}, {.alpn = {"smtp", "esmtp"}});
  auto r = StarttlsClient(profile("summary: s\nrefs: [x]\nalpn: [h2, http/1.1]\n")).probe(target(s));
  BOOST_TEST(r.starttls_offered);
  BOOST_TEST(!r.handshake_ok);
  BOOST_TEST(r.stage == "handshake");
  BOOST_REQUIRE(r.alerts.size() >= 1u);
  BOOST_TEST(r.alerts[0].code == 120);
  BOOST_TEST(!r.alerts[0].sent);
  BOOST_TEST(r.alerts[0].description == "no application protocol");
  BOOST_TEST(alert_rfc_name(r.alerts[0].code) == "no_application_protocol");
  BOOST_TEST(r.alerts[0].text() == "received fatal no application protocol (120)");
  BOOST_TEST(r.alpn.empty());
  // The same profile without ALPN: a good handshake (the refusal is the ALPN's doing).
  auto plain = StarttlsClient(profile("summary: s\nrefs: [x]\n")).probe(target(s));
  BOOST_TEST(plain.handshake_ok);
  BOOST_TEST(plain.alpn.empty());
}

BOOST_AUTO_TEST_CASE(alpn_selected_by_the_server_is_recorded) {
  TestServer s({&certs().issue(KeySpec::parse("ec-p256"))}, {.alpn = {"smtp", "esmtp"}});
  auto r = StarttlsClient(profile("summary: s\nrefs: [x]\nalpn: [h2, esmtp]\n")).probe(target(s));
  BOOST_REQUIRE(r.handshake_ok);
  BOOST_TEST(r.alpn == "esmtp");
  // A server that ignores ALPN it does not speak (openssl s_server): handshake, nothing selected.
  TestServer lenient({&certs().issue(KeySpec::parse("ec-p256"))}, {.alpn = {"smtp"}, .alpn_strict = false});
  auto l = StarttlsClient(profile("summary: s\nrefs: [x]\nprotocols: {min: TLSv1.2, max: TLSv1.2}\nalpn: [h2, http/1.1]\n"))
               .probe(target(lenient));
  BOOST_REQUIRE(l.handshake_ok);
  BOOST_TEST(l.protocol == "TLSv1.2");
  BOOST_TEST(l.alpn.empty());
  BOOST_TEST(l.alerts.empty());
}

BOOST_AUTO_TEST_CASE(status_request_is_sent_only_when_the_profile_asks) {
  TestServer s({&certs().issue(KeySpec::parse("ec-p256"))}, {});
  BOOST_REQUIRE(StarttlsClient(profile("summary: s\nrefs: [x]\n")).probe(target(s)).handshake_ok);
  BOOST_TEST(s.status_requests == 0);
  BOOST_REQUIRE(StarttlsClient(profile("summary: s\nrefs: [x]\nstatus_request: true\n")).probe(target(s)).handshake_ok);
  BOOST_TEST(s.status_requests == 1);
}
