#include "harness/tls/starttls_client.hpp"
#include "harness/tls/smtp_reply.hpp"
#include "harness/tls/client_hello.hpp"
#include "harness/tls/hello_replay.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <utility>

#include "harness/common/error.hpp"
#include "harness/tls/ossl.hpp"

namespace harness {
namespace {
using Clock = std::chrono::steady_clock;

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ":") + s;
  return out;
}

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&&) = delete;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// Waits until `fd` is ready for `events` or the deadline passes.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

// The SMTP side: line-oriented reads of one complete (possibly multi-line) reply at a time.
struct Smtp {
  int fd;
  std::string buffer;
  std::string& transcript;

  // Returns the reply lines, or an empty vector with `why` set.
  std::vector<std::string> read_reply(Clock::time_point deadline, std::string& why) {
    std::vector<std::string> lines;
    for (;;) {
      switch (smtp::take_reply(buffer, lines, transcript, why)) {
        case smtp::Take::reply: return lines;
        case smtp::Take::malformed: return {};
        case smtp::Take::need_more: break;
      }
      if (!wait_for(fd, POLLIN, deadline)) {
        why = "timed out waiting for the server's reply";
        return {};
      }
      char chunk[4096];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n == 0) {
        why = "server closed the connection";
        return {};
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        why = std::string("read failed: ") + std::strerror(errno);
        return {};
      }
      buffer.append(chunk, static_cast<std::size_t>(n));
      if (buffer.size() > (1u << 20)) {
        why = "SMTP reply longer than 1 MiB";
        return {};
      }
    }
  }

  bool send_line(const std::string& line, Clock::time_point deadline, std::string& why) {
    transcript += "C: " + line + "\n";
    std::string data = line + "\r\n";
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!wait_for(fd, POLLOUT, deadline)) {
          why = "timed out sending " + line;
          return false;
        }
        continue;
      }
      why = std::string("write failed: ") + std::strerror(errno);
      return false;
    }
    return true;
  }
};

std::string strip_prefix(std::string s, const char* prefix) {
  if (s.rfind(prefix, 0) == 0) s.erase(0, std::strlen(prefix));
  return s;
}

// "KxECDHE" -> "ECDHE", "AuthRSA" -> "RSA", "KxANY" -> "any".
std::string nid_short(int nid, const char* prefix) {
  const char* sn = OBJ_nid2sn(nid);
  if (!sn) return "";
  auto s = strip_prefix(sn, prefix);
  return s == "ANY" ? "any" : s;
}

void info_callback(const SSL* ssl, int where, int ret) {
  if (!(where & SSL_CB_ALERT)) return;
  auto* result = static_cast<ProbeResult*>(SSL_get_app_data(ssl));
  if (!result) return;
  TlsAlert a;
  a.sent = (where & SSL_CB_WRITE) != 0;
  a.level = SSL_alert_type_string_long(ret);
  a.code = ret & 0xff;
  a.description = SSL_alert_desc_string_long(ret);
  // OpenSSL names the alerts it knows ("no application protocol"); others come back as "unknown".
  if (a.description == "unknown" && !alert_rfc_name(a.code).empty()) a.description = alert_rfc_name(a.code);
  for (auto& c : a.level) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  result->alerts.push_back(a);
}

void record_error(ProbeResult& r, int ssl_error) {
  unsigned long e = ERR_get_error();
  if (e) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    r.error = buf;
    if (const char* lib = ERR_lib_error_string(e)) r.error_lib = lib;
    if (const char* reason = ERR_reason_error_string(e)) r.error_reason = reason;
    ossl::drain_errors();
  }
  if (!r.error_reason.empty()) {
    r.failure = "handshake failed: " + r.error_reason;
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    r.failure = "handshake failed: connection closed by the server";
    r.error_reason = "connection closed";
  } else {
    r.failure = "handshake failed (SSL_get_error " + std::to_string(ssl_error) + ")";
  }
}

void record_session(SSL* ssl, ProbeResult& r) {
  r.protocol = SSL_get_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) {
    r.cipher = SSL_CIPHER_get_name(c);
    if (const char* iana = SSL_CIPHER_standard_name(c)) r.cipher_iana = iana;
    r.kx = nid_short(SSL_CIPHER_get_kx_nid(c), "Kx");
    r.auth = nid_short(SSL_CIPHER_get_auth_nid(c), "Auth");
  }
  if (X509* cert = SSL_get0_peer_certificate(ssl)) {
    if (EVP_PKEY* pk = X509_get0_pubkey(cert)) {
      r.cert_key_type = EVP_PKEY_is_a(pk, "RSA") ? "RSA" : EVP_PKEY_is_a(pk, "EC") ? "EC" : EVP_PKEY_get0_type_name(pk);
      r.cert_bits = EVP_PKEY_get_bits(pk);
      char curve[64];
      size_t len = 0;
      if (EVP_PKEY_is_a(pk, "EC") && EVP_PKEY_get_group_name(pk, curve, sizeof curve, &len)) r.cert_curve = curve;
    }
  }
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn) r.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  int group = SSL_get_negotiated_group(ssl);
  if (group > 0) {
    const char* name = SSL_group_to_name(ssl, group);
    r.group = name ? name : std::to_string(group);
  }
  int nid = NID_undef;
  if (SSL_get_peer_signature_type_nid(ssl, &nid) && nid != NID_undef) {
    r.peer_signature_type = nid == NID_rsassaPss ? "RSA-PSS" : nid == NID_rsaEncryption ? "RSA"
                          : nid == NID_X9_62_id_ecPublicKey ? "ECDSA" : OBJ_nid2sn(nid);
  }
  if (SSL_get_peer_signature_nid(ssl, &nid) && nid != NID_undef) r.peer_signature_digest = OBJ_nid2sn(nid);
}

// Ends a connection whose handshake was given up halfway (a failed emulated handshake, a replay
// after the server's first answer) and lets the server end its side first. Closing at once with
// the server's records unread sends a reset, which podman's port forwarding does not pass on: the
// server process then waits for the rest of the handshake until its own timeout, and exim counts
// each such process against smtp_accept_max (20), answering later connections "421 Too many
// concurrent SMTP connections". A half-close reaches the server as end of input.
void close_gently(const Socket& sock, Clock::time_point until) {
  ::shutdown(sock.get(), SHUT_WR);
  for (std::uint8_t chunk[4096]; wait_for(sock.get(), POLLIN, until);) {
    ssize_t n = ::recv(sock.get(), chunk, sizeof chunk, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
  }
}

// Connects to the target and, for STARTTLS, talks SMTP up to the server's 220 to STARTTLS: the
// socket is then where the first TLS byte goes. An empty socket with r.stage and r.failure set
// when the dialog ended before that.
Socket open_channel(const ProbeTarget& t, ProbeResult& r) {
  auto finish = [] { return Socket(); };
  auto deadline = [&] { return Clock::now() + t.step_timeout; };
  // connect
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(t.host.c_str(), std::to_string(t.port).c_str(), &hints, &found); rc != 0) {
    r.failure = "bad address " + t.host + ": " + gai_strerror(rc);
    return finish();
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> ai(found, ::freeaddrinfo);
  Socket sock(::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (sock.get() < 0) {
    r.failure = std::string("socket: ") + std::strerror(errno);
    return finish();
  }
  int one = 1;
  ::setsockopt(sock.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto until = deadline();
  if (::connect(sock.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      r.failure = "connect to " + t.host + ":" + std::to_string(t.port) + ": " + std::strerror(errno);
      return finish();
    }
    if (!wait_for(sock.get(), POLLOUT, until)) {
      r.failure = "connect to " + t.host + ":" + std::to_string(t.port) + " timed out";
      return finish();
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      r.failure = "connect to " + t.host + ":" + std::to_string(t.port) + ": " + std::strerror(err);
      return finish();
    }
  }

  Smtp smtp{sock.get(), "", r.transcript};
  if (t.starttls) {
    // One step of the dialog: send `line` (none for the banner), read the reply, expect `code`.
    std::vector<std::string> reply;
    auto step = [&](const char* stage, const std::string& line, const char* code, const std::string& label) {
      r.stage = stage;
      std::string why;
      if (!line.empty() && !smtp.send_line(line, deadline(), why)) {
        r.failure = label + ": " + why;
        return false;
      }
      reply = smtp.read_reply(deadline(), why);
      if (!reply.empty() && reply[0].substr(0, 3) == code) return true;
      r.failure = reply.empty() ? label + ": " + why : label + (line.empty() ? ": server greeted with " : " refused: ") + reply.back();
      return false;
    };
    if (!step("banner", "", "220", "banner") || !step("ehlo", "EHLO " + t.ehlo_name, "250", "EHLO")) return finish();
    r.starttls_offered = smtp::ehlo_offers(reply, "STARTTLS");
    if (!r.starttls_offered) {
      r.failure = "server does not advertise STARTTLS";
      return finish();
    }
    if (!step("starttls", "STARTTLS", "220", "STARTTLS")) return finish();
    if (!smtp.buffer.empty()) {
      r.failure = "server sent data after 220 to STARTTLS (response injection)";
      return finish();
    }
  }
  return sock;
}

}  // namespace

std::string alert_rfc_name(int code) {
  switch (code) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return "";
  }
}

std::string TlsAlert::text() const {
  return std::string(sent ? "sent " : "received ") + level + " " + description + " (" + std::to_string(code) + ")";
}

struct StarttlsClient::Impl {
  ossl::SslCtx ctx;
};

StarttlsClient::StarttlsClient(const ClientProfile& p) : profile_(p), emulation_(check_emulation(p)), impl_(std::make_unique<Impl>()) {
  ossl::SslCtx ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) ossl::fail("SSL_CTX_new");
  auto reject = [&](const std::string& what) {
    auto err = ossl::drain_errors();
    throw UsageError(p.where + ": this OpenSSL rejects " + what + (err.empty() ? "" : " (" + err + ")"));
  };
  if (p.security_level) SSL_CTX_set_security_level(ctx.get(), *p.security_level);
  if (!SSL_CTX_set_min_proto_version(ctx.get(), protocol_version(p.min_protocol)) ||
      !SSL_CTX_set_max_proto_version(ctx.get(), protocol_version(p.max_protocol)))
    reject("protocols " + p.min_protocol + ".." + p.max_protocol);
  std::string ciphers = !emulation_.offered.empty() ? join(emulation_.offered) : p.cipher_string;
  if (!ciphers.empty()) {
    // A security level from the profile must not be undone by a default "@SECLEVEL" in openssl.cnf.
    if (p.security_level) ciphers += ":@SECLEVEL=" + std::to_string(*p.security_level);
    if (SSL_CTX_set_cipher_list(ctx.get(), ciphers.c_str()) != 1) reject("cipher list " + ciphers);
  }
  if (!p.tls13_suites.empty() && SSL_CTX_set_ciphersuites(ctx.get(), join(p.tls13_suites).c_str()) != 1)
    reject("TLS 1.3 suites " + join(p.tls13_suites));
  if (!p.groups.empty() && SSL_CTX_set1_groups_list(ctx.get(), join(p.groups).c_str()) != 1) reject("groups " + join(p.groups));
  if (!p.sigalgs.empty() && SSL_CTX_set1_sigalgs_list(ctx.get(), join(p.sigalgs).c_str()) != 1)
    reject("signature algorithms " + join(p.sigalgs));
  uint64_t options = 0;
  if (!p.extended_master_secret) options |= SSL_OP_NO_EXTENDED_MASTER_SECRET;
  if (!p.encrypt_then_mac) options |= SSL_OP_NO_ENCRYPT_THEN_MAC;
  if (!p.session_tickets) options |= SSL_OP_NO_TICKET;
  SSL_CTX_set_options(ctx.get(), options);
  if (!p.alpn.empty()) {
    // Wire format: each name prefixed by its length (RFC 7301 section 3.1).
    std::string wire;
    for (const auto& a : p.alpn) wire += static_cast<char>(a.size()) + a;
    // Unlike most of OpenSSL, 0 is success here.
    if (SSL_CTX_set_alpn_protos(ctx.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0)
      reject("ALPN list " + join(p.alpn));
  }
  if (p.status_request && SSL_CTX_set_tlsext_status_type(ctx.get(), TLSEXT_STATUSTYPE_ocsp) != 1)
    reject("status_request");
  // MTAs deliver opportunistically: the server certificate is recorded, not verified.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_info_callback(ctx.get(), info_callback);
  impl_->ctx = std::move(ctx);
}

StarttlsClient::~StarttlsClient() = default;
StarttlsClient::StarttlsClient(StarttlsClient&&) noexcept = default;

ProbeResult StarttlsClient::probe(const ProbeTarget& t) const {
  ProbeResult r;
  auto started = Clock::now();
  auto finish = [&]() -> ProbeResult {
    r.ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return std::move(r);
  };
  auto deadline = [&] { return Clock::now() + t.step_timeout; };
  ERR_clear_error();
  Socket sock = open_channel(t, r);
  if (sock.get() < 0) return finish();

  r.stage = "handshake";
  ossl::Ssl ssl(SSL_new(impl_->ctx.get()));
  if (!ssl) {
    r.failure = "SSL_new: " + ossl::drain_errors();
    return finish();
  }
  SSL_set_app_data(ssl.get(), &r);
  SSL_set_fd(ssl.get(), sock.get());
  if (profile_.sni) SSL_set_tlsext_host_name(ssl.get(), profile_.sni->c_str());
  auto until = deadline();
  for (;;) {
    int rc = SSL_connect(ssl.get());
    if (rc == 1) break;
    int e = SSL_get_error(ssl.get(), rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (!wait_for(sock.get(), e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until)) {
        r.failure = "handshake timed out";
        SSL_set_app_data(ssl.get(), nullptr);
        return finish();
      }
      continue;
    }
    record_error(r, e);
    SSL_set_app_data(ssl.get(), nullptr);
    close_gently(sock, Clock::now() + t.step_timeout);
    return finish();
  }
  r.handshake_ok = true;
  r.stage = "done";
  record_session(ssl.get(), r);
  // close_notify, without waiting for the server's: the handshake is what was measured (and
  // its alerts are what is recorded, so the close_notify is not).
  SSL_set_app_data(ssl.get(), nullptr);
  SSL_shutdown(ssl.get());
  ossl::drain_errors();
  return finish();
}

}  // namespace harness

namespace harness {

// Here beside probe(): the replay shares its connect and SMTP dialog (open_channel).
HelloReplay replay_hello(const ProbeTarget& t, const std::string& hello_hex) {
  HelloReplay out;
  auto started = Clock::now();
  auto finish = [&] {
    out.ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return std::move(out);
  };
  std::vector<std::uint8_t> hello;
  try {
    hello = from_hex(hello_hex);
  } catch (const std::exception& e) {
    out.failure = std::string("recorded hello: ") + e.what();
    return finish();
  }
  ProbeResult dialog;
  Socket sock = open_channel(t, dialog);
  out.transcript = dialog.transcript;
  if (sock.get() < 0) {
    out.failure = dialog.stage + ": " + dialog.failure;
    return finish();
  }
  out.reached_tls = true;
  auto until = Clock::now() + t.step_timeout;
  std::size_t off = 0;
  while (off < hello.size()) {
    ssize_t n = ::send(sock.get(), hello.data() + off, hello.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(sock.get(), POLLOUT, until)) {
        out.failure = "timed out sending the recorded hello";
        return finish();
      }
    } else {
      out.failure = std::string("sending the recorded hello: ") + std::strerror(errno);
      return finish();
    }
  }
  out.transcript += "C: <recorded ClientHello, " + std::to_string(hello.size()) + " bytes>\n";
  std::vector<std::uint8_t> got;
  for (;;) {
    try {
      if (auto answer = parse_server_first_answer(got)) {
        out.answer = *answer;
        break;
      }
    } catch (const std::exception& e) {
      out.failure = std::string("the server's answer: ") + e.what();
      return finish();
    }
    if (!wait_for(sock.get(), POLLIN, until)) {
      out.failure = "timed out waiting for the server's answer to the recorded hello";
      return finish();
    }
    std::uint8_t chunk[4096];
    ssize_t n = ::recv(sock.get(), chunk, sizeof chunk, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      out.answer = ServerFirstAnswer{};  // closed without an answer: a refusal
      break;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      out.failure = std::string("reading the server's answer: ") + std::strerror(errno);
      return finish();
    }
    got.insert(got.end(), chunk, chunk + n);
  }
  out.transcript += "S: " + out.answer.text() + "\n";
  close_gently(sock, Clock::now() + t.step_timeout);
  return finish();
}

}  // namespace harness
