// The whole starttls suite, and a whole run of it, through the ImageSource and TestbedStarter seams
// without podman. The testbed stands in for the container: it answers the suite's set-up script
// unit by unit (as the shell in the container would) and its published ports lead to TLS servers
// this test runs on 127.0.0.1 with the certificates the suite sent, so the handshakes are real.
// What is checked is how the suite and the run classify each failure: a server of the stream's
// package that does not start is FAIL (REGRESSION when the baseline's started), packages that do
// not install fail only their server's cases, an unreachable server or a testbed that does not
// start is infrastructure (ERROR), and the private keys travel in stdin, never in argv.
#define BOOST_TEST_MODULE starttls_seam
#include <boost/test/unit_test.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>

#include "harness/cli/pipeline.hpp"
#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/suites/starttls/starttls_scenarios.hpp"
#include "harness/suites/suite.hpp"
#include "harness/tls/ossl.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {
const fs::path kScenarios = fs::path(HARNESS_SOURCE_DIR) / "scenarios";

// A TLS server on 127.0.0.1 standing in for one endpoint in the container: SMTP with STARTTLS
// (exim's endpoints) or TLS right after connect (s_server's), one connection at a time.
class LoopbackTlsServer {
 public:
  LoopbackTlsServer(const std::vector<std::pair<fs::path, fs::path>>& cert_and_key, bool smtp) : smtp_(smtp) {
    std::signal(SIGPIPE, SIG_IGN);  // OpenSSL writes to clients that closed first (they do not wait)
    ossl::drain_errors();           // what an earlier call on this thread left
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    for (const auto& [cert, key] : cert_and_key)  // one RSA and one EC key side by side: a dual set
      if (SSL_CTX_use_certificate_chain_file(ctx_.get(), cert.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(ctx_.get(), key.c_str(), SSL_FILETYPE_PEM) != 1)
        ossl::fail("loopback server: loading " + cert.string());
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw InfraError("loopback server: cannot listen");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackTlsServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  int handshakes() const { return handshakes_; }

 private:
  static std::string read_line(int fd) {
    std::string line;
    char c;
    while (line.size() < 512 && read(fd, &c, 1) == 1 && c != '\n') line += c;
    return line;
  }
  static void say(int fd, const std::string& s) { (void)!send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

  void serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      timeval tv{5, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      bool tls = true;
      if (smtp_) {
        say(c, "220 seam.harness.test ESMTP\r\n");
        read_line(c);  // EHLO
        say(c, "250-seam.harness.test\r\n250 STARTTLS\r\n");
        tls = read_line(c).rfind("STARTTLS", 0) == 0;
        if (tls) say(c, "220 TLS go ahead\r\n");
      }
      if (tls) {
        ossl::Ssl ssl(SSL_new(ctx_.get()));
        SSL_set_fd(ssl.get(), c);
        if (SSL_accept(ssl.get()) == 1) {
          ++handshakes_;
          SSL_shutdown(ssl.get());
        }
        ossl::drain_errors();
      }
      close(c);
    }
  }

  bool smtp_;
  ossl::SslCtx ctx_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0};
  std::thread thread_;
};

// A port on 127.0.0.1 where nothing listens.
int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// How one stream's container behaves.
struct StreamWorld {
  std::set<std::string> failing_units;  // "exim", "openssl-rsa", "receiver-legacy-tls12-rsa", ...
  std::set<std::string> unreachable;    // "exim-ec", "openssl-dual": endpoints whose port leads nowhere
  bool certificate_setup_fails = false;
  bool start_fails = false;
};

// What the testbeds saw, for the checks.
struct Seen {
  std::mutex m;
  std::vector<TestbedOptions> started;
  std::vector<std::vector<std::string>> argv;
  std::string setup_stdin;
};

class SeamTestbed final : public Testbed {
 public:
  SeamTestbed(const StreamWorld& world, const StarttlsScenarios& scenarios, TestbedOptions options, Seen& seen)
      : world_(world), scenarios_(scenarios), options_(std::move(options)), seen_(seen), name_("seam-" + options_.role) {}

  ExecResult exec(const std::vector<std::string>& argv, const std::string& stdin_data,
                  std::chrono::milliseconds) const override {
    {
      std::lock_guard lock(seen_.m);
      seen_.argv.push_back(argv);
    }
    if (argv == std::vector<std::string>{"sh", "-s"}) return set_up(stdin_data);
    // Log reads and the outbound s_client runs: the container has no logs and no s_client output.
    return {.exit_code = 0};
  }
  void copy_in(const fs::path&, const std::string&) const override {}
  void copy_out(const std::string&, const fs::path&) const override {}
  const std::string& name() const override { return name_; }
  int published_port(int container_port) const override {
    auto it = ports_.find(container_port);
    if (it == ports_.end()) throw InfraError(name_ + " publishes no port " + std::to_string(container_port));
    return it->second;
  }

 private:
  // The set-up script: its certificate files (here-documents) are written out for the loopback
  // servers, and each unit answers as the shell in the container would.
  ExecResult set_up(const std::string& script) const {
    {
      std::lock_guard lock(seen_.m);
      seen_.setup_stdin = script;
    }
    if (world_.certificate_setup_fails) return {.exit_code = 1, .err = "mkdir: cannot create directory '/etc/harness-tls': Read-only file system\n"};
    std::string current;
    std::string body;
    for (const auto& line : split_lines(script)) {
      if (current.empty() && line.rfind("cat > ", 0) == 0 && line.find("<<'HARNESS_PEM_EOF'") != std::string::npos) {
        current = line.substr(6, line.find(' ', 6) - 6);
        body.clear();
      } else if (!current.empty() && line == "HARNESS_PEM_EOF") {
        harness::write_file(certs_.path() / current, body, 0600);  // not Testbed::write_file: into the container
        current.clear();
      } else if (!current.empty()) {
        body += line + "\n";
      }
    }
    std::string out;
    for (const auto& line : split_lines(script)) {
      auto at = line.find("echo \"=== unit ");
      if (at == std::string::npos) continue;
      auto unit = line.substr(at + 15, line.find(" rc=", at) - at - 15);
      bool fails = world_.failing_units.count(unit) > 0;
      out += "=== unit " + unit + " rc=" + (fails ? "1" : "0") + "\n";
      if (fails) out += "2026-12-06 10:00:00 " + unit + ": configuration error in line 12\n=== end\n";
    }
    // Endpoints as the suite numbers them: exim 2501.., s_server 4431.., in certificate-set order.
    for (std::size_t i = 0; i < scenarios_.certsets.size(); ++i) {
      const auto& set = scenarios_.certsets[i];
      std::vector<std::pair<fs::path, fs::path>> files;
      for (const auto& k : set.keys) files.emplace_back(certs_.path() / (k.name() + ".crt"), certs_.path() / (k.name() + ".key"));
      for (auto [server, port] : {std::pair<std::string, int>{"exim", 2501 + static_cast<int>(i)}, {"openssl", 4431 + static_cast<int>(i)}}) {
        bool published = std::find(options_.ports.begin(), options_.ports.end(), port) != options_.ports.end();
        if (!published) continue;
        if (world_.unreachable.count(server + "-" + set.name)) {
          ports_[port] = closed_port();
        } else {
          servers_.push_back(std::make_unique<LoopbackTlsServer>(files, server == "exim"));
          ports_[port] = servers_.back()->port();
        }
      }
    }
    return {.exit_code = 0, .out = out};
  }

  const StreamWorld& world_;
  const StarttlsScenarios& scenarios_;
  TestbedOptions options_;
  Seen& seen_;
  std::string name_;
  TempDir certs_{"harness-seam-certs"};
  mutable std::map<int, int> ports_;
  mutable std::vector<std::unique_ptr<LoopbackTlsServer>> servers_;
};

class SeamStarter final : public TestbedStarter {
 public:
  std::map<std::string, StreamWorld> worlds;  // by stream
  StarttlsScenarios scenarios = load_starttls_scenarios(kScenarios / "starttls");
  mutable Seen seen;

  std::unique_ptr<Testbed> start(const TestbedOptions& options) const override {
    const auto& world = worlds.at(options.role.substr(0, options.role.find('-')));
    {
      std::lock_guard lock(seen.m);
      seen.started.push_back(options);
    }
    if (world.start_fails) throw InfraError("podman run " + options.image + ": exit 125: OCI runtime error");
    return std::make_unique<SeamTestbed>(world, scenarios, options, seen);
  }
  ExecResult run_once(const TestbedOptions&, const std::vector<std::string>&, const std::string&,
                      std::chrono::milliseconds) const override {
    throw InfraError("the starttls suite starts no one-shot containers");
  }
};

// Images by request: a package in `broken` does not install (PackageError), `unbuildable` fails
// the build itself (InfraError).
class SeamImages final : public ImageSource {
 public:
  std::set<std::string> broken;
  bool unbuildable = false;
  std::mutex m;
  std::vector<ImageRequest> requests;

  Image ensure(const ImageRequest& request) override {
    std::lock_guard lock(m);
    requests.push_back(request);
    if (unbuildable) throw InfraError("podman build: no space left on device");
    Image img;
    img.tag = "localhost/harness-seam:" + std::to_string(requests.size());
    img.id = "sha256:seam";
    for (const auto& p : request.packages) {
      auto name = p.substr(0, p.find('='));
      if (broken.count(name)) {
        throw PackageError(name + " does not install: it depends on libgnutls30 (>= 3.8.9), which is not installable",
                           "dpkg: dependency problems prevent configuration of " + name);
      }
      img.installed[name] = "4.98.2-1";
    }
    return img;
  }
};

struct SuiteFixture {
  SeamStarter starter;
  SeamImages images;
  std::unique_ptr<Suite> suite = make_suite("starttls");
  SuiteFixture() { suite->load(kScenarios, {}); }

  SuiteContext context(const std::string& stream = "candidate") {
    SuiteContext ctx;
    ctx.stream = stream;
    ctx.spec = parse_candidate_spec("debian:trixie:stable");
    ctx.images = &images;
    ctx.testbeds = &starter;
    ctx.run_id = "seam";
    return ctx;
  }
};

std::map<std::string, CaseResult> by_id(const std::vector<CaseResult>& results) {
  std::map<std::string, CaseResult> out;
  for (const auto& r : results) out.emplace(r.id, r);
  return out;
}
}  // namespace

BOOST_FIXTURE_TEST_CASE(a_server_that_does_not_start_fails_and_an_unreachable_one_is_error, SuiteFixture) {
  starter.worlds["candidate"] = {.failing_units = {"exim"}, .unreachable = {"openssl-ec"}};
  auto ctx = context();
  auto results = by_id(suite->run(ctx));
  BOOST_TEST(results.size() == suite->case_count());

  std::size_t exim = 0, ec = 0, served = 0;
  for (const auto& [id, c] : results) {
    if (c.properties.at("direction") != "inbound") continue;
    if (c.properties.at("server") == "exim") {
      ++exim;  // the package's exim refused its configuration: its fault, every exim case FAIL
      BOOST_TEST((c.outcome == Outcome::fail), id);
      BOOST_TEST(c.message.find("exim did not start with certificate set") != std::string::npos, c.message);
      BOOST_TEST(c.transcript.find("configuration error in line 12") != std::string::npos);
    } else if (c.properties.at("certset") == "ec") {
      ++ec;  // nothing answered on the port: infrastructure, never the package's FAIL or a PASS
      BOOST_TEST((c.outcome == Outcome::error), id);
      BOOST_TEST(c.message.find("server unreachable before TLS (connect)") != std::string::npos, c.message);
    } else {
      ++served;  // real handshakes against the loopback server, judged by the scenario's rules
      BOOST_TEST(c.properties.count("handshake") == 1u, id);
      BOOST_TEST((c.outcome == Outcome::pass || c.outcome == Outcome::fail), id << ": " << c.message);
    }
  }
  BOOST_TEST(exim == starter.scenarios.certsets.size() * starter.scenarios.clients.size());
  BOOST_TEST(ec == starter.scenarios.clients.size());
  BOOST_TEST(served == 2 * starter.scenarios.clients.size());
  // The stream's exim as sender left no log line (this testbed runs nothing): ERROR, never PASS.
  const auto& sent = results.at("sender/exim/legacy-tls12-rsa");
  BOOST_TEST((sent.outcome == Outcome::error), sent.message);
  BOOST_TEST(sent.message.find("exim logged nothing for the delivery to rcpt@legacy-tls12-rsa.harness.test") != std::string::npos, sent.message);
  // A modern client and the RSA certificate: a real handshake that the rules call PASS.
  const auto& modern = results.at("openssl/rsa/modern-tls13");
  BOOST_TEST((modern.outcome == Outcome::pass), modern.message);
  BOOST_TEST(modern.properties.at("protocol") == "TLSv1.3");
  // The testbed published every endpoint and receiver port, in the candidate's name.
  BOOST_REQUIRE(starter.seen.started.size() == 1u);
  BOOST_TEST(starter.seen.started[0].role == "candidate-tls-servers");
  BOOST_TEST(starter.seen.started[0].ports.size() == 2 * starter.scenarios.certsets.size() + starter.scenarios.receivers.size());
  BOOST_REQUIRE(ctx.images_used.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(private_keys_travel_in_stdin_never_in_argv, SuiteFixture) {
  starter.worlds["candidate"] = {};
  auto ctx = context();
  suite->run(ctx);
  BOOST_TEST(starter.seen.setup_stdin.find("PRIVATE KEY-----") != std::string::npos);
  for (const auto& argv : starter.seen.argv)
    for (const auto& a : argv) BOOST_TEST(a.find("PRIVATE KEY") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(packages_that_do_not_install_fail_only_their_servers_cases, SuiteFixture) {
  starter.worlds["candidate"] = {};
  images.broken = {"exim4-daemon-light"};
  auto ctx = context();
  auto results = suite->run(ctx);
  BOOST_TEST(results.size() == suite->case_count());
  std::size_t exim = 0, openssl = 0;
  for (const auto& c : results) {
    if (c.id.rfind("sender/exim/", 0) == 0) {
      // exim's packages did not install, so it could not send either: its outbound cases FAIL too
      BOOST_TEST((c.outcome == Outcome::fail), c.id);
      BOOST_TEST(c.message.find("packages do not install on this stream") != std::string::npos, c.message);
    }
    if (c.properties.at("direction") != "inbound") continue;
    if (c.properties.at("server") == "exim") {
      ++exim;
      BOOST_TEST((c.outcome == Outcome::fail), c.id);
      BOOST_TEST(c.message.find("packages do not install on this stream") != std::string::npos, c.message);
      BOOST_TEST(c.transcript.find("dependency problems") != std::string::npos);
    } else {
      ++openssl;
      BOOST_TEST(c.properties.count("handshake") == 1u, c.id << " did not run: " << c.message);
    }
  }
  BOOST_TEST(exim == starter.scenarios.certsets.size() * starter.scenarios.clients.size());
  BOOST_TEST(openssl == exim);
  // The combined image was refused, then each server's own was tried.
  BOOST_TEST(images.requests.size() == 4u);
}

BOOST_FIXTURE_TEST_CASE(infrastructure_that_fails_stops_the_stream_with_infra_error, SuiteFixture) {
  auto ctx = context();
  starter.worlds["candidate"] = {.start_fails = true};
  BOOST_CHECK_THROW(suite->run(ctx), InfraError);
  starter.worlds["candidate"] = {.certificate_setup_fails = true};
  try {
    suite->run(ctx);
    BOOST_FAIL("a failed certificate set-up became results");
  } catch (const InfraError& e) {
    BOOST_TEST(std::string(e.what()).find("setting up the certificates failed") != std::string::npos, e.what());
  }
  starter.worlds["candidate"] = {};
  images.unbuildable = true;
  BOOST_CHECK_THROW(suite->run(ctx), InfraError);
}

// A whole run: the baseline's exim starts, the candidate's does not. The run calls each exim case
// the candidate's REGRESSION (exit 1); a candidate whose testbed cannot start is ERROR (exit 3).
struct RunFixture {
  SeamStarter starter;
  SeamImages images;
  TempDir dir{"harness-seam-run"};

  cli::Services services() {
    cli::Services sv;
    sv.mirrors.debian = "http://archive.example/debian";
    sv.mirrors.debian_security = "http://archive.example/debian-security";
    sv.mirrors.debian_origin = sv.mirrors.debian_security_origin = "test fixture";
    sv.make_suite = [](const std::string& name) { return make_suite(name); };
    sv.testbeds = [this] { return std::pair<ImageSource*, const TestbedStarter*>{&images, &starter}; };
    return sv;
  }
  cli::RunRequest request() {
    cli::RunRequest rq;
    rq.plan.name = "seam";
    rq.plan.summary = "starttls through the seams";
    rq.plan.baseline = parse_candidate_spec("debian:bookworm:stable");
    rq.plan.candidates = {parse_candidate_spec("debian:trixie:stable")};
    rq.plan.packages = {"exim4-daemon-light"};
    rq.plan.suites = {{.name = "starttls", .package = "exim4-daemon-light"}};
    rq.scenarios_dir = kScenarios;
    rq.reports_dir = dir.path() / "reports";
    rq.command = "harness run --suite starttls";
    rq.reruns = 0;
    rq.blame = false;
    rq.unpinned = true;
    return rq;
  }
};

BOOST_FIXTURE_TEST_CASE(a_candidate_exim_that_does_not_start_is_a_regression, RunFixture) {
  starter.worlds["baseline"] = {};
  starter.worlds["candidate"] = {.failing_units = {"exim"}};
  auto out = cli::run_plan(request(), services());
  BOOST_TEST((out.status == RunStatus::regression));
  BOOST_TEST(cli::exit_code_for(out.status) == 1);
  std::size_t regressions = 0;
  for (const auto& v : out.record.verdicts) {
    if (v.stream != 1 || v.id.rfind("exim/", 0) != 0) continue;
    // Where the baseline's exim handshook as the rules expect, the candidate's not starting is a regression.
    if (v.verdict == Verdict::regression) ++regressions;
    BOOST_TEST((v.verdict == Verdict::regression || v.verdict == Verdict::always_fail), v.id);
  }
  BOOST_TEST(regressions > 0u);
  BOOST_TEST(fs::exists(out.report_dir / "junit.xml"));
}

BOOST_FIXTURE_TEST_CASE(a_candidate_testbed_that_does_not_start_is_error_never_pass, RunFixture) {
  starter.worlds["baseline"] = {};
  starter.worlds["candidate"] = {.start_fails = true};
  auto out = cli::run_plan(request(), services());
  BOOST_TEST((out.status == RunStatus::error));
  BOOST_TEST(cli::exit_code_for(out.status) == 3);
  std::size_t errors = 0;
  for (const auto& v : out.record.verdicts) {
    if (v.stream != 1) continue;
    BOOST_TEST((v.verdict == Verdict::error), v.id);
    errors += v.verdict == Verdict::error;
  }
  auto suite = make_suite("starttls");
  suite->load(kScenarios, {});
  BOOST_TEST(errors == suite->case_count());  // every case, none missing and none PASS
}
