#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/cli/context.hpp"
#include "harness/common/error.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/strings.hpp"
#include "harness/plan/candidate_spec.hpp"
#include "harness/repo/channels.hpp"
#include "harness/testbed/testbed.hpp"

namespace harness::cli {
namespace {
using namespace std::chrono_literals;

std::vector<std::string> split_list(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items)
    for (auto& part : split_nonempty(item)) out.push_back(std::move(part));
  return out;
}
// The image options `up` and `run` share.
struct ImageOptions {
  std::string distro = "debian", release = "bookworm", channel = "stable";
  std::vector<std::string> packages;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--distro", distro, "debian or fedora")->capture_default_str();
    cmd->add_option("--release", release, "bookworm, trixie, sid / 41, ...")->capture_default_str();
    cmd->add_option("--channel", channel, "stable, proposed-updates (debian) / stable, testing (fedora)")
        ->capture_default_str();
    cmd->add_option("--packages", packages, "Packages to install, NAME or NAME=VERSION, comma separated");
  }

  Image ensure(Context& ctx) const {
    auto spec = parse_candidate_spec(distro + ":" + release + ":" + channel);
    ImageRequest req;
    req.family = spec.family;
    req.release = spec.release;
    req.packages = split_list(packages);
    req.allow_expired_metadata = ctx.allow_expired_metadata;
    req.sources = testbed_sources(spec, ctx.mirrors);
    return ctx.images().ensure(req);
  }
};

// What is piped into harness, for the command (`... | harness testbed exec NAME -- sh -s`); nothing
// from a terminal. Read whole before the command starts, within the command's own time limit, so
// a pipe nobody closes cannot hang harness.
std::string piped_stdin(std::chrono::seconds limit) {
  if (::isatty(0)) return "";
  std::string data;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw UsageError("stdin was still open after " + std::to_string(limit.count()) +
                       " s; the command gets what is piped in once the pipe closes (or give it </dev/null)");
    pollfd fds[2] = {{0, POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    throw_if_interrupted();
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InfraError(std::string("poll on stdin: ") + std::strerror(errno));
    if (n > 0 && (fds[0].revents & POLLNVAL)) return data;  // no stdin at all
    if (n == 0 || !(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t k = ::read(0, buf, sizeof buf);
    if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (k < 0) {
      if (errno == EBADF) return data;  // stdin closed: nothing to pass
      throw InfraError(std::string("reading stdin: ") + std::strerror(errno));
    }
    if (k == 0) return data;
    data.append(buf, static_cast<std::size_t>(k));
  }
}

// `podman ps --format json` as the documented keys of `testbed list --json`.
nlohmann::json testbeds_json(const std::string& podman_ps) {
  nlohmann::json out = nlohmann::json::array();
  auto in = nlohmann::json::parse(podman_ps.empty() ? std::string("[]") : podman_ps);
  for (const auto& c : in) {
    auto labels = c.value("Labels", nlohmann::json::object());
    if (!labels.is_object()) labels = nlohmann::json::object();
    auto label = [&](const char* k) { return labels.contains(k) ? labels[k].get<std::string>() : std::string(); };
    auto names = c.value("Names", nlohmann::json::array());
    nlohmann::json ports = nlohmann::json::object();
    if (c.contains("Ports") && c["Ports"].is_array())
      for (const auto& p : c["Ports"])
        ports[std::to_string(p.value("container_port", 0))] = {{"host", p.value("host_ip", std::string())},
                                                               {"port", p.value("host_port", 0)}};
    out.push_back({{"name", names.empty() ? std::string() : names.front().get<std::string>()},
                   {"state", c.value("State", std::string())},
                   {"status", c.value("Status", std::string())},
                   {"image", c.value("Image", std::string())},
                   {"run_id", label(kLabelRun)},
                   {"kept", label(kLabelKeep) == "1"},
                   {"ports", ports}});
  }
  return out;
}

std::vector<std::string> command_words(const std::vector<std::string>& words) {
  if (words.empty()) throw UsageError("no command given (put it after --)");
  return words;
}
}  // namespace

void add_testbed(CLI::App& app, Context& ctx, int* exit_code) {
  auto* tb = app.add_subcommand("testbed", "Start, use and remove a testbed by hand (a debugging aid)");
  tb->require_subcommand(1);

  static ImageOptions up;
  static std::vector<int> up_ports;
  static bool up_network = false;
  auto* up_cmd = tb->add_subcommand("up", "Build (or reuse) an image with the packages and start a container; prints its name");
  up.add_to(up_cmd);
  up_cmd->add_option("--port", up_ports, "Container TCP port to publish on 127.0.0.1 (repeatable)");
  up_cmd->add_flag("--network", up_network, "Let the testbed reach the network (apt-get download/source from the archive)");
  static bool up_json = false;
  up_cmd->add_flag("--json", up_json, "Print {name, image, ports, packages} as JSON (for scripts)");
  up_cmd->callback([&ctx, exit_code] {
    auto image = up.ensure(ctx);
    PodmanTestbed t(ctx.podman(), {.image = image.tag, .run_id = "manual", .role = "manual", .ports = up_ports, .network = up_network, .keep = true});
    t.release();
    if (up_json) {
      nlohmann::json ports = nlohmann::json::object();
      for (int p : up_ports) ports[std::to_string(p)] = {{"host", "127.0.0.1"}, {"port", t.published_port(p)}};
      std::cout << nlohmann::json{{"name", t.name()}, {"image", image.tag}, {"ports", ports}, {"packages", image.requested}}.dump(2)
                << "\n";
    } else {
      for (const auto& [name, version] : image.requested) std::cerr << "  " << name << " " << version << "\n";
      // The name first (the word `testbed exec` takes), then where each port is published.
      std::string line = t.name();
      for (int p : up_ports) line += " " + std::to_string(p) + "->127.0.0.1:" + std::to_string(t.published_port(p));
      std::cout << line << "\n";
    }
    *exit_code = kExitOk;
  });

  // `testbed run`: a fresh testbed for one command, removed afterwards (also on ^C).
  static ImageOptions run_opt;
  static std::vector<std::string> run_argv;
  static std::string run_id = "manual";
  static int run_timeout = 300;
  auto* run_cmd = tb->add_subcommand("run", "Start a testbed, run one command in it, remove it: testbed run [opts] -- COMMAND...");
  run_opt.add_to(run_cmd);
  run_cmd->add_option("--run-id", run_id, "Label io.harness.run of the container")->capture_default_str();
  run_cmd->add_option("--timeout", run_timeout, "Seconds before the command is killed")->capture_default_str();
  // Everything after `--` is the command, passed through untouched (main() splits it off).
  run_cmd->footer("Example: harness testbed run --release trixie --packages exim4-daemon-light -- exim -bV");
  run_cmd->callback([&ctx, exit_code] {
    run_argv = command_words(ctx.command);
    auto image = run_opt.ensure(ctx);
    auto input = piped_stdin(std::chrono::seconds(run_timeout));
    auto r = run_once(ctx.podman(), {.image = image.tag, .run_id = run_id, .role = "run"}, run_argv, input,
                      std::chrono::seconds(run_timeout));
    std::cout << r.out;
    std::cerr << r.err;
    if (r.timed_out) std::cerr << "harness: command timed out after " << run_timeout << " s\n";
    *exit_code = r.exit_code;
  });

  static std::string exec_name;
  static std::vector<std::string> exec_argv;
  static int exec_timeout = 300;
  auto* exec_cmd = tb->add_subcommand("exec", "Run a command in a testbed: testbed exec NAME -- COMMAND...");
  exec_cmd->add_option("name", exec_name, "Testbed name printed by 'testbed up'")->required();
  exec_cmd->footer("Example: harness testbed exec harness-manual-abc123 -- exim -bV\n"
                   "What is piped into harness is the command's stdin: echo 'exim -bV' | harness testbed exec NAME -- sh -s");
  exec_cmd->add_option("--timeout", exec_timeout, "Seconds before the command is killed")->capture_default_str();
  exec_cmd->callback([&ctx, exit_code] {
    exec_argv = command_words(ctx.command);
    auto t = PodmanTestbed::attach(ctx.podman(), exec_name);
    auto r = t.exec(exec_argv, piped_stdin(std::chrono::seconds(exec_timeout)), std::chrono::seconds(exec_timeout));
    std::cout << r.out;
    std::cerr << r.err;
    if (r.timed_out) std::cerr << "harness: command timed out after " << exec_timeout << " s\n";
    *exit_code = r.exit_code;
  });

  static std::vector<std::string> down_names;
  static bool down_all = false;
  auto* down_cmd = tb->add_subcommand("down", "Remove testbeds started with 'testbed up'");
  down_cmd->add_option("names", down_names, "Testbed names");
  down_cmd->add_flag("--all", down_all, "Every testbed started with 'testbed up'");
  down_cmd->callback([&ctx, exit_code] {
    if (down_all) {
      auto r = ctx.podman().check({"ps", "-a", "--filter", std::string("label=") + kLabelKeep + "=1", "--format",
                                   "{{.Names}}"}, 60s, "list testbeds");
      std::stringstream ss(r.out);
      std::string n;
      while (std::getline(ss, n))
        if (!n.empty()) down_names.push_back(n);
    }
    if (down_names.empty() && !down_all) throw UsageError("testbed down: name a testbed or pass --all");
    for (const auto& n : down_names) {
      auto t = PodmanTestbed::attach(ctx.podman(), n);
      t.remove();
      std::cout << "removed " << n << "\n";
    }
    *exit_code = kExitOk;
  });

  static bool list_json = false;
  auto* list_cmd = tb->add_subcommand("list", "List harness containers on this host");
  list_cmd->add_flag("--json", list_json, "Print [{name, state, status, image, run_id, kept, ports}] as JSON");
  list_cmd->callback([&ctx, exit_code] {
    if (list_json) {
      auto r = ctx.podman().check({"ps", "-a", "--filter", std::string("label=") + kLabelManaged + "=1", "--format", "json"},
                                  60s, "list testbeds");
      std::cout << testbeds_json(r.out).dump(2) << "\n";
    } else {
      auto r = ctx.podman().check({"ps", "-a", "--filter", std::string("label=") + kLabelManaged + "=1", "--format",
                                   "{{.Names}}\t{{.Status}}\t{{.Image}}"}, 60s, "list testbeds");
      std::cout << r.out;
    }
    *exit_code = kExitOk;
  });
}

}  // namespace harness::cli
