// Test helper: a fixture tree (the rpm-md one of make-rpmmd-fixture.sh, a Debian archive subset of
// debian-subset.py) served by serve-fixture.py on 127.0.0.1. The server process is killed and
// reaped when the object dies.
#pragma once
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"

namespace repo_test {

class FixtureServer {
 public:
  // request_log: a file the server appends "METHOD PATH STATUS USER-AGENT" to for every request.
  // upstreams: "NAME=URL,...": pool/ files missing under ROOT/NAME are copied from URL on first use.
  explicit FixtureServer(const std::filesystem::path& root, const std::filesystem::path& request_log = {},
                         const std::string& upstreams = "") {
    int fds[2];
    if (pipe(fds) != 0) throw harness::InfraError("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      std::string script = std::string(HARNESS_SOURCE_DIR) + "/tests/repo/serve-fixture.py";
      execlp("python3", "python3", script.c_str(), root.c_str(), "1800", request_log.c_str(), upstreams.c_str(),
             static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c;
    // The first line is the port; a server that dies early closes the pipe.
    while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    close(fds[0]);
    if (line.empty()) throw harness::InfraError("fixture HTTP server did not start");
    port_ = std::stoi(line);
  }
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
