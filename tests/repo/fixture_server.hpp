// Test helper: a fixture tree (the rpm-md one of make-rpmmd-fixture.sh, a Debian archive subset of
// debian-subset.py) served by serve-fixture.py on 127.0.0.1. The server process is killed and
// reaped when the object dies.
#pragma once
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

namespace repo_test {

class FixtureServer {
 public:
  // request_log: a file the server appends "METHOD PATH STATUS USER-AGENT" to for every request.
  // upstreams: "NAME=URL,...": pool/ files missing under ROOT/NAME are copied from URL on first use.
  explicit FixtureServer(const std::filesystem::path& root, const std::filesystem::path& request_log = {},
                         const std::string& upstreams = "")
      : FixtureServer(std::vector<std::string>{"serve-fixture.py", root.string(), "1800", request_log.string(), upstreams}) {}

  // A mirror that accepts connections and never answers (mute-server.py).
  static FixtureServer mute() { return FixtureServer(std::vector<std::string>{"mute-server.py", "600"}); }

  FixtureServer(FixtureServer&& other) noexcept : pid_(other.pid_), port_(other.port_) { other.pid_ = -1; }
  ~FixtureServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  FixtureServer(const FixtureServer&) = delete;
  FixtureServer& operator=(const FixtureServer&) = delete;
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  // Runs tests/repo/SCRIPT ARGS...; the script prints its port as the first line of stdout.
  explicit FixtureServer(std::vector<std::string> script_and_args) {
    std::string script = std::string(HARNESS_SOURCE_DIR) + "/tests/repo/" + script_and_args[0];
    std::vector<std::string> argv{"python3", script};
    argv.insert(argv.end(), script_and_args.begin() + 1, script_and_args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) throw harness::InfraError("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      execvp("python3", cargv.data());
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c;
    // The first line is the port; a server that dies early closes the pipe.
    while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    close(fds[0]);
    if (line.empty()) throw harness::InfraError("fixture HTTP server " + script_and_args[0] + " did not start");
    port_ = std::stoi(line);
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

inline std::filesystem::path build_rpmmd_fixture(const std::filesystem::path& out) {
  auto r = harness::run_process({std::string(HARNESS_SOURCE_DIR) + "/tests/repo/make-rpmmd-fixture.sh", out.string()},
                                {.timeout = std::chrono::seconds(300)});
  if (!r.ok()) throw harness::InfraError("make-rpmmd-fixture.sh failed: " + r.err + r.out);
  return out;
}

}  // namespace repo_test
