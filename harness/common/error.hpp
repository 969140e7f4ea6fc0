// Error types shared by every stage. Messages name the thing that is wrong and what to do.
#pragma once
#include <stdexcept>
#include <string>

namespace harness {

// Bad input from the user: a scenario file, a spec, a flag. Exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The machinery failed (podman, a mirror, a timeout). Never a test verdict. Exit code 3.
struct InfraError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SIGINT/SIGTERM arrived; unwinding removes what this process created. Exit code 130/143.
struct Interrupted : std::runtime_error {
  explicit Interrupted(int sig) : std::runtime_error("interrupted by signal " + std::to_string(sig)), signal(sig) {}
  int signal;
};

}  // namespace harness
