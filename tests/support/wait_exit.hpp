// Waiting for a forked child in tests: its exit code (128+signal when a signal ended it), or -1
// when it did not end within `limit` (it is then SIGKILLed and reaped, never left behind).
#pragma once
#include <chrono>
#include <csignal>
#include <sys/wait.h>
#include <thread>

namespace harness::test {
inline int wait_exit(pid_t pid, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
}  // namespace harness::test
