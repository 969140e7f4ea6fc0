#include "harness/tls/client_capture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include <openssl/ssl.h>
#include <yaml-cpp/yaml.h>

#include "harness/common/error.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/tls/ossl.hpp"
#include "harness/tls/profile.hpp"

namespace harness {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxSmtpBytes = 64 * 1024;  // a client chatting this long before STARTTLS is not a sender

// The connection to one client; closed by the destructor.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(const std::string& data, Clock::time_point deadline) {
    std::size_t off = 0;
    while (off < data.size()) {
      wait(POLLOUT, deadline, "sending to the client");
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) throw InfraError(std::string("capture: sending to the client: ") + std::strerror(errno));
      off += static_cast<std::size_t>(n);
    }
  }
  // Appends what arrives to `buf`; false when the client closed the connection.
  bool receive(std::vector<std::uint8_t>& buf, Clock::time_point deadline, const std::string& waiting_for) {
    for (;;) {
      wait(POLLIN, deadline, waiting_for);
      std::uint8_t tmp[16384];
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0 && errno == ECONNRESET) return false;
      if (n < 0) throw InfraError(std::string("capture: reading from the client: ") + std::strerror(errno));
      if (n == 0) return false;
      buf.insert(buf.end(), tmp, tmp + n);
      return true;
    }
  }

 private:
  void wait(short events, Clock::time_point deadline, const std::string& what) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) throw InfraError("capture: timed out " + what);
      pollfd fds[2] = {{fd_, events, 0}, {interrupt_fd(), POLLIN, 0}};
      int r = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
      throw_if_interrupted();
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw InfraError(std::string("capture: poll: ") + std::strerror(errno));
      if (r > 0 && fds[0].revents) return;
    }
  }
  int fd_;
};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string printable(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return out;
}

const char* kHostName = "capture.harness.test";


std::string list_text(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

std::string grease_or(std::uint16_t code, const std::string& name) {
  if (is_grease(code)) return "GREASE";
  return name.empty() ? hex16(code) : name;
}

std::string ext_label(std::uint16_t t) {
  static const std::map<std::uint16_t, const char*> names{
      {0, "server_name"}, {5, "status_request"}, {10, "supported_groups"}, {11, "ec_point_formats"},
      {13, "signature_algorithms"}, {16, "alpn"}, {18, "signed_certificate_timestamp"}, {21, "padding"},
      {22, "encrypt_then_mac"}, {23, "extended_master_secret"}, {27, "compress_certificate"}, {28, "record_size_limit"},
      {35, "session_ticket"}, {41, "pre_shared_key"}, {42, "early_data"}, {43, "supported_versions"}, {44, "cookie"},
      {45, "psk_key_exchange_modes"}, {49, "post_handshake_auth"}, {50, "signature_algorithms_cert"}, {51, "key_share"},
      {0xff01, "renegotiation_info"}};
  if (is_grease(t)) return "GREASE";
  auto it = names.find(t);
  return it == names.end() ? hex16(t) : it->second;
}

}  // namespace

CaptureListener::CaptureListener(const std::string& address, int port) : address_(address) {
  in_addr a{};
  if (::inet_pton(AF_INET, address.c_str(), &a) != 1)
    throw UsageError("--listen: '" + address + "' is not an IPv4 address (e.g. 127.0.0.1:2525)");
  if ((ntohl(a.s_addr) >> 24) != 127)
    throw UsageError("--listen: " + address + " is not a loopback address; the capture listens on 127.0.0.0/8 only");
  if (port < 0 || port > 65535) throw UsageError("--listen: port " + std::to_string(port) + " is not 0..65535");
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw InfraError(std::string("capture: socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr = a;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 4) != 0) {
    int e = errno;
    ::close(fd_);
    throw InfraError("capture: cannot listen on " + address + ":" + std::to_string(port) + ": " + std::strerror(e));
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
}

CaptureListener::~CaptureListener() {
  if (fd_ >= 0) ::close(fd_);
}

CapturedHello CaptureListener::capture(Clock::time_point deadline) {
  // 1. One client.
  int cfd = -1;
  while (cfd < 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0)
      throw InfraError("capture: no client connected to " + address_ + ":" + std::to_string(port_) + " before the timeout");
    pollfd fds[2] = {{fd_, POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
    int r = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
    throw_if_interrupted();
    if (r < 0 && errno != EINTR) throw InfraError(std::string("capture: poll: ") + std::strerror(errno));
    if (r > 0 && fds[0].revents) {
      cfd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (cfd < 0 && errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
        throw InfraError(std::string("capture: accept: ") + std::strerror(errno));
    }
  }
  Connection conn(cfd);
  CapturedHello out;
  auto say = [&](const std::string& reply) {
    std::string text = reply;
    for (std::size_t at = 0; at < text.size();) {
      auto nl = text.find("\r\n", at);
      out.smtp.push_back("S: " + text.substr(at, nl - at));
      at = nl + 2;
    }
    conn.send(reply, deadline);
  };

  // 2. SMTP up to STARTTLS (RFC 5321, RFC 3207).
  say(std::string("220 ") + kHostName + " ESMTP harness capture-client\r\n");
  std::vector<std::uint8_t> buf;
  bool tls = false;
  std::size_t seen = 0;
  while (!tls) {
    auto crlf = std::search(buf.begin(), buf.end(), std::begin("\r\n"), std::begin("\r\n") + 2);
    if (crlf == buf.end()) {
      if (buf.size() > 1000)
        throw UsageError("capture: the client sent " + std::to_string(buf.size()) +
                         " bytes without a CRLF line end before STARTTLS (an SMTP line is at most 1000 bytes): " +
                         printable(std::string(buf.begin(), buf.begin() + 60)) + "...");
      if (!buf.empty() && buf[0] == 0x16)
        throw UsageError("capture: the client started TLS without STARTTLS (a TLS record where an SMTP command was due; "
                         "is it configured for implicit TLS, port 465 style?)");
      if (!conn.receive(buf, deadline, "waiting for the client's SMTP command (after " + std::to_string(out.smtp.size()) + " lines)"))
        throw InfraError("capture: the client closed the connection before STARTTLS (dialogue: " +
                         (out.smtp.empty() ? std::string("none") : out.smtp.back()) + ")");
      continue;
    }
    std::string line(buf.begin(), crlf);
    buf.erase(buf.begin(), crlf + 2);
    seen += line.size() + 2;
    if (seen > kMaxSmtpBytes) throw UsageError("capture: more than 64 KiB of SMTP before STARTTLS");
    out.smtp.push_back("C: " + printable(line));
    auto verb = upper(line.substr(0, line.find(' ')));
    auto arg = line.find(' ') == std::string::npos ? std::string() : line.substr(line.find(' ') + 1);
    if (verb == "EHLO") {
      out.helo = arg;
      say(std::string("250-") + kHostName + " greets " + printable(arg) +
          "\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250 STARTTLS\r\n");
    } else if (verb == "HELO") {
      out.helo = arg;
      say(std::string("250 ") + kHostName + "\r\n");
    } else if (verb == "STARTTLS") {
      say("220 2.0.0 Ready to start TLS\r\n");
      tls = true;
    } else if (verb == "NOOP" || verb == "RSET") {
      say("250 2.0.0 OK\r\n");
    } else if (verb == "QUIT") {
      say("221 2.0.0 Bye\r\n");
      throw UsageError("capture: the client quit without STARTTLS (it does not require TLS; configure it to)");
    } else if (verb == "MAIL" || verb == "RCPT" || verb == "DATA" || verb == "AUTH") {
      say("530 5.7.0 Must issue a STARTTLS command first\r\n");
    } else {
      say("502 5.5.1 Command not implemented\r\n");
    }
  }

  // 3. The ClientHello: whole records, however many (bytes pipelined after STARTTLS are kept).
  for (;;) {
    std::optional<HelloFraming> framing;
    try {
      framing = frame_client_hello(buf);
    } catch (const HelloError& e) {
      throw UsageError(std::string("capture: what the client sent after STARTTLS is no ClientHello: ") + e.what());
    }
    if (framing) {
      out.bytes.assign(buf.begin(), buf.begin() + static_cast<long>(framing->consumed));
      break;
    }
    if (!conn.receive(buf, deadline, "waiting for the ClientHello (" + std::to_string(buf.size()) + " bytes so far)"))
      throw InfraError("capture: the client closed the connection inside its ClientHello (" + std::to_string(buf.size()) +
                       " bytes after STARTTLS)");
  }
  try {
    out.facts = parse_client_hello(out.bytes);
  } catch (const HelloError& e) {
    throw UsageError(std::string("capture: the client's ClientHello does not decode: ") + e.what());
  }
  // 4. End it: a fatal handshake_failure alert (RFC 8446 6.2); the sender reports a TLS failure.
  try {
    conn.send(std::string("\x15\x03\x03\x00\x02\x02\x28", 7), deadline);
  } catch (const InfraError&) {
    // the client may already be gone; the hello is what was wanted
  }
  return out;
}

std::vector<std::string> stable_hello_fields(const ClientHelloFacts& f) {
  std::vector<std::string> out;
  auto add = [&](const std::string& k, const std::string& v) { out.push_back(k + ": " + v); };
  auto named = [](const std::vector<std::uint16_t>& codes, std::string (*name)(std::uint16_t)) {
    std::vector<std::string> v;
    for (auto c : codes) v.push_back(grease_or(c, name(c)));
    return list_text(v);
  };
  add("record_version", hex16(static_cast<std::uint16_t>(f.record_version)));
  add("records", std::to_string(f.records));
  add("legacy_version", hex16(static_cast<std::uint16_t>(f.legacy_version)));
  add("session_id_length", std::to_string(f.session_id.size()));
  std::vector<std::string> suites;
  for (auto c : f.ciphers) {
    auto n = suite_name(c);
    suites.push_back(is_grease(c) ? "GREASE" : n.empty() ? hex16(c) : n);
  }
  add("ciphers", list_text(suites));
  std::vector<std::string> comp;
  for (auto m : f.compression) comp.push_back(m == 0 ? "null" : m == 1 ? "DEFLATE" : std::to_string(m));
  add("compression", list_text(comp));
  std::vector<std::string> exts;
  for (auto t : f.extensions)
    if (t != 41) exts.push_back(ext_label(t));  // pre_shared_key: only on resumption
  add("extensions", list_text(exts));
  add("sni", f.sni ? *f.sni : "none");
  add("alpn", list_text(f.alpn));
  add("supported_versions", named(f.supported_versions, [](std::uint16_t v) { return version_name(v); }));
  add("groups", named(f.groups, group_name));
  add("key_share_groups", named(f.key_share_groups, group_name));
  add("signature_algorithms", named(f.sigalgs, sigalg_name));
  add("signature_algorithms_cert", named(f.sigalgs_cert, sigalg_name));
  std::vector<std::string> psk;
  for (auto m : f.psk_modes) psk.push_back(m == 0 ? "psk_ke" : m == 1 ? "psk_dhe_ke" : std::to_string(m));
  add("psk_key_exchange_modes", list_text(psk));
  std::vector<std::string> pf;
  for (auto m : f.ec_point_formats) pf.push_back(m == 0 ? "uncompressed" : std::to_string(m));
  add("ec_point_formats", list_text(pf));
  bool scsv = std::find(f.ciphers.begin(), f.ciphers.end(), 0x00ff) != f.ciphers.end();
  add("renegotiation_info", f.has(ext::kRenegotiationInfo) ? "extension" : scsv ? "SCSV" : "none");
  add("extended_master_secret", f.has(ext::kExtendedMasterSecret) ? "yes" : "no");
  add("encrypt_then_mac", f.has(ext::kEncryptThenMac) ? "yes" : "no");
  add("session_ticket", f.has(ext::kSessionTicket) ? "yes" : "no");
  add("status_request", f.has(ext::kStatusRequest) ? "yes" : "no");
  return out;
}

std::string captured_profile_yaml(const CapturedHello& hello, const CaptureProvenance& p) {
  const auto& f = hello.facts;
  ossl::SslCtx ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_security_level(ctx.get(), 0);
  std::vector<std::string> not_emulated;

  // Versions: supported_versions when sent (TLS 1.3 clients), else the legacy version is the highest.
  std::vector<int> versions;
  for (auto v : f.supported_versions)
    if (!is_grease(v)) versions.push_back(v);
  if (versions.empty()) versions.push_back(f.legacy_version);
  int hi = *std::max_element(versions.begin(), versions.end()), lo = *std::min_element(versions.begin(), versions.end());
  std::string max = version_name(hi), min = version_name(lo);
  if (protocol_version(max) == 0) throw UsageError("capture: the client offers " + (max.empty() ? hex16(static_cast<std::uint16_t>(hi)) : max) +
                                                   " at most; the profile format starts at TLSv1");
  std::string versions_note;
  if (f.supported_versions.empty()) {
    min = "TLSv1";
    versions_note = " The hello has no supported_versions: it offers " + max +
                    " at most and does not say its lowest; the profile's min is TLSv1.";
  } else if (protocol_version(min) == 0) {
    versions_note = " It also offers " + (min.empty() ? hex16(static_cast<std::uint16_t>(lo)) : min) + ", below the profile format's TLSv1.";
    min = "TLSv1";
  }

  std::vector<std::string> ciphers, tls13;
  for (auto c : f.ciphers) {
    if (is_grease(c) || c == 0x00ff || c == 0x5600) continue;  // GREASE, renegotiation and fallback SCSVs
    auto n = suite_name(c);
    bool is_tls13 = (c >> 8) == 0x13;  // TLS 1.3 suites are 0x13xx (RFC 8446 B.4)
    if (n.empty() || (!is_tls13 && !cipher_name_known(n))) not_emulated.push_back("suite " + hex16(c));
    else (is_tls13 ? tls13 : ciphers).push_back(n);
  }
  auto accepted = [&](const std::vector<std::uint16_t>& codes, std::string (*name)(std::uint16_t), bool groups, const char* what) {
    std::vector<std::string> out;
    for (auto c : codes) {
      if (is_grease(c)) continue;
      auto n = name(c);
      if (!n.empty() && std::find(out.begin(), out.end(), n) != out.end()) continue;  // OpenSSL refuses repeats
      bool ok = !n.empty() && (groups ? SSL_CTX_set1_groups_list(ctx.get(), n.c_str()) : SSL_CTX_set1_sigalgs_list(ctx.get(), n.c_str())) == 1;
      ossl::drain_errors();
      if (ok) out.push_back(n);
      else not_emulated.push_back(std::string(what) + " " + (n.empty() ? "" : n + " ") + hex16(c));
    }
    return out;
  };
  auto groups = accepted(f.groups, group_name, true, "group");
  auto sigalgs = accepted(f.sigalgs, sigalg_name, false, "signature algorithm");
  auto sigalgs_cert = accepted(f.sigalgs_cert, sigalg_name, false, "signature_algorithms_cert");
  // OpenSSL 3.0..3.4 sends one key share, for the first group; other choices are not emulated.
  std::vector<std::uint16_t> shares;
  for (auto g : f.key_share_groups)
    if (!is_grease(g)) shares.push_back(g);
  std::vector<std::uint16_t> real_groups;
  for (auto g : f.groups)
    if (!is_grease(g)) real_groups.push_back(g);
  if (!shares.empty() && (shares.size() != 1 || real_groups.empty() || shares[0] != real_groups[0])) {
    std::vector<std::string> names;
    for (auto g : shares) names.push_back(grease_or(g, group_name(g)));
    not_emulated.push_back("key_share for " + list_text(names));
  }
  if (std::any_of(f.compression.begin(), f.compression.end(), [](std::uint8_t m) { return m != 0; }))
    not_emulated.push_back("compression methods other than null");
  if (f.record_version != 0x0301) not_emulated.push_back("record version " + hex16(static_cast<std::uint16_t>(f.record_version)));

  std::string who = p.sender + (p.version.empty() ? "" : " " + p.version) + (p.distro.empty() ? "" : " (" + p.distro + ")");
  std::string summary = p.summary.empty() ? "" : p.summary + " ";
  summary += "Captured by harness capture-client: the ClientHello " + who + " sent after STARTTLS" +
             (p.command.empty() ? "" : " (command below)") + "; every field decoded from those bytes." + versions_note;
  if (!not_emulated.empty()) summary += " Not emulated by this OpenSSL (recorded_hello has them): " + list_text(not_emulated) + ".";
  if (!f.sigalgs.empty() && sigalgs.empty()) summary += " None of its signature algorithms can be offered here: the emulation sends the library default.";

  YAML::Emitter y;
  y << YAML::Comment("written by `" + (p.made_with.empty() ? std::string("harness capture-client") : p.made_with) +
                     "`; recapture instead of editing")
    << YAML::Newline;
  y << YAML::BeginMap;
  y << YAML::Key << "description" << YAML::Value << (who + ", STARTTLS ClientHello as captured");
  y << YAML::Key << "summary" << YAML::Value << summary;
  y << YAML::Key << "refs" << YAML::Value << YAML::BeginSeq;
  for (const auto& r : p.refs) y << r;
  y << "RFC 8446 section 4.1.2 (ClientHello) and 4.2 (extensions); RFC 3207 (SMTP STARTTLS)" << YAML::EndSeq;
  y << YAML::Key << "protocols" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "min" << YAML::Value << min
    << YAML::Key << "max" << YAML::Value << max << YAML::EndMap;
  if (!ciphers.empty()) y << YAML::Key << "ciphers" << YAML::Value << ciphers;
  if (max == "TLSv1.3" && !tls13.empty()) y << YAML::Key << "tls13_suites" << YAML::Value << YAML::Flow << tls13;
  if (!groups.empty()) y << YAML::Key << "groups" << YAML::Value << YAML::Flow << groups;
  if (!sigalgs.empty()) y << YAML::Key << "sigalgs" << YAML::Value << YAML::Flow << sigalgs;
  if (!sigalgs_cert.empty()) y << YAML::Key << "signature_algorithms_cert" << YAML::Value << YAML::Flow << sigalgs_cert;
  if (!f.alpn.empty()) y << YAML::Key << "alpn" << YAML::Value << YAML::Flow << f.alpn;
  if (f.sni) y << YAML::Key << "sni" << YAML::Value << *f.sni;
  y << YAML::Key << "options" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "extended_master_secret" << YAML::Value
    << f.has(ext::kExtendedMasterSecret) << YAML::Key << "encrypt_then_mac" << YAML::Value << f.has(ext::kEncryptThenMac)
    << YAML::Key << "session_tickets" << YAML::Value << f.has(ext::kSessionTicket) << YAML::EndMap;
  if (f.has(ext::kStatusRequest)) y << YAML::Key << "status_request" << YAML::Value << true;
  y << YAML::Key << "security_level" << YAML::Value << 0;  // the client offered what it offered
  y << YAML::Key << "recorded_hello" << YAML::Value << YAML::BeginMap << YAML::Key << "source" << YAML::Value
    << "harness capture-client: " + who << YAML::Key << "hex" << YAML::Value << to_hex(hello.bytes) << YAML::EndMap;
  // The decoded hello, field by field (what a recapture must reproduce); checked against the hex on load.
  y << YAML::Key << "hello" << YAML::Value << YAML::BeginMap;
  for (const auto& line : stable_hello_fields(f)) {
    auto colon = line.find(": ");
    y << YAML::Key << line.substr(0, colon) << YAML::Value << line.substr(colon + 2);
  }
  y << YAML::EndMap;
  y << YAML::Key << "captured" << YAML::Value << YAML::BeginMap;
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) y << YAML::Key << k << YAML::Value << v;
  };
  put("sender", p.sender);
  put("package", p.package);
  put("version", p.version);
  put("tls_library", p.package_note);
  put("distro", p.distro);
  put("command", p.command);
  put("captured_at", p.captured_at);
  put("made_with", p.made_with);
  put("ehlo", hello.helo);
  y << YAML::EndMap;
  y << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

}  // namespace harness
