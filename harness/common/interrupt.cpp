#include "harness/common/interrupt.hpp"

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

#include "harness/common/error.hpp"

namespace harness {
namespace {
std::atomic<int> g_signal{0};
int g_pipe[2] = {-1, -1};

void on_signal(int sig) {
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, sig)) {
    // A second signal while cleaning up: the user insists. `harness gc` removes leftovers.
    _exit(128 + sig);
  }
  char c = 1;
  [[maybe_unused]] auto n = write(g_pipe[1], &c, 1);
}
}  // namespace

void install_interrupt_handlers() {
  if (g_pipe[0] < 0) {
    if (pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int pending_interrupt() { return g_signal.load(); }
int interrupt_fd() { return g_pipe[0]; }

void throw_if_interrupted() {
  if (int s = g_signal.load()) throw Interrupted(s);
}

}  // namespace harness
