#include "harness/testbed/testbed.hpp"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <unistd.h>

#include "harness/common/error.hpp"
#include "harness/common/log.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"

namespace harness {
namespace {
using namespace std::chrono_literals;

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '-';
  return out.substr(0, 40);
}

// Whole seconds, rounded up, at least 1: what `timeout` in the container gets.
long long whole_seconds(std::chrono::milliseconds timeout) { return std::max<long long>(1, (timeout.count() + 999) / 1000); }

// Field 22 of /proc/PID/stat: tells a reused pid from the process that made the container.
std::string process_start_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return "";
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string f;
  for (int i = 3; i <= 22 && fields >> f; ++i) {
  }
  return f;
}

// The command's own exit status reaches us on a side line of stderr that only the in-container
// wrapper writes ("<nonce> <status>[ timeout]", the nonce fresh per call): a status from the command
// itself, whatever its value (124, 125, 126, 127 included), is a result; no status line means the
// command never ran or the container died under it (podman's exit 125, a killed container), which
// is the machinery's failure. "timeout" is added when `timeout` ended the command (124, or 137
// after -k) once the time was up, so a command's own 124 is not taken for a timeout.
struct CommandStatus {
  std::string nonce = random_name_suffix(16);
};

// `timeout` inside the container (killing the podman client alone would leave the command
// running), under a shell that reports the status.
std::vector<std::string> wrap_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                      const CommandStatus& status) {
  std::vector<std::string> a{"sh", "-c",
                             "n=$1; s=$2; shift 2; t0=$(date +%s); timeout -k 2 \"$s\" \"$@\"; rc=$?; w=; "
                             "case $rc in 124|137) [ $(($(date +%s) - t0)) -ge \"$s\" ] && w=' timeout';; esac; "
                             "printf '%s %s%s\\n' \"$n\" \"$rc\" \"$w\" >&2; exit $rc",
                             "sh", status.nonce, std::to_string(whole_seconds(timeout))};
  a.insert(a.end(), argv.begin(), argv.end());
  return a;
}

// The command's result from the side line (removed from r.err); InfraError when there is none.
ExecResult command_result(ProcessResult& r, const CommandStatus& status, const std::string& name, const std::string& what) {
  auto at = r.err.rfind(status.nonce + " ");
  if (at != std::string::npos) {
    auto end = r.err.find('\n', at);
    auto text = r.err.substr(at + status.nonce.size() + 1, end == std::string::npos ? std::string::npos : end - at - status.nonce.size() - 1);
    bool timed_out = text.ends_with(" timeout");
    if (timed_out) text.resize(text.size() - 8);
    if (!text.empty() && text.size() <= 3 && text.find_first_not_of("0123456789") == std::string::npos) {
      r.err.erase(at, end == std::string::npos ? std::string::npos : end - at + 1);
      return {std::stoi(text), timed_out, std::move(r.out), std::move(r.err), r.duration};
    }
  }
  throw InfraError("testbed " + name + ": podman failed to " + what + " (exit " + std::to_string(r.exit_code) +
                   ", the command did not report an exit status): " + escape_for_message(r.err, 2000));
}
// `podman run` arguments up to the image: name, labels, runtime settings, ports, isolation.
std::vector<std::string> run_args(const Podman& podman, const TestbedOptions& o, const std::string& name) {
  std::vector<std::string> args{"--name", name};
  std::map<std::string, std::string> labels = o.labels;
  labels[kLabelManaged] = "1";
  labels[kLabelPid] = std::to_string(getpid()) + ":" + process_start_time(getpid());
  labels[kLabelBoot] = boot_id();
  labels[kLabelRun] = o.run_id;
  if (o.keep) labels[kLabelKeep] = "1";
  for (const auto& [k, v] : labels) args.insert(args.end(), {"--label", k + "=" + v});
  auto extra = podman.container_args();
  args.insert(args.end(), extra.begin(), extra.end());
  for (int p : o.ports) args.insert(args.end(), {"-p", "127.0.0.1::" + std::to_string(p)});
  // Without published ports a testbed needs no network at all: isolated, and faster to start.
  if (o.host_network) args.insert(args.end(), {"--network", "host"});
  else if (o.ports.empty() && !o.network) args.insert(args.end(), {"--network", "none"});
  return args;
}

std::string testbed_name(const TestbedOptions& o) {
  return "harness-" + sanitize(o.role.empty() ? "testbed" : o.role) + "-" + random_name_suffix();
}

}  // namespace

std::string random_name_suffix(std::size_t length) {
  static const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string s;
  for (std::size_t i = 0; i < length; ++i) s += alphabet[rd() % 36];
  return s;
}

std::string owner_token() { return std::to_string(getpid()) + "-" + process_start_time(getpid()); }

bool owner_alive(const std::string& token) {
  auto sep = token.find_first_of(":-");
  if (sep == std::string::npos || sep == 0) return false;
  auto pid_text = token.substr(0, sep);
  if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9) return false;
  pid_t pid = static_cast<pid_t>(std::stol(pid_text));
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM) && process_start_time(pid) == token.substr(sep + 1);
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

PodmanTestbed::PodmanTestbed(const Podman& podman, const TestbedOptions& o) : podman_(&podman), image_(o.image) {
  name_ = testbed_name(o);
  std::vector<std::string> args{"run", "-d"};
  auto common = run_args(podman, o, name_);
  args.insert(args.end(), common.begin(), common.end());
  args.insert(args.end(), {o.image, "sleep", "infinity"});
  // From here on the name may exist in podman: if anything below fails, remove it.
  try {
    auto r = podman.run(args, 120s);
    if (r.timed_out) throw InfraError("testbed " + name_ + ": podman run timed out after 120 s");
    if (r.exit_code != 0)
      throw InfraError("testbed " + name_ + ": podman could not start image " + o.image + " (exit " +
                       std::to_string(r.exit_code) + "): " + r.err.substr(0, 2000));
    if (!o.ports.empty()) {
      auto pr = podman.check({"port", name_}, 30s, "list the published ports of " + name_);
      std::istringstream lines(pr.out);
      std::string line;
      while (std::getline(lines, line)) {
        // "25/tcp -> 127.0.0.1:37151"
        auto slash = line.find('/');
        auto colon = line.rfind(':');
        if (slash == std::string::npos || colon == std::string::npos) continue;
        ports_[std::stoi(line.substr(0, slash))] = std::stoi(line.substr(colon + 1));
      }
      for (int p : o.ports)
        if (!ports_.count(p)) throw InfraError("testbed " + name_ + ": port " + std::to_string(p) + " was not published");
    }
  } catch (...) {
    remove();
    throw;
  }
  log::verbose("testbed " + name_ + " started from " + o.image);
}

PodmanTestbed PodmanTestbed::attach(const Podman& podman, const std::string& name) {
  auto r = podman.run({"inspect", "--type", "container", "--format", "json", name}, 30s);
  if (r.exit_code != 0) throw UsageError("no testbed named '" + name + "' (list them with: podman ps --filter label=io.harness.managed=1)");
  auto j = nlohmann::json::parse(r.out);
  if (j.empty() || j[0]["Config"]["Labels"].value(kLabelManaged, "") != "1")
    throw UsageError("container '" + name + "' was not started by the harness; refusing to touch it");
  PodmanTestbed t(podman);
  t.name_ = name;
  t.image_ = j[0].value("ImageName", "");
  t.keep_ = true;
  auto ports = j[0]["NetworkSettings"]["Ports"];
  if (ports.is_object()) {
    for (auto& [key, binds] : ports.items()) {
      if (!binds.is_array() || binds.empty()) continue;
      t.ports_[std::stoi(key)] = std::stoi(binds[0].value("HostPort", "0"));
    }
  }
  return t;
}

PodmanTestbed::PodmanTestbed(PodmanTestbed&& o) noexcept
    : podman_(o.podman_), name_(std::move(o.name_)), image_(std::move(o.image_)), ports_(std::move(o.ports_)),
      keep_(o.keep_), removed_(o.removed_) {
  o.removed_ = true;
}

PodmanTestbed::~PodmanTestbed() {
  if (!keep_) remove();
}

void PodmanTestbed::remove() noexcept {
  if (removed_ || name_.empty()) return;
  removed_ = true;
  try {
    auto r = podman_->run({"rm", "-f", "-t", "0", name_}, 60s, "", /*ignore_interrupt=*/true);
    if (r.exit_code != 0 && r.err.find("no such container") == std::string::npos)
      log::warn("could not remove testbed " + name_ + " (run 'harness gc'): " + r.err);
    else
      log::verbose("testbed " + name_ + " removed");
  } catch (const std::exception& e) {
    log::warn("could not remove testbed " + name_ + " (run 'harness gc'): " + e.what());
  }
}

ExecResult PodmanTestbed::exec(const std::vector<std::string>& argv, const std::string& stdin_data,
                         std::chrono::milliseconds timeout) const {
  auto secs = whole_seconds(timeout);
  std::vector<std::string> args{"exec"};
  if (!stdin_data.empty()) args.push_back("-i");
  args.push_back(name_);
  CommandStatus status;
  auto cmd = wrap_command(argv, timeout, status);
  args.insert(args.end(), cmd.begin(), cmd.end());
  auto r = podman_->run(args, timeout + 15s, stdin_data);
  if (r.timed_out) throw InfraError("testbed " + name_ + ": podman exec did not return within " +
                                    std::to_string(secs + 15) + " s (" + shell_quote(argv) + ")");
  return command_result(r, status, name_, "exec " + shell_quote(argv));
}

ExecResult Testbed::sh(const std::string& script, const std::string& stdin_data,
                       std::chrono::milliseconds timeout) const {
  return exec({"sh", "-c", script}, stdin_data, timeout);
}

void PodmanTestbed::copy_in(const std::filesystem::path& host_path, const std::string& container_path) const {
  podman_->check({"cp", host_path.string(), name_ + ":" + container_path}, 120s,
                 "copy " + host_path.string() + " into " + name_);
}

void PodmanTestbed::copy_out(const std::string& container_path, const std::filesystem::path& host_path) const {
  podman_->check({"cp", name_ + ":" + container_path, host_path.string()}, 120s,
                 "copy " + container_path + " out of " + name_);
}

void Testbed::write_file(const std::string& container_path, const std::string& data, const std::string& mode) const {
  auto r = exec({"sh", "-c", "umask 077; cat > \"$1\" && chmod " + mode + " \"$1\"", "sh", container_path}, data.empty() ? std::string() : data);
  if (r.exit_code != 0) throw InfraError("testbed " + name() + ": cannot write " + container_path + ": " + r.err);
}

int PodmanTestbed::published_port(int container_port) const {
  auto it = ports_.find(container_port);
  if (it == ports_.end()) throw InfraError("testbed " + name_ + ": port " + std::to_string(container_port) + " is not published");
  return it->second;
}

ExecResult run_once(const Podman& podman, const TestbedOptions& o, const std::vector<std::string>& argv,
                    const std::string& stdin_data, std::chrono::milliseconds timeout) {
  auto name = testbed_name(o);
  auto secs = whole_seconds(timeout);
  std::vector<std::string> args{"run", "--rm"};
  if (!stdin_data.empty()) args.push_back("-i");
  auto common = run_args(podman, o, name);
  args.insert(args.end(), common.begin(), common.end());
  args.push_back(o.image);
  CommandStatus status;
  auto cmd = wrap_command(argv, timeout, status);
  args.insert(args.end(), cmd.begin(), cmd.end());
  // podman's --rm removes the container when the command ends; when this process gives up first
  // (timeout, interrupt) the client is killed, so remove it here.
  auto remove = [&] {
    auto rm = podman.run({"rm", "-f", "-t", "0", name}, 60s, "", /*ignore_interrupt=*/true);
    if (rm.exit_code != 0 && rm.err.find("no such container") == std::string::npos)
      log::warn("could not remove testbed " + name + " (run 'harness gc'): " + rm.err);
  };
  ProcessResult r;
  try {
    r = podman.run(args, timeout + 30s, stdin_data);
  } catch (...) {
    remove();
    throw;
  }
  if (r.timed_out) {
    remove();
    throw InfraError("testbed " + name + ": podman run did not return within " + std::to_string(secs + 30) + " s (" +
                     shell_quote(argv) + ")");
  }
  auto result = command_result(r, status, name, "run " + shell_quote(argv) + " in a new container from " + o.image);
  log::verbose("testbed " + name + " ran once from " + o.image + " and is removed");
  return result;
}

GcReport collect_garbage(const Podman& podman, bool all) {
  GcReport rep;
  auto r = podman.check({"ps", "-a", "--filter", std::string("label=") + kLabelManaged + "=1", "--format", "json"}, 60s,
                        "list harness containers");
  auto list = nlohmann::json::parse(r.out.empty() ? "[]" : r.out);
  std::string boot = boot_id();
  for (const auto& c : list) {
    std::string name = c["Names"].is_array() && !c["Names"].empty() ? c["Names"][0].get<std::string>() : c.value("Id", "");
    auto labels = c.value("Labels", nlohmann::json::object());
    bool dead = all;
    if (!dead) {
      bool kept_on_purpose = labels.value(kLabelKeep, "") == "1";
      bool alive = labels.value(kLabelBoot, "") == boot && owner_alive(labels.value(kLabelPid, ""));
      dead = !alive && !kept_on_purpose;
    }
    if (!dead) {
      rep.kept.push_back(name);
      continue;
    }
    auto rm = podman.run({"rm", "-f", "-t", "0", name}, 60s, "", true);
    if (rm.exit_code == 0) rep.removed.push_back(name);
    else log::warn("could not remove " + name + ": " + rm.err);
  }
  return rep;
}

}  // namespace harness
