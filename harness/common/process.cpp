#include "harness/common/process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/common/error.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/log.hpp"

extern char** environ;

namespace harness {
namespace {

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

void make_pipe(Fd& r, Fd& w) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) throw InfraError(std::string("pipe2: ") + std::strerror(errno));
  r.fd = p[0];
  w.fd = p[1];
}

// Kills the child's whole process group: podman, perl and shells start grandchildren.
void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

}  // namespace

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  std::size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string cand = p.substr(start, end - start) + "/" + name;
    if (access(cand.c_str(), X_OK) == 0) return cand;
    start = end + 1;
  }
  return "";
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    bool plain = !a.empty() && a.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") == std::string::npos;
    if (plain) {
      s += a;
    } else {
      s += '\'';
      for (char c : a) s += (c == '\'') ? std::string("'\\''") : std::string(1, c);
      s += '\'';
    }
  }
  return s;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& opt) {
  if (argv.empty()) throw InfraError("run_process: empty command");
  if (!opt.ignore_interrupt) throw_if_interrupted();
  std::string exe = find_program(argv[0]);
  if (exe.empty()) throw InfraError("'" + argv[0] + "' not found in PATH; install it (see README, set-up)");

  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  make_pipe(in_r, in_w);
  make_pipe(out_r, out_w);
  make_pipe(err_r, err_w);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // opt.env entries replace inherited ones of the same name (getenv returns the first match).
  auto name_of = [](const std::string& e) { return e.substr(0, e.find('=')); };
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    bool overridden = std::any_of(opt.env.begin(), opt.env.end(),
                                  [&](const std::string& o) { return name_of(o) == name_of(entry); });
    if (!overridden) env_store.push_back(std::move(entry));
  }
  for (const auto& e : opt.env) env_store.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string cwd = opt.cwd ? opt.cwd->string() : "";

  auto start = std::chrono::steady_clock::now();
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw InfraError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // A child never outlives a killed harness: an orphaned `podman build` would go on building
    // (and tagging) for minutes after `harness gc` swept its working container.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setpgid(0, 0);  // own group: a timeout kills grandchildren too; terminal ^C reaches only us
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    dup2(in_r.fd, 0);
    dup2(out_w.fd, 1);
    dup2(err_w.fd, 2);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    execve(exe.c_str(), args.data(), envp.data());
    _exit(127);
  }
  setpgid(pid, pid);
  in_r.reset();
  out_w.reset();
  err_w.reset();
  fcntl(in_w.fd, F_SETFL, O_NONBLOCK);
  if (opt.stdin_data.empty()) in_w.reset();

  ProcessResult res;
  std::size_t in_off = 0;
  auto deadline = start + opt.timeout;
  bool interrupted = false;
  char buf[65536];
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    pollfd fds[4];
    int n = 0;
    int i_out = -1, i_err = -1, i_in = -1, i_sig = -1;
    if (out_r.fd >= 0) { fds[n] = {out_r.fd, POLLIN, 0}; i_out = n++; }
    if (err_r.fd >= 0) { fds[n] = {err_r.fd, POLLIN, 0}; i_err = n++; }
    if (in_w.fd >= 0) { fds[n] = {in_w.fd, POLLOUT, 0}; i_in = n++; }
    if (!opt.ignore_interrupt && interrupt_fd() >= 0) { fds[n] = {interrupt_fd(), POLLIN, 0}; i_sig = n++; }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      res.timed_out = true;
      break;
    }
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) + 1;
    int r = poll(fds, n, ms);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (i_sig >= 0 && (fds[i_sig].revents & POLLIN)) {
      interrupted = true;
      break;
    }
    auto drain = [&](int idx, Fd& fd, std::string& into) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t k = read(fd.fd, buf, sizeof buf);
      if (k <= 0) {
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) return;
        fd.reset();
        return;
      }
      if (&into == &res.err && opt.stream_stderr) [[maybe_unused]] auto w = write(2, buf, static_cast<size_t>(k));
      std::size_t room = into.size() < opt.max_output ? opt.max_output - into.size() : 0;
      if (static_cast<std::size_t>(k) > room) res.truncated = true;
      into.append(buf, std::min<std::size_t>(room, static_cast<std::size_t>(k)));
    };
    drain(i_out, out_r, res.out);
    drain(i_err, err_r, res.err);
    if (!opt.progress.empty() && log::interactive()) {
      const std::string& text = res.err.size() > res.out.size() ? res.err : res.out;
      auto end = text.find_last_not_of('\n');
      if (end != std::string::npos) {
        auto nl = text.rfind('\n', end);
        auto begin = nl == std::string::npos ? 0 : nl + 1;
        log::progress(opt.progress + ": " + text.substr(begin, end + 1 - begin));
      }
    }
    if (i_in >= 0 && (fds[i_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
      if (fds[i_in].revents & (POLLERR | POLLHUP)) {
        in_w.reset();
      } else {
        ssize_t k = write(in_w.fd, opt.stdin_data.data() + in_off, opt.stdin_data.size() - in_off);
        if (k > 0) in_off += static_cast<std::size_t>(k);
        if (k < 0 && errno != EAGAIN && errno != EINTR) in_w.reset();
        if (in_off >= opt.stdin_data.size()) in_w.reset();
      }
    }
  }
  if (res.timed_out || interrupted) kill_group(pid);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  res.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) res.exit_code = 128 + WTERMSIG(status);
  if (interrupted) throw_if_interrupted();
  return res;
}

}  // namespace harness
