// The server side of suite `starttls`: one testbed from the stream's packages that serves every
// certificate set at once — the distribution's exim (STARTTLS, one port per set: tls_certificate
// is expanded on $received_port) and `openssl s_server` (direct TLS, one process per set).
#pragma once
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/suites/suite.hpp"
#include "harness/tls/certs.hpp"

namespace harness {

struct CertSetDef {
  std::string name;            // "rsa", "ec", "dual"
  std::vector<KeySpec> keys;   // served together (dual: RSA and EC)
};

struct ServerEndpoint {
  std::string server;   // "exim" | "openssl"
  std::string certset;
  int port = 0;         // in the container
  bool starttls = true;
  std::string log_file;  // in the container
  // Why the server did not come up (its start log), empty when it listens. A server that does not
  // start is the stream's package's doing: its cases FAIL, the other servers' cases still run.
  std::string start_error;
};

// A legacy receiver for the outbound direction: s_server limited to old protocols/ciphers.
struct ReceiverDef {
  std::string name;
  std::string certset;
  std::string min_protocol = "TLSv1.2", max_protocol = "TLSv1.2";
  std::string cipher_string;  // TLS <= 1.2 list the receiver accepts
};

// The stream's exim as a sender (`exim -C config -odf`): its smtp transport, with its TLS library's
// defaults, delivers to the legacy receivers (TLS on connect, certificates not verified, TLS
// required so no delivery goes in the clear). The configuration is the harness's, made trusted
// through the build's TRUSTED_CONFIG_LIST file so that exim keeps root and delivers.
struct EximSender {
  std::string binary;       // exim4 / exim
  std::string config;       // the sender configuration in the testbed
  std::string mainlog;      // its log of deliveries ("=>", "==", "**" lines)
  std::string start_error;  // why the sender could not be set up (empty: ready)
  // The recipient address that routes to a receiver: rcpt@<receiver>.harness.test
  static std::string recipient(const std::string& receiver) { return "rcpt@" + receiver + ".harness.test"; }
};

class TlsServerBed {
 public:
  // Starts the testbed and the servers in it ("exim", "openssl" in `servers`), each on its own: an
  // endpoint either listens when this returns or carries its start_error. Throws PackageError when
  // the servers' packages do not install, InfraError when the testbed itself fails.
  TlsServerBed(const SuiteContext& ctx, const std::vector<CertSetDef>& sets, const std::vector<std::string>& servers,
               const std::vector<ReceiverDef>& receivers = {});
  TlsServerBed(const TlsServerBed&) = delete;
  TlsServerBed& operator=(const TlsServerBed&) = delete;

  const std::vector<ServerEndpoint>& endpoints() const { return endpoints_; }
  const std::vector<ServerEndpoint>& receivers() const { return receivers_; }
  // With exim among the servers: the same receivers once more, each answering one SMTP dialog
  // (canned replies after TLS on connect), for the stream's own exim as sender; and that sender.
  const std::vector<ServerEndpoint>& smtp_receivers() const { return smtp_receivers_; }
  const std::optional<EximSender>& exim_sender() const { return exim_sender_; }
  int host_port(const ServerEndpoint& e) const { return testbed_->published_port(e.port); }
  const Testbed& testbed() const { return *testbed_; }
  const Image& image() const { return image_; }
  Family family() const { return image_family_; }
  // "exim 4.98.2-1", "openssl 3.5.1-1" — the versions actually installed.
  std::string version_of(const std::string& server) const;
  // Every endpoint's log (exim's mainlog, each s_server's output) by ServerEndpoint::log_file.
  std::map<std::string, std::string> read_logs() const;

 private:
  CertificateFactory certs_;
  std::future<void> keys_ready_;
  Image image_;
  Family image_family_;
  std::unique_ptr<Testbed> testbed_;
  std::vector<ServerEndpoint> endpoints_;
  std::vector<ServerEndpoint> receivers_;
  std::vector<ServerEndpoint> smtp_receivers_;
  std::optional<EximSender> exim_sender_;
};

// Packages a stream needs for these servers.
std::vector<std::string> server_packages(Family family, const std::vector<std::string>& servers);
// The package holding the exim daemon: Debian exim4-daemon-light, Fedora exim.
std::string exim_server_package(Family family);
// The TLS library a server is built with (a kTlsLibraries name): Debian's exim4-daemon-light links
// GnuTLS, Fedora's exim OpenSSL; openssl s_server is OpenSSL everywhere.
std::string server_tls_library(Family family, const std::string& server);

// How exim serves every certificate set (one port each, the certificate chosen by $received_port):
// Debian's exim4 through its config generator (user Debian-exim), Fedora's exim by editing
// /etc/exim/exim.conf (user exim). `script` runs in the testbed as root.
struct EximServerSetup {
  std::string script;
  std::vector<int> ports;       // per set, in order
  std::string mainlog;          // the file exim logs connections to
  std::string logs_on_failure;  // shell that prints exim's logs when the script fails
};
EximServerSetup exim_server_setup(Family family, const std::vector<CertSetDef>& sets);

}  // namespace harness
